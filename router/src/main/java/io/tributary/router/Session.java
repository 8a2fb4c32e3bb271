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

  private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();
  private final LinkedHashMap<Integer, Inflight> inflight = new LinkedHashMap<>();
  private final Set<Integer> inboundQos2 = new HashSet<>();
  private final ArrayDeque<Inflight> retainedQueue = new ArrayDeque<>();
  private int nextPacketId = 1;

  private boolean live;
  private long liveFrom;
  private long offset;
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
    // A connection to this session within the will delay cancels that will (MQTT-3.1.3-9).
    pendingWill.set(null);
    boolean present = !request.cleanStart() && hasState;
    if (!present) {
      for (Subscription sub : subscriptions.values()) {
        broker.index().remove(sub.filter());
      }
      subscriptions.clear();
      inflight.clear();
      inboundQos2.clear();
      retainedQueue.clear();
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
    // Resend what the client has not acknowledged, in the order first sent (MQTT-4.4.0-1).
    for (Map.Entry<Integer, Inflight> e : inflight.entrySet()) {
      Inflight f = e.getValue();
      if (f.released) {
        link.pubrel(e.getKey());
      } else {
        link.publish(f.message, f.qos, f.retain, true, e.getKey(), f.subscriptionIds);
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
        broker.publish(dueWill); // the session ends now, so a delayed will is due now too
      }
      owner.compareAndSet(previous, null);
      return;
    }
    if (dueWill != null) {
      if (willDelay == 0) {
        broker.publish(dueWill);
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
    for (Subscription sub : subscriptions.values()) {
      broker.index().remove(sub.filter());
    }
    subscriptions.clear();
    inflight.clear();
    inboundQos2.clear();
    retainedQueue.clear();
    hasState = false;
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
    int handling = options.retainHandling();
    if (handling == 2 || (handling == 1 && old != null)) {
      return old != null;
    }
    List<Message> retained = new ArrayList<>();
    broker.retained().forEachMatching(filter, retained::add);
    if (!retained.isEmpty()) {
      retained.sort((a, b) -> Long.compare(a.timestamp(), b.timestamp()));
      int[] ids = options.identifier() == 0 ? NO_IDS : new int[] {options.identifier()};
      for (Message m : retained) {
        retainedQueue.add(new Inflight(m, Math.min(qos, m.qos()), true, ids));
      }
      if (live) {
        offset = livePosition();
        live = false;
      }
      resume();
    }
    return old != null;
  }

  /** MQTT 3.1.1 subscribe: default options. */
  public boolean subscribe(String filter, int qos) {
    return subscribe(filter, qos, SubscriptionOptions.DEFAULT);
  }

  /** Returns whether the filter was subscribed. */
  public boolean unsubscribe(String filter) {
    Subscription sub = subscriptions.remove(filter);
    if (sub == null) {
      return false;
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
    Inflight f = inflight.get(packetId);
    if (f == null || f.qos != 1) {
      return false;
    }
    inflight.remove(packetId);
    resumeSoon();
    return true;
  }

  /** PUBREC for a QoS 2 message: answered with PUBREL. Returns false for an unknown id. */
  public boolean pubrec(int packetId) {
    Inflight f = inflight.get(packetId);
    if (f == null || f.qos != 2) {
      return false;
    }
    f.released = true;
    link.pubrel(packetId);
    return true;
  }

  /** PUBCOMP ends a QoS 2 delivery. Returns false for an unknown id. */
  public boolean pubcomp(int packetId) {
    Inflight f = inflight.get(packetId);
    if (f == null || !f.released) {
      return false;
    }
    inflight.remove(packetId);
    resumeSoon();
    return true;
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
    if (message.isExpired(System.currentTimeMillis())) {
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
      inflight.put(id, new Inflight(message, qos, retainFlag, subscriptionIds));
    }
    return true;
  }

  private int nextPacketId() {
    // inflight.size() < maxInflight <= 65535, so a free id exists.
    while (true) {
      int id = nextPacketId;
      nextPacketId = id == 65535 ? 1 : id + 1;
      if (!inflight.containsKey(id)) {
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
    while (!retainedQueue.isEmpty()) {
      Inflight r = retainedQueue.peek();
      if (!deliver(r.message, r.qos, true, r.subscriptionIds)) {
        return;
      }
      retainedQueue.poll();
    }
    long start = commitLog.startOffset();
    if (offset < start) {
      long lost = start - offset;
      log.warn("client {}: {} records were removed by retention before it read them", clientId, lost);
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

  /** Offset below which a live session has been handed everything. */
  private long livePosition() {
    return Math.max(liveFrom, core.cursor());
  }

  private boolean catchUp(long recordOffset, Message message, long stop) {
    if (recordOffset >= stop) {
      return false;
    }
    for (Subscription sub : subscriptions.values()) {
      if (Topics.matches(sub.filter(), message.topic())) {
        collect(sub, message);
      }
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
    boolean released;

    Inflight(Message message, int qos, boolean retain, int[] subscriptionIds) {
      this.message = message;
      this.qos = qos;
      this.retain = retain;
      this.subscriptionIds = subscriptionIds;
    }
  }
}
