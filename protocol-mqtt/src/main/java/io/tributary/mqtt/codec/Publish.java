package io.tributary.mqtt.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.Objects;

/**
 * PUBLISH (both directions). This object does not own its payload: it never retains or releases
 * it. A Publish handed out by {@link MqttDecoder} has a payload that is a slice of the decoder's
 * buffer, valid only during the callback; use {@link #copy()} (or copy the bytes) to keep it.
 */
public final class Publish implements Packet {

  private final String topic;
  private final int qos;
  private final boolean retain;
  private final boolean dup;
  private final int packetId;
  private final ByteBuf payload;
  private final MqttProperties properties;

  public Publish(
      String topic, int qos, boolean retain, boolean dup, int packetId, ByteBuf payload) {
    this(topic, qos, retain, dup, packetId, payload, MqttProperties.EMPTY);
  }

  public Publish(
      String topic,
      int qos,
      boolean retain,
      boolean dup,
      int packetId,
      ByteBuf payload,
      MqttProperties properties) {
    if (qos < 0 || qos > 2) {
      throw new IllegalArgumentException("qos " + qos);
    }
    if (packetId < 0 || packetId > 0xFFFF) {
      throw new IllegalArgumentException("packet id " + packetId);
    }
    this.topic = Objects.requireNonNull(topic, "topic");
    this.qos = qos;
    this.retain = retain;
    this.dup = dup;
    this.packetId = packetId;
    this.payload = Objects.requireNonNull(payload, "payload");
    this.properties = properties == null ? MqttProperties.EMPTY : properties;
  }

  @Override
  public PacketType type() {
    return PacketType.PUBLISH;
  }

  /**
   * The topic name. MQTT 5.0: may be empty when {@link MqttProperties#topicAlias()} is set (the
   * connection maps the alias to its topic).
   */
  public String topic() {
    return topic;
  }

  public int qos() {
    return qos;
  }

  public boolean retain() {
    return retain;
  }

  public boolean dup() {
    return dup;
  }

  /** 0 for QoS 0. */
  public int packetId() {
    return packetId;
  }

  /** The application message; readable bytes are the payload. Not owned by this object. */
  public ByteBuf payload() {
    return payload;
  }

  @Override
  public MqttProperties properties() {
    return properties;
  }

  /** A Publish with an unpooled heap copy of the payload, safe to keep after a decoder callback. */
  public Publish copy() {
    return new Publish(
        topic, qos, retain, dup, packetId, Unpooled.copiedBuffer(payload), properties);
  }

  /** Compares the payload's readable bytes. */
  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Publish)) {
      return false;
    }
    Publish p = (Publish) o;
    return qos == p.qos
        && retain == p.retain
        && dup == p.dup
        && packetId == p.packetId
        && topic.equals(p.topic)
        && ByteBufUtil.equals(payload, p.payload)
        && properties.equals(p.properties);
  }

  @Override
  public int hashCode() {
    return Objects.hash(topic, qos, retain, dup, packetId, payload.readableBytes());
  }

  @Override
  public String toString() {
    return "Publish{topic=" + topic + ", qos=" + qos + ", retain=" + retain + ", dup=" + dup
        + ", packetId=" + packetId + ", payload=" + payload.readableBytes() + " bytes"
        + (properties.isEmpty() ? "" : ", properties=" + properties) + "}";
  }
}
