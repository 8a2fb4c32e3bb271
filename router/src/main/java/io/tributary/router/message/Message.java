package io.tributary.router.message;

import java.util.Objects;

/**
 * One published application message, protocol-neutral. The commit log stores it as bytes
 * ({@link MessageCodec}); an instance is what a publisher hands in and what a reader decodes, shared
 * by every subscriber that receives it, so it is immutable and its payload bytes must never be
 * written after construction. The payload may be a range of a shared array (see {@link PayloadArena}).
 */
public final class Message {

  private final String topic;
  private final byte[] payloadArray;
  private final int payloadOffset;
  private final int payloadLength;
  private final int qos;
  private final boolean retain;
  private final String publisherId;
  private final long timestamp;
  private final long expiresAt;
  private final MessageMetadata properties;
  private final String origin;
  /** Forwarded for these shared-subscription groups (keys), or null; see {@link #sharedFor()}. */
  private final String[] sharedFor;

  public Message(String topic, byte[] payload, int qos, boolean retain, String publisherId, long timestamp) {
    this(topic, payload, qos, retain, publisherId, timestamp, 0, null);
  }

  /**
   * @param expiresAt wall-clock time (ms) after which the message is not delivered, 0 for never
   * @param properties protocol metadata forwarded unchanged to subscribers of the same protocol,
   *     or null
   */
  public Message(String topic, byte[] payload, int qos, boolean retain, String publisherId, long timestamp,
      long expiresAt, MessageMetadata properties) {
    this(topic, payload, 0, Objects.requireNonNull(payload, "payload").length, qos, retain, publisherId, timestamp,
        expiresAt, properties);
  }

  /** A message whose payload is {@code length} bytes of {@code array} from {@code offset}. */
  public Message(String topic, byte[] array, int offset, int length, int qos, boolean retain, String publisherId,
      long timestamp, long expiresAt, MessageMetadata properties) {
    this(topic, array, offset, length, qos, retain, publisherId, timestamp, expiresAt, properties, null);
  }

  /**
   * @param origin where the message entered this broker other than from one of its own clients:
   *     {@code node:NAME} for a cluster node that forwarded it, {@code bridge:NAME} for a bridge;
   *     null for this broker's own clients. Forwarders read it so a message never goes back where it came from.
   */
  public Message(String topic, byte[] array, int offset, int length, int qos, boolean retain, String publisherId,
      long timestamp, long expiresAt, MessageMetadata properties, String origin) {
    this(topic, array, offset, length, qos, retain, publisherId, timestamp, expiresAt, properties, origin, null);
  }

  /**
   * @param sharedFor the shared-subscription groups (keys) of the receiving node this message was
   *     forwarded for by the node that stored it first (which chose this node for them), or null
   */
  public Message(String topic, byte[] array, int offset, int length, int qos, boolean retain, String publisherId,
      long timestamp, long expiresAt, MessageMetadata properties, String origin, String[] sharedFor) {
    this.topic = Objects.requireNonNull(topic, "topic");
    Objects.checkFromIndexSize(offset, length, Objects.requireNonNull(array, "payload").length);
    this.payloadArray = array;
    this.payloadOffset = offset;
    this.payloadLength = length;
    if (qos < 0 || qos > 2) {
      throw new IllegalArgumentException("qos must be 0, 1 or 2: " + qos);
    }
    this.qos = qos;
    this.retain = retain;
    this.publisherId = publisherId;
    this.timestamp = timestamp;
    this.expiresAt = expiresAt;
    this.properties = properties;
    this.origin = origin;
    this.sharedFor = sharedFor;
  }

  /**
   * The shared-subscription groups this message was forwarded to this node for (the sending node
   * chose this node's group to deliver it), or null. Do not modify.
   */
  public String[] sharedFor() {
    return sharedFor;
  }

  /** Origin prefix of a message a session brought along from another cluster node: for it alone. */
  public static final String HANDOFF = "handoff:";

  /**
   * Whether a session of this client id may get this message: every message but one that another
   * session brought along from another cluster node (its queue, see {@link #HANDOFF}).
   */
  public boolean visibleTo(String clientId) {
    return origin == null || !origin.startsWith(HANDOFF)
        || (origin.length() == HANDOFF.length() + clientId.length() && origin.endsWith(clientId));
  }

  /** Whether this is a session's own queued message brought from another node (no one else's). */
  public boolean isHandoff() {
    return origin != null && origin.startsWith(HANDOFF);
  }

  /** Where the message came from other than this broker's clients, or null (see the constructor). */
  public String origin() {
    return origin;
  }

  /** This message as received from origin (a cluster node or a bridge). */
  public Message withOrigin(String origin) {
    return new Message(topic, payloadArray, payloadOffset, payloadLength, qos, retain, publisherId, timestamp,
        expiresAt, properties, origin, sharedFor);
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
    return new Message(topic, payloadArray, payloadOffset, payloadLength, qos, retain, publisherId, nowMillis,
        shiftedExpiry, properties, origin, sharedFor);
  }

  /** Protocol metadata forwarded with the message, or null. */
  public MessageMetadata properties() {
    return properties;
  }

  public String topic() {
    return topic;
  }

  /**
   * The payload bytes; shared when the message has an array of its own, else a copy (hot paths
   * use {@link #payloadArray()} with offset and length). Do not modify.
   */
  public byte[] payload() {
    if (payloadOffset == 0 && payloadLength == payloadArray.length) {
      return payloadArray;
    }
    return java.util.Arrays.copyOfRange(payloadArray, payloadOffset, payloadOffset + payloadLength);
  }

  /** The array holding the payload, from {@link #payloadOffset()}; possibly shared with other messages. */
  public byte[] payloadArray() {
    return payloadArray;
  }

  public int payloadOffset() {
    return payloadOffset;
  }

  public int payloadLength() {
    return payloadLength;
  }

  /** This message with a payload array of its own, for holders that keep it indefinitely. */
  public Message compact() {
    if (payloadOffset == 0 && payloadLength == payloadArray.length) {
      return this;
    }
    return new Message(topic, payload(), 0, payloadLength, qos, retain, publisherId, timestamp, expiresAt, properties,
        origin, sharedFor);
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

  @Override
  public String toString() {
    return "Message{topic=" + topic + ", qos=" + qos + ", retain=" + retain + ", bytes=" + payloadLength + "}";
  }
}
