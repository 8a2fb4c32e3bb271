package io.tributary.mqtt.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import java.util.List;

/**
 * Stateless MQTT encoder. Encodes every packet type of 3.1.1: the ones a server sends (CONNACK,
 * PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK, UNSUBACK, PINGRESP) and the ones a client
 * sends (CONNECT, SUBSCRIBE, UNSUBSCRIBE, PINGREQ, DISCONNECT).
 *
 * <p>Invalid input (QoS out of range, packet id 0 where one is required, a string over 65535
 * UTF-8 bytes, a packet over the maximum remaining length) is a programming error and throws
 * {@link IllegalArgumentException}. The encoder never writes a packet the decoder would reject for
 * its layout; it does not validate topic syntax.
 *
 * <p>{@code protocolLevel}: anything below 5 (including 0, before a CONNECT was decoded) writes
 * the 3.1.1 layout. MQTT 5.0: until the 5.0 issue, level 5 also writes the 3.1.1 layout; reason
 * codes and properties are not written yet.
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
    switch (p.type()) {
      case CONNECT:
        return encodeConnect((Connect) p, alloc);
      case CONNACK:
        return encodeConnAck((ConnAck) p, alloc);
      case PUBLISH:
        return encodePublishCopy((Publish) p, alloc);
      case PUBACK:
      case PUBREC:
      case PUBREL:
      case PUBCOMP:
      case UNSUBACK:
        return encodeAck((Ack) p, alloc);
      case SUBSCRIBE:
        return encodeSubscribe((Subscribe) p, alloc);
      case SUBACK:
        return encodeSubAck((SubAck) p, alloc);
      case UNSUBSCRIBE:
        return encodeUnsubscribe((Unsubscribe) p, alloc);
      case PINGREQ:
      case PINGRESP:
      case DISCONNECT:
        // MQTT 5.0: DISCONNECT carries a reason code and properties.
        return alloc.buffer(2, 2).writeByte(p.type().value() << 4).writeByte(0);
      default:
        throw new IllegalArgumentException(p.type() + " cannot be encoded for MQTT 3.1.1");
    }
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
    int payloadLength = payload.readableBytes();
    ByteBuf header = publishHeader(topic, qos, retain, dup, packetId, payloadLength, 0, alloc);
    if (payloadLength == 0) {
      return header;
    }
    CompositeByteBuf composite = alloc.compositeBuffer(2);
    composite.addComponents(true, header, payload.retainedDuplicate());
    return composite;
  }

  // ---- remaining length ----

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

  private static void checkRemainingLength(int remainingLength) {
    if (remainingLength < 0 || remainingLength > MAX_REMAINING_LENGTH) {
      throw new IllegalArgumentException(
          "remaining length " + remainingLength + " outside 0.." + MAX_REMAINING_LENGTH);
    }
  }

  /** A buffer of exactly the packet's size with the fixed header written. */
  private static ByteBuf start(int firstByte, int remainingLength, ByteBufAllocator alloc) {
    int total = 1 + remainingLengthSize(remainingLength) + remainingLength;
    ByteBuf buf = alloc.buffer(total, total);
    buf.writeByte(firstByte);
    writeRemainingLength(buf, remainingLength);
    return buf;
  }

  // ---- packets ----

  private static ByteBuf encodeConnect(Connect c, ByteBufAllocator alloc) {
    int nameLength = utf8Length(c.protocolName(), "protocol name");
    int clientIdLength = utf8Length(c.clientId(), "client id");
    Will will = c.will();
    int willTopicLength = will == null ? 0 : utf8Length(will.topic(), "will topic");
    if (will != null) {
      checkBinaryLength(will.payload().length, "will message");
    }
    int usernameLength = c.username() == null ? 0 : utf8Length(c.username(), "username");
    if (c.password() != null) {
      checkBinaryLength(c.password().length, "password");
    }
    int remaining = 2 + nameLength + 1 + 1 + 2 + 2 + clientIdLength;
    int flags = c.cleanSession() ? 0x02 : 0;
    if (will != null) {
      remaining += 2 + willTopicLength + 2 + will.payload().length;
      flags |= 0x04 | (will.qos() << 3) | (will.retain() ? 0x20 : 0);
    }
    if (c.username() != null) {
      remaining += 2 + usernameLength;
      flags |= 0x80;
    }
    if (c.password() != null) {
      remaining += 2 + c.password().length;
      flags |= 0x40;
    }
    ByteBuf buf = start(PacketType.CONNECT.value() << 4, remaining, alloc);
    writeString(buf, c.protocolName(), nameLength);
    buf.writeByte(c.protocolLevel());
    buf.writeByte(flags);
    buf.writeShort(c.keepAliveSeconds());
    writeString(buf, c.clientId(), clientIdLength);
    if (will != null) {
      writeString(buf, will.topic(), willTopicLength);
      buf.writeShort(will.payload().length);
      buf.writeBytes(will.payload());
    }
    if (c.username() != null) {
      writeString(buf, c.username(), usernameLength);
    }
    if (c.password() != null) {
      buf.writeShort(c.password().length);
      buf.writeBytes(c.password());
    }
    return buf;
  }

  private static ByteBuf encodeConnAck(ConnAck a, ByteBufAllocator alloc) {
    // MQTT 5.0: properties follow the reason code.
    ByteBuf buf = start(PacketType.CONNACK.value() << 4, 2, alloc);
    buf.writeByte(a.sessionPresent() ? 1 : 0);
    buf.writeByte(a.returnCode());
    return buf;
  }

  private static ByteBuf encodePublishCopy(Publish p, ByteBufAllocator alloc) {
    ByteBuf payload = p.payload();
    int payloadLength = payload.readableBytes();
    ByteBuf buf =
        publishHeader(
            p.topic(), p.qos(), p.retain(), p.dup(), p.packetId(), payloadLength, payloadLength,
            alloc);
    buf.writeBytes(payload, payload.readerIndex(), payloadLength);
    return buf;
  }

  /**
   * Fixed header + topic + packet id of a PUBLISH whose payload has {@code payloadLength} bytes,
   * in a buffer with room for {@code extraCapacity} more bytes.
   */
  private static ByteBuf publishHeader(
      String topic,
      int qos,
      boolean retain,
      boolean dup,
      int packetId,
      int payloadLength,
      int extraCapacity,
      ByteBufAllocator alloc) {
    if (qos < 0 || qos > 2) {
      throw new IllegalArgumentException("PUBLISH qos " + qos);
    }
    if (qos > 0 && (packetId < 1 || packetId > 0xFFFF)) {
      throw new IllegalArgumentException("PUBLISH qos " + qos + " needs a packet id 1..65535");
    }
    if (dup && qos == 0) {
      throw new IllegalArgumentException("PUBLISH with DUP=1 and QoS 0");
    }
    int topicLength = utf8Length(topic, "topic name");
    int variableHeader = 2 + topicLength + (qos > 0 ? 2 : 0);
    // MQTT 5.0: PUBLISH properties follow the packet id.
    long remainingLong = (long) variableHeader + payloadLength;
    if (remainingLong > MAX_REMAINING_LENGTH) {
      throw new IllegalArgumentException("PUBLISH too large: remaining length " + remainingLong);
    }
    int remaining = (int) remainingLong;
    int firstByte =
        (PacketType.PUBLISH.value() << 4) | (dup ? 0x08 : 0) | (qos << 1) | (retain ? 0x01 : 0);
    int headerSize = 1 + remainingLengthSize(remaining) + variableHeader;
    ByteBuf buf = alloc.buffer(headerSize + extraCapacity, headerSize + extraCapacity);
    buf.writeByte(firstByte);
    writeRemainingLength(buf, remaining);
    writeString(buf, topic, topicLength);
    if (qos > 0) {
      buf.writeShort(packetId);
    }
    return buf;
  }

  private static ByteBuf encodeAck(Ack a, ByteBufAllocator alloc) {
    checkPacketId(a.packetId(), a.type());
    // MQTT 5.0: reason code (and properties) after the packet id when not 0.
    int flags = a.type() == PacketType.PUBREL ? 0x02 : 0;
    ByteBuf buf = start((a.type().value() << 4) | flags, 2, alloc);
    buf.writeShort(a.packetId());
    return buf;
  }

  private static ByteBuf encodeSubscribe(Subscribe s, ByteBufAllocator alloc) {
    checkPacketId(s.packetId(), PacketType.SUBSCRIBE);
    List<TopicSubscription> subs = s.subscriptions();
    if (subs.isEmpty()) {
      throw new IllegalArgumentException("SUBSCRIBE needs at least one topic filter");
    }
    int[] lengths = new int[subs.size()];
    long remaining = 2;
    for (int i = 0; i < lengths.length; i++) {
      lengths[i] = utf8Length(subs.get(i).filter(), "topic filter");
      remaining += 2 + lengths[i] + 1;
    }
    ByteBuf buf = start((PacketType.SUBSCRIBE.value() << 4) | 0x02, checkedInt(remaining), alloc);
    buf.writeShort(s.packetId());
    for (int i = 0; i < lengths.length; i++) {
      writeString(buf, subs.get(i).filter(), lengths[i]);
      buf.writeByte(subs.get(i).qos());
    }
    return buf;
  }

  private static ByteBuf encodeSubAck(SubAck s, ByteBufAllocator alloc) {
    checkPacketId(s.packetId(), PacketType.SUBACK);
    List<Integer> codes = s.returnCodes();
    if (codes.isEmpty()) {
      throw new IllegalArgumentException("SUBACK needs at least one return code");
    }
    ByteBuf buf = start(PacketType.SUBACK.value() << 4, checkedInt(2L + codes.size()), alloc);
    buf.writeShort(s.packetId());
    for (int code : codes) {
      buf.writeByte(code);
    }
    return buf;
  }

  private static ByteBuf encodeUnsubscribe(Unsubscribe u, ByteBufAllocator alloc) {
    checkPacketId(u.packetId(), PacketType.UNSUBSCRIBE);
    List<String> filters = u.filters();
    if (filters.isEmpty()) {
      throw new IllegalArgumentException("UNSUBSCRIBE needs at least one topic filter");
    }
    int[] lengths = new int[filters.size()];
    long remaining = 2;
    for (int i = 0; i < lengths.length; i++) {
      lengths[i] = utf8Length(filters.get(i), "topic filter");
      remaining += 2 + lengths[i];
    }
    ByteBuf buf =
        start((PacketType.UNSUBSCRIBE.value() << 4) | 0x02, checkedInt(remaining), alloc);
    buf.writeShort(u.packetId());
    for (int i = 0; i < lengths.length; i++) {
      writeString(buf, filters.get(i), lengths[i]);
    }
    return buf;
  }

  // ---- helpers ----

  private static void checkPacketId(int packetId, PacketType type) {
    if (packetId < 1 || packetId > 0xFFFF) {
      throw new IllegalArgumentException(type + " needs a packet id 1..65535, got " + packetId);
    }
  }

  private static int checkedInt(long remaining) {
    if (remaining > MAX_REMAINING_LENGTH) {
      throw new IllegalArgumentException("packet too large: remaining length " + remaining);
    }
    return (int) remaining;
  }

  private static int utf8Length(String s, String what) {
    int len = ByteBufUtil.utf8Bytes(s);
    if (len > 0xFFFF) {
      throw new IllegalArgumentException(what + " is " + len + " UTF-8 bytes, max 65535");
    }
    return len;
  }

  private static void checkBinaryLength(int len, String what) {
    if (len > 0xFFFF) {
      throw new IllegalArgumentException(what + " is " + len + " bytes, max 65535");
    }
  }

  private static void writeString(ByteBuf buf, String s, int utf8Length) {
    buf.writeShort(utf8Length);
    ByteBufUtil.reserveAndWriteUtf8(buf, s, utf8Length);
  }
}
