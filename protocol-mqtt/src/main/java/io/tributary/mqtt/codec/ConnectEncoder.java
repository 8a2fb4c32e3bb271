package io.tributary.mqtt.codec;

import static io.tributary.mqtt.codec.MqttEncoder.checkBinaryLength;
import static io.tributary.mqtt.codec.MqttEncoder.propertiesSize;
import static io.tributary.mqtt.codec.MqttEncoder.start;
import static io.tributary.mqtt.codec.MqttEncoder.utf8Length;
import static io.tributary.mqtt.codec.MqttEncoder.writeProperties;
import static io.tributary.mqtt.codec.MqttEncoder.writeString;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/** Encodes cONNECT and CONNACK. */
final class ConnectEncoder {

  private ConnectEncoder() {}

  static long connectRemaining(Connect c) {
    boolean v5 = c.protocolLevel() >= MqttVersion.V5;
    long remaining =
        2L + utf8Length(c.protocolName(), "protocol name") + 1 + 1 + 2
            + 2 + utf8Length(c.clientId(), "client id");
    if (v5) {
      remaining += propertiesSize(c.properties(), PacketType.CONNECT);
    }
    Will will = c.will();
    if (will != null) {
      remaining += 2 + utf8Length(will.topic(), "will topic")
          + 2 + checkBinaryLength(will.payload().length, "will message");
      if (v5) {
        remaining += propertiesSize(will.properties(), null);
      }
    }
    if (c.username() != null) {
      remaining += 2 + utf8Length(c.username(), "username");
    }
    if (c.password() != null) {
      remaining += 2 + checkBinaryLength(c.password().length, "password");
    }
    return remaining;
  }

  static ByteBuf encodeConnect(Connect c, ByteBufAllocator alloc) {
    boolean v5 = c.protocolLevel() >= MqttVersion.V5;
    long remaining = connectRemaining(c);
    Will will = c.will();
    int flags = c.cleanSession() ? 0x02 : 0;
    if (will != null) {
      flags |= 0x04 | (will.qos() << 3) | (will.retain() ? 0x20 : 0);
    }
    if (c.username() != null) {
      flags |= 0x80;
    }
    if (c.password() != null) {
      flags |= 0x40;
    }
    ByteBuf buf = start(PacketType.CONNECT.value() << 4, remaining, alloc);
    writeString(buf, c.protocolName());
    buf.writeByte(c.protocolLevel());
    buf.writeByte(flags);
    buf.writeShort(c.keepAliveSeconds());
    if (v5) {
      writeProperties(buf, c.properties());
    }
    writeString(buf, c.clientId());
    if (will != null) {
      if (v5) {
        writeProperties(buf, will.properties());
      }
      writeString(buf, will.topic());
      buf.writeShort(will.payload().length);
      buf.writeBytes(will.payload());
    }
    if (c.username() != null) {
      writeString(buf, c.username());
    }
    if (c.password() != null) {
      buf.writeShort(c.password().length);
      buf.writeBytes(c.password());
    }
    return buf;
  }

  static ByteBuf encodeConnAck(ConnAck a, boolean v5, ByteBufAllocator alloc) {
    if (!v5) {
      ByteBuf buf = start(PacketType.CONNACK.value() << 4, 2, alloc);
      buf.writeByte(a.sessionPresent() ? 1 : 0);
      buf.writeByte(connAckReturnCode311(a.returnCode()));
      return buf;
    }
    ByteBuf buf =
        start(
            PacketType.CONNACK.value() << 4,
            2 + propertiesSize(a.properties(), PacketType.CONNACK),
            alloc);
    buf.writeByte(a.sessionPresent() ? 1 : 0);
    buf.writeByte(a.reasonCode());
    writeProperties(buf, a.properties());
    return buf;
  }

  /** 3.1.1 return code for a CONNACK code: 0..5 unchanged, a 5.0 error code mapped. */
  static int connAckReturnCode311(int code) {
    if (code < 0x80) {
      return code;
    }
    switch (code) {
      case ReasonCodes.UNSUPPORTED_PROTOCOL_VERSION:
        return ConnAck.UNACCEPTABLE_PROTOCOL_VERSION;
      case ReasonCodes.CLIENT_IDENTIFIER_NOT_VALID:
        return ConnAck.IDENTIFIER_REJECTED;
      case ReasonCodes.BAD_USER_NAME_OR_PASSWORD:
        return ConnAck.BAD_USERNAME_OR_PASSWORD;
      case ReasonCodes.NOT_AUTHORIZED:
        return ConnAck.NOT_AUTHORIZED;
      default:
        return ConnAck.SERVER_UNAVAILABLE;
    }
  }
}
