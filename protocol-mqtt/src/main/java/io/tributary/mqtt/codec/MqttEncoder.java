package io.tributary.mqtt.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;

/**
 * Stateless MQTT encoder for 3.1.1 and 5.0. Encodes every packet type: the ones a server sends
 * (CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK, UNSUBACK, PINGRESP, and in 5.0
 * DISCONNECT and AUTH) and the ones a client sends (CONNECT, PUBLISH, the acks, SUBSCRIBE,
 * UNSUBSCRIBE, PINGREQ, DISCONNECT, and in 5.0 AUTH).
 *
 * <p>Invalid input (QoS out of range, packet id 0 where one is required, a string over 65535
 * UTF-8 bytes, a packet over the maximum remaining length, a property the packet type cannot
 * carry) is a programming error and throws {@link IllegalArgumentException}. The encoder never
 * writes a packet the decoder would reject for its layout; it does not validate topic syntax,
 * reason codes or property values (so tests can write protocol violations with it).
 *
 * <p>{@code protocolLevel}: 5 writes the MQTT 5.0 layout (reason codes, properties, subscription
 * options); anything below 5 (including 0, before a CONNECT was decoded) writes the 3.1.1 layout,
 * where what 3.1.1 cannot carry is left out: properties, the reason codes of the acks and
 * DISCONNECT, the 5.0 subscription options. A CONNECT is always written in the layout of its own
 * {@link Connect#protocolLevel()}.
 *
 * <p>{@link #encodedSize} / {@link #publishSize} give a packet's size before it is written, so the
 * sender can respect the peer's Maximum Packet Size.
 */
public final class MqttEncoder {

  /** Largest remaining length the 4-byte encoding can carry. */
  public static final int MAX_REMAINING_LENGTH = MqttDecoder.MAX_REMAINING_LENGTH;

  private MqttEncoder() {}

  /**
   * Encodes {@code p} into one new buffer from {@code alloc} (a PUBLISH payload is copied; see
   * {@link #encodePublish} for the zero-copy form). The caller owns the returned buffer.
   */
  public static ByteBuf encode(Packet p, int protocolLevel, ByteBufAllocator alloc) {
    boolean v5 = protocolLevel >= MqttVersion.V5;
    switch (p.type()) {
      case CONNECT:
        return ConnectEncoder.encodeConnect((Connect) p, alloc);
      case CONNACK:
        return ConnectEncoder.encodeConnAck((ConnAck) p, v5, alloc);
      case PUBLISH:
        return encodePublishCopy((Publish) p, v5, alloc);
      case PUBACK:
      case PUBREC:
      case PUBREL:
      case PUBCOMP:
        return AckEncoder.encodeAck((Ack) p, v5, alloc);
      case UNSUBACK:
        return p instanceof UnsubAck
            ? SubscribeEncoder.encodeUnsubAck((UnsubAck) p, v5, alloc)
            : AckEncoder.encodeAck((Ack) p, v5, alloc);
      case SUBSCRIBE:
        return SubscribeEncoder.encodeSubscribe((Subscribe) p, v5, alloc);
      case SUBACK:
        return SubscribeEncoder.encodeSubAck((SubAck) p, v5, alloc);
      case UNSUBSCRIBE:
        return SubscribeEncoder.encodeUnsubscribe((Unsubscribe) p, v5, alloc);
      case PINGREQ:
      case PINGRESP:
        return alloc.buffer(2, 2).writeByte(p.type().value() << 4).writeByte(0);
      case DISCONNECT:
        return AckEncoder.encodeDisconnect((Disconnect) p, v5, alloc);
      case AUTH:
        return AckEncoder.encodeAuth((Auth) p, v5, alloc);
      default:
        throw new IllegalArgumentException(p.type() + " cannot be encoded");
    }
  }

