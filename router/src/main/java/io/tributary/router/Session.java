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
  private final int maxInflight;

  final AtomicReference<Core> owner = new AtomicReference<>();
  private Core core;
  private ClientLink link;
  private Message will;
  private boolean persistent;
  private boolean hasState;

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

  /** Scratch for the core's per-record de-duplication of overlapping subscriptions. */
  int matchedQos = -1;

  Session(Broker broker, String clientId) {
    this.broker = broker;
    this.commitLog = broker.log();
    this.clientId = clientId;
    this.maxInflight = broker.options().getMaxInflight();
  }

  public String clientId() {
    return clientId;
  }

  public boolean isPersistent() {
    return persistent;
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
  boolean attach(Core core, ClientLink link, Message will, boolean cleanSession) {
    this.core = core;
    boolean present = !cleanSession && hasState;
    if (!present) {
      subscriptions.clear();
      inflight.clear();
      inboundQos2.clear();
      retainedQueue.clear();
      nextPacketId = 1;
      offset = core.cursor();
    }
    hasState = true;
    persistent = !cleanSession;
    core.attach(this);
    resumeScheduled = false; // a task scheduled by a previous owner core no longer runs
    this.link = link;
    this.will = will;
    for (Subscription sub : subscriptions.values()) {
      core.addSubscription(sub);
    }
    // Resend what the client has not acknowledged, in the order first sent (MQTT-4.4.0-1).
    for (Map.Entry<Integer, Inflight> e : inflight.entrySet()) {
      Inflight f = e.getValue();
      if (f.released) {
        link.pubrel(e.getKey());
      } else {
        link.publish(f.message, f.qos, f.retain, true, e.getKey());
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
   * The connection ended. A close not preceded by DISCONNECT ({@code graceful == false}) publishes
   * the will. A clean session ends here; a persistent one keeps its state and offset.
   */
  public void disconnect(ClientLink from, boolean graceful) {
    if (link == null || link != from) {
      return; // already detached, e.g. taken over
    }
    Message w = will;
    detach();
    if (!graceful && w != null) {
      broker.publish(w);
    }
  }

  /** Called on the owner thread when another connection claims this client id. */
  void takeOver() {
    ClientLink old = link;
    if (old == null) {
      return;
    }
    Message w = will;
    detach();
    // The old connection ends without a DISCONNECT of its own, so its will is due.
    if (w != null) {
      broker.publish(w);
    }
    old.takenOver();
  }

  private void detach() {
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
    if (!persistent) {
      // Leave the registry before giving up ownership, so a connect that claims this object
      // afterwards sees it is gone and starts a fresh one.
      broker.forget(this);
      hasState = false;
    }
    owner.compareAndSet(previous, null);
  }

  // ---- subscriptions (owner thread) --------------------------------------------------------

  /**
   * Adds or replaces a subscription and queues the retained messages it matches, which are sent
   * (retain flag set) before anything newer.
   */
  public void subscribe(String filter, int qos) {
    boolean hadNone = subscriptions.isEmpty();
    Subscription sub = new Subscription(this, filter, qos);
    Subscription old = subscriptions.put(filter, sub);
    // Add the new one before removing the old: were the core's trie empty in between, the core
    // would jump its cursor to the log's end and skip records published under the old
    // subscription but not yet dispatched (MQTT-3.8.4-3: replacing must not interrupt the flow).
    core.addSubscription(sub);
    if (old != null) {
      core.removeSubscription(old);
    }
    if (hadNone && !live) {
      // Nothing before this point can match; do not scan old records for it.
      offset = Math.max(offset, core.cursor());
    }
    List<Message> retained = new ArrayList<>();
    broker.retained().forEachMatching(filter, retained::add);
    if (!retained.isEmpty()) {
      retained.sort((a, b) -> Long.compare(a.timestamp(), b.timestamp()));
      for (Message m : retained) {
        retainedQueue.add(new Inflight(m, Math.min(qos, m.qos()), true));
      }
      if (live) {
        offset = livePosition();
        live = false;
      }
      resume();
    }
  }

  /** Returns whether the filter was subscribed. */
  public boolean unsubscribe(String filter) {
    Subscription sub = subscriptions.remove(filter);
    if (sub == null) {
      return false;
    }
    core.removeSubscription(sub);
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

  /** From the core's dispatch: a record for this session at the core's cursor. */
  void deliverLive(long recordOffset, Message message, int qos) {
    if (!live || recordOffset < liveFrom) {
      return; // catching up on its own, or already had this record before it joined this core
    }
    if (!deliver(message, qos, false)) {
      live = false;
      offset = recordOffset;
    }
  }

  private boolean deliver(Message message, int qos, boolean retainFlag) {
    if (link.writeQueueFull()) {
      return false;
    }
    if (qos == 0) {
      link.publish(message, 0, retainFlag, false, 0);
      return true;
    }
    if (inflight.size() >= maxInflight) {
      return false;
    }
    int id = nextPacketId();
    inflight.put(id, new Inflight(message, qos, retainFlag));
    link.publish(message, qos, retainFlag, false, id);
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
      if (!deliver(r.message, r.qos, true)) {
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
    int granted = -1;
    for (Subscription sub : subscriptions.values()) {
      if (sub.qos() > granted && Topics.matches(sub.filter(), message.topic())) {
        granted = sub.qos();
      }
    }
    if (granted < 0) {
      return true;
    }
    int qos = Math.min(granted, message.qos());
    if (qos == 0 && recordOffset < qos0SkipBelow) {
      return true;
    }
    if (!deliver(message, qos, false)) {
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
    boolean released;

    Inflight(Message message, int qos, boolean retain) {
      this.message = message;
      this.qos = qos;
      this.retain = retain;
    }
  }
}
