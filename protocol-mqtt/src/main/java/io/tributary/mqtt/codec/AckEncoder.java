package io.tributary.mqtt.codec;

import static io.tributary.mqtt.codec.MqttEncoder.checkPacketId;
import static io.tributary.mqtt.codec.MqttEncoder.propertiesSize;
import static io.tributary.mqtt.codec.MqttEncoder.start;
import static io.tributary.mqtt.codec.MqttEncoder.writeProperties;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/** Encodes the acknowledgements of PUBLISH (PUBACK, PUBREC, PUBREL, PUBCOMP), DISCONNECT and AUTH. */
final class AckEncoder {

  private AckEncoder() {}

  /**
   * 5.0 acks: reason code 0x00 without properties is left out (remaining length 2), a reason code
   * without properties ends the packet (3); otherwise reason code, property length, properties.
   */
  static long ackRemaining(Ack a, boolean v5) {
    checkPacketId(a.packetId(), a.type());
    if (!v5) {
      return 2;
    }
    if (a.type() == PacketType.UNSUBACK) {
      throw new IllegalArgumentException(
          "an MQTT 5.0 UNSUBACK carries a reason code per topic filter: use UnsubAck");
    }
    if (a.properties().isEmpty()) {
      return a.reasonCode() == 0 ? 2 : 3;
    }
    return 3 + propertiesSize(a.properties(), a.type());
  }

  static ByteBuf encodeAck(Ack a, boolean v5, ByteBufAllocator alloc) {
    long remaining = ackRemaining(a, v5);
    int flags = a.type() == PacketType.PUBREL ? 0x02 : 0;
    ByteBuf buf = start((a.type().value() << 4) | flags, remaining, alloc);
    buf.writeShort(a.packetId());
    if (remaining > 2) {
      buf.writeByte(a.reasonCode());
      if (remaining > 3) {
        writeProperties(buf, a.properties());
      }
    }
    return buf;
  }

  /** 3.1.1: nothing. 5.0: 0x00 without properties is nothing; else reason code [+ properties]. */
  static long disconnectRemaining(Disconnect d, boolean v5) {
    if (!v5) {
      return 0;
    }
    if (d.properties().isEmpty()) {
      return d.reasonCode() == 0 ? 0 : 1;
    }
    return 1 + propertiesSize(d.properties(), PacketType.DISCONNECT);
  }

  static ByteBuf encodeDisconnect(Disconnect d, boolean v5, ByteBufAllocator alloc) {
    long remaining = disconnectRemaining(d, v5);
    ByteBuf buf = start(PacketType.DISCONNECT.value() << 4, remaining, alloc);
    if (remaining > 0) {
      buf.writeByte(d.reasonCode());
      if (remaining > 1) {
        writeProperties(buf, d.properties());
      }
    }
    return buf;
  }

  /** 5.0 only: 0x00 without properties is nothing; else reason code and properties. */
  static long authRemaining(Auth a, boolean v5) {
    if (!v5) {
      throw new IllegalArgumentException("AUTH does not exist in MQTT 3.1.1");
    }
    if (a.reasonCode() == 0 && a.properties().isEmpty()) {
      return 0;
    }
    return 1 + propertiesSize(a.properties(), PacketType.AUTH);
  }

  static ByteBuf encodeAuth(Auth a, boolean v5, ByteBufAllocator alloc) {
    long remaining = authRemaining(a, v5);
    ByteBuf buf = start(PacketType.AUTH.value() << 4, remaining, alloc);
    if (remaining > 0) {
      buf.writeByte(a.reasonCode());
      writeProperties(buf, a.properties());
    }
    return buf;
  }
}
