package io.tributary.router.session;

import io.tributary.commitlog.CommitLog;
import io.tributary.router.counters.BrokerCounters;
import io.tributary.router.delivery.Dispatcher;
import io.tributary.router.logging.LogSafe;
import io.tributary.router.message.Message;
import io.tributary.router.shared.SharedGroups;
import io.tributary.router.state.RetainedStore;
import io.tributary.router.state.StateStore;
import java.util.Map;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import io.tributary.router.topic.SubscriptionIndex;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sessions of one broker by client id, connected or not: claiming a session for a connection
 * (taking it over from whichever dispatcher holds it), will delays, expiry of offline sessions, and
 * the report of sessions that lose records to retention while they are not reading.
 */
public final class SessionRegistry {

  private static final Logger LOG = LoggerFactory.getLogger(SessionRegistry.class);
  private static final int MAX_LOSS_LINES = 20;

  private final SessionSettings options;
  private final CommitLog<Message> log;
  private final StateStore state;
  private volatile SessionMirror mirror = SessionMirror.NONE;
  private final RetainedStore retained;
  private final SubscriptionIndex index;
  private final SharedGroups sharedGroups;
  private final BrokerCounters counters;
  private final Consumer<Message> publisher;
  private final ScheduledExecutorService timer;
  private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();
  /** Owner of sessions being expired: runs takeover attempts inline, where they find no link. */
  private final Dispatcher reaper;

  /**
   * @param publisher stores a message (wills) as a publish does
   * @param timer runs will delays, expiries and the retention-loss report
   */
  public SessionRegistry(SessionSettings options, CommitLog<Message> log, StateStore state, RetainedStore retained,
      SubscriptionIndex index, SharedGroups sharedGroups, BrokerCounters counters, Consumer<Message> publisher,
      ScheduledExecutorService timer) {
    this.options = options;
    this.log = log;
    this.state = state;
    this.retained = retained;
    this.index = index;
    this.sharedGroups = sharedGroups;
    this.counters = counters;
    this.publisher = publisher;
    this.timer = timer;
    this.reaper = new Dispatcher(log, options.drainBatch(), Runnable::run, "reaper");
    long every = options.retentionReportMs();
    timer.scheduleWithFixedDelay(this::reportRetentionLoss, every, every, TimeUnit.MILLISECONDS);
  }

  SessionSettings options() {
    return options;
  }

  CommitLog<Message> log() {
    return log;
  }

  StateStore state() {
    return state;
  }

  /**
   * Brings back the persistent sessions the state log kept (before any connection): offline, with
   * their subscriptions in the index, their log position and in-flight deliveries; those whose
   * expiry passed while the broker was down end now. Returns how many came back.
   */
  public int restore(Map<String, byte[]> saved) {
    return restore(saved, SubscriptionIndex.NOTHING_BEFORE);
  }

  private int restore(Map<String, byte[]> saved, long since) {
    long now = System.currentTimeMillis();
    int restored = 0;
    long lostInflight = 0;
    for (Map.Entry<String, byte[]> e : saved.entrySet()) {
      SessionSnapshot snapshot;
      try {
        snapshot = SessionSnapshot.decode(e.getValue());
      } catch (RuntimeException bad) {
        LOG.warn("state log: session {} does not decode ({}); it is dropped", LogSafe.text(e.getKey()),
            bad.toString());
        state.endSession(e.getKey());
        continue;
      }
      if (snapshot.expiresAt() <= now) {
        state.endSession(e.getKey());
        continue;
      }
      Session session = new Session(this, e.getKey());
      lostInflight += session.restore(snapshot, since);
      sessions.put(e.getKey(), session);
      if (snapshot.pendingWill() != null) {
        // A delayed will still due: at its time, or now if that passed while the broker was down.
        publishWillLater(session, snapshot.pendingWill(), Math.max(0, (snapshot.willDueAt() - now + 999) / 1000));
      }
      if (snapshot.expirySeconds() != SessionRequest.NEVER_EXPIRES) {
        expireLater(session, session.generation(), Math.max(0, (snapshot.expiresAt() - now + 999) / 1000));
      }
      restored++;
    }
    if (restored > 0 || lostInflight > 0) {
      LOG.info("restored {} persistent session(s){}", restored,
          lostInflight > 0 ? "; " + lostInflight + " in-flight deliveries were past retention" : "");
    }
    return restored;
  }

