package io.tributary.router;

import io.tributary.commitlog.CommitLog;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery side of one event loop. It owns a cursor into the shared log and a trie of the
 * subscriptions of the sessions attached to this loop. A publish on any core appends once and
 * wakes each interested core once per batch ({@link #wake()}); the core then reads the new records
 * and hands each to the matching sessions it owns. Everything except {@link #wake()} and
 * {@link #interested()} runs on the core's own thread.
 */
public final class Core {

  private static final Logger log = LoggerFactory.getLogger(Core.class);

  private final Broker broker;
  private final CommitLog<Message> commitLog;
  private final Executor executor;
  private final String name;
  private final int drainBatch;
  private final AtomicBoolean wakePending = new AtomicBoolean();
  private final TopicTrie<Subscription> trie = new TopicTrie<>();
  private final List<Session> matched = new ArrayList<>();
  private final Set<Session> attached = new LinkedHashSet<>();
  private volatile boolean interested;
  /** Shared-subscription groups whose pump runs here (see {@link SharedGroup}); this thread only. */
  private final List<SharedGroup> homedGroups = new ArrayList<>();
  private volatile boolean hasGroups;
  /** Shared-subscription messages handed to members attached here. */
  final SharedInbox sharedInbox = new SharedInbox(this);
  private Message current;
  private final java.util.function.Consumer<Subscription> collector = this::collect;
  private long cursor;

  Core(Broker broker, Executor executor, String name) {
    this.broker = broker;
    this.commitLog = broker.log();
    this.executor = executor;
    this.name = name;
    this.drainBatch = broker.options().getDrainBatch();
    this.cursor = commitLog.endOffset();
  }

  /** Runs task on this core's thread. */
  public void execute(Runnable task) {
    executor.execute(task);
  }

  public String name() {
    return name;
  }

  /** True while some session of this core has a subscription: only then do publishes wake it. */
  boolean interested() {
    return interested || hasGroups;
  }

  /** Any thread: schedule one drain unless one is already pending. */
  void wake() {
    if (wakePending.compareAndSet(false, true)) {
      executor.execute(this::drain);
    }
  }

  /** Offset up to which live sessions of this core have been handed every record. */
  long cursor() {
    return cursor;
  }

  void attach(Session session) {
    attached.add(session);
  }

  void detach(Session session) {
    attached.remove(session);
  }

  void addSubscription(Subscription sub) {
    if (trie.isEmpty()) {
      // An idle core is not woken, so its cursor is stale: order matters here. Set interested
      // first, then read the end: a concurrent publish either sees interested and wakes us, or
      // its record is already below the end we read and was published before this subscription.
      interested = true;
      cursor = commitLog.endOffset();
    }
    trie.add(sub.filter(), sub);
  }

  void removeSubscription(Subscription sub) {
    trie.remove(sub.filter(), sub);
    if (trie.isEmpty()) {
      interested = false;
    }
  }

  private void drain() {
    wakePending.set(false);
    if (hasGroups && pumpGroups()) {
      wake(); // a group has more ready: come back after other work on this loop
    }
    if (trie.isEmpty()) {
      cursor = commitLog.endOffset();
      return;
    }
    long start = commitLog.startOffset();
    if (cursor < start) {
      // Retention overtook this core: its live sessions go back to reading on their own from
      // here, so each one counts and logs, with its client id, what it lost.
      log.warn("core {} fell {} records behind retention", name, start - cursor);
      for (Session s : new ArrayList<>(attached)) {
        s.fellBehind();
      }
      cursor = start;
    }
    cursor = commitLog.read(cursor, drainBatch, this::dispatch);
    if (cursor < commitLog.endOffset()) {
      wake(); // more to do: yield to other work on this loop first
    }
  }

  /** This thread: the group's pump runs here from now on. */
  void addGroup(SharedGroup group) {
    homedGroups.add(group);
    hasGroups = true; // before the group reads the log's end: see addSubscription
    wake();
  }

  /** This thread. */
  void removeGroup(SharedGroup group) {
    homedGroups.remove(group);
    hasGroups = !homedGroups.isEmpty();
  }

  private boolean pumpGroups() {
    boolean more = false;
    for (int i = 0; i < homedGroups.size(); i++) {
      more |= homedGroups.get(i).pump();
    }
    return more;
  }

  private boolean dispatch(long offset, Message message) {
    current = message;
    trie.match(message.topic(), collector);
    current = null;
    List<Session> sessions = matched;
    for (int i = 0, n = sessions.size(); i < n; i++) {
      sessions.get(i).deliverLive(offset, message);
    }
    sessions.clear();
    return true;
  }

  // Overlapping subscriptions of one session: one delivery, merged (highest QoS, all ids).
  private void collect(Subscription sub) {
    Session s = sub.session();
    if (s.collect(sub, current)) {
      matched.add(s);
    }
  }
}