  /**
   * The exact number of bytes {@link #encode} writes for {@code p} at {@code protocolLevel}
   * (fixed header included), without writing anything.
   *
   * @throws IllegalArgumentException as {@link #encode} would
   */
  public static int encodedSize(Packet p, int protocolLevel) {
    boolean v5 = protocolLevel >= MqttVersion.V5;
    long remaining;
    switch (p.type()) {
      case CONNECT:
        remaining = ConnectEncoder.connectRemaining((Connect) p);
        break;
      case CONNACK:
        remaining = 2 + (v5 ? propertiesSize(p.properties(), PacketType.CONNACK) : 0);
        break;
      case PUBLISH:
        Publish pub = (Publish) p;
        return publishSize(
            protocolLevel, pub.topic(), pub.qos(), pub.properties(), pub.payload().readableBytes());
      case PUBACK:
      case PUBREC:
      case PUBREL:
      case PUBCOMP:
        remaining = AckEncoder.ackRemaining((Ack) p, v5);
        break;
      case UNSUBACK:
        remaining = p instanceof UnsubAck
            ? SubscribeEncoder.unsubAckRemaining((UnsubAck) p, v5)
            : AckEncoder.ackRemaining((Ack) p, v5);
        break;
      case SUBSCRIBE:
        remaining = SubscribeEncoder.subscribeRemaining((Subscribe) p, v5);
        break;
      case SUBACK:
        remaining = SubscribeEncoder.subAckRemaining((SubAck) p, v5);
        break;
      case UNSUBSCRIBE:
        remaining = SubscribeEncoder.unsubscribeRemaining((Unsubscribe) p, v5);
        break;
      case PINGREQ:
      case PINGRESP:
        remaining = 0;
        break;
      case DISCONNECT:
        remaining = AckEncoder.disconnectRemaining((Disconnect) p, v5);
        break;
      case AUTH:
        remaining = AckEncoder.authRemaining((Auth) p, v5);
        break;
      default:
        throw new IllegalArgumentException(p.type() + " cannot be encoded");
    }
    int r = checkedInt(remaining);
    return 1 + remainingLengthSize(r) + r;
  }

  /**
   * The exact size in bytes of the PUBLISH {@link #encodePublish} writes for these arguments
   * (fixed header, topic, packet id, properties at level 5, payload).
   *
   * @throws IllegalArgumentException if the packet could not be encoded at all (bad QoS, a topic
   *     over 65535 bytes, a remaining length over {@link #MAX_REMAINING_LENGTH})
   */
  public static int publishSize(
      int protocolLevel, String topic, int qos, MqttProperties properties, int payloadLength) {
    if (qos < 0 || qos > 2) {
      throw new IllegalArgumentException("PUBLISH qos " + qos);
    }
    int remaining = publishRemaining(protocolLevel, utf8Length(topic, "topic name"), qos, properties, payloadLength);
    return 1 + remainingLengthSize(remaining) + remaining;
  }

  /** The first byte of a PUBLISH (type and flags), after checking QoS, packet id and DUP agree. */
  private static int publishFirstByte(int qos, boolean retain, boolean dup, int packetId) {
    if (qos < 0 || qos > 2) {
      throw new IllegalArgumentException("PUBLISH qos " + qos);
    }
    if (qos > 0 && (packetId < 1 || packetId > 0xFFFF)) {
      throw new IllegalArgumentException("PUBLISH qos " + qos + " needs a packet id 1..65535");
    }
    if (dup && qos == 0) {
      throw new IllegalArgumentException("PUBLISH with DUP=1 and QoS 0");
    }
    return (PacketType.PUBLISH.value() << 4) | (dup ? 0x08 : 0) | (qos << 1) | (retain ? 0x01 : 0);
  }

  /** The remaining length of a PUBLISH: topic, packet id, properties (level 5 only), payload. */
  private static int publishRemaining(
      int protocolLevel, int topicLength, int qos, MqttProperties properties, int payloadLength) {
    long variableHeader = 2L + topicLength + (qos > 0 ? 2 : 0);
    if (protocolLevel >= MqttVersion.V5) {
      variableHeader += propertiesSize(properties, PacketType.PUBLISH);
    }
    return checkedInt(variableHeader + payloadLength);
  }

  /**
   * PUBLISH without copying the payload: returns a composite of a freshly encoded header (fixed
   * header, topic, packet id) and {@code payload.retainedDuplicate()} (the caller keeps its own
   * reference to payload; releasing the returned buffer releases only what this method added).
   * The payload's readable bytes are sent; its indexes are not changed. An empty payload gives
   * just the header buffer. For QoS 0 the packet id is ignored.
   */
  public static ByteBuf encodePublish(
      int protocolLevel,
      String topic,
      int qos,
      boolean retain,
      boolean dup,
      int packetId,
      ByteBuf payload,
      ByteBufAllocator alloc) {
    return encodePublish(
        protocolLevel, topic, qos, retain, dup, packetId, MqttProperties.EMPTY, payload, alloc);
  }

