package io.tributary.router.session;

import io.tributary.router.delivery.Dispatcher;
import io.tributary.router.delivery.SubscriptionOptions;
import io.tributary.router.message.Message;
import io.tributary.router.shared.SharedGroup;
import io.tributary.router.shared.SharedGroups;
import io.tributary.router.shared.SharedHandoff;
import io.tributary.router.shared.SharedMember;
import io.tributary.router.shared.SharedReceiver;
import io.tributary.router.shared.SharedSubscription;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A session's MQTT 5 shared subscriptions (kept offline too) and, while it is attached, its
 * memberships in their groups: the messages groups hand it wait here, bounded by the member's
 * credits, until socket and window take them. Owner thread only.
 */
final class SharedMemberships implements SharedReceiver {

  private final SharedGroups groups;
  private final OutboundWindow window;
  private final Session session;
  /** Shared subscriptions by "$share/{name}/{filter}" (see {@link SharedGroup}). */
  private final Map<String, SharedSubscription> byKey = new LinkedHashMap<>();
  /** Messages handed to this session and not yet written. */
  private final ArrayDeque<SharedHandoff> pending = new ArrayDeque<>();
  private Dispatcher dispatcher;

  SharedMemberships(SharedGroups groups, OutboundWindow window, Session session) {
    this.groups = groups;
    this.window = window;
    this.session = session;
  }

  int count() {
    return byKey.size();
  }

  /** Whether it holds the shared subscription {@code $share/{name}/{filter}}. */
  boolean holds(String key) {
    return byKey.containsKey(key);
  }

  /**
   * Adds or replaces {@code $share/{shareName}/{filter}} and joins its group while attached to
   * {@code dispatcher}. Returns whether it was already subscribed (and is now replaced).
   */
  boolean subscribe(Dispatcher dispatcher, String shareName, String filter, int qos, SubscriptionOptions options) {
    String key = SharedGroup.key(shareName, filter);
    SharedSubscription old = byKey.get(key);
    SharedGroup group = old != null ? old.group() : groups.join(shareName, filter, dispatcher);
    SharedSubscription sub = new SharedSubscription(group, qos, options);
    byKey.put(key, sub);
    join(sub);
    if (old != null) {
      leave(old); // same group, same subscriber count: only the membership is replaced
    }
    return old != null;
  }

  /** Returns whether the shared filter was subscribed. */
  boolean unsubscribe(String key) {
    SharedSubscription s = byKey.remove(key);
    if (s == null) {
      return false;
    }
    // Messages it has started to send are completed (MQTT-3.10.4-3); the rest go to the others.
    leave(s);
    groups.leave(s.group());
    return true;
  }

  /** The shared subscriptions as a session snapshot keeps them (the filter is the whole {@code $share/...} key). */
  List<SessionSnapshot.Sub> saved() {
    List<SessionSnapshot.Sub> subs = new ArrayList<>(byKey.size());
    byKey.forEach((key, s) -> subs.add(new SessionSnapshot.Sub(key, s.qos(), s.options())));
    return subs;
  }

  /** A restored (offline) session holds {@code $share/{shareName}/{filter}} again; it joins on attach. */
  void restore(String shareName, String filter, int qos, SubscriptionOptions options) {
    SharedGroup group = groups.join(shareName, filter, null);
    byKey.put(SharedGroup.key(shareName, filter), new SharedSubscription(group, qos, options));
  }

  /** Attached to a dispatcher: back in the groups (a persistent session is a member while online). */
  void attach(Dispatcher dispatcher) {
    this.dispatcher = dispatcher;
    for (SharedSubscription s : byKey.values()) {
      join(s);
    }
  }

  /** Going offline: out of every group, with what was handed out and not done going back. */
  void detach() {
    for (SharedSubscription s : byKey.values()) {
      leave(s);
    }
    for (SharedHandoff p : pending) {
      p.giveBack(); // from a membership replaced earlier
    }
    pending.clear();
    window.giveBackShared();
    dispatcher = null;
  }

  /** The session ends: out of every group for good. */
  void drop() {
    for (SharedSubscription s : byKey.values()) {
      leave(s);
      groups.leave(s.group());
    }
    byKey.clear();
  }

  private void join(SharedSubscription s) {
    int credits = s.qos() == 0 ? window.brokerMaxInflight() : window.maxInflight();
    s.join(groups, dispatcher, this, credits);
  }

  /** Ends the membership: no more hand-offs; what it holds unsent goes back to the group. */
  private void leave(SharedSubscription s) {
    SharedMember m = s.leave();
    if (m == null) {
      return;
    }
    for (Iterator<SharedHandoff> it = pending.iterator(); it.hasNext(); ) {
      SharedHandoff p = it.next();
      if (p.member() == m) {
        it.remove();
        p.giveBack();
      }
    }
  }

  @Override
  public void receiveShared(SharedHandoff handoff) {
    if (handoff.member().isDead()) {
      handoff.giveBack(); // left (or moved dispatcher) while the message travelled
      return;
    }
    if (!session.access().mayRead(handoff.message().topic())) {
      // Done, not given back: a group whose members may not read a topic would pass it round
      // for ever. Members of one group are expected to share their rights.
      handoff.done();
      return;
    }
    pending.add(handoff);
    pump();
  }

  boolean hasPending() {
    return !pending.isEmpty();
  }

  /** Writes the messages handed to this session, as far as socket and window allow. */
  void pump() {
    if (dispatcher == null) {
      return;
    }
    SharedHandoff p;
    while ((p = pending.peek()) != null) {
      SharedSubscription sub = p.member().subscription();
      Message m = p.message();
      int qos = Math.min(sub.qos(), m.qos()); // MQTT-4.8.2-3: the granted QoS of this member
      boolean retain = sub.options().retainAsPublished() && m.retain();
      if (!window.send(m, -1, qos, retain, sub.subscriptionIds(), p)) {
        return; // full: writable() or an acknowledgement comes back here
      }
      pending.poll();
    }
  }
}
