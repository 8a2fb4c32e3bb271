package io.tributary.router.delivery;

import io.tributary.commitlog.CommitLog;
import io.tributary.router.message.Message;
import io.tributary.router.topic.TopicTrie;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery side of one event loop. It owns a cursor into the shared log and a trie of the
 * subscriptions of the subscribers attached to this loop. A publish on any loop appends once and
 * wakes each interested dispatcher once per batch ({@link #wake()}); the dispatcher then reads the
 * new records and hands each to the matching subscribers it owns. Everything except
 * {@link #wake()} and {@link #interested()} runs on the dispatcher's own thread.
 */
public final class Dispatcher {

  private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

  private final CommitLog<Message> commitLog;
  private final Executor executor;
  private final String name;
  private final int drainBatch;
  private final AtomicBoolean wakePending = new AtomicBoolean();
  private final TopicTrie<Subscription> trie = new TopicTrie<>();
  private final List<Subscriber> matched = new ArrayList<>();
  private final Set<Subscriber> attached = new LinkedHashSet<>();
  private volatile boolean interested;
  /** Log readers of their own (shared-subscription groups) that run here; this thread only. */
  private final List<LogPump> pumps = new ArrayList<>();
  private volatile boolean hasPumps;
  private Message current;
  private final Consumer<Subscription> collector = this::collect;
  private long cursor;
  private final java.util.concurrent.ConcurrentLinkedQueue<Runnable> batched =
      new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final java.util.concurrent.atomic.AtomicBoolean batchPending =
      new java.util.concurrent.atomic.AtomicBoolean();

  /** {@code executor} must run tasks on one event loop, in order. */
  public Dispatcher(CommitLog<Message> commitLog, int drainBatch, Executor executor, String name) {
    this.commitLog = commitLog;
    this.executor = executor;
    this.name = name;
    this.drainBatch = drainBatch;
    this.cursor = commitLog.endOffset();
  }

  /** Runs task on this dispatcher's thread. */
  public void execute(Runnable task) {
    executor.execute(task);
  }

  /**
   * Any thread: runs task on this dispatcher's thread, in submission order, batched with the other
   * tasks submitted before the thread gets to them: one hop to the loop for many (the log's flusher
   * releases thousands of acknowledgements per fsync).
   */
  public void executeBatched(Runnable task) {
    batched.add(task);
    if (batchPending.compareAndSet(false, true)) {
      executor.execute(this::runBatched);
    }
  }

  private void runBatched() {
    batchPending.set(false); // before polling: a task added from here on schedules another run
    Runnable task;
    while ((task = batched.poll()) != null) {
      task.run();
    }
  }

  public String name() {
    return name;
  }

  /** Any thread: true while a subscriber here has a subscription or a pump runs here. */
  public boolean interested() {
    return interested || hasPumps;
  }

  /** Any thread: schedule one drain unless one is already pending. */
  public void wake() {
    if (wakePending.compareAndSet(false, true)) {
      executor.execute(this::drain);
    }
  }

  /** Offset up to which live subscribers here have been handed every record. */
  public long cursor() {
    return cursor;
  }

  public void attach(Subscriber subscriber) {
    attached.add(subscriber);
  }

  public void detach(Subscriber subscriber) {
    attached.remove(subscriber);
  }

  public void addSubscription(Subscription sub) {
    if (trie.isEmpty()) {
      // An idle dispatcher is not woken, so its cursor is stale: order matters here. Set
      // interested first, then read the end: a concurrent publish either sees interested and
      // wakes us, or its record is already below the end we read (a new subscription's lookback
      // covers those, see Session.subscribe).
      interested = true;
      cursor = commitLog.endOffset();
    }
    trie.add(sub.filter(), sub);
  }

  public void removeSubscription(Subscription sub) {
    trie.remove(sub.filter(), sub);
    if (trie.isEmpty()) {
      interested = false;
    }
  }

  /** This thread: the pump runs here from now on. */
  public void addPump(LogPump pump) {
    pumps.add(pump);
    hasPumps = true;
    wake();
  }

  /** This thread. */
  public void removePump(LogPump pump) {
    pumps.remove(pump);
    hasPumps = !pumps.isEmpty();
  }

  private void drain() {
    wakePending.set(false);
    if (hasPumps && runPumps()) {
      wake(); // a pump has more ready: come back after other work on this loop
    }
    if (trie.isEmpty()) {
      cursor = commitLog.endOffset();
      return;
    }
    long start = commitLog.startOffset();
    if (cursor < start) {
      // Retention overtook this dispatcher: its live subscribers go back to reading on their own
      // from here, so each one counts and logs, with its client id, what it lost.
      log.warn("dispatcher {} fell {} records behind retention", name, start - cursor);
      for (Subscriber s : new ArrayList<>(attached)) {
        s.fellBehind();
      }
      cursor = start;
    }
    cursor = commitLog.read(cursor, drainBatch, this::dispatch);
    if (cursor < commitLog.endOffset()) {
      wake(); // more to do: yield to other work on this loop first
    }
  }

  private boolean runPumps() {
    boolean more = false;
    for (int i = 0; i < pumps.size(); i++) {
      more |= pumps.get(i).pump();
    }
    return more;
  }

  private boolean dispatch(long offset, Message message) {
    current = message;
    trie.match(message.topic(), collector);
    current = null;
    List<Subscriber> subscribers = matched;
    for (int i = 0, n = subscribers.size(); i < n; i++) {
      subscribers.get(i).deliverLive(offset, message);
    }
    subscribers.clear();
    return true;
  }

  // Overlapping subscriptions of one subscriber: one delivery, merged (highest QoS, all ids).
  private void collect(Subscription sub) {
    Subscriber s = sub.subscriber();
    if (s.collect(sub, current)) {
      matched.add(s);
    }
  }

  @Override
  public String toString() {
    return "Dispatcher{" + name + "}";
  }
}
