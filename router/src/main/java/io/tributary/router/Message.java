package io.tributary.router;

import java.util.Objects;

/**
 * One published application message, protocol-neutral. It is the value stored in the commit log:
 * one instance per publish, shared by every subscriber that receives it, so it is immutable and
 * its payload array must never be written after construction.
 */
public final class Message {

  private final String topic;
  private final byte[] payload;
  private final int qos;
  private final boolean retain;
  private final String publisherId;
  private final long timestamp;
  private final long expiresAt;
  private final Object properties;

  public Message(String topic, byte[] payload, int qos, boolean retain, String publisherId, long timestamp) {
    this(topic, payload, qos, retain, publisherId, timestamp, 0, null);
  }

  /**
   * @param expiresAt wall-clock time (ms) after which the message is not delivered, 0 for never
   * @param properties protocol metadata forwarded unchanged to subscribers of the same protocol
   *     (for MQTT 5: content type, response topic, correlation data, user properties, ...); opaque
   *     to the router, immutable once published
   */
  public Message(String topic, byte[] payload, int qos, boolean retain, String publisherId, long timestamp,
      long expiresAt, Object properties) {
    this.topic = Objects.requireNonNull(topic, "topic");
    this.payload = Objects.requireNonNull(payload, "payload");
    if (qos < 0 || qos > 2) {
      throw new IllegalArgumentException("qos must be 0, 1 or 2: " + qos);
    }
    this.qos = qos;
    this.retain = retain;
    this.publisherId = publisherId;
    this.timestamp = timestamp;
    this.expiresAt = expiresAt;
    this.properties = properties;
  }

  /** Wall-clock expiry (ms), 0 when the message never expires. */
  public long expiresAt() {
    return expiresAt;
  }

  /** Expired now? Reads the clock only for messages that can expire (delivery hot path). */
  public boolean isExpired() {
    return expiresAt != 0 && System.currentTimeMillis() >= expiresAt;
  }

  public boolean isExpired(long nowMillis) {
    return expiresAt != 0 && nowMillis >= expiresAt;
  }

  /**
   * This message as published at nowMillis: a will is built at CONNECT but published later, and
   * its expiry interval counts from publication (MQTT 5 3.1.3.2.4), so its expiry moves with it.
   */
  public Message publishedAt(long nowMillis) {
    long shiftedExpiry = expiresAt == 0 ? 0 : expiresAt + (nowMillis - timestamp);
    return new Message(topic, payload, qos, retain, publisherId, nowMillis, shiftedExpiry, properties);
  }

  /** Protocol metadata forwarded with the message, or null. */
  public Object properties() {
    return properties;
  }

  public String topic() {
    return topic;
  }

  /** The payload bytes; shared, do not modify. */
  public byte[] payload() {
    return payload;
  }

  public int qos() {
    return qos;
  }

  public boolean retain() {
    return retain;
  }

  /** Client id of the publisher, or null for messages the broker made itself. */
  public String publisherId() {
    return publisherId;
  }

  /** Wall-clock time (ms) the broker accepted the message. */
  public long timestamp() {
    return timestamp;
  }

  /** Bytes this message accounts for in log retention: payload, topic, and a fixed overhead. */
  public int sizeInBytes() {
    return payload.length + topic.length() * 2 + 64;
  }

  @Override
  public String toString() {
    return "Message{topic=" + topic + ", qos=" + qos + ", retain=" + retain + ", bytes=" + payload.length + "}";
  }
}
