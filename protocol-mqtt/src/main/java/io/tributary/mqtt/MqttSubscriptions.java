package io.tributary.mqtt;

import io.tributary.mqtt.codec.Ack;
import io.tributary.mqtt.codec.PacketType;
import io.tributary.mqtt.codec.SubAck;
import io.tributary.mqtt.codec.Subscribe;
import io.tributary.mqtt.codec.TopicSubscription;
import io.tributary.mqtt.codec.UnsubAck;
import io.tributary.mqtt.codec.Unsubscribe;
import io.tributary.router.delivery.SubscriptionOptions;
import io.tributary.router.session.Session;
import io.tributary.router.shared.SharedGroup;
import io.tributary.router.topic.Topics;
import java.util.ArrayList;
import java.util.List;

/** SUBSCRIBE and UNSUBSCRIBE of one connection: the codes granted, then the session's changes. */
final class MqttSubscriptions {

  private final MqttOptions options;
  private final MqttOutbound outbound;

  MqttSubscriptions(MqttOptions options, MqttOutbound outbound) {
    this.options = options;
    this.outbound = outbound;
  }

  void subscribe(Subscribe subscribe, Session session, boolean v5) {
    List<TopicSubscription> subs = subscribe.subscriptions();
    List<Integer> codes = new ArrayList<>(subs.size());
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
      } else if (Topics.levels(filter) > options.getMaxTopicLevels()) {
        code = v5 ? 0x97 : 0x80;
      }
      codes.add(code);
    }
    // SUBACK before the retained messages the new subscriptions bring.
    outbound.send(new SubAck(subscribe.packetId(), codes));
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
        session.subscribe(ts.filter(), codes.get(i), v5
            ? new SubscriptionOptions(ts.noLocal(), ts.retainAsPublished(), ts.retainHandling(), id == null ? 0 : id)
            : SubscriptionOptions.DEFAULT);
      }
    }
  }

  void unsubscribe(Unsubscribe unsubscribe, Session session, boolean v5) {
    List<Integer> codes = new ArrayList<>(unsubscribe.filters().size());
    for (String filter : unsubscribe.filters()) {
      codes.add(session.unsubscribe(filter) ? 0x00 : 0x11); // 0x11: no subscription existed
    }
    outbound.send(v5 ? new UnsubAck(unsubscribe.packetId(), codes) : new Ack(PacketType.UNSUBACK, unsubscribe.packetId()));
  }
}