  /**
   * Like {@link #encodePublish(int, String, int, boolean, boolean, int, ByteBuf,
   * ByteBufAllocator)} with MQTT 5.0 properties (written at level 5 only; left out below). The
   * properties may carry several subscription identifiers and a topic alias; with a topic alias
   * the topic may be empty.
   */
  public static ByteBuf encodePublish(
      int protocolLevel,
      String topic,
      int qos,
      boolean retain,
      boolean dup,
      int packetId,
      MqttProperties properties,
      ByteBuf payload,
      ByteBufAllocator alloc) {
    int payloadLength = payload.readableBytes();
    ByteBuf header =
        publishHeader(
            protocolLevel >= MqttVersion.V5, topic, qos, retain, dup, packetId, properties,
            payloadLength, 0, alloc);
    if (payloadLength == 0) {
      return header;
    }
    CompositeByteBuf composite = alloc.compositeBuffer(2);
    composite.addComponents(true, header, payload.retainedDuplicate());
    return composite;
  }

  /**
   * Size of a PUBLISH whose topic is already UTF-8 encoded (see {@link #writePublish}); the
   * properties count at level 5 only.
   */
  public static int publishSize(int protocolLevel, byte[] topicUtf8, int qos, MqttProperties properties, int payloadLength) {
    int remaining = publishRemaining(protocolLevel, topicUtf8.length, qos, properties, payloadLength);
    return 1 + remainingLengthSize(remaining) + remaining;
  }

  /**
   * Writes a PUBLISH into {@code out} (a connection's outbound batch): the header around a topic
   * already encoded as UTF-8 (once per message, not per subscriber), then the payload bytes. The
   * caller has checked the topic (length, characters) when it was published. The payload is
   * {@code payloadLength} bytes of {@code payload} from {@code payloadOffset}.
   */
  public static void writePublish(
      ByteBuf out,
      int protocolLevel,
      byte[] topicUtf8,
      int qos,
      boolean retain,
      boolean dup,
      int packetId,
      MqttProperties properties,
      byte[] payload,
      int payloadOffset,
      int payloadLength) {
    int firstByte = publishFirstByte(qos, retain, dup, packetId);
    if (topicUtf8.length > 0xFFFF) {
      throw new IllegalArgumentException("topic name longer than 65535 bytes");
    }
    boolean v5 = protocolLevel >= MqttVersion.V5;
    int remaining = publishRemaining(protocolLevel, topicUtf8.length, qos, properties, payloadLength);
    out.writeByte(firstByte);
    writeRemainingLength(out, remaining);
    out.writeShort(topicUtf8.length);
    out.writeBytes(topicUtf8);
    if (qos > 0) {
      out.writeShort(packetId);
    }
    if (v5) {
      writeProperties(out, properties);
    }
    out.writeBytes(payload, payloadOffset, payloadLength);
  }

  // ---- remaining length (a Variable Byte Integer) ----

  /** Bytes needed to encode {@code remainingLength} (1..4). */
  public static int remainingLengthSize(int remainingLength) {
    checkRemainingLength(remainingLength);
    if (remainingLength < 128) {
      return 1;
    } else if (remainingLength < 16_384) {
      return 2;
    } else if (remainingLength < 2_097_152) {
      return 3;
    }
    return 4;
  }

  /** Writes the variable-length remaining length (7 bits per byte, least significant first). */
  public static void writeRemainingLength(ByteBuf buf, int remainingLength) {
    checkRemainingLength(remainingLength);
    int v = remainingLength;
    do {
      int b = v & 0x7F;
      v >>>= 7;
      buf.writeByte(v > 0 ? b | 0x80 : b);
    } while (v > 0);
  }

  static void checkRemainingLength(int remainingLength) {
    if (remainingLength < 0 || remainingLength > MAX_REMAINING_LENGTH) {
      throw new IllegalArgumentException(
          "remaining length " + remainingLength + " outside 0.." + MAX_REMAINING_LENGTH);
    }
  }

  /** A buffer of exactly the packet's size with the fixed header written. */
  static ByteBuf start(int firstByte, long remainingLength, ByteBufAllocator alloc) {
    int remaining = checkedInt(remainingLength);
    int total = 1 + remainingLengthSize(remaining) + remaining;
    ByteBuf buf = alloc.buffer(total, total);
    buf.writeByte(firstByte);
    writeRemainingLength(buf, remaining);
    return buf;
  }

  // ---- properties ----

