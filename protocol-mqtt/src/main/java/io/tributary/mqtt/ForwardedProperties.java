package io.tributary.mqtt;

import io.tributary.mqtt.codec.MqttProperties;
import io.tributary.mqtt.codec.StoredProperties;
import io.tributary.router.message.Message;

/**
 * The MQTT 5 PUBLISH properties that travel with a message from publisher to subscribers
 * (MQTT-3.3.2-4 and friends), and the per-delivery ones added on the way out. Public for bridges,
 * which carry them to and from another broker the same way.
 */
public final class ForwardedProperties {

  private ForwardedProperties() {
  }

  /**
   * The properties of an inbound PUBLISH (or will) that are forwarded unchanged: payload format,
   * content type, response topic, correlation data, user properties. Null when there are none, so
   * a message without metadata costs nothing.
   */
  public static MqttProperties of(MqttProperties in) {
    if (in == null || in.isEmpty()) {
      return null;
    }
    MqttProperties out = new MqttProperties()
        .payloadFormatIndicator(in.payloadFormatIndicator())
        .contentType(in.contentType())
        .responseTopic(in.responseTopic())
        .correlationData(in.correlationData())
        .userProperties(in.userProperties());
    return out.isEmpty() ? null : out;
  }

  /** Absolute expiry (ms) for a message received now with this message expiry interval. */
  public static long expiresAt(MqttProperties in, long nowMillis) {
    Long seconds = in == null ? null : in.messageExpiryInterval();
    return seconds == null ? 0 : nowMillis + seconds * 1000;
  }

  /**
   * The properties of one outbound PUBLISH: the forwarded ones, the expiry interval reduced by
   * the time the message waited (MQTT-3.3.2-6), the matching subscription identifiers and a topic
   * alias (0 for none).
   */
  public static MqttProperties outbound(Message message, int[] subscriptionIds, int topicAlias, long nowMillis) {
    MqttProperties forwarded = StoredProperties.of(message.properties());
    boolean expires = message.expiresAt() != 0;
    if (forwarded == null && !expires && subscriptionIds.length == 0 && topicAlias == 0) {
      return MqttProperties.EMPTY;
    }
    MqttProperties out = forwarded == null ? new MqttProperties() : forwarded.copy();
    if (expires) {
      long remainingMs = Math.max(0, message.expiresAt() - nowMillis);
      out.messageExpiryInterval((remainingMs + 999) / 1000);
    }
    for (int id : subscriptionIds) {
      out.addSubscriptionIdentifier(id);
    }
    if (topicAlias != 0) {
      out.topicAlias(topicAlias);
    }
    return out;
  }
}
