package io.tributary.mqtt.codec;

import static io.tributary.mqtt.codec.MqttCodecException.MALFORMED_PACKET;
import static io.tributary.mqtt.codec.MqttCodecException.PROTOCOL_ERROR;

/** DISCONNECT and AUTH (MQTT 5.0 only): the packets that end or re-authenticate a session. */
final class SessionEndDecoder {

  private SessionEndDecoder() {}

  /** 5.0 only: reason code and properties both optional. */
  static Disconnect disconnect(WireReader r) throws MqttCodecException {
    if (r.pos == r.end) {
      return Disconnect.INSTANCE;
    }
    int reasonCode = r.readByte("DISCONNECT reason code");
    r.checkDirectedReasonCode(PacketType.DISCONNECT, reasonCode);
    MqttProperties properties = MqttProperties.EMPTY;
    if (r.pos < r.end) {
      properties = PropertiesDecoder.read(r, PacketType.DISCONNECT, PropertyIds.ALLOWED_DISCONNECT);
      Long expiry = properties.sessionExpiryInterval();
      if (expiry != null) {
        if (!r.serverSide) {
          throw new MqttCodecException(
              PROTOCOL_ERROR, "a server DISCONNECT must not carry a Session Expiry Interval");
        }
        if (expiry != 0 && r.connectSessionExpiry == 0) {
          // 3.14.2.2.2
          throw new MqttCodecException(
              PROTOCOL_ERROR, "DISCONNECT sets the Session Expiry Interval to " + expiry
                  + " but the CONNECT's was 0");
        }
      }
    }
    return new Disconnect(reasonCode, properties);
  }

  /** 5.0 only (type 15 is malformed in 3.1.1). */
  static Auth auth(WireReader r) throws MqttCodecException {
    if (r.pos == r.end) {
      // remaining length 0: reason code 0x00 Success, no properties (3.15.2.1)
      r.checkDirectedReasonCode(PacketType.AUTH, ReasonCodes.SUCCESS);
      return new Auth(ReasonCodes.SUCCESS, MqttProperties.EMPTY);
    }
    int reasonCode = r.readByte("AUTH reason code");
    r.checkDirectedReasonCode(PacketType.AUTH, reasonCode);
    if (r.pos == r.end) {
      throw new MqttCodecException(
          MALFORMED_PACKET, "AUTH with a reason code must have a property length");
    }
    MqttProperties properties = PropertiesDecoder.read(r, PacketType.AUTH, PropertyIds.ALLOWED_AUTH);
    String method = properties.authenticationMethod();
    if (method == null) {
      // 3.15.2.2.2
      throw new MqttCodecException(PROTOCOL_ERROR, "AUTH without an Authentication Method");
    }
    if (r.serverSide && !method.equals(r.connectAuthenticationMethod)) {
      // [MQTT-4.12.0-5]
      throw new MqttCodecException(
          PROTOCOL_ERROR, "AUTH Authentication Method " + WireReader.quote(method) + " differs from the CONNECT's "
              + WireReader.quote(r.connectAuthenticationMethod));
    }
    return new Auth(reasonCode, properties);
  }
}
