package io.tributary.mqtt.codec;

import static io.tributary.mqtt.codec.MqttCodecException.MALFORMED_PACKET;
import static io.tributary.mqtt.codec.MqttCodecException.PROTOCOL_ERROR;

import io.tributary.router.topic.Topics;

/**
 * MQTT 5.0 property blocks: identifiers, types, ranges, duplicates and the packets each may appear
 * in, and the bounds on user properties.
 */
final class PropertiesDecoder {

  private PropertiesDecoder() {}

  static MqttProperties read(WireReader r, PacketType type, long allowed)
      throws MqttCodecException {
    return read(r, type.toString(), allowed, type == PacketType.PUBLISH);
  }

  /**
   * Reads a property length and the properties it covers.
   *
   * @param where packet name for messages ("CONNECT", "will", ...)
   * @param allowed bit mask of the identifiers allowed there
   * @param publish a PUBLISH: subscription identifiers repeat from a server and are a protocol
   *     error from a client [MQTT-3.3.4-6]
   * @return {@link MqttProperties#EMPTY} when the property length is 0
   */
  static MqttProperties read(WireReader r, String where, long allowed, boolean publish)
      throws MqttCodecException {
    int length = r.readVariableByteInteger(where + " property length");
    if (length > r.end - r.pos) {
      throw new MqttCodecException(
          MALFORMED_PACKET, where + " property length " + length + " exceeds the " + (r.end - r.pos)
              + " bytes left in the packet");
    }
    if (length == 0) {
      return MqttProperties.EMPTY;
    }
    MqttProperties properties = new MqttProperties();
    int packetEnd = r.end;
    r.end = r.pos + length;
    r.inProperties = true;
    r.userPropertyCount = 0;
    r.userPropertyBytes = 0;
    try {
      while (r.pos < r.end) {
        readProperty(r, properties, where, allowed, publish);
      }
    } finally {
      r.end = packetEnd;
      r.inProperties = false;
    }
    return properties;
  }

  private static void readProperty(WireReader r, MqttProperties p, String where, long allowed, boolean publish)
      throws MqttCodecException {
    int id = r.readVariableByteInteger(where + " property identifier");
    int type = id < PropertyIds.ID_LIMIT ? PropertyIds.TYPE[id] : 0;
    if (type == 0) {
      throw new MqttCodecException(
          MALFORMED_PACKET, where + " has an unknown property identifier 0x" + Integer.toHexString(id));
    }
    String name = PropertyIds.describe(id);
    if ((allowed & (1L << id)) == 0) {
      throw new MqttCodecException(MALFORMED_PACKET, name + " is not allowed in " + where);
    }
    if (id == MqttProperties.SUBSCRIPTION_IDENTIFIER && publish && r.serverSide) {
      throw new MqttCodecException(
          PROTOCOL_ERROR, "a client PUBLISH must not carry a " + name + " [MQTT-3.3.4-6]");
    }
    boolean repeatable =
        id == MqttProperties.USER_PROPERTY
            || (id == MqttProperties.SUBSCRIPTION_IDENTIFIER && publish);
    if (!repeatable && p.contains(id)) {
      throw new MqttCodecException(PROTOCOL_ERROR, where + " has " + name + " more than once");
    }
    switch (type) {
      case PropertyIds.T_BYTE:
      case PropertyIds.T_BOOLEAN: {
        int v = r.readByte(name);
        if (v > 1) {
          // 0/1 properties, Maximum QoS (3.2.2.3.4) and the Payload Format Indicator
          throw new MqttCodecException(
              PROTOCOL_ERROR, where + " " + name + " must be 0 or 1, got " + v);
        }
        p.putDecoded(id, v);
        break;
      }
      case PropertyIds.T_TWO_BYTE: {
        int v = r.readU16(name);
        if (v == 0 && id == MqttProperties.RECEIVE_MAXIMUM) {
          throw new MqttCodecException(PROTOCOL_ERROR, where + " " + name + " must not be 0");
        }
        p.putDecoded(id, v);
        break;
      }
      case PropertyIds.T_FOUR_BYTE: {
        if (r.end - r.pos < 4) {
          throw r.tooShort(name);
        }
        long v = r.in.getUnsignedInt(r.pos);
        r.pos += 4;
        if (v == 0 && id == MqttProperties.MAXIMUM_PACKET_SIZE) {
          throw new MqttCodecException(PROTOCOL_ERROR, where + " " + name + " must not be 0");
        }
        p.putDecoded(id, v);
        break;
      }
      case PropertyIds.T_VBI: {
        int v = r.readVariableByteInteger(name);
        if (v == 0) {
          throw new MqttCodecException(PROTOCOL_ERROR, where + " " + name + " must not be 0");
        }
        p.addSubscriptionIdentifier(v);
        break;
      }
      case PropertyIds.T_STRING: {
        String v = r.readString(name);
        if (id == MqttProperties.RESPONSE_TOPIC && !Topics.isValidName(v)) {
          // [MQTT-3.3.2-14]: a topic name, so non-empty and without wildcards
          throw new MqttCodecException(
              MALFORMED_PACKET, where + " " + name + " " + WireReader.quote(v)
                  + " is not a valid topic name (non-empty, without + or #)");
        }
        p.putDecoded(id, v);
        break;
      }
      case PropertyIds.T_BINARY:
        p.putDecoded(id, r.readBinary(name));
        break;
      case PropertyIds.T_PAIR: {
        if (++r.userPropertyCount > r.maxUserProperties) {
          throw MqttCodecException.userPropertyLimit(
              where + " has more than " + r.maxUserProperties + " user properties");
        }
        int start = r.pos;
        String key = r.readString("user property name");
        String value = r.readString("user property value");
        r.userPropertyBytes += r.pos - start - 4;
        if (r.userPropertyBytes > r.maxUserPropertyBytes) {
          throw MqttCodecException.userPropertyLimit(
              where + " user properties exceed " + r.maxUserPropertyBytes + " bytes");
        }
        p.addUserProperty(key, value);
        break;
      }
      default:
        throw new IllegalStateException("property type " + type);
    }
  }

  static boolean isUtf8Payload(MqttProperties p) {
    Integer indicator = p.payloadFormatIndicator();
    return indicator != null && indicator == 1;
  }
}