  /**
   * Property length + properties, after checking that a packet of {@code type} (or a will, for
   * type null) may carry them.
   */
  static int propertiesSize(MqttProperties properties, PacketType type) {
    MqttProperties p = properties == null ? MqttProperties.EMPTY : properties;
    checkAllowed(p, type);
    int length = p.encodedLength();
    return remainingLengthSize(length) + length;
  }

  static void checkAllowed(MqttProperties p, PacketType type) {
    long allowed = type == null ? PropertyIds.ALLOWED_WILL : PropertyIds.allowed(type);
    long extra = p.presentMask() & ~allowed;
    if (extra != 0) {
      throw new IllegalArgumentException(
          PropertyIds.describe(Long.numberOfTrailingZeros(extra)) + " is not allowed in "
              + (type == null ? "will" : type.toString()) + " properties");
    }
    if (type == PacketType.SUBSCRIBE && p.subscriptionIdentifiers().size() > 1) {
      throw new IllegalArgumentException("SUBSCRIBE carries at most one subscription identifier");
    }
  }

  static void writeProperties(ByteBuf buf, MqttProperties properties) {
    MqttProperties p = properties == null ? MqttProperties.EMPTY : properties;
    writeRemainingLength(buf, p.encodedLength());
    p.writeTo(buf);
  }

  // ---- packets ----

  private static ByteBuf encodePublishCopy(Publish p, boolean v5, ByteBufAllocator alloc) {
    ByteBuf payload = p.payload();
    int payloadLength = payload.readableBytes();
    ByteBuf buf =
        publishHeader(
            v5, p.topic(), p.qos(), p.retain(), p.dup(), p.packetId(), p.properties(),
            payloadLength, payloadLength, alloc);
    buf.writeBytes(payload, payload.readerIndex(), payloadLength);
    return buf;
  }

  /**
   * Fixed header + topic + packet id (+ properties for 5.0) of a PUBLISH whose payload has {@code
   * payloadLength} bytes, in a buffer with room for {@code extraCapacity} more bytes.
   */
  private static ByteBuf publishHeader(
      boolean v5,
      String topic,
      int qos,
      boolean retain,
      boolean dup,
      int packetId,
      MqttProperties properties,
      int payloadLength,
      int extraCapacity,
      ByteBufAllocator alloc) {
    int firstByte = publishFirstByte(qos, retain, dup, packetId);
    int topicLength = utf8Length(topic, "topic name");
    int variableHeader = 2 + topicLength + (qos > 0 ? 2 : 0);
    if (v5) {
      variableHeader += propertiesSize(properties, PacketType.PUBLISH);
    }
    long remainingLong = (long) variableHeader + payloadLength;
    if (remainingLong > MAX_REMAINING_LENGTH) {
      throw new IllegalArgumentException("PUBLISH too large: remaining length " + remainingLong);
    }
    int remaining = (int) remainingLong;
    int headerSize = 1 + remainingLengthSize(remaining) + variableHeader;
    ByteBuf buf = alloc.buffer(headerSize + extraCapacity, headerSize + extraCapacity);
    buf.writeByte(firstByte);
    writeRemainingLength(buf, remaining);
    buf.writeShort(topicLength);
    ByteBufUtil.reserveAndWriteUtf8(buf, topic, topicLength);
    if (qos > 0) {
      buf.writeShort(packetId);
    }
    if (v5) {
      writeProperties(buf, properties);
    }
    return buf;
  }

  // ---- helpers ----

  static void checkPacketId(int packetId, PacketType type) {
    if (packetId < 1 || packetId > 0xFFFF) {
      throw new IllegalArgumentException(type + " needs a packet id 1..65535, got " + packetId);
    }
  }

  static int checkedInt(long remaining) {
    if (remaining > MAX_REMAINING_LENGTH) {
      throw new IllegalArgumentException("packet too large: remaining length " + remaining);
    }
    return (int) remaining;
  }

  static int utf8Length(String s, String what) {
    int len = ByteBufUtil.utf8Bytes(s);
    if (len > 0xFFFF) {
      throw new IllegalArgumentException(what + " is " + len + " UTF-8 bytes, max 65535");
    }
    return len;
  }

  static int checkBinaryLength(int len, String what) {
    if (len > 0xFFFF) {
      throw new IllegalArgumentException(what + " is " + len + " bytes, max 65535");
    }
    return len;
  }

  static void writeString(ByteBuf buf, String s) {
    int len = ByteBufUtil.utf8Bytes(s);
    buf.writeShort(len);
    ByteBufUtil.reserveAndWriteUtf8(buf, s, len);
  }
}
