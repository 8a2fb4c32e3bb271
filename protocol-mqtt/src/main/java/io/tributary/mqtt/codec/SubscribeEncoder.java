package io.tributary.mqtt.codec;

import static io.tributary.mqtt.codec.MqttEncoder.checkPacketId;
import static io.tributary.mqtt.codec.MqttEncoder.propertiesSize;
import static io.tributary.mqtt.codec.MqttEncoder.start;
import static io.tributary.mqtt.codec.MqttEncoder.utf8Length;
import static io.tributary.mqtt.codec.MqttEncoder.writeProperties;
import static io.tributary.mqtt.codec.MqttEncoder.writeString;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;

/** Encodes sUBSCRIBE, UNSUBSCRIBE and their acknowledgements. */
final class SubscribeEncoder {

  private SubscribeEncoder() {}

  static long subscribeRemaining(Subscribe s, boolean v5) {
    checkPacketId(s.packetId(), PacketType.SUBSCRIBE);
    List<TopicSubscription> subs = s.subscriptions();
    if (subs.isEmpty()) {
      throw new IllegalArgumentException("SUBSCRIBE needs at least one topic filter");
    }
    long remaining = 2;
    if (v5) {
      remaining += propertiesSize(s.properties(), PacketType.SUBSCRIBE);
    }
    for (TopicSubscription sub : subs) {
      remaining += 2 + utf8Length(sub.filter(), "topic filter") + 1;
    }
    return remaining;
  }

  static ByteBuf encodeSubscribe(Subscribe s, boolean v5, ByteBufAllocator alloc) {
    ByteBuf buf =
        start((PacketType.SUBSCRIBE.value() << 4) | 0x02, subscribeRemaining(s, v5), alloc);
    buf.writeShort(s.packetId());
    if (v5) {
      writeProperties(buf, s.properties());
    }
    for (TopicSubscription sub : s.subscriptions()) {
      writeString(buf, sub.filter());
      buf.writeByte(v5 ? sub.options() : sub.qos());
    }
    return buf;
  }

  static long subAckRemaining(SubAck s, boolean v5) {
    checkPacketId(s.packetId(), PacketType.SUBACK);
    if (s.returnCodes().isEmpty()) {
      throw new IllegalArgumentException("SUBACK needs at least one return code");
    }
    return 2L + s.returnCodes().size()
        + (v5 ? propertiesSize(s.properties(), PacketType.SUBACK) : 0);
  }

  static ByteBuf encodeSubAck(SubAck s, boolean v5, ByteBufAllocator alloc) {
    ByteBuf buf = start(PacketType.SUBACK.value() << 4, subAckRemaining(s, v5), alloc);
    buf.writeShort(s.packetId());
    if (v5) {
      writeProperties(buf, s.properties());
    }
    for (int code : s.returnCodes()) {
      // 3.1.1 knows one failure code
      buf.writeByte(!v5 && code >= SubAck.FAILURE ? SubAck.FAILURE : code);
    }
    return buf;
  }

  static long unsubscribeRemaining(Unsubscribe u, boolean v5) {
    checkPacketId(u.packetId(), PacketType.UNSUBSCRIBE);
    List<String> filters = u.filters();
    if (filters.isEmpty()) {
      throw new IllegalArgumentException("UNSUBSCRIBE needs at least one topic filter");
    }
    long remaining = 2;
    if (v5) {
      remaining += propertiesSize(u.properties(), PacketType.UNSUBSCRIBE);
    }
    for (String filter : filters) {
      remaining += 2 + utf8Length(filter, "topic filter");
    }
    return remaining;
  }

  static ByteBuf encodeUnsubscribe(Unsubscribe u, boolean v5, ByteBufAllocator alloc) {
    ByteBuf buf =
        start((PacketType.UNSUBSCRIBE.value() << 4) | 0x02, unsubscribeRemaining(u, v5), alloc);
    buf.writeShort(u.packetId());
    if (v5) {
      writeProperties(buf, u.properties());
    }
    for (String filter : u.filters()) {
      writeString(buf, filter);
    }
    return buf;
  }

  /** 3.1.1: the packet id only. 5.0: properties and the reason codes. */
  static long unsubAckRemaining(UnsubAck u, boolean v5) {
    checkPacketId(u.packetId(), PacketType.UNSUBACK);
    if (!v5) {
      return 2;
    }
    if (u.reasonCodes().isEmpty()) {
      throw new IllegalArgumentException("UNSUBACK needs at least one reason code");
    }
    return 2L + propertiesSize(u.properties(), PacketType.UNSUBACK) + u.reasonCodes().size();
  }

  static ByteBuf encodeUnsubAck(UnsubAck u, boolean v5, ByteBufAllocator alloc) {
    ByteBuf buf = start(PacketType.UNSUBACK.value() << 4, unsubAckRemaining(u, v5), alloc);
    buf.writeShort(u.packetId());
    if (v5) {
      writeProperties(buf, u.properties());
      for (int code : u.reasonCodes()) {
        buf.writeByte(code);
      }
    }
    return buf;
  }
}