  RetainedStore retained() {
    return retained;
  }

  SubscriptionIndex index() {
    return index;
  }

  SharedGroups sharedGroups() {
    return sharedGroups;
  }

  BrokerCounters counters() {
    return counters;
  }

  /** Sessions known to the broker, connected or not. */
  /** Whether a session with this client id exists (connected or not). */
  public boolean contains(String clientId) {
    return sessions.containsKey(clientId);
  }

  public int size() {
    return sessions.size();
  }

  /**
   * Binds a connection to the session of its client id, taking it over from whichever dispatcher
   * holds it. {@code done} runs on {@code dispatcher}'s thread with the session and the
   * session-present flag. Must be called on {@code dispatcher}'s thread. If the connection closes
   * while the session is still held elsewhere, {@code done} gets a null session: a dead connection
   * takes nothing over.
   */
  public void connect(Dispatcher dispatcher, SessionRequest request, BiConsumer<Session, Boolean> done) {
    String clientId = request.clientId();
    Session session = sessions.computeIfAbsent(clientId, id -> new Session(this, id));
    Dispatcher current = session.owner();
    if (current == null) {
      if (session.claim(null, dispatcher)) {
        if (sessions.get(clientId) != session) {
          // It ended (clean session) between our lookup and our claim: start again.
          session.setOwner(null);
          dispatcher.execute(() -> connect(dispatcher, request, done));
          return;
        }
        boolean present = session.attach(dispatcher, request);
        done.accept(session, present);
        return;
      }
      dispatcher.execute(() -> connect(dispatcher, request, done));
      return;
    }
    if (!request.link().isOpen()) {
      done.accept(null, false);
      return;
    }
    // Connected on some dispatcher (maybe this one): take it over there, then claim it from here.
    current.execute(() -> {
      if (session.isOwnedBy(current)) {
        session.takeOver();
      }
      dispatcher.execute(() -> connect(dispatcher, request, done));
    });
  }

  /**
   * The sessions whose client id passes {@code select}, each read on the thread that owns it (one
   * task per event loop that owns any, none for offline sessions, which do not move), sorted by
   * client id. Completes on one of those threads.
   */
  public CompletableFuture<List<SessionInfo>> inspect(Predicate<String> select) {
    long end = log.endOffset();
    List<SessionInfo> offline = new ArrayList<>();
    Map<Dispatcher, List<Session>> byOwner = new HashMap<>();
    for (Session s : sessions.values()) {
      if (!select.test(s.clientId())) {
        continue;
      }
      Dispatcher owner = s.owner();
      if (offline(owner)) {
        try {
          offline.add(s.info(end));
        } catch (RuntimeException ending) {
          // The timer thread is ending it (expiry) as we read: it is gone, leave it out.
        }
      } else {
        byOwner.computeIfAbsent(owner, d -> new ArrayList<>()).add(s);
      }
    }
    List<CompletableFuture<List<SessionInfo>>> parts = new ArrayList<>();
    parts.add(CompletableFuture.completedFuture(offline));
    byOwner.forEach((owner, owned) -> {
      CompletableFuture<List<SessionInfo>> part = new CompletableFuture<>();
      owner.execute(() -> {
        List<SessionInfo> infos = new ArrayList<>(owned.size());
        for (Session s : owned) {
          // Still here after the hop (not taken over, not ended): read it; else it moved, and
          // reading it from here could race its new owner.
          if (s.isOwnedBy(owner) && sessions.get(s.clientId()) == s) {
            infos.add(s.info(end));
          }
        }
        part.complete(infos);
      });
      parts.add(part);
    });
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(v -> {
      List<SessionInfo> all = new ArrayList<>();
      parts.forEach(p -> all.addAll(p.join()));
      all.sort(Comparator.comparing(SessionInfo::clientId));
      return all;
    });
  }

  /** What {@link #evict} did. */
  public enum Eviction { NOT_FOUND, DISCONNECTED, ENDED }

  /**
   * An operator's disconnect: the client's connection is closed (MQTT 5: 0x98) and, with
   * {@code end}, its session ends too (an offline one at once). A persistent session otherwise
   * stays, offline, as after any dropped connection.
   */
  public CompletableFuture<Eviction> evict(String clientId, boolean end) {
    CompletableFuture<Eviction> result = new CompletableFuture<>();
    evict(clientId, end, result, 0);
    return result;
  }

