package io.tributary.mqtt.codec;

import java.util.Arrays;
import java.util.Objects;

/** The will message of a CONNECT. The payload array is owned by this object: do not modify it. */
public final class Will {

  private final String topic;
  private final byte[] payload;
  private final int qos;
  private final boolean retain;
  private final MqttProperties properties;

  /** A will without properties. */
  public Will(String topic, byte[] payload, int qos, boolean retain) {
    this(topic, payload, qos, retain, MqttProperties.EMPTY);
  }

  public Will(String topic, byte[] payload, int qos, boolean retain, MqttProperties properties) {
    if (qos < 0 || qos > 2) {
      throw new IllegalArgumentException("will qos " + qos);
    }
    this.topic = Objects.requireNonNull(topic, "topic");
    this.payload = Objects.requireNonNull(payload, "payload");
    this.qos = qos;
    this.retain = retain;
    this.properties = properties == null ? MqttProperties.EMPTY : properties;
  }

  public String topic() {
    return topic;
  }

  public byte[] payload() {
    return payload;
  }

  public int qos() {
    return qos;
  }

  public boolean retain() {
    return retain;
  }

  /** MQTT 5.0 will properties; {@link MqttProperties#EMPTY} for 3.1.1. */
  public MqttProperties properties() {
    return properties;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Will)) {
      return false;
    }
    Will w = (Will) o;
    return qos == w.qos
        && retain == w.retain
        && topic.equals(w.topic)
        && Arrays.equals(payload, w.payload)
        && properties.equals(w.properties);
  }

  @Override
  public int hashCode() {
    return Objects.hash(topic, Arrays.hashCode(payload), qos, retain);
  }

  @Override
  public String toString() {
    return "Will{topic=" + topic + ", payload=" + payload.length + " bytes, qos=" + qos
        + ", retain=" + retain
        + (properties.isEmpty() ? "" : ", properties=" + properties) + "}";
  }
}
