package io.tributary.mqtt.codec;

/**
 * The packets that carry just a packet identifier in 3.1.1: PUBACK, PUBREC, PUBREL, PUBCOMP and
 * UNSUBACK. The reason code and properties are MQTT 5.0 (PUBACK..PUBCOMP); they are 0 / empty
 * when decoded from 3.1.1 and are not encoded for 3.1.1. In 5.0 an UNSUBACK carries one reason
 * code per filter: use {@link UnsubAck} (an {@code Ack(UNSUBACK)} cannot be encoded for 5.0).
 */
public final class Ack implements Packet {

  private final PacketType type;
  private final int packetId;
  private final int reasonCode;
  private final MqttProperties properties;

  public Ack(PacketType type, int packetId) {
    this(type, packetId, 0, MqttProperties.EMPTY);
  }

  public Ack(PacketType type, int packetId, int reasonCode) {
    this(type, packetId, reasonCode, MqttProperties.EMPTY);
  }

  public Ack(PacketType type, int packetId, int reasonCode, MqttProperties properties) {
    switch (type) {
      case PUBACK:
      case PUBREC:
      case PUBREL:
      case PUBCOMP:
      case UNSUBACK:
        break;
      default:
        throw new IllegalArgumentException("not an ack packet type: " + type);
    }
    if (packetId < 0 || packetId > 0xFFFF) {
      throw new IllegalArgumentException("packet id " + packetId);
    }
    if (reasonCode < 0 || reasonCode > 0xFF) {
      throw new IllegalArgumentException("reason code " + reasonCode);
    }
    this.type = type;
    this.packetId = packetId;
    this.reasonCode = reasonCode;
    this.properties = properties == null ? MqttProperties.EMPTY : properties;
  }

  @Override
  public PacketType type() {
    return type;
  }

  public int packetId() {
    return packetId;
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
    if (!(o instanceof Ack)) {
      return false;
    }
    Ack a = (Ack) o;
    return a.type == type
        && a.packetId == packetId
        && a.reasonCode == reasonCode
        && a.properties.equals(properties);
  }

  @Override
  public int hashCode() {
    return (type.value() * 31 + packetId) * 31 + reasonCode;
  }

  @Override
  public String toString() {
    return type + "{packetId=" + packetId
        + (reasonCode == 0 ? "" : ", reasonCode=0x" + Integer.toHexString(reasonCode))
        + (properties.isEmpty() ? "" : ", properties=" + properties) + "}";
  }
}
