package io.tributary.mqtt.codec;

/**
 * DISCONNECT. In 3.1.1 only the client sends it and it carries nothing (reason code 0); in 5.0
 * both sides send it with a reason code and properties (see {@link ReasonCodes} for which codes
 * each side may use).
 */
public final class Disconnect implements Packet {

  /** Normal disconnection, no properties. */
  public static final Disconnect INSTANCE = new Disconnect();

  private final int reasonCode;
  private final MqttProperties properties;

  public Disconnect() {
    this(0, MqttProperties.EMPTY);
  }

  public Disconnect(int reasonCode) {
    this(reasonCode, MqttProperties.EMPTY);
  }

  public Disconnect(int reasonCode, MqttProperties properties) {
    if (reasonCode < 0 || reasonCode > 0xFF) {
      throw new IllegalArgumentException("reason code " + reasonCode);
    }
    this.reasonCode = reasonCode;
    this.properties = properties == null ? MqttProperties.EMPTY : properties;
  }

  @Override
  public PacketType type() {
    return PacketType.DISCONNECT;
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
    return o instanceof Disconnect
        && ((Disconnect) o).reasonCode == reasonCode
        && ((Disconnect) o).properties.equals(properties);
  }

  @Override
  public int hashCode() {
    return PacketType.DISCONNECT.value() * 31 + reasonCode;
  }

  @Override
  public String toString() {
    if (reasonCode == 0 && properties.isEmpty()) {
      return "Disconnect";
    }
    return "Disconnect{reasonCode=0x" + Integer.toHexString(reasonCode)
        + (properties.isEmpty() ? "" : ", properties=" + properties) + "}";
  }
}
