package io.tributary.router.session;

import io.tributary.router.counters.BrokerCounters;
import io.tributary.router.message.Message;
import io.tributary.router.shared.SharedHandoff;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A session's outbound QoS 1/2 deliveries not yet acknowledged, by delivery id (the MQTT packet
 * id), in the order first sent: the in-flight window, its ids, and the resend after a reconnect.
 * Kept with the session while it is offline. Owner thread only.
 */
final class OutboundWindow {

  /** Every packet id boxed once, so the in-flight map allocates no Integer per message. */
  private static final Integer[] IDS = new Integer[65536];

  static {
    for (int i = 0; i < IDS.length; i++) {
      IDS[i] = i;
    }
  }

  private final int brokerMaxInflight;
  private final BrokerCounters counters;
  private final LinkedHashMap<Integer, Inflight> inflight = new LinkedHashMap<>();
  private ClientLink link;
  private int maxInflight;
  private int nextId = 1;
  /** Entries marked unsent: over the Receive Maximum of the connection (see attach). */
  private int unsent;
  /** Runs after a QoS 2 delivery has its id and before it is sent (the session saves itself). */
  private Runnable beforeExactlyOnceSend = () -> { };

  OutboundWindow(int brokerMaxInflight, BrokerCounters counters) {
    this.counters = counters;
    this.brokerMaxInflight = brokerMaxInflight;
    this.maxInflight = brokerMaxInflight;
  }

  /** One unacknowledged outbound message. */
  private static final class Inflight {
    final Message message;
    /** Its record's log offset, or -1 (a retained message from the store, a shared delivery). */
    final long offset;
    final int qos;
    final boolean retain;
    final int[] subscriptionIds;
    /** The shared-subscription hand-off it was sent under, null for an ordinary delivery. */
    final SharedHandoff handoff;
    /** QoS 2: the client said it received it; the id is released. */
    boolean released;
    /** In flight from an earlier connection, not yet resent on this one (Receive Maximum). */
    boolean unsent;

    Inflight(Message message, long offset, int qos, boolean retain, int[] subscriptionIds, SharedHandoff handoff) {
      this.message = message;
      this.offset = offset;
      this.qos = qos;
      this.retain = retain;
      this.subscriptionIds = subscriptionIds;
      this.handoff = handoff;
    }
  }

  /**
   * A connection took the session: resend what the client has not acknowledged, in the order first
   * sent (MQTT-4.4.0-1), but no more than its Receive Maximum (MQTT-3.3.4-9), which may be smaller
   * than the old connection's: the rest stay marked unsent and go out in {@link #resendUnsent} as
   * acknowledgements free the window.
   */
  void attach(ClientLink link, int receiveMaximum) {
    this.link = link;
    this.maxInflight = Math.max(1, Math.min(brokerMaxInflight, receiveMaximum));
    unsent = 0;
    int onWire = 0;
    for (Map.Entry<Integer, Inflight> e : inflight.entrySet()) {
      Inflight f = e.getValue();
      f.unsent = false;
      if (f.released) {
        ((ExactlyOnceLink) link).release(e.getKey());
        onWire++;
      } else if (onWire < maxInflight) {
        link.deliver(f.message, f.qos, f.retain, true, e.getKey(), f.subscriptionIds);
        onWire++;
      } else {
        f.unsent = true;
        unsent++;
      }
    }
  }

  void detach() {
    link = null;
  }

  void beforeExactlyOnceSend(Runnable action) {
    this.beforeExactlyOnceSend = action;
  }

  /** The window of the current connection (its Receive Maximum, capped by the broker's). */
  int maxInflight() {
    return maxInflight;
  }

  int brokerMaxInflight() {
    return brokerMaxInflight;
  }

  int size() {
    return inflight.size();
  }

  void clear() {
    inflight.clear();
    unsent = 0;
    nextId = 1;
  }

  /**
   * Delivers a message; false when it cannot be taken now (socket or window full) and must be
   * offered again. An expired message counts as taken and is never delivered (MQTT-3.3.2-5); a
   * message the client cannot take (over its maximum packet size) is discarded for it.
   * {@code handoff} is the shared-subscription hand-off it comes from, or null; it is done (the
   * member's credit given back) once the message is done with.
   */
  boolean send(Message message, long offset, int qos, boolean retain, int[] subscriptionIds, SharedHandoff handoff) {
    if (link.writeQueueFull()) {
      return false;
    }
    if (message.isExpired()) {
      counters.increment(BrokerCounters.Counter.DELIVERIES_EXPIRED);
      done(handoff);
      return true;
    }
    if (qos == 0) {
      if (!link.deliver(message, 0, retain, false, 0, subscriptionIds)) {
        counters.increment(BrokerCounters.Counter.DELIVERIES_DROPPED_TOO_LARGE);
      }
      done(handoff);
      return true;
    }
    if (inflight.size() >= maxInflight) {
      return false;
    }
    if (qos == 2 && !(link instanceof ExactlyOnceLink)) {
      qos = 1; // this link's clients acknowledge once: at least once is what it can do
    }
    int id = nextId();
    inflight.put(IDS[id], new Inflight(message, offset, qos, retain, subscriptionIds, handoff));
    if (qos == 2) {
      // The id and offset are saved before the client can see them: after a restart the same
      // message goes out again under the same id, so the client's duplicate check holds.
      beforeExactlyOnceSend.run();
    }
    if (!link.deliver(message, qos, retain, false, id, subscriptionIds)) {
      counters.increment(BrokerCounters.Counter.DELIVERIES_DROPPED_TOO_LARGE);
      inflight.remove(IDS[id]);
      done(handoff);
    }
    return true;
  }

