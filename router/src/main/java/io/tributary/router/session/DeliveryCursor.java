package io.tributary.router.session;

import io.tributary.commitlog.CommitLog;
import io.tributary.router.counters.BrokerCounters;
import io.tributary.router.delivery.Dispatcher;
import io.tributary.router.delivery.Subscriber;
import io.tributary.router.delivery.Subscription;
import io.tributary.router.delivery.SubscriptionOptions;
import io.tributary.router.logging.LogSafe;
import io.tributary.router.message.Message;
import io.tributary.router.topic.Topics;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a session is in the log, and how it gets the records it has not been handed yet.
 *
 * <p>A session is <em>live</em> while it is in step with its dispatcher's cursor and receives
 * records from the dispatcher ({@link #deliverLive}); otherwise (blocked by a full socket or a full
 * in-flight window, or catching up after a reconnect) it keeps its own offset and reads the log
 * itself in {@link #resume()} until it reaches the dispatcher's cursor. So a slow subscriber never
 * holds records in memory: its offset just stays put. Owner thread only, except
 * {@link #unreportedRetentionLoss}.
 */
final class DeliveryCursor implements Subscriber {

  private static final Logger log = LoggerFactory.getLogger(DeliveryCursor.class);
  private static final int NO_MATCH_SLOTS = 16;
  static final int[] NO_IDS = new int[0];

  private final Session session;
  private final CommitLog<Message> commitLog;
  private final OutboundWindow window;
  private final BrokerCounters counters;
  private final int drainBatch;
  private Dispatcher dispatcher;

  private boolean live;
  private long liveFrom;
  private long offset;
  /** Up to where retention losses were already reported; only the broker's timer thread uses it. */
  private long lossReportedUpTo;
  private long qos0SkipBelow;
  /** The log's end when the current connection attached: a new subscription looks back no further. */
  private long attachedAt;
  private boolean resumeScheduled;
  private boolean blocked;
  /** Topics (by identity) that matched none of the subscriptions (catch-up); cleared when they change. */
  private String[] noMatch;
  /** Retained messages and lookback records of new subscriptions, sent before anything newer. */
  private final ArrayDeque<Queued> queued = new ArrayDeque<>();
  /** History replayed for new subscriptions, oldest request first, before anything newer. */
  private final ArrayDeque<ReplayRange> replays = new ArrayDeque<>();

  /** Scratch for the per-record merge of overlapping subscriptions. */
  private int matchedQos = -1;
  private boolean matchedRetainAsPublished;
  private int[] matchedIds = NO_IDS;
  private int matchedIdCount;

  /**
   * History a replaying subscription still has to get: the records in [next, end) it matches.
   * {@code end} is the session's read position when it subscribed, where live delivery takes over.
   */
  static final class ReplayRange {
    final Subscription subscription;
    final int[] subscriptionIds;
    long next;
    final long end;

    ReplayRange(Subscription subscription, int[] subscriptionIds, long from, long end) {
      this.subscription = subscription;
      this.subscriptionIds = subscriptionIds;
      this.next = from;
      this.end = end;
    }
  }

  /**
   * A message to send before the log: its QoS and retain flag for this session are settled; its
   * record's offset, or -1 for a retained message from the store.
   */
  record Queued(Message message, long offset, int qos, boolean retain, int[] subscriptionIds) {}

  DeliveryCursor(Session session, CommitLog<Message> commitLog, OutboundWindow window, BrokerCounters counters,
      int drainBatch) {
    this.session = session;
    this.commitLog = commitLog;
    this.window = window;
    this.counters = counters;
    this.drainBatch = drainBatch;
  }

  /** Attached to {@code dispatcher}; {@code fresh} when the session has no earlier state. */
  void attach(Dispatcher dispatcher, boolean fresh) {
    this.dispatcher = dispatcher;
    if (fresh) {
      offset = dispatcher.cursor();
    }
    resumeScheduled = false; // a task scheduled by a previous owner no longer runs
    // QoS 0 records published while the session was away are not queued for it (MQTT-3.1.2.4
    // makes that optional, and a day of telemetry is not what a reconnecting client wants).
    qos0SkipBelow = commitLog.endOffset();
    attachedAt = qos0SkipBelow;
    live = false;
  }

  void detach() {
    if (live) {
      offset = livePosition();
      live = false;
    }
    dispatcher = null;
  }

  /** The session's state is dropped (clean start or end). */
  void clear() {
    noMatch = null;
    queued.clear();
    replays.clear();
  }

  /** The subscriptions changed: a topic that matched nothing may match now. */
  void subscriptionsChanged() {
    noMatch = null;
  }

  /** A first subscription while not live: nothing before the dispatcher's cursor can match it. */
  void skipToDispatcher() {
    if (!live) {
      offset = Math.max(offset, dispatcher.cursor());
    }
  }

  /**
   * Where a new subscription's lookback may start at the earliest: records stored before this
   * connection attached were published before its SUBSCRIBE could have been sent.
   */
  long attachedAt() {
    return attachedAt;
  }

  /** Offset of the next record this session takes from the log, live or catching up. */
  long readPosition() {
    return live ? livePosition() : offset;
  }

  /** Replays history before anything newer (see {@link ReplayRange}). */
  void replay(ReplayRange range) {
    replays.add(range);
    if (live) {
      offset = livePosition();
      live = false;
    }
    resume();
  }

  /** Restored from a snapshot: the session reads on from offset when it attaches. */
  void restore(long offset) {
    this.offset = offset;
  }

  /** Sends these before anything newer from the log. */
  void queue(Collection<Queued> messages) {
    if (messages.isEmpty()) {
      return;
    }
    queued.addAll(messages);
    if (live) {
      offset = livePosition();
      live = false;
    }
    resume();
  }

  /** Offset below which a live session has been handed everything. */
  private long livePosition() {
    return Math.max(liveFrom, dispatcher.cursor());
  }

  /**
   * Records below {@code start} (the log's first) that this session, not reading live, had not
   * read and that were not reported yet. Runs on the broker's timer thread and reads loop-owned
   * fields without synchronisation: it only feeds a log line, and a value a turn old gives the same
   * line one interval later.
   */
  long unreportedRetentionLoss(long start) {
    if (live) {
      return 0;
    }
    long from = Math.max(offset, lossReportedUpTo);
    if (from >= start) {
      return 0;
    }
    lossReportedUpTo = start;
    return start - from;
  }

  @Override
  public void fellBehind() {
    if (live) {
      offset = livePosition();
      live = false;
      resumeSoon();
    }
  }

  // ---- live delivery (dispatcher) ------------------------------------------------------------

  /**
   * Merges one matching subscription into this record's delivery (dispatch or catch-up): highest
   * QoS, retain-as-published if any asks for it, every subscription identifier. Returns false for
   * a No Local subscription meeting the session's own message.
   */
  @Override
  public boolean collect(Subscription sub, Message message) {
    SubscriptionOptions o = sub.options();
    if ((o.noLocal() && session.clientId().equals(message.publisherId()))
        || !session.access().mayRead(message.topic())
        || (message.origin() != null && !message.visibleTo(session.clientId()))) {
      return false;
    }
    boolean first = matchedQos < 0;
    if (sub.qos() > matchedQos) {
      matchedQos = sub.qos();
    }
    matchedRetainAsPublished |= o.retainAsPublished();
    if (o.identifier() != 0) {
      if (matchedIdCount == matchedIds.length) {
        matchedIds = Arrays.copyOf(matchedIds, Math.max(4, matchedIdCount * 2));
      }
      matchedIds[matchedIdCount++] = o.identifier();
    }
    return first;
  }

  @Override
  public void deliverLive(long recordOffset, Message message) {
    if (!live || recordOffset < liveFrom) {
      resetCollected();
      return; // catching up on its own, or already had this record before it joined this dispatcher
    }
    if (!deliverCollected(recordOffset, message)) {
      live = false;
      offset = recordOffset;
    }
  }

  /** Delivers the merged record (see collect) if it matched, and resets the scratch. */
  private boolean deliverCollected(long recordOffset, Message message) {
    if (matchedQos < 0) {
      return true;
    }
    int qos = Math.min(matchedQos, message.qos());
    boolean retain = matchedRetainAsPublished && message.retain();
    int[] ids = matchedIdCount == 0 ? NO_IDS : Arrays.copyOf(matchedIds, matchedIdCount);
    resetCollected();
    return window.send(message, recordOffset, qos, retain, ids, null);
  }

  private void resetCollected() {
    matchedQos = -1;
    matchedRetainAsPublished = false;
    matchedIdCount = 0;
  }

  // ---- catching up (owner thread) ------------------------------------------------------------

  void resumeSoon() {
    if (!live && !resumeScheduled && dispatcher != null) {
      resumeScheduled = true;
      Dispatcher scheduledOn = dispatcher;
      scheduledOn.execute(() -> {
        // The session may have been detached here and claimed by another dispatcher before this
        // ran (e.g. an ack and the socket close read in one I/O round): then it is not ours to
        // touch; attach() clears the flag and the new owner resumes it.
        if (!session.isOwnedBy(scheduledOn)) {
          return;
        }
        resumeScheduled = false;
        resume();
      });
    }
  }

  /**
   * Catches up from the session's own offset to the dispatcher's cursor, then goes live. Stops,
   * keeping its offset, when the connection or the in-flight window is full; reads at most one
   * batch per call so one session catching up does not starve the loop.
   */
  void resume() {
    if (live || dispatcher == null) {
      return;
    }
    if (window.hasUnsent() && !window.resendUnsent()) {
      return; // older in-flight messages first: the window is full until an ack comes
    }
    while (!queued.isEmpty()) {
      Queued q = queued.peek();
      if (!window.send(q.message(), q.offset(), q.qos(), q.retain(), q.subscriptionIds(), null)) {
        return;
      }
      queued.poll();
    }
    if (!replays.isEmpty() && !replayBatch()) {
      return; // blocked, or more history to read on a later turn
    }
    offset = pastRetention(offset, "");
    long stop = dispatcher.cursor();
    if (offset < stop) {
      blocked = false;
      offset = commitLog.read(offset, drainBatch, (o, m) -> catchUp(o, m, stop));
      if (blocked) {
        return;
      }
      if (offset < stop) {
        resumeSoon();
        return;
      }
    }
    // The offset can be ahead of this dispatcher's cursor when the session came from one that had
    // read further; records below it are then skipped in deliverLive.
    liveFrom = offset;
    live = true;
  }

  /**
   * Where reading from {@code from} can start: the log's first offset when retention removed
   * records this session had not read, which are then counted and logged.
   */
  private long pastRetention(long from, String what) {
    long start = commitLog.startOffset();
    if (from >= start) {
      return from;
    }
    long lost = start - from;
    log.warn("client {}: {} records{} were removed by retention before it read them",
        LogSafe.text(session.clientId()), lost, what);
    counters.add(BrokerCounters.Counter.RECORDS_LOST_TO_RETENTION, lost);
    return start;
  }

  /** Reads one batch of the oldest replay; true once every replay is done. */
  private boolean replayBatch() {
    ReplayRange r = replays.peek();
    r.next = pastRetention(r.next, " of its replay");
    blocked = false;
    r.next = commitLog.read(r.next, drainBatch, (o, m) -> replayRecord(r, o, m));
    if (blocked) {
      return false;
    }
    if (r.next >= r.end) {
      replays.poll();
      if (replays.isEmpty()) {
        return true;
      }
    }
    resumeSoon();
    return false;
  }

  private boolean replayRecord(ReplayRange r, long recordOffset, Message message) {
    if (recordOffset >= r.end) {
      return false;
    }
    Subscription sub = r.subscription;
    if (!Topics.matches(sub.filter(), message.topic()) || message.isExpired()
        || (sub.options().noLocal() && session.clientId().equals(message.publisherId()))
        || !session.access().mayRead(message.topic()) || message.isHandoff()) {
      return true;
    }
    if (!window.send(message, recordOffset, Math.min(sub.qos(), message.qos()), false, r.subscriptionIds, null)) {
      blocked = true;
      return false;
    }
    return true;
  }

  private boolean catchUp(long recordOffset, Message message, long stop) {
    if (recordOffset >= stop) {
      return false;
    }
    // Catching up reads every record of the log, most of them other clients' topics. A publisher's
    // records share one topic String, so a small cache of topics that matched none of this
    // session's filters skips the string matching for most of them.
    String topic = message.topic();
    int slot = System.identityHashCode(topic) & (NO_MATCH_SLOTS - 1);
    if (noMatch != null && noMatch[slot] == topic) {
      return true;
    }
    boolean anyFilter = false;
    for (Subscription sub : session.subscriptions()) {
      if (Topics.matches(sub.filter(), topic)) {
        anyFilter = true;
        collect(sub, message);
      }
    }
    if (!anyFilter) {
      if (noMatch == null) {
        noMatch = new String[NO_MATCH_SLOTS];
      }
      noMatch[slot] = topic;
      return true;
    }
    if (matchedQos < 0) {
      return true;
    }
    if ((matchedQos == 0 || message.qos() == 0) && recordOffset < qos0SkipBelow) {
      resetCollected();
      return true;
    }
    if (!deliverCollected(recordOffset, message)) {
      blocked = true;
      return false;
    }
    return true;
  }
}
