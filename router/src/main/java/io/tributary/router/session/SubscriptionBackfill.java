package io.tributary.router.session;

import io.tributary.router.delivery.Subscription;
import io.tributary.router.delivery.SubscriptionOptions;
import io.tributary.router.message.Message;
import io.tributary.router.topic.Topics;
import java.util.TreeMap;

/**
 * What a new subscription receives before it goes live, from below its session's read position:
 * the retained messages and the lookback records, or, when it asks for a replay, the history from
 * the replay's start. Records from the read position on arrive live or by catch-up, so nothing
 * arrives twice and nothing is missed at the boundary. Owner thread only.
 */
final class SubscriptionBackfill {

  private final Session session;
  private final SessionRegistry registry;
  private final DeliveryCursor cursor;

  SubscriptionBackfill(Session session, SessionRegistry registry, DeliveryCursor cursor) {
    this.session = session;
    this.registry = registry;
    this.cursor = cursor;
  }

  void newSubscription(Subscription sub, boolean replaced, Replay.Start replay) {
    long position = cursor.readPosition();
    SubscriptionOptions options = sub.options();
    int[] ids = options.identifier() == 0 ? DeliveryCursor.NO_IDS : new int[] {options.identifier()};
    if (replay != null) {
      // History instead of retained messages: every matching record from the start, in log
      // order, retain flag clear; then the subscription continues live from the read position.
      if (replay.offset() < position) {
        cursor.replay(new DeliveryCursor.ReplayRange(sub, ids, replay.offset(), position));
      }
      return;
    }
    // Retained messages the store holds below the read position (retain flag set), and the other
    // records the lookback finds from `from` on. A retained message is sent as retained however
    // close it came (see RetainedStore).
    long from = replaced ? position
        : Math.min(position, Math.max(cursor.attachedAt(), registry.lookbackStart(position)));
    int qos = sub.qos();
    int handling = options.retainHandling();
    TreeMap<Long, DeliveryCursor.Queued> byOffset = new TreeMap<>();
    if (handling == 0 || (handling == 1 && !replaced)) {
      registry.retained().forEachMatchingBelow(sub.filter(), position, (m, at) -> {
        if (session.access().mayRead(m.topic())) {
          byOffset.put(at, new DeliveryCursor.Queued(m, -1, Math.min(qos, m.qos()), true, ids));
        }
      });
    }
    if (from < position) {
      registry.log().read(from, (int) (position - from), (at, m) -> {
        if (at < position && !byOffset.containsKey(at) && isNewFor(sub, m)) {
          boolean retain = options.retainAsPublished() && m.retain();
          byOffset.put(at, new DeliveryCursor.Queued(m, at, Math.min(qos, m.qos()), retain, ids));
        }
        return at < position;
      });
    }
    cursor.queue(byOffset.values());
  }

  /** A record below the read position that the new subscription matches and no other one had. */
  private boolean isNewFor(Subscription sub, Message m) {
    String topic = m.topic();
    if (m.isHandoff() || !Topics.matches(sub.filter(), topic) || m.isExpired()
        || (sub.options().noLocal() && session.clientId().equals(m.publisherId()))
        || !session.access().mayRead(topic)) {
      return false;
    }
    for (Subscription other : session.subscriptions()) {
      if (other != sub && Topics.matches(other.filter(), topic)) {
        return false; // the session had it already (or not, by that subscription's own rules)
      }
    }
    return true;
  }
}
