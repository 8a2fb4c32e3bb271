package io.tributary.mqtt.codec;

import static io.tributary.mqtt.codec.MqttCodecException.MALFORMED_PACKET;
import static io.tributary.mqtt.codec.MqttCodecException.PROTOCOL_ERROR;

/**
 * The rules a packet's fixed header must meet, checked as soon as its bytes are there (before the
 * rest of the packet is buffered): the type, the reserved flags, the order and direction of packets
 * on the connection, and the remaining length of the packets whose length is fixed.
 */
final class FixedHeader {

  private FixedHeader() {}

  /** Validates the first byte of the fixed header: type, reserved flags, order and direction. */
  static PacketType checkFirstByte(WireReader r, int b0) throws MqttCodecException {
    int typeValue = b0 >>> 4;
    int flags = b0 & 0x0F;
    if (typeValue == 0) {
      throw new MqttCodecException(MALFORMED_PACKET, "reserved packet type 0");
    }
    if (typeValue == 15 && r.protocolLevel != MqttVersion.V5) {
      throw new MqttCodecException(
          MALFORMED_PACKET, "packet type 15 (AUTH) does not exist in MQTT 3.1.1");
    }
    PacketType type = PacketType.of(typeValue);
    switch (type) {
      case PUBLISH:
        int qos = (flags >>> 1) & 3;
        if (qos == 3) {
          throw new MqttCodecException(MALFORMED_PACKET, "PUBLISH with QoS 3 (both QoS bits set)");
        }
        if (qos == 0 && (flags & 0x08) != 0) {
          throw new MqttCodecException(MALFORMED_PACKET, "PUBLISH with DUP=1 and QoS 0");
        }
        break;
      case PUBREL:
      case SUBSCRIBE:
      case UNSUBSCRIBE:
        if (flags != 0b0010) {
          throw new MqttCodecException(
              MALFORMED_PACKET, type + " fixed header flags must be 0010, got " + WireReader.bits(flags));
        }
        break;
      default:
        if (flags != 0) {
          throw new MqttCodecException(
              MALFORMED_PACKET, type + " fixed header flags must be 0000, got " + WireReader.bits(flags));
        }
    }
    if (r.serverSide) {
      if (!r.connected) {
        if (type != PacketType.CONNECT) {
          throw new MqttCodecException(PROTOCOL_ERROR, "first packet must be CONNECT, got " + type);
        }
      } else if (type == PacketType.CONNECT) {
        throw new MqttCodecException(PROTOCOL_ERROR, "second CONNECT on the connection");
      }
      switch (type) {
        case CONNACK:
        case SUBACK:
        case UNSUBACK:
        case PINGRESP:
          throw new MqttCodecException(PROTOCOL_ERROR, type + " is sent by servers only");
        case AUTH:
          // level 5 here (type 15 is malformed otherwise) [MQTT-4.12.0-7]
          if (r.connectAuthenticationMethod == null) {
            throw new MqttCodecException(
                PROTOCOL_ERROR, "AUTH without an Authentication Method in the CONNECT");
          }
          break;
        default:
          break;
      }
    } else {
      if (!r.connected) {
        // 5.0: the server may run enhanced authentication (AUTH) before the CONNACK
        if (type != PacketType.CONNACK && type != PacketType.AUTH) {
          throw new MqttCodecException(PROTOCOL_ERROR, "first packet must be CONNACK, got " + type);
        }
      } else if (type == PacketType.CONNACK) {
        throw new MqttCodecException(PROTOCOL_ERROR, "second CONNACK on the connection");
      }
      switch (type) {
        case CONNECT:
        case SUBSCRIBE:
        case UNSUBSCRIBE:
        case PINGREQ:
          throw new MqttCodecException(PROTOCOL_ERROR, type + " is sent by clients only");
        case DISCONNECT:
          if (r.protocolLevel != MqttVersion.V5) {
            throw new MqttCodecException(PROTOCOL_ERROR, "a server never sends DISCONNECT in 3.1.1");
          }
          break;
        default:
          break;
      }
    }
    return type;
  }

  /** Packets with a fixed remaining length are rejected as soon as the length is known. */
  static void checkRemainingLength(WireReader r, PacketType type, int remaining)
      throws MqttCodecException {
    if (r.protocolLevel == MqttVersion.V5
        && type != PacketType.PINGREQ && type != PacketType.PINGRESP) {
      return; // acks, CONNACK, DISCONNECT and AUTH have optional reason codes and properties
    }
    int expected;
    switch (type) {
      case CONNACK:
      case PUBACK:
      case PUBREC:
      case PUBREL:
      case PUBCOMP:
      case UNSUBACK:
        expected = 2;
        break;
      case PINGREQ:
      case PINGRESP:
        expected = 0;
        break;
      case DISCONNECT:
        expected = 0;
        break;
      default:
        return;
    }
    if (remaining != expected) {
      throw new MqttCodecException(
          MALFORMED_PACKET, type + " remaining length must be " + expected + ", got " + remaining);
    }
  }
}