  private void evict(String clientId, boolean end, CompletableFuture<Eviction> result, int attempt) {
    Session session = sessions.get(clientId);
    if (session == null) {
      result.complete(Eviction.NOT_FOUND);
      return;
    }
    Dispatcher owner = session.owner();
    if (offline(owner)) {
      if (!end) {
        result.complete(Eviction.NOT_FOUND); // no connection to close
      } else if (session.claim(null, reaper)) {
        endClaimed(session); // as an expiry does
        result.complete(Eviction.ENDED);
      } else if (attempt < 100) {
        timer.schedule(() -> evict(clientId, end, result, attempt + 1), 10, TimeUnit.MILLISECONDS);
      } else {
        result.completeExceptionally(new IllegalStateException("session " + clientId + " keeps changing hands"));
      }
      return;
    }
    owner.execute(() -> {
      if (!session.isOwnedBy(owner)) {
        evict(clientId, end, result, attempt + 1); // it moved meanwhile: follow it
      } else {
        boolean wasConnected = session.evict(end);
        result.complete(!wasConnected ? Eviction.NOT_FOUND : end ? Eviction.ENDED : Eviction.DISCONNECTED);
      }
    });
  }

  /**
   * A session on its way to another cluster node: its state as the state log keeps it and the
   * messages it has not had, with their offsets in this node's log (ascending).
   */
  public record Handoff(byte[] state, long[] offsets, List<Message> messages) {}


  /**
   * Another cluster node takes this session over: its connection here is closed as by a takeover
   * (MQTT 5: 0x8E; a will without delay goes out), then, with {@code keepState}, the session's
   * state and the messages it has not had (in flight, then what its subscriptions match from its
   * read position on) are exported, and the session ends here. Completes with null when there is
   * no such session or nothing to keep.
   */
  public CompletableFuture<Handoff> handOff(String clientId, boolean keepState) {
    CompletableFuture<Handoff> result = new CompletableFuture<>();
    handOff(clientId, keepState, result, 0);
    return result;
  }

