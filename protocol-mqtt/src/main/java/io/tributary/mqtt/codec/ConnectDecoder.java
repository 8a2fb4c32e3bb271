package io.tributary.mqtt.codec;

import static io.tributary.mqtt.codec.MqttCodecException.MALFORMED_PACKET;
import static io.tributary.mqtt.codec.MqttCodecException.PROTOCOL_ERROR;

import io.tributary.router.topic.Topics;

/** CONNECT and CONNACK, fully validated (MQTT 3.1.1 and 5.0). */
final class ConnectDecoder {

  private ConnectDecoder() {}

  static Connect connect(WireReader r) throws MqttCodecException {
    String name = r.readString("protocol name");
    int level = r.readByte("protocol level");
    if ("MQTT".equals(name)) {
      if (level != MqttVersion.V3_1_1 && level != MqttVersion.V5) {
        throw new MqttCodecException(
            MqttCodecException.UNSUPPORTED_PROTOCOL_VERSION, "unsupported protocol level " + level);
      }
    } else if ("MQIsdp".equals(name)) {
      throw new MqttCodecException(
          MqttCodecException.UNSUPPORTED_PROTOCOL_VERSION,
          "MQTT 3.1 (protocol name MQIsdp, level " + level + ") is not supported");
    } else {
      throw new MqttCodecException(
          MqttCodecException.UNSUPPORTED_PROTOCOL_VERSION,
          "unsupported protocol name " + WireReader.quote(name) + " (level " + level + ")");
    }
    boolean v5 = level == MqttVersion.V5;
    int flags = r.readByte("connect flags");
    if ((flags & 0x01) != 0) {
      throw new MqttCodecException(MALFORMED_PACKET, "CONNECT reserved flag (bit 0) must be 0");
    }
    boolean cleanSession = (flags & 0x02) != 0;
    boolean willFlag = (flags & 0x04) != 0;
    int willQos = (flags >>> 3) & 0x03;
    boolean willRetain = (flags & 0x20) != 0;
    boolean passwordFlag = (flags & 0x40) != 0;
    boolean usernameFlag = (flags & 0x80) != 0;
    if (!willFlag && (willQos != 0 || willRetain)) {
      throw new MqttCodecException(
          MALFORMED_PACKET, "CONNECT will QoS and will retain must be 0 when the will flag is 0");
    }
    if (willQos == 3) {
      throw new MqttCodecException(MALFORMED_PACKET, "CONNECT will QoS 3");
    }
    // 5.0 allows a password without a username (3.1.2.9)
    if (!v5 && passwordFlag && !usernameFlag) {
      throw new MqttCodecException(
          MALFORMED_PACKET, "CONNECT password flag set without the username flag");
    }
    int keepAlive = r.readU16("keep alive");
    MqttProperties properties = MqttProperties.EMPTY;
    if (v5) {
      properties = PropertiesDecoder.read(r, PacketType.CONNECT, PropertyIds.ALLOWED_CONNECT);
      if (properties.authenticationData() != null
          && properties.authenticationMethod() == null) {
        throw new MqttCodecException(
            PROTOCOL_ERROR, "CONNECT has Authentication Data without an Authentication Method");
      }
    }
    String clientId = r.readString("client id");
    r.connectClientId = clientId;
    Will will = null;
    if (willFlag) {
      MqttProperties willProperties = MqttProperties.EMPTY;
      if (v5) {
        willProperties = PropertiesDecoder.read(r, "will", PropertyIds.ALLOWED_WILL, false);
      }
      String willTopic = r.readString("will topic");
      if (!Topics.isValidName(willTopic)) {
        throw new MqttCodecException(
            MALFORMED_PACKET,
            "invalid will topic " + WireReader.quote(willTopic) + ": must be non-empty, without + or #");
      }
      int payloadStart = r.pos + 2;
      byte[] willPayload = r.readBinary("will message");
      if (PropertiesDecoder.isUtf8Payload(willProperties) && !WireReader.isWellFormedUtf8(r.in, payloadStart, willPayload.length)) {
        throw new MqttCodecException(
            MqttCodecException.PAYLOAD_FORMAT_INVALID,
            "will message is not well-formed UTF-8 but its Payload Format Indicator is 1");
      }
      will = new Will(willTopic, willPayload, willQos, willRetain, willProperties);
    }
    String username = usernameFlag ? r.readString("username") : null;
    byte[] password = passwordFlag ? r.readBinary("password") : null;
    if (r.pos != r.end) {
      throw new MqttCodecException(
          MALFORMED_PACKET, "CONNECT has " + (r.end - r.pos) + " unexpected trailing byte(s)");
    }
    r.protocolLevel = level;
    r.connected = true;
    if (v5) {
      r.connectAuthenticationMethod = properties.authenticationMethod();
      Long expiry = properties.sessionExpiryInterval();
      r.connectSessionExpiry = expiry == null ? 0 : expiry;
    }
    return new Connect(
        level,
        name,
        clientId,
        cleanSession,
        keepAlive,
        username,
        password,
        will,
        properties);
  }

  static ConnAck connAck(WireReader r) throws MqttCodecException {
    int ackFlags = r.readByte("CONNACK acknowledge flags");
    if ((ackFlags & 0xFE) != 0) {
      throw new MqttCodecException(
          MALFORMED_PACKET,
          "CONNACK acknowledge flags bits 7-1 are reserved, got 0x"
              + Integer.toHexString(ackFlags));
    }
    boolean sessionPresent = (ackFlags & 0x01) != 0;
    if (!r.isV5()) {
      int returnCode = r.readByte("CONNACK return code");
      if (returnCode > ConnAck.NOT_AUTHORIZED) {
        throw new MqttCodecException(
            MALFORMED_PACKET, "CONNACK return code " + returnCode + " is reserved");
      }
      if (returnCode != 0 && sessionPresent) {
        throw new MqttCodecException(
            PROTOCOL_ERROR, "CONNACK with return code " + returnCode + " and session present");
      }
      r.connected = true;
      return new ConnAck(sessionPresent, returnCode);
    }
    int reasonCode = r.readByte("CONNACK reason code");
    WireReader.checkReasonCode(PacketType.CONNACK, reasonCode);
    if (reasonCode >= 0x80 && sessionPresent) {
      throw new MqttCodecException(
          PROTOCOL_ERROR, "CONNACK with reason code " + ReasonCodes.describe(reasonCode)
              + " and session present");
    }
    MqttProperties properties = PropertiesDecoder.read(r, PacketType.CONNACK, PropertyIds.ALLOWED_CONNACK);
    r.connected = true;
    return new ConnAck(sessionPresent, reasonCode, properties);
  }
}
