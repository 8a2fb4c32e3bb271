package io.tributary.router;

import io.tributary.commitlog.CommitLog;
import io.tributary.commitlog.InMemoryCommitLog;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * The protocol-neutral broker core: one shared commit log, the retained store, the session
 * registry and the per-event-loop {@link Core}s. Protocol adapters call {@link #publish} and
 * {@link #connect}; they know nothing of each other.
 */
public final class Broker implements AutoCloseable {

  private final RouterOptions options;
  private final CommitLog<Message> log;
  private final RetainedStore retained = new RetainedStore();
  private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();
  private final List<Core> cores = new CopyOnWriteArrayList<>();
  private final SubscriptionIndex index = new SubscriptionIndex();
  /** Shared-subscription groups by "$share/{name}/{filter}"; off the per-message path. */
  private final ConcurrentHashMap<String, SharedGroup> sharedGroups = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer;
  /** Owner of sessions being expired: runs takeover attempts inline, where they find no link. */
  private final Core reaper;
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Broker.class);
  private static final int MAX_LOSS_LINES = 20;
  private final AtomicLong published = new AtomicLong();
  private final AtomicLong lost = new AtomicLong();
  private final BrokerCounters counters = new BrokerCounters();

  public Broker(RouterOptions options) {
    this.options = new RouterOptions(options);
    this.log = new InMemoryCommitLog<>(this.options.getLog(), Message::sizeInBytes);
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "tributary-session-timer");
      t.setDaemon(true);
      return t;
    });
    this.reaper = new Core(this, Runnable::run, "reaper");
    long every = this.options.getRetentionReportMs();
    timer.scheduleWithFixedDelay(this::reportRetentionLoss, every, every, TimeUnit.MILLISECONDS);
  }

  /**
   * Sessions that are not reading (offline, or stalled behind a full socket) and lose records to
   * retention are logged while it happens, once per interval each, with the count since the last
   * report; at most {@link #MAX_LOSS_LINES} lines per report, then one line for the rest. The loss
   * is counted in {@link #lostCount()} when the session reads again and finds the gap.
   */
  private void reportRetentionLoss() {
    try {
      long start = log.startOffset();
      int lines = 0;
      int more = 0;
      long moreRecords = 0;
      for (Session s : sessions.values()) {
        long lost = s.unreportedRetentionLoss(start);
        if (lost <= 0) {
          continue;
        }
        if (lines++ < MAX_LOSS_LINES) {
          LOG.warn("client {} is not reading: {} more records removed by retention before it read them",
              LogSafe.text(s.clientId()), lost);
        } else {
          more++;
          moreRecords += lost;
        }
      }
      if (more > 0) {
        LOG.warn("{} more sessions not reading lost {} records to retention", more, moreRecords);
      }
    } catch (RuntimeException e) {
      LOG.error("retention loss report failed", e);
    }
  }

  /** All subscribed filters, for "any subscribers?" questions off the delivery path. */
  public SubscriptionIndex index() {
    return index;
  }

  public RouterOptions options() {
    return options;
  }

  public CommitLog<Message> log() {
    return log;
  }

  public RetainedStore retained() {
    return retained;
  }

  /** Registers an event loop; {@code executor} must run tasks on that loop, in order. */
  public Core addCore(Executor executor, String name) {
    Core core = new Core(this, executor, name);
    cores.add(core);
    return core;
  }

  public void removeCore(Core core) {
    cores.remove(core);
  }

  /**
   * Stores the message once and wakes the cores that have subscribers. Thread-safe. When it
   * returns the message is in the log, so a QoS 1/2 acknowledgement may be sent.
   */
  public long publish(Message message) {
    long offset = message.retain()
        ? retained.appendLocked(() -> log.append(message), List.of(message))
        : log.append(message);
    published.incrementAndGet();
    wakeCores();
    return offset;
  }

  /** One wake per interested core per batch (see {@link Core#wake()}). */
  private void wakeCores() {
    for (Core core : cores) {
      if (core.interested()) {
        core.wake();
      }
    }
  }

  /**
   * Stores the messages as one batch (one log append, consecutive offsets, in list order) and
   * wakes each interested core once. Thread-safe. Returns the offset of the first, or the log's
   * end offset for an empty list (nothing is appended).
   */
  public long publishAll(List<Message> messages) {
    if (messages.isEmpty()) {
      return log.endOffset();
    }
    boolean anyRetained = false;
    for (int i = 0, n = messages.size(); i < n && !anyRetained; i++) {
      anyRetained = messages.get(i).retain();
    }
    long offset = anyRetained
        ? retained.appendLocked(() -> log.appendAll(messages), messages)
        : log.appendAll(messages);
    published.addAndGet(messages.size());
    wakeCores();
    return offset;
  }

  /**
   * Binds a connection to the session of its client id, taking it over from whichever core holds
   * it. {@code done} runs on {@code core}'s thread with the session and the session-present flag.
   * Must be called on {@code core}'s thread. If the connection closes while the session is still
   * held elsewhere, {@code done} gets a null session: a dead connection takes nothing over.
   */
  public void connect(Core core, SessionRequest request, BiConsumer<Session, Boolean> done) {
    String clientId = request.clientId();
    Session session = sessions.computeIfAbsent(clientId, id -> new Session(this, id));
    Core current = session.owner.get();
    if (current == null) {
      if (session.owner.compareAndSet(null, core)) {
        if (sessions.get(clientId) != session) {
          // It ended (clean session) between our lookup and our claim: start again.
          session.owner.set(null);
          core.execute(() -> connect(core, request, done));
          return;
        }
        boolean present = session.attach(core, request);
        done.accept(session, present);
        return;
      }
      core.execute(() -> connect(core, request, done));
      return;
    }
    if (!request.link().isOpen()) {
      done.accept(null, false);
      return;
    }
    // Connected on some core (maybe this one): take it over there, then claim it from here.
    current.execute(() -> {
      if (session.owner.get() == current) {
        session.takeOver();
      }
      core.execute(() -> connect(core, request, done));
    });
  }

  /** Publishes a will now: its Message Expiry Interval starts at publication, not at CONNECT. */
  void publishWill(Message will) {
    publish(will.publishedAt(System.currentTimeMillis()));
  }

  /** Publishes the session's delayed will after delaySeconds, unless a reconnect took it back. */
  void publishWillLater(Session session, Message will, long delaySeconds) {
    timer.schedule(() -> {
      if (session.pendingWill.compareAndSet(will, null)) {
        publishWill(will);
      }
    }, delaySeconds, TimeUnit.SECONDS);
  }

  /** Ends the offline session after expirySeconds unless it was connected again meanwhile. */
  void expireLater(Session session, long generation, long expirySeconds) {
    timer.schedule(() -> {
      if (!session.owner.compareAndSet(null, reaper)) {
        return; // connected again
      }
      if (session.generation != generation) {
        session.owner.set(null); // connected and left again since: a later timer is due
        return;
      }
      session.end();
      Message will = session.pendingWill.getAndSet(null);
      if (will != null) {
        publishWill(will); // the will is sent at the latest when the session ends
      }
      // The owner stays the reaper: a connect still holding this object finds it gone and retries.
    }, expirySeconds, TimeUnit.SECONDS);
  }

  /**
   * Counts one more session holding the shared subscription, creating the group (pumped on
   * {@code core}, the caller's core) if it is the first. Called on {@code core}'s thread.
   */
  SharedGroup joinShared(String shareName, String filter, Core core) {
    SharedGroup[] created = new SharedGroup[1];
    SharedGroup group = sharedGroups.compute(SharedGroup.key(shareName, filter), (k, g) -> {
      if (g == null) {
        g = new SharedGroup(this, shareName, filter, core);
        created[0] = g;
      }
      g.subscribers++;
      return g;
    });
    if (created[0] != null) {
      index.add(filter); // once per group: the group is one subscriber for PUBACK 0x10
      core.addGroup(created[0]);
    }
    return group;
  }

  /** One session less holds the shared subscription; the last one removes the group. Any thread. */
  void leaveShared(SharedGroup group) {
    boolean[] last = new boolean[1];
    sharedGroups.computeIfPresent(group.key(), (k, g) -> {
      if (g != group) {
        return g;
      }
      if (--g.subscribers == 0) {
        last[0] = true;
        g.removed = true;
        return null;
      }
      return g;
    });
    if (last[0]) {
      index.remove(group.filter());
      group.home.execute(() -> group.home.removeGroup(group));
    }
  }

  /** The group of a shared subscription, or null (for tests and metrics). */
  public SharedGroup sharedGroup(String sharedFilter) {
    return sharedGroups.get(sharedFilter);
  }

  void forget(Session session) {
    sessions.remove(session.clientId(), session);
  }

  void countLost(long records) {
    lost.addAndGet(records);
  }

  /** Sessions known to the broker, connected or not. */
  public int sessionCount() {
    return sessions.size();
  }

  public long publishedCount() {
    return published.get();
  }

  /** Records removed by retention before a session read them. */
  public long lostCount() {
    return lost.get();
  }

  /** What this broker refused or cut off to protect itself. */
  public BrokerCounters counters() {
    return counters;
  }

  @Override
  public void close() {
    timer.shutdownNow();
    log.close();
  }
}
