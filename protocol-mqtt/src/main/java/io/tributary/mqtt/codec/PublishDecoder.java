package io.tributary.mqtt.codec;

import static io.tributary.mqtt.codec.MqttCodecException.MALFORMED_PACKET;
import static io.tributary.mqtt.codec.MqttCodecException.PROTOCOL_ERROR;

import io.netty.buffer.ByteBuf;
import io.tributary.router.topic.Topics;

/** PUBLISH and its acknowledgements (PUBACK, PUBREC, PUBREL, PUBCOMP). */
final class PublishDecoder {

  private PublishDecoder() {}

  static Publish publish(WireReader r, int flags) throws MqttCodecException {
    int qos = (flags >>> 1) & 0x03;
    String topic = r.readString("topic name");
    if (!topic.isEmpty() && !Topics.isValidName(topic)) {
      throw new MqttCodecException(
          MALFORMED_PACKET, "PUBLISH topic name " + WireReader.quote(topic) + " contains a wildcard (+ or #)");
    }
    int packetId = 0;
    if (qos > 0) {
      packetId = r.readU16("PUBLISH packet id");
      if (packetId == 0) {
        throw new MqttCodecException(PROTOCOL_ERROR, "PUBLISH QoS " + qos + " with packet id 0");
      }
    }
    MqttProperties properties = MqttProperties.EMPTY;
    if (r.isV5()) {
      properties = PropertiesDecoder.read(r, PacketType.PUBLISH, PropertyIds.ALLOWED_PUBLISH);
      if (topic.isEmpty() && properties.topicAlias() == null) {
        throw new MqttCodecException(
            PROTOCOL_ERROR, "PUBLISH topic name is empty and there is no Topic Alias");
      }
    } else if (topic.isEmpty()) {
      throw new MqttCodecException(MALFORMED_PACKET, "PUBLISH topic name is empty");
    }
    int payloadLength = r.end - r.pos;
    if (PropertiesDecoder.isUtf8Payload(properties) && !WireReader.isWellFormedUtf8(r.in, r.pos, payloadLength)) {
      throw new MqttCodecException(
          MqttCodecException.PAYLOAD_FORMAT_INVALID,
          "PUBLISH payload is not well-formed UTF-8 but its Payload Format Indicator is 1");
    }
    ByteBuf payload = r.in.slice(r.pos, payloadLength);
    r.pos = r.end;
    return new Publish(
        topic, qos, (flags & 0x01) != 0, (flags & 0x08) != 0, packetId, payload, properties);
  }

  /** PUBACK, PUBREC, PUBREL, PUBCOMP. */
  static Ack ack(WireReader r, PacketType type) throws MqttCodecException {
    int packetId = r.readPacketId(type);
    if (!r.isV5() || r.pos == r.end) {
      return new Ack(type, packetId);
    }
    // 5.0: remaining length 2 = success without properties, 3 = reason code only
    int reasonCode = r.readByte(type + " reason code");
    WireReader.checkReasonCode(type, reasonCode);
    MqttProperties properties = MqttProperties.EMPTY;
    if (r.pos < r.end) {
      properties = PropertiesDecoder.read(r, type, PropertyIds.ALLOWED_ACK);
    }
    return new Ack(type, packetId, reasonCode, properties);
  }
}
