package io.tributary.router.shared;

import io.tributary.router.topic.Topics;
import io.tributary.router.message.Message;
import io.tributary.router.counters.BrokerCounters;
import io.tributary.router.delivery.LogPump;
import io.tributary.router.logging.LogSafe;
import io.tributary.router.delivery.Dispatcher;

import io.tributary.commitlog.CommitLog;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MQTT 5 shared subscription group, {@code $share/{name}/{filter}}: every matching record goes
 * to exactly one online member, whatever core that member lives on.
 *
 * <p>Why this shape. Letting each member's core match the record and "decide" would need a
 * cross-core agreement per message. Instead the group is one more log reader: it has its own
 * offset and is pumped on one fixed <em>home</em> dispatcher (the core of the session that created it;
 * any core will do, the home only supplies a thread, so it never needs to move when members come
 * and go). The pump reads records from its offset, matches them against the group's filter and
 * hands each match to one member chosen round-robin among those with credit, through that member's
 * core {@link SharedInbox} (one task per core per batch). Each member has a credit window (its
 * in-flight window): a hand-off takes a credit, a written QoS 0 message or an acknowledged QoS 1/2
 * message gives it back. When no member has credit (or none is online) the pump stops and its
 * offset stays put, exactly like a slow session: the log holds the records, the broker buffers at
 * most the credits of the members. So each record is read by one thread and given to one member.
 *
 * <p>Messages handed to a member that went away before sending them, and QoS 1 messages a member
 * had sent but not had acknowledged when it disconnected, come back through {@link #giveBack} and
 * go to another member first (MQTT 5 §4.8.2 allows this for QoS 1; QoS 2 messages stay with their
 * session, MQTT-4.8.2-4/5). Their number is bounded by the members' credits.
 *
 * <p>Position across a restart: hand-outs are counted in spans of the log (a new span about every
 * second); the group saves, at most once a second, the start of the oldest span that still has a
 * message out (handed over, not yet done with), or its read offset when none has. A restarted
 * broker resumes the group there: nothing handed out and unacknowledged is lost, and up to about
 * a second of messages may come again (at least once, as QoS 1 allows; QoS 2 messages a member
 * had received are completed by that member's session, whose in-flight state is saved itself).
 *
 * <p>Cost: the pump matches every record against the group's filter ({@link Topics#matches}), so a
 * core reads each record once per group homed on it. Fine for the tens of groups brokers usually
 * carry; a trie of groups sharing the core's cursor (as sessions do) is the next step if needed.
 *
 * <p>Threads: {@link #pump()} and the round-robin state run on the home core only. A group
 * restored from the state log has no home until its first member attaches ({@link #adopt}). Members are an
 * immutable array swapped under the group's monitor (rare: connect, disconnect, subscribe).
 * {@link #giveBack} and {@link #kick()} are for any thread. The subscriber count (sessions that
 * hold the subscription, online or not) is changed only inside the broker's map compute.
 */
public final class SharedGroup implements LogPump {

  private static final Logger log = LoggerFactory.getLogger(SharedGroup.class);
  static final String PREFIX = "$share/";

  private final CommitLog<Message> commitLog;
  private final BrokerCounters counters;
  private final String key;
  private final String shareName;
  private final String filter;
  private final SharedPositions positions;
  /** Set once: the creating member's dispatcher, or for a restored group the first to attach. */
  private volatile Dispatcher home;
  private final int batch;

  /** Sessions holding this shared subscription (online or offline); guarded by the broker map. */
  int subscribers;
  volatile boolean removed;

  private volatile SharedMember[] members = new SharedMember[0];
  private final ConcurrentLinkedQueue<SharedHandoff> returned = new ConcurrentLinkedQueue<>();
  /** Set by the pump when it stopped for want of a member with credit. */
  private volatile boolean stalled;
  private final java.util.function.Supplier<SharedChoice> choice;
  // home core only
  private long offset;
  private int next;
  private boolean stoppedInRead;
  /** Spans with messages out, oldest first; the last is the one new hand-outs count in. */
  private final ArrayDeque<Span> spans = new ArrayDeque<>();
  private long savedPosition = -1;
  private long savedAtNanos;

  /** Records handed out from {@code start} on until the next span: how many are still out. */
  static final class Span {
    final long start;
    private final AtomicInteger out = new AtomicInteger();

    Span(long start) {
      this.start = start;
    }

    /** Any thread: one message of this span is done with. */
    void completed() {
      out.decrementAndGet();
    }
  }

  /**
   * A group reading from {@code offset} (the log's end for a new group, the saved position for a
   * restored one), pumped on {@code home}, or on the first member's dispatcher when null.
   */
  SharedGroup(CommitLog<Message> commitLog, int batch, BrokerCounters counters, SharedPositions positions,
      String shareName, String filter, Dispatcher home, long offset,
      java.util.function.Supplier<SharedChoice> choice) {
    this.choice = choice;
    this.commitLog = commitLog;
    this.counters = counters;
    this.positions = positions;
    this.shareName = shareName;
    this.filter = filter;
    this.key = key(shareName, filter);
    this.home = home;
    this.batch = batch;
    this.offset = offset;
    this.spans.add(new Span(offset));
    this.savedAtNanos = System.nanoTime() - SAVE_INTERVAL_NANOS; // the first pump saves where it starts
  }

  public static String key(String shareName, String filter) {
    return PREFIX + shareName + "/" + filter;
  }

  /**
   * Splits {@code $share/{name}/{filter}} into {name, filter}, or returns null when it is not a
   * valid shared subscription: MQTT-4.8.2-1 (a share name at least one character long) and
   * MQTT-4.8.2-2 (no '/', '+' or '#' in the share name, then '/' and a valid topic filter).
   */
  public static String[] parse(String sharedFilter) {
    if (sharedFilter == null || !sharedFilter.startsWith(PREFIX)) {
      return null;
    }
    int slash = sharedFilter.indexOf('/', PREFIX.length());
    if (slash <= PREFIX.length()) {
      return null; // no '/' after the share name, or an empty share name
    }
    String name = sharedFilter.substring(PREFIX.length(), slash);
    if (name.indexOf('+') >= 0 || name.indexOf('#') >= 0) {
      return null;
    }
    String filter = sharedFilter.substring(slash + 1);
    if (!Topics.isValidFilter(filter)) {
      return null;
    }
    return new String[] {name, filter};
  }

  /** Whether the string has the {@code $share/} prefix (valid or not). */
  public static boolean isShared(String filter) {
    return filter.startsWith(PREFIX);
  }

  public String key() {
    return key;
  }

  public String shareName() {
    return shareName;
  }

  public String filter() {
    return filter;
  }

  /** Online members right now (for tests and metrics). */
  public int memberCount() {
    return members.length;
  }

  // ---- membership (any thread) -------------------------------------------------------------

  synchronized void addMember(SharedMember m) {
    SharedMember[] old = members;
    SharedMember[] grown = Arrays.copyOf(old, old.length + 1);
    grown[old.length] = m;
    members = grown;
    kick(); // a stalled group may go on now
  }

  synchronized void removeMember(SharedMember m) {
    SharedMember[] old = members;
    for (int i = 0; i < old.length; i++) {
      if (old[i] == m) {
        SharedMember[] shrunk = new SharedMember[old.length - 1];
        System.arraycopy(old, 0, shrunk, 0, i);
        System.arraycopy(old, i + 1, shrunk, i, old.length - i - 1);
        members = shrunk;
        return;
      }
    }
  }

  /** A message handed out but not (fully) delivered: it goes to another member, before newer ones. */
  void giveBack(SharedHandoff handoff) {
    if (removed) {
      return; // nobody subscribes any more
    }
    returned.add(handoff);
    kick();
  }

  /**
   * A member attaches on {@code dispatcher}: a group without a home (restored from the state log)
   * is pumped there from now on. The caller's dispatcher thread.
   */
  synchronized void adopt(Dispatcher dispatcher) {
    if (home == null && !removed) {
      home = dispatcher;
      dispatcher.addPump(this);
    }
  }

  /** A member got credit back: resume the pump if it is waiting for credit. */
  void creditReturned() {
    if (stalled) {
      kick();
    }
  }

  void kick() {
    Dispatcher h = home;
    if (h != null) {
      h.wake();
    }
  }

  // ---- the pump (home core) ----------------------------------------------------------------

  /**
   * Hands out what is ready: messages given back first, then records from the group's offset, one
   * batch at most. Returns true when more records are ready and the core should come back soon.
   */
  @Override
  public boolean pump() {
    if (removed) {
      return false;
    }
    stalled = false;
    savePosition();
    SharedHandoff h;
    while ((h = returned.peek()) != null) {
      if (h.message().isExpired()) {
        h.span.completed();
      } else if (!handOut(h.message(), h.span)) {
        return stall();
      }
      returned.poll();
    }
    long start = commitLog.startOffset();
    if (offset < start) {
      long lost = start - offset;
      log.warn("shared subscription {}: {} records were removed by retention before a member took them", LogSafe.text(key), lost);
      counters.add(BrokerCounters.Counter.RECORDS_LOST_TO_RETENTION, lost);
      offset = start;
    }
    if (offset >= commitLog.endOffset()) {
      return false;
    }
    stoppedInRead = false;
    offset = commitLog.read(offset, batch, this::onRecord);
    if (stoppedInRead) {
      return stall();
    }
    return offset < commitLog.endOffset();
  }

  private boolean stall() {
    // Publish the flag, then look again: a member returning credit either sees the flag and kicks
    // us, or returned it before this check, which then sees it (both are volatile/atomic).
    stalled = true;
    for (SharedMember member : members) {
      if (member.hasCredit()) {
        return true; // credit came back meanwhile: go on at the next turn
      }
    }
    return false;
  }

  private boolean onRecord(long recordOffset, Message message) {
    if (message.isHandoff() || !Topics.matches(filter, message.topic())
        || !choice.get().here(key, recordOffset, message)) {
      return true;
    }
    if (message.isExpired()) {
      return true; // never delivered (MQTT-3.3.2-5)
    }
    Span span = spans.peekLast();
    span.out.incrementAndGet(); // before the hand-off: a fast member may complete it at once
    if (!handOut(message, span)) {
      span.out.decrementAndGet();
      stoppedInRead = true;
      return false; // not consumed: the offset stays at this record
    }
    return true;
  }

  /** Gives the message to the next member (round-robin) that has credit; false if none has. */
  private boolean handOut(Message message, Span span) {
    SharedMember[] ms = members;
    int n = ms.length;
    for (int i = 0; i < n; i++) {
      int at = (next + i) % n;
      SharedMember member = ms[at];
      if (member.tryTake()) {
        next = (at + 1) % n;
        member.inbox.offer(new SharedHandoff(member, message, span));
        return true;
      }
    }
    return false;
  }

  /**
   * Home core, at most once a second: saves where a restart resumes (the oldest span with a
   * message out, else the read offset) when it moved, and starts a new span.
   */
  private void savePosition() {
    long now = System.nanoTime();
    if (now - savedAtNanos < SAVE_INTERVAL_NANOS) {
      return;
    }
    savedAtNanos = now;
    // Spans with nothing out are over (only this thread adds to a count, and only to the last).
    while (!spans.isEmpty() && spans.peekFirst().out.get() <= 0) {
      spans.pollFirst();
    }
    long position = spans.isEmpty() ? offset : spans.peekFirst().start;
    if (position != savedPosition) {
      positions.save(key, position);
      savedPosition = position;
    }
    spans.add(new Span(offset));
  }

  private static final long SAVE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

  Dispatcher home() {
    return home;
  }

  /** Offset of the next record the group reads (home core; for tests). */
  long offset() {
    return offset;
  }

  @Override
  public String toString() {
    return "SharedGroup{" + key + "}";
  }
}
