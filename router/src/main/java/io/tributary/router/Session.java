package io.tributary.router;

import io.tributary.commitlog.CommitLog;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker-side state of one client id: subscriptions, the log offset it has been handed
 * everything below, and in-flight QoS 1/2 state in both directions.
 *
 * <p>A session is touched only on the thread of its owning {@link Core} ({@link #owner}); while
 * offline it has no owner and a connecting core claims it. A session is <em>live</em> while it is
 * in step with its core's cursor and receives records from the core's dispatch; otherwise
 * (blocked by a full socket or a full in-flight window, or catching up after a reconnect) it keeps
 * its own offset and reads the log itself in {@link #resume()} until it reaches the core's cursor.
 * So a slow subscriber never holds records in memory: its cursor just stays put.
 */
public final class Session {

  private static final Logger log = LoggerFactory.getLogger(Session.class);

  private final Broker broker;
  private final CommitLog<Message> commitLog;
  private final String clientId;
  private final int brokerMaxInflight;
  private int maxInflight;

  final AtomicReference<Core> owner = new AtomicReference<>();
  private Core core;
  private ClientLink link;
  private Message will;
  private long willDelaySeconds;
  private long expirySeconds;
  private boolean hasState;
  /** Bumped on every attach, so an expiry timer set at an earlier detach knows it is stale. */
  long generation;
  /** A will waiting out its delay; taken (and so published at most once) by timer or session end. */
  final java.util.concurrent.atomic.AtomicReference<Message> pendingWill = new java.util.concurrent.atomic.AtomicReference<>();

  /** Every packet id boxed once, so the in-flight map allocates no Integer per message. */
  private static final Integer[] PACKET_IDS = new Integer[65536];
  private static final int NO_MATCH_SLOTS = 16;

  static {
    for (int i = 0; i < PACKET_IDS.length; i++) {
      PACKET_IDS[i] = i;
    }
  }

  private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();
  private final LinkedHashMap<Integer, Inflight> inflight = new LinkedHashMap<>();
  /** Topics (by identity) that matched none of the subscriptions (catch-up); cleared when they change. */
  private String[] noMatch;
  private final Set<Integer> inboundQos2 = new HashSet<>();
  /** Retained messages and lookback records a new subscription sends before anything newer. */
  private final ArrayDeque<Inflight> queued = new ArrayDeque<>();
  /** In-flight entries marked unsent: over the Receive Maximum of the connection (see attach). */
  private int unsent;
  /** Shared subscriptions by "$share/{name}/{filter}" (see {@link SharedGroup}); kept offline too. */
  private final Map<String, SharedSubscription> shared = new LinkedHashMap<>();
  /** Shared messages handed to this session and not yet written (bounded by member credits). */
  private final ArrayDeque<PendingShared> sharedPending = new ArrayDeque<>();
  private int nextPacketId = 1;

  private boolean live;
  private long liveFrom;
  private long offset;
  /** Up to where retention losses were already reported; only the broker's timer thread uses it. */
  private long lossReportedUpTo;
  private long qos0SkipBelow;
  private boolean resumeScheduled;
  private boolean blocked;

  /** Scratch for the core's per-record merge of overlapping subscriptions. */
  int matchedQos = -1;
  boolean matchedRetainAsPublished;
  private int[] matchedIds = NO_IDS;
  private int matchedIdCount;
  static final int[] NO_IDS = new int[0];

  Session(Broker broker, String clientId) {
    this.broker = broker;
    this.commitLog = broker.log();
    this.clientId = clientId;
    this.brokerMaxInflight = broker.options().getMaxInflight();
    this.maxInflight = brokerMaxInflight;
  }

  public String clientId() {
    return clientId;
  }

  /** Whether the session outlives its connection. */
  public boolean isPersistent() {
    return expirySeconds != 0;
  }

  /**
   * The client changed its session expiry on disconnect (MQTT 5). Takes effect when the
   * connection ends, which follows.
   */
  public void setExpirySeconds(long seconds) {
    this.expirySeconds = seconds;
  }

  /** Number of unacknowledged outbound QoS 1/2 messages. */
  public int inflightCount() {
    return inflight.size();
  }

  public Collection<Subscription> subscriptions() {
    return subscriptions.values();
  }

  // ---- connection lifecycle (owner thread) -------------------------------------------------

  /** Binds a connection on core. Returns whether earlier session state was kept. */
  boolean attach(Core core, SessionRequest request) {
    this.core = core;
    generation++;
    // A connection to this session within the will delay cancels that will (MQTT-3.1.3-9), but
    // only a Clean Start 0 one: Clean Start 1 ends the old session, and a will goes out at the
    // latest when its session ends (MQTT 5 3.1.2.5).
    Message delayedWill = pendingWill.getAndSet(null);
    if (delayedWill != null && request.cleanStart()) {
      broker.publishWill(delayedWill);
    }
    boolean present = !request.cleanStart() && hasState;
    if (!present) {
      dropState();
      nextPacketId = 1;
      offset = core.cursor();
    }
    hasState = true;
    expirySeconds = request.expirySeconds();
    maxInflight = Math.max(1, Math.min(brokerMaxInflight, request.receiveMaximum()));
    core.attach(this);
    resumeScheduled = false; // a task scheduled by a previous owner core no longer runs
    ClientLink link = request.link();
    this.link = link;
    this.will = request.will();
    this.willDelaySeconds = request.willDelaySeconds();
    for (Subscription sub : subscriptions.values()) {
      core.addSubscription(sub);
    }
    for (SharedSubscription s : shared.values()) {
      joinMember(s); // back in the groups: a persistent session is a member again while online
    }
    // Resend what the client has not acknowledged, in the order first sent (MQTT-4.4.0-1), but
    // no more PUBLISHes than the new connection's Receive Maximum (MQTT-3.3.4-9), which may be
    // smaller than the old one's: the rest stay marked unsent and go out in resume() as acks free
    // the window.
    unsent = 0;
    int onWire = 0;
    for (Map.Entry<Integer, Inflight> e : inflight.entrySet()) {
      Inflight f = e.getValue();
      f.unsent = false;
      if (f.released) {
        link.pubrel(e.getKey());
        onWire++;
      } else if (onWire < maxInflight) {
        link.publish(f.message, f.qos, f.retain, true, e.getKey(), f.subscriptionIds);
        onWire++;
      } else {
        f.unsent = true;
        unsent++;
      }
    }
    // QoS 0 records published while the session was away are not queued for it (MQTT-3.1.2.4
    // makes that optional, and a day of telemetry is not what a reconnecting client wants).
    qos0SkipBelow = commitLog.endOffset();
    live = false;
    resume();
    return present;
  }

  /**
   * The connection ended. {@code sendWill} is true for any end but a normal disconnect: the will
   * is then published, after its delay if it has one, and at the latest when the session ends.
   */
  public void disconnect(ClientLink from, boolean sendWill) {
    if (link == null || link != from) {
      return; // already detached, e.g. taken over
    }
    Message w = will;
    long delay = willDelaySeconds;
    detach(sendWill ? w : null, delay);
  }

  /** Called on the owner thread when another connection claims this client id. */
  void takeOver() {
    ClientLink old = link;
    if (old == null) {
      return;
    }
    // The old connection ends without a DISCONNECT of its own, so its will is due (after its
    // delay; the new connection, if it keeps the session, cancels a delayed one).
    detach(will, willDelaySeconds);
    old.takenOver();
  }

  private void detach(Message dueWill, long willDelay) {
    if (live) {
      offset = livePosition();
      live = false;
    }
    for (Subscription sub : subscriptions.values()) {
      core.removeSubscription(sub);
    }
    leaveMembers();
    core.detach(this);
    link = null;
    will = null;
    Core previous = core;
    core = null;
    if (expirySeconds == 0) {
      // Leave the registry before giving up ownership, so a connect that claims this object
      // afterwards sees it is gone and starts a fresh one.
      end();
      if (dueWill != null) {
        broker.publishWill(dueWill); // the session ends now, so a delayed will is due now too
      }
      owner.compareAndSet(previous, null);
      return;
    }
    if (dueWill != null) {
      if (willDelay == 0) {
        broker.publishWill(dueWill);
      } else {
        pendingWill.set(dueWill);
        broker.publishWillLater(this, dueWill, Math.min(willDelay, expirySeconds));
      }
    }
    long expiringGeneration = generation;
    owner.compareAndSet(previous, null);
    if (expirySeconds != SessionRequest.NEVER_EXPIRES) {
      broker.expireLater(this, expiringGeneration, expirySeconds);
    }
  }

  /** The session ends: out of the registry and the subscription index; its state is dropped. */
  void end() {
    broker.forget(this);
    dropState();
    hasState = false;
  }

  private void dropState() {
    for (SharedSubscription s : shared.values()) {
      leaveMember(s);
      broker.leaveShared(s.group);
    }
    shared.clear();
    for (Subscription sub : subscriptions.values()) {
      broker.index().remove(sub.filter());
    }
    subscriptions.clear();
    noMatch = null;
    inflight.clear();
    inboundQos2.clear();
    queued.clear();
  }

  // ---- subscriptions (owner thread) --------------------------------------------------------

  /**
   * Adds or replaces a subscription and queues the retained messages it matches, which are sent
   * (retain flag set) before anything newer, as its retain handling says. Returns whether the
   * filter was already subscribed (and is now replaced).
   */
  public boolean subscribe(String filter, int qos, SubscriptionOptions options) {
    boolean hadNone = subscriptions.isEmpty();
    Subscription sub = new Subscription(this, filter, qos, options);
    Subscription old = subscriptions.put(filter, sub);
    noMatch = null; // a topic that matched nothing may match now
    // Add the new one before removing the old: were the core's trie empty in between, the core
    // would jump its cursor to the log's end and skip records published under the old
    // subscription but not yet dispatched (MQTT-3.8.4-3: replacing must not interrupt the flow).
    core.addSubscription(sub);
    if (old != null) {
      core.removeSubscription(old);
    } else {
      broker.index().add(filter);
    }
    if (hadNone && !live) {
      // Nothing before this point can match; do not scan old records for it.
      offset = Math.max(offset, core.cursor());
    }
    // Sent before anything newer, in log order: the retained messages the store holds below the
    // session's read position (retain flag set), and the other records the lookback finds from
    // `from` on; records from the read position on reach it live or by catch-up. So none arrives
    // twice, and a retained message is sent as retained however close it came (see RetainedStore).
    long position = readPosition();
    long from = old != null ? position : lookbackStart(position);
    int[] ids = options.identifier() == 0 ? NO_IDS : new int[] {options.identifier()};
    int handling = options.retainHandling();
    java.util.TreeMap<Long, Inflight> byOffset = new java.util.TreeMap<>();
    if (handling == 0 || (handling == 1 && old == null)) {
      broker.retained().forEachMatchingBelow(filter, position,
          (m, at) -> byOffset.put(at, new Inflight(m, Math.min(qos, m.qos()), true, ids)));
    }
    if (from < position) {
      commitLog.read(from, (int) (position - from), (at, m) -> {
        if (at < position && !byOffset.containsKey(at) && isNewFor(sub, m)) {
          byOffset.put(at, new Inflight(m, Math.min(qos, m.qos()), options.retainAsPublished() && m.retain(), ids));
        }
        return at < position;
      });
    }
    queued.addAll(byOffset.values());
    if (!queued.isEmpty()) {
      if (live) {
        offset = livePosition();
        live = false;
      }
      resume();
    }
    return old != null;
  }

  /**
   * Where the lookback of a new subscription starts (see
   * {@link RouterOptions#getSubscribeLookbackMs()}): the first record below {@code position} stored
   * within the lookback time, found by bisection on record timestamps.
   */
  private long lookbackStart(long position) {
    RouterOptions o = broker.options();
    if (o.getSubscribeLookbackMs() == 0) {
      return position;
    }
    long since = System.currentTimeMillis() - o.getSubscribeLookbackMs();
    long low = Math.max(commitLog.startOffset(), position - o.getSubscribeLookbackRecords());
    long high = position;
    while (low < high) {
      long mid = (low + high) >>> 1;
      Message m = commitLog.get(mid);
      if (m == null || m.timestamp() < since) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return low;
  }

  /** A record below the read position that the new subscription matches and no other one had. */
  private boolean isNewFor(Subscription sub, Message m) {
    String topic = m.topic();
    if (!Topics.matches(sub.filter(), topic) || m.isExpired()
        || (sub.options().noLocal() && clientId.equals(m.publisherId()))) {
      return false;
    }
    for (Subscription other : subscriptions.values()) {
      if (other != sub && Topics.matches(other.filter(), topic)) {
        return false; // delivered to the session already (or not, by its own rules)
      }
    }
    return true;
  }

  /** MQTT 3.1.1 subscribe: default options. */
  public boolean subscribe(String filter, int qos) {
    return subscribe(filter, qos, SubscriptionOptions.DEFAULT);
  }

  /** Returns whether the filter was subscribed. */
  public boolean unsubscribe(String filter) {
    Subscription sub = subscriptions.remove(filter);
    noMatch = null;
    if (sub == null) {
      SharedSubscription s = shared.remove(filter);
      if (s == null) {
        return false;
      }
      // Messages it has started to send are completed (MQTT-3.10.4-3); the rest go to the others.
      leaveMember(s);
      broker.leaveShared(s.group);
      return true;
    }
    core.removeSubscription(sub);
    broker.index().remove(filter);
    return true;
  }

  // ---- inbound QoS 2 (owner thread) --------------------------------------------------------

  /**
   * A QoS 2 PUBLISH arrived. Returns true if it is new and must be published, false if it is a
   * resend of one already received and not yet released (exactly once: not delivered twice).
   */
  public boolean receiveQos2(int packetId) {
    return inboundQos2.add(packetId);
  }

  /** Inbound QoS 2 messages received and not yet released by PUBREL. */
  public int inboundQos2Count() {
    return inboundQos2.size();
  }

  public boolean hasInboundQos2(int packetId) {
    return inboundQos2.contains(packetId);
  }

  /** PUBREL arrived: the packet id may be reused by the client. */
  public void releaseQos2(int packetId) {
    inboundQos2.remove(packetId);
  }

  // ---- outbound acknowledgements (owner thread) --------------------------------------------

  /** PUBACK for a QoS 1 message. Returns false for an unknown packet id. */
  public boolean puback(int packetId) {
    Inflight f = inflight.get(boxed(packetId));
    if (f == null || f.qos != 1) {
      return false;
    }
    inflight.remove(boxed(packetId));
    clearUnsent(f); // the client had it from an earlier connection
    if (f.member != null) {
      f.member.release();
    }
    if (!sharedPending.isEmpty()) {
      pumpShared(); // the window has room again, whichever subscription freed it
    }
    resumeSoon();
    return true;
  }

  /** PUBREC for a QoS 2 message: answered with PUBREL. Returns false for an unknown id. */
  public boolean pubrec(int packetId) {
    Inflight f = inflight.get(boxed(packetId));
    if (f == null || f.qos != 2) {
      return false;
    }
    clearUnsent(f); // the client had it from an earlier connection
    f.released = true;
    link.pubrel(packetId);
    return true;
  }

  /**
   * MQTT 5: PUBREC with a reason code of 0x80 or more ends a QoS 2 delivery without PUBREL; the
   * slot is free again (MQTT-3.3.4-9, 4.3.3). Returns false for an unknown id.
   */
  public boolean pubrecFailed(int packetId) {
    Inflight f = inflight.get(boxed(packetId));
    if (f == null || f.qos != 2 || f.released) {
      return false;
    }
    inflight.remove(boxed(packetId));
    clearUnsent(f);
    if (f.member != null) {
      f.member.release();
    }
    if (!sharedPending.isEmpty()) {
      pumpShared();
    }
    resumeSoon();
    return true;
  }

  /** PUBCOMP ends a QoS 2 delivery. Returns false for an unknown id. */
  public boolean pubcomp(int packetId) {
    Inflight f = inflight.get(boxed(packetId));
    if (f == null || !f.released) {
      return false;
    }
    inflight.remove(boxed(packetId));
    if (f.member != null) {
      f.member.release();
    }
    if (!sharedPending.isEmpty()) {
      pumpShared(); // the window has room again, whichever subscription freed it
    }
    resumeSoon();
    return true;
  }

  // ---- shared subscriptions (owner thread) -------------------------------------------------

  /**
   * Adds or replaces the MQTT 5 shared subscription {@code $share/{shareName}/{filter}} (both
   * already validated, see {@link SharedGroup#parse}). No retained messages are sent for it
   * (MQTT 5 §4.8.2). Returns whether it was already subscribed (and is now replaced).
   */
  public boolean subscribeShared(String shareName, String filter, int qos, SubscriptionOptions options) {
    String key = SharedGroup.key(shareName, filter);
    SharedSubscription old = shared.get(key);
    SharedGroup group = old != null ? old.group : broker.joinShared(shareName, filter, core);
    SharedSubscription sub = new SharedSubscription(group, qos, options);
    shared.put(key, sub);
    joinMember(sub);
    if (old != null) {
      leaveMember(old); // same group, same subscriber count: only the membership is replaced
    }
    return old != null;
  }

  /** Number of shared subscriptions the session holds. */
  public int sharedSubscriptionCount() {
    return shared.size();
  }

  private void joinMember(SharedSubscription s) {
    int window = s.qos == 0 ? brokerMaxInflight : maxInflight;
    SharedMember m = new SharedMember(s, this, core.sharedInbox, window);
    s.member = m;
    s.group.addMember(m);
  }

  /** Ends the membership: no more hand-offs; what it holds unsent goes back to the group. */
  private void leaveMember(SharedSubscription s) {
    SharedMember m = s.member;
    if (m == null) {
      return;
    }
    s.member = null;
    m.dead = true;
    m.group.removeMember(m);
    for (Iterator<PendingShared> it = sharedPending.iterator(); it.hasNext(); ) {
      PendingShared p = it.next();
      if (p.member() == m) {
        it.remove();
        m.group.giveBack(p.message());
      }
    }
  }

  /**
   * Going offline: out of every group; QoS 1 messages sent and not acknowledged go back to their
   * group for another member (MQTT 5 §4.8.2 allows it when the session disconnects). QoS 2 ones
   * stay: they must be completed with this session (MQTT-4.8.2-4/5).
   */
  private void leaveMembers() {
    for (SharedSubscription s : shared.values()) {
      leaveMember(s);
    }
    for (PendingShared p : sharedPending) {
      p.member().group.giveBack(p.message()); // from a membership replaced earlier
    }
    sharedPending.clear();
    for (Iterator<Inflight> it = inflight.values().iterator(); it.hasNext(); ) {
      Inflight f = it.next();
      if (f.member != null && f.qos == 1) {
        it.remove();
        f.member.group.giveBack(f.message);
      }
    }
  }

  /** From this core's {@link SharedInbox}: a group handed this member a message. */
  void receiveShared(SharedMember member, Message message) {
    if (member.dead) {
      member.group.giveBack(message); // left (or moved core) while the message travelled
      return;
    }
    sharedPending.add(new PendingShared(member, message));
    pumpShared();
  }

  /** Writes the shared messages handed to this session, as far as socket and window allow. */
  private void pumpShared() {
    if (link == null) {
      return;
    }
    PendingShared p;
    while ((p = sharedPending.peek()) != null) {
      if (!deliverShared(p.member(), p.message())) {
        return; // full: writable() or an acknowledgement comes back here
      }
      sharedPending.poll();
    }
  }

  private boolean deliverShared(SharedMember member, Message message) {
    if (link.writeQueueFull()) {
      return false;
    }
    SharedSubscription sub = member.subscription;
    if (message.isExpired()) {
      member.release(); // an expired message is never delivered (MQTT-3.3.2-5)
      return true;
    }
    int qos = Math.min(sub.qos, message.qos()); // MQTT-4.8.2-3: the granted QoS of this member
    boolean retain = sub.options.retainAsPublished() && message.retain();
    if (qos == 0) {
      link.publish(message, 0, retain, false, 0, sub.subscriptionIds);
      member.release();
      return true;
    }
    if (inflight.size() >= maxInflight) {
      return false;
    }
    int id = nextPacketId();
    if (link.publish(message, qos, retain, false, id, sub.subscriptionIds)) {
      Inflight f = new Inflight(message, qos, retain, sub.subscriptionIds);
      f.member = member;
      inflight.put(boxed(id), f);
    } else {
      member.release(); // over the client's maximum packet size: discarded for it
    }
    return true;
  }

  private record PendingShared(SharedMember member, Message message) {}

  /**
   * Records below {@code start} (the log's first) that this session, not reading live, had not
   * read and that were not reported yet. Runs on the broker's timer thread and reads this
   * session's loop-owned fields without synchronisation: it only feeds a log line, and a value a
   * turn old gives the same line one interval later.
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

  /** The core's cursor fell behind retention: read from the log on our own, counting the gap. */
  void fellBehind() {
    if (live) {
      offset = livePosition();
      live = false;
      resumeSoon();
    }
  }

  /** The connection's write queue drained: take from the log again. */
  public void writable() {
    pumpShared();
    resumeSoon();
  }

  // ---- delivery (owner thread) -------------------------------------------------------------

  /**
   * Merges one matching subscription into this record's delivery (core dispatch or catch-up):
   * highest QoS, retain-as-published if any asks for it, every subscription identifier. Returns
   * false for a No Local subscription meeting the session's own message.
   */
  boolean collect(Subscription sub, Message message) {
    SubscriptionOptions o = sub.options();
    if (o.noLocal() && clientId.equals(message.publisherId())) {
      return false;
    }
    boolean first = matchedQos < 0;
    if (sub.qos() > matchedQos) {
      matchedQos = sub.qos();
    }
    matchedRetainAsPublished |= o.retainAsPublished();
    if (o.identifier() != 0) {
      if (matchedIdCount == matchedIds.length) {
        matchedIds = java.util.Arrays.copyOf(matchedIds, Math.max(4, matchedIdCount * 2));
      }
      matchedIds[matchedIdCount++] = o.identifier();
    }
    return first;
  }

  /** Delivers the merged record (see collect) if it matched, and resets the scratch. */
  private boolean deliverCollected(Message message) {
    if (matchedQos < 0) {
      return true;
    }
    int qos = Math.min(matchedQos, message.qos());
    boolean retain = matchedRetainAsPublished && message.retain();
    int[] ids = matchedIdCount == 0 ? NO_IDS : java.util.Arrays.copyOf(matchedIds, matchedIdCount);
    resetCollected();
    return deliver(message, qos, retain, ids);
  }

  private void resetCollected() {
    matchedQos = -1;
    matchedRetainAsPublished = false;
    matchedIdCount = 0;
  }

  /** From the core's dispatch, after collect: a record for this session at the core's cursor. */
  void deliverLive(long recordOffset, Message message) {
    if (!live || recordOffset < liveFrom) {
      resetCollected();
      return; // catching up on its own, or already had this record before it joined this core
    }
    if (!deliverCollected(message)) {
      live = false;
      offset = recordOffset;
    }
  }

  private boolean deliver(Message message, int qos, boolean retainFlag, int[] subscriptionIds) {
    if (link.writeQueueFull()) {
      return false;
    }
    if (message.isExpired()) {
      return true; // an expired message is never delivered (MQTT-3.3.2-5)
    }
    if (qos == 0) {
      link.publish(message, 0, retainFlag, false, 0, subscriptionIds);
      return true;
    }
    if (inflight.size() >= maxInflight) {
      return false;
    }
    int id = nextPacketId();
    // A message the client cannot take (over its maximum packet size) is discarded for it.
    if (link.publish(message, qos, retainFlag, false, id, subscriptionIds)) {
      inflight.put(boxed(id), new Inflight(message, qos, retainFlag, subscriptionIds));
    }
    return true;
  }

  private static Integer boxed(int packetId) {
    return PACKET_IDS[packetId];
  }

  private int nextPacketId() {
    // inflight.size() < maxInflight <= 65535, so a free id exists.
    while (true) {
      int id = nextPacketId;
      nextPacketId = id == 65535 ? 1 : id + 1;
      if (!inflight.containsKey(boxed(id))) {
        return id;
      }
    }
  }

  private void resumeSoon() {
    if (!live && !resumeScheduled && link != null) {
      resumeScheduled = true;
      Core scheduledOn = core;
      scheduledOn.execute(() -> {
        // The session may have been detached here and claimed by another core before this ran
        // (e.g. a PUBACK and the socket close read in one I/O round): then it is not ours to
        // touch; attach() clears the flag and the new owner resumes it.
        if (owner.get() != scheduledOn) {
          return;
        }
        resumeScheduled = false;
        resume();
      });
    }
  }

  /**
   * Catches up from the session's own offset to the core's cursor, then goes live. Stops, keeping
   * its offset, when the connection or the in-flight window is full; reads at most one batch per
   * call so one session catching up does not starve the loop.
   */
  void resume() {
    if (live || link == null) {
      return;
    }
    if (unsent > 0 && !resendUnsent()) {
      return; // older in-flight messages first: the window is full until an ack comes
    }
    while (!queued.isEmpty()) {
      Inflight r = queued.peek();
      if (!deliver(r.message, r.qos, r.retain, r.subscriptionIds)) {
        return;
      }
      queued.poll();
    }
    long start = commitLog.startOffset();
    if (offset < start) {
      long lost = start - offset;
      log.warn("client {}: {} records were removed by retention before it read them", LogSafe.text(clientId), lost);
      broker.countLost(lost);
      offset = start;
    }
    long stop = core.cursor();
    if (offset < stop) {
      blocked = false;
      offset = commitLog.read(offset, broker.options().getDrainBatch(), (o, m) -> catchUp(o, m, stop));
      if (blocked) {
        return;
      }
      if (offset < stop) {
        resumeSoon();
        return;
      }
    }
    // The offset can be ahead of this core's cursor when the session came from a core that had
    // read further; records below it are then skipped in deliverLive.
    liveFrom = offset;
    live = true;
  }

  /** Resends unsent in-flight messages (see attach) as the window allows; true when none is left. */
  private boolean resendUnsent() {
    int onWire = inflight.size() - unsent;
    for (Map.Entry<Integer, Inflight> e : inflight.entrySet()) {
      if (unsent == 0 || onWire >= maxInflight) {
        break;
      }
      Inflight f = e.getValue();
      if (f.unsent) {
        clearUnsent(f);
        onWire++;
        link.publish(f.message, f.qos, f.retain, true, e.getKey(), f.subscriptionIds);
      }
    }
    return unsent == 0;
  }

  private void clearUnsent(Inflight f) {
    if (f.unsent) {
      f.unsent = false;
      unsent--;
    }
  }

  /** Offset of the next record this session takes from the log, live or catching up. */
  private long readPosition() {
    return live ? livePosition() : offset;
  }

  /** Offset below which a live session has been handed everything. */
  private long livePosition() {
    return Math.max(liveFrom, core.cursor());
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
    for (Subscription sub : subscriptions.values()) {
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
    if (matchedQos == 0 || message.qos() == 0) {
      if (recordOffset < qos0SkipBelow) {
        resetCollected();
        return true;
      }
    }
    if (!deliverCollected(message)) {
      blocked = true;
      return false;
    }
    return true;
  }

  @Override
  public String toString() {
    return "Session{" + clientId + "}";
  }

  /** One unacknowledged outbound message (or a retained one waiting to be sent). */
  private static final class Inflight {
    final Message message;
    final int qos;
    final boolean retain;
    final int[] subscriptionIds;
    /** The shared-subscription membership it was sent under, null for an ordinary delivery. */
    SharedMember member;
    boolean released;
    /** In flight from an earlier connection, not yet resent on this one (Receive Maximum). */
    boolean unsent;

    Inflight(Message message, int qos, boolean retain, int[] subscriptionIds) {
      this.message = message;
      this.qos = qos;
      this.retain = retain;
      this.subscriptionIds = subscriptionIds;
    }
  }
}
