package io.tributary.mqtt;

import io.tributary.mqtt.codec.Ack;
import io.tributary.mqtt.codec.MqttProperties;
import io.tributary.mqtt.codec.PacketType;
import io.tributary.mqtt.codec.SubAck;
import io.tributary.mqtt.codec.Subscribe;
import io.tributary.mqtt.codec.TopicSubscription;
import io.tributary.mqtt.codec.UnsubAck;
import io.tributary.mqtt.codec.UserProperty;
import io.tributary.mqtt.codec.Unsubscribe;
import io.tributary.router.counters.BrokerCounters;
import io.tributary.router.logging.LogSafe;
import io.tributary.router.logging.LogThrottle;
import io.tributary.router.delivery.SubscriptionOptions;
import io.tributary.router.session.Replay;
import io.tributary.router.session.Session;
import io.tributary.router.shared.SharedGroup;
import io.tributary.router.topic.Topics;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** SUBSCRIBE and UNSUBSCRIBE of one connection: the codes granted, then the session's changes. */
final class MqttSubscriptions {

  private static final Logger log = LoggerFactory.getLogger(MqttSubscriptions.class);
  /** A client can repeat a refused SUBSCRIBE without end: its lines are throttled. */
  private static final LogThrottle REFUSALS = new LogThrottle(20, 1);

  private final MqttConnection connection;
  private final MqttOptions options;
  private final MqttOutbound outbound;
  private final BrokerCounters counters;

  MqttSubscriptions(MqttConnection connection, MqttOptions options, MqttOutbound outbound, BrokerCounters counters) {
    this.connection = connection;
    this.options = options;
    this.outbound = outbound;
    this.counters = counters;
  }

