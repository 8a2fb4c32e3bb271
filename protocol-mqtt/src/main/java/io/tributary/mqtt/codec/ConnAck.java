package io.tributary.mqtt.codec;

/**
 * CONNACK (server to client). For 3.1.1 the return code is 0 (accepted) or 1..5; for 5.0 it is a
 * reason code (0x00, or 0x80 and above: see {@link ReasonCodes}) and the packet carries
 * properties. Encoded for 3.1.1, a 5.0 reason code of 0x80 or above is written as the nearest
 * 3.1.1 return code (0x84 -> 1, 0x85 -> 2, 0x86 -> 4, 0x87 -> 5, any other -> 3).
 */
public final class ConnAck implements Packet {

  /** 3.1.1 return codes. */
  public static final int ACCEPTED = 0;
  public static final int UNACCEPTABLE_PROTOCOL_VERSION = 1;
  public static final int IDENTIFIER_REJECTED = 2;
  public static final int SERVER_UNAVAILABLE = 3;
  public static final int BAD_USERNAME_OR_PASSWORD = 4;
  public static final int NOT_AUTHORIZED = 5;

  private final boolean sessionPresent;
  private final int returnCode;
  private final MqttProperties properties;

  public ConnAck(boolean sessionPresent, int returnCode) {
    this(sessionPresent, returnCode, MqttProperties.EMPTY);
  }

  public ConnAck(boolean sessionPresent, int returnCode, MqttProperties properties) {
    if (returnCode < 0 || returnCode > 0xFF) {
      throw new IllegalArgumentException("return code " + returnCode);
    }
    this.sessionPresent = sessionPresent;
    this.returnCode = returnCode;
    this.properties = properties == null ? MqttProperties.EMPTY : properties;
  }

  @Override
  public PacketType type() {
    return PacketType.CONNACK;
  }

  public boolean sessionPresent() {
    return sessionPresent;
  }

  public int returnCode() {
    return returnCode;
  }

  /** The same as {@link #returnCode()}: the MQTT 5.0 name. */
  public int reasonCode() {
    return returnCode;
  }

  @Override
  public MqttProperties properties() {
    return properties;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConnAck
        && ((ConnAck) o).sessionPresent == sessionPresent
        && ((ConnAck) o).returnCode == returnCode
        && ((ConnAck) o).properties.equals(properties);
  }

  @Override
  public int hashCode() {
    return returnCode * 2 + (sessionPresent ? 1 : 0);
  }

  @Override
  public String toString() {
    return "ConnAck{sessionPresent=" + sessionPresent + ", returnCode=" + returnCode
        + (properties.isEmpty() ? "" : ", properties=" + properties) + "}";
  }
}