  private static void done(SharedHandoff handoff) {
    if (handoff != null) {
      handoff.done();
    }
  }

  /** At-least-once delivery acknowledged: the slot is free. False for an unknown id. */
  boolean acknowledge(int id) {
    Inflight f = inflight.get(IDS[id]);
    if (f == null || f.qos != 1) {
      return false;
    }
    remove(id, f);
    return true;
  }

  /** Exactly-once delivery received by the client: the id is released. False for an unknown id. */
  boolean received(int id) {
    Inflight f = inflight.get(IDS[id]);
    if (f == null || f.qos != 2) {
      return false;
    }
    clearUnsent(f); // the client had it from an earlier connection
    f.released = true;
    ((ExactlyOnceLink) link).release(id);
    return true;
  }

  /** Exactly-once delivery refused by the client before release: the slot is free (MQTT 5 4.3.3). */
  boolean refused(int id) {
    Inflight f = inflight.get(IDS[id]);
    if (f == null || f.qos != 2 || f.released) {
      return false;
    }
    remove(id, f);
    return true;
  }

  /** Exactly-once delivery completed: the slot is free. False for an unknown id. */
  boolean completed(int id) {
    Inflight f = inflight.get(IDS[id]);
    if (f == null || !f.released) {
      return false;
    }
    remove(id, f);
    return true;
  }

  private void remove(int id, Inflight f) {
    inflight.remove(IDS[id]);
    clearUnsent(f); // the client had it from an earlier connection
    done(f.handoff);
  }

  boolean hasUnsent() {
    return unsent > 0;
  }

  /** Resends unsent entries (see attach) as the window allows; true when none is left. */
  boolean resendUnsent() {
    int onWire = inflight.size() - unsent;
    for (Map.Entry<Integer, Inflight> e : inflight.entrySet()) {
      if (unsent == 0 || onWire >= maxInflight) {
        break;
      }
      Inflight f = e.getValue();
      if (f.unsent) {
        clearUnsent(f);
        onWire++;
        link.deliver(f.message, f.qos, f.retain, true, e.getKey(), f.subscriptionIds);
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

  /**
   * Going offline: QoS 1 messages sent under a shared subscription and not acknowledged go back to
   * their group for another member (MQTT 5 §4.8.2 allows it when the session disconnects). QoS 2
   * ones stay: they must be completed with this session (MQTT-4.8.2-4/5).
   */
  void giveBackShared() {
    for (Iterator<Inflight> it = inflight.values().iterator(); it.hasNext(); ) {
      Inflight f = it.next();
      if (f.handoff != null && f.qos == 1) {
        it.remove();
        if (f.unsent) {
          unsent--;
        }
        f.handoff.giveBack();
      }
    }
  }

  /** One in-flight delivery as a session snapshot keeps it. */
  record Saved(int id, long offset, int qos, boolean retain, boolean released, int[] subscriptionIds) {}

  /**
   * The deliveries a restart can resend: those with a log offset, not under a shared subscription
   * (those go back to their group when the session goes offline), in the order first sent.
   */
  java.util.List<Saved> saved() {
    java.util.List<Saved> out = new java.util.ArrayList<>(inflight.size());
    for (Map.Entry<Integer, Inflight> e : inflight.entrySet()) {
      Inflight f = e.getValue();
      if (f.offset >= 0 && f.handoff == null) {
        out.add(new Saved(e.getKey(), f.offset, f.qos, f.retain, f.released, f.subscriptionIds));
      }
    }
    return out;
  }

  /**
   * Restores deliveries from a snapshot, reading their messages back from the log (the session is
   * offline; attach resends them). Returns how many retention had removed meanwhile.
   */
  long restore(java.util.List<Saved> saved, io.tributary.commitlog.CommitLog<Message> log) {
    long lost = 0;
    for (Saved s : saved) {
      Message message = log.get(s.offset());
      if (message == null) {
        lost++;
        continue;
      }
      Inflight f = new Inflight(message, s.offset(), s.qos(), s.retain(), s.subscriptionIds(), null);
      f.released = s.released();
      inflight.put(IDS[s.id()], f);
      nextId = s.id() == 65535 ? 1 : s.id() + 1;
    }
    return lost;
  }

  private int nextId() {
    // inflight.size() < maxInflight <= 65535, so a free id exists.
    while (true) {
      int id = nextId;
      nextId = id == 65535 ? 1 : id + 1;
      if (!inflight.containsKey(IDS[id])) {
        return id;
      }
    }
  }
}