  void subscribe(Subscribe subscribe, Session session, boolean v5) {
    List<TopicSubscription> subs = subscribe.subscriptions();
    List<Integer> codes = new ArrayList<>(subs.size());
    // History first: "$replay/{from}/{filter}" from any client, or MQTT 5's user property replay
    // for every ordinary filter of the packet (see Replay).
    String replayProperty = v5 ? replayProperty(subscribe) : null;
    Replay[] replays = new Replay[subs.size()];
    Replay.Start[] starts = new Replay.Start[subs.size()];
    List<String> notes = new ArrayList<>();
    // MQTT 5 shared subscriptions: {share name, filter} per entry, null for an ordinary one. For a
    // 3.1.1 client "$share/..." stays an ordinary filter, as it always was (3.1.1 has no shared
    // subscriptions; its clients get exactly what they got before).
    String[][] sharedParts = new String[subs.size()][];
    for (int i = 0; i < subs.size(); i++) {
      TopicSubscription sub = subs.get(i);
      int code = sub.qos();
      String filter = sub.filter();
      if (v5 && SharedGroup.isShared(filter)) {
        // The codec already refused what is not a topic filter at all (0x81) and No Local on a
        // shared subscription (0x82). What is left breaking MQTT-4.8.2-1/2 (an empty share name,
        // '+' or '#' as the share name, no topic filter after it) is a well-formed filter the
        // spec gives no reason code for: refuse that one filter with 0x8F (Topic Filter invalid)
        // and keep the others of the SUBSCRIBE, rather than dropping the connection.
        String[] parts = SharedGroup.parse(filter);
        if (parts == null) {
          code = 0x8F;
        } else if (Topics.levels(parts[1]) > options.getMaxTopicLevels()) {
          code = 0x97;
        } else {
          sharedParts[i] = parts;
        }
      } else {
        try {
          Replay replay = Replay.parsePrefixed(filter);
          if (replay == null && replayProperty != null) {
            replay = Replay.of(replayProperty, filter);
          }
          if (replay != null) {
            filter = replay.filter();
            if (SharedGroup.isShared(filter)) {
              throw new IllegalArgumentException("a shared subscription cannot replay");
            }
            replays[i] = replay;
          }
        } catch (IllegalArgumentException e) {
          code = v5 ? (sub.filter().startsWith(Replay.PREFIX) ? 0x8F : 0x83) : 0x80;
          notes.add(e.getMessage());
        }
        if (code < 0x80 && Topics.levels(filter) > options.getMaxTopicLevels()) {
          code = v5 ? 0x97 : 0x80;
        }
        if (code < 0x80 && replays[i] != null) {
          starts[i] = session.replayStart(replays[i]);
          if (starts[i].cutByRetention()) {
            notes.add("replay of " + replays[i].filter() + " from " + replays[i].from() + " starts at offset "
                + starts[i].offset() + ", the oldest record retention kept");
          }
        }
      }
      if (code < 0x80 && !session.access().maySubscribe(sharedParts[i] != null ? sharedParts[i][1] : filter)) {
        // Nothing under it may be read: refused, rather than granted and left silent (Mosquitto).
        code = v5 ? 0x87 : 0x80;
        counters.increment(BrokerCounters.Counter.SUBSCRIPTIONS_DENIED);
        notes.add("not authorized to read anything under " + sub.filter());
        REFUSALS.info(log, "{}: SUBSCRIBE to '{}' refused: the access rules let it read nothing under it",
            connection.describe(), LogSafe.text(sub.filter()));
      } else if (code < 0x80 && session.atSubscriptionLimit(sharedParts[i] != null ? sub.filter() : filter)) {
        code = v5 ? 0x97 : 0x80;
        counters.increment(BrokerCounters.Counter.SUBSCRIPTIONS_REFUSED_LIMIT);
        notes.add("limits.maxSubscriptionsPerClient reached");
        REFUSALS.info(log, "{}: SUBSCRIBE to '{}' refused: limits.maxSubscriptionsPerClient reached",
            connection.describe(), LogSafe.text(sub.filter()));
      }
      codes.add(code);
    }
    // SUBACK before the retained messages (or history) the new subscriptions bring. MQTT 5: a
    // replay cut short by retention, or refused, says why in the reason string.
    outbound.send(new SubAck(subscribe.packetId(), codes, v5 && !notes.isEmpty()
        ? new MqttProperties().reasonString(String.join("; ", notes)) : MqttProperties.EMPTY));
    Integer id = subscribe.properties().subscriptionIdentifier();
    for (int i = 0; i < subs.size(); i++) {
      if (codes.get(i) < 0x80) {
        TopicSubscription ts = subs.get(i);
        if (sharedParts[i] != null) {
          // No retained messages on a shared subscribe (MQTT 5 §4.8.2), whatever Retain Handling.
          session.subscribeShared(sharedParts[i][0], sharedParts[i][1], codes.get(i),
              new SubscriptionOptions(false, ts.retainAsPublished(), 2, id == null ? 0 : id));
          continue;
        }
        session.subscribe(replays[i] != null ? replays[i].filter() : ts.filter(), codes.get(i), v5
            ? new SubscriptionOptions(ts.noLocal(), ts.retainAsPublished(), ts.retainHandling(), id == null ? 0 : id)
            : SubscriptionOptions.DEFAULT, starts[i]);
      }
    }
  }

  /** The value of the SUBSCRIBE's user property "replay", or null. */
  private static String replayProperty(Subscribe subscribe) {
    for (UserProperty p : subscribe.properties().userProperties()) {
      if (p.name().equals("replay")) {
        return p.value();
      }
    }
    return null;
  }

  void unsubscribe(Unsubscribe unsubscribe, Session session, boolean v5) {
    List<Integer> codes = new ArrayList<>(unsubscribe.filters().size());
    for (String filter : unsubscribe.filters()) {
      // "$replay/{from}/{filter}" subscribed {filter}: unsubscribing either form removes it.
      Replay replay = null;
      try {
        replay = Replay.parsePrefixed(filter);
      } catch (IllegalArgumentException e) {
        // not a replay filter after all: an ordinary one that happens to start with $replay/
      }
      codes.add(session.unsubscribe(replay != null ? replay.filter() : filter) ? 0x00 : 0x11); // 0x11: none existed
    }
    outbound.send(v5 ? new UnsubAck(unsubscribe.packetId(), codes) : new Ack(PacketType.UNSUBACK, unsubscribe.packetId()));
  }
}