  private void handOff(String clientId, boolean keepState, CompletableFuture<Handoff> result, int attempt) {
    Session session = sessions.get(clientId);
    if (session == null) {
      result.complete(null);
      return;
    }
    Dispatcher owner = session.owner();
    if (owner != null && owner != reaper) {
      owner.execute(() -> {
        if (session.isOwnedBy(owner)) {
          session.takeOver(); // offline from here (or ended, a clean session)
        }
        handOff(clientId, keepState, result, attempt + 1);
      });
      return;
    }
    if (owner == null && session.claim(null, reaper)) {
      try {
        result.complete(keepState && sessions.get(clientId) == session ? SessionMoves.export(session, log) : null);
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
      session.takePendingWill(); // a delayed will travels in the state: not published here
      session.end();
      return;
    }
    if (attempt < 100) {
      timer.schedule(() -> handOff(clientId, keepState, result, attempt + 1), 10, TimeUnit.MILLISECONDS);
    } else {
      result.completeExceptionally(new IllegalStateException("session " + clientId + " keeps changing hands"));
    }
  }

  /**
   * Takes a session another cluster node handed off ({@link #handOff} there): see
   * {@link SessionMoves#adopt}. An offline session of the same id here is replaced; a connected one
   * stays and the handoff is dropped.
   */
  public void adopt(String clientId, Handoff handoff) {
    Session existing = sessions.get(clientId);
    if (existing != null) {
      if (existing.owner() == null && existing.claim(null, reaper)) {
        existing.takePendingWill();
        existing.end();
      } else {
        LOG.warn("client {}: a session handed over from another node is dropped: one is connected here",
            LogSafe.text(clientId));
        return;
      }
    }
    SessionMoves.Arrival arrival = SessionMoves.arrive(log, clientId, handoff);
    state.saveSession(clientId, arrival.state());
    // Its queue has what was stored for it before it left the other node; other nodes send what
    // they stored since (see SubscriptionIndex.FilterListener).
    restore(Map.of(clientId, arrival.state()), arrival.since());
  }

  /**
   * Resumes a session from the metadata a cluster replicated ({@link SessionMirror}) after the node
   * that held it died: its subscriptions come back with nothing queued here; other nodes send what
   * they stored for them since {@code since} (see {@link SessionMoves#arrive}). The dead node's
   * queue for it is not here (it is on that node's disk).
   */
  public void adoptReplica(String clientId, byte[] metadata, long since) {
    SessionSnapshot m = SessionSnapshot.decode(metadata);
    SessionSnapshot resumed = new SessionSnapshot(m.expirySeconds(), since, m.disconnectedAt(), 0, m.subscriptions(),
        List.of(), new int[0], null, 0);
    adopt(clientId, new Handoff(resumed.encode(), new long[0], List.of()));
  }

  public void setMirror(SessionMirror mirror) {
    this.mirror = mirror;
  }

  SessionMirror mirror() {
    return mirror;
  }

  /** Sessions with a connection bound now (a racy count, for metrics). */
  public int connectedCount() {
    int n = 0;
    for (Session s : sessions.values()) {
      if (!offline(s.owner())) {
        n++;
      }
    }
    return n;
  }

  /**
   * Outbound QoS 1/2 deliveries waiting for their acknowledgement, all sessions together. Reads
   * each window's size from this thread without a hop: a gauge may be a turn old.
   */
  public long inflightCount() {
    long n = 0;
    for (Session s : sessions.values()) {
      n += s.inflightCount();
    }
    return n;
  }

  /** Publishes a will now: its Message Expiry Interval starts at publication, not at CONNECT. */
  private volatile WillKeeper wills = WillKeeper.NONE;

  /** Who is told of the wills of connected sessions (a cluster node). */
  public void setWillKeeper(WillKeeper keeper) {
    this.wills = keeper;
  }

  WillKeeper wills() {
    return wills;
  }

  void publishWill(Message will) {
    publisher.accept(will.publishedAt(System.currentTimeMillis()));
  }

  /** Publishes the session's delayed will after delaySeconds, unless a reconnect took it back. */
  void publishWillLater(Session session, Message will, long delaySeconds) {
    timer.schedule(() -> {
      if (session.takePendingWill(will)) {
        publishWill(will);
        // Offline now (a connection would have taken the will back): claim it briefly so the
        // state log forgets the will, which must not go out again after a restart.
        if (session.claim(null, reaper)) {
          session.save();
          session.setOwner(null);
        }
      }
    }, delaySeconds, TimeUnit.SECONDS);
  }

  /** Ends the offline session after expirySeconds unless it was connected again meanwhile. */
  void expireLater(Session session, long generation, long expirySeconds) {
    timer.schedule(() -> {
      if (!session.claim(null, reaper)) {
        return; // connected again
      }
      if (session.generation() != generation) {
        session.setOwner(null); // connected and left again since: a later timer is due
        return;
      }
      endClaimed(session);
    }, expirySeconds, TimeUnit.SECONDS);
  }

  /**
   * Ends an offline session the reaper has claimed; the will, if one waits out its delay, goes out
   * now (at the latest when the session ends). The owner stays the reaper: a connect still holding
   * this object finds it gone and retries.
   */
  private void endClaimed(Session session) {
    session.end();
    Message will = session.takePendingWill();
    if (will != null) {
      publishWill(will);
    }
  }

  /** A session nobody's connection holds: no owner, or the reaper (expiring, ending, saving). */
  private boolean offline(Dispatcher owner) {
    return owner == null || owner == reaper;
  }

  void forget(Session session) {
    sessions.remove(session.clientId(), session);
  }

  /**
   * Where the lookback of a new subscription starts (see
   * {@code RouterOptions.getSubscribeLookbackMs()}): the first record below {@code position} stored
   * within the lookback time, found with the log's time index.
   */
  long lookbackStart(long position) {
    if (options.subscribeLookbackMs() == 0) {
      return position;
    }
    long since = System.currentTimeMillis() - options.subscribeLookbackMs();
    long low = Math.max(log.startOffset(), position - options.subscribeLookbackRecords());
    return Math.min(position, Math.max(low, log.offsetForTime(since)));
  }

  /**
   * Sessions that are not reading (offline, or stalled behind a full socket) and lose records to
   * retention are logged while it happens, once per interval each, with the count since the last
   * report; at most {@link #MAX_LOSS_LINES} lines per report, then one line for the rest. The loss
   * is counted when the session reads again and finds the gap.
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
}
