package io.tributary.mqtt.codec;

/**
 * AUTH (MQTT 5.0 only, both directions): enhanced authentication. Reason code 0x00 Success (sent
 * by the server), 0x18 Continue authentication (both) or 0x19 Re-authenticate (sent by the
 * client). A decoded AUTH with reason 0x18 or 0x19 always carries an Authentication Method.
 */
public final class Auth implements Packet {

  public static final int SUCCESS = ReasonCodes.SUCCESS;
  public static final int CONTINUE_AUTHENTICATION = ReasonCodes.CONTINUE_AUTHENTICATION;
  public static final int RE_AUTHENTICATE = ReasonCodes.RE_AUTHENTICATE;

  private final int reasonCode;
  private final MqttProperties properties;

  public Auth(int reasonCode, MqttProperties properties) {
    if (reasonCode < 0 || reasonCode > 0xFF) {
      throw new IllegalArgumentException("reason code " + reasonCode);
    }
    this.reasonCode = reasonCode;
    this.properties = properties == null ? MqttProperties.EMPTY : properties;
  }

  @Override
  public PacketType type() {
    return PacketType.AUTH;
  }

  public int reasonCode() {
    return reasonCode;
  }

  @Override
  public MqttProperties properties() {
    return properties;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Auth
        && ((Auth) o).reasonCode == reasonCode
        && ((Auth) o).properties.equals(properties);
  }

  @Override
  public int hashCode() {
    return PacketType.AUTH.value() * 31 + reasonCode;
  }

  @Override
  public String toString() {
    return "Auth{reasonCode=0x" + Integer.toHexString(reasonCode)
        + (properties.isEmpty() ? "" : ", properties=" + properties) + "}";
  }
}
