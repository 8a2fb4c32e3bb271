package io.tributary.mqtt.codec;

import java.util.List;

/**
 * UNSUBACK (server to client) with MQTT 5.0 reason codes, one per topic filter of the
 * UNSUBSCRIBE, in order (0x00 Success, 0x11 No subscription existed, 0x80, 0x83, 0x87, 0x8F,
 * 0x91). For 3.1.1 it encodes as the bare UNSUBACK (packet id only); the 3.1.1 decoder hands out
 * {@link Ack} with type UNSUBACK, the 5.0 decoder this class.
 */
public final class UnsubAck implements Packet {

  private final int packetId;
  private final List<Integer> reasonCodes;
  private final MqttProperties properties;

  public UnsubAck(int packetId, List<Integer> reasonCodes) {
    this(packetId, reasonCodes, MqttProperties.EMPTY);
  }

  public UnsubAck(int packetId, List<Integer> reasonCodes, MqttProperties properties) {
    if (packetId < 0 || packetId > 0xFFFF) {
      throw new IllegalArgumentException("packet id " + packetId);
    }
    for (Integer rc : reasonCodes) {
      if (rc == null || rc < 0 || rc > 0xFF) {
        throw new IllegalArgumentException("reason code " + rc);
      }
    }
    this.packetId = packetId;
    this.reasonCodes = List.copyOf(reasonCodes);
    this.properties = properties == null ? MqttProperties.EMPTY : properties;
  }

  @Override
  public PacketType type() {
    return PacketType.UNSUBACK;
  }

  public int packetId() {
    return packetId;
  }

  /** Unmodifiable, in the order of the UNSUBSCRIBE's filters. */
  public List<Integer> reasonCodes() {
    return reasonCodes;
  }

  @Override
  public MqttProperties properties() {
    return properties;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UnsubAck
        && ((UnsubAck) o).packetId == packetId
        && ((UnsubAck) o).reasonCodes.equals(reasonCodes)
        && ((UnsubAck) o).properties.equals(properties);
  }

  @Override
  public int hashCode() {
    return packetId * 31 + reasonCodes.hashCode();
  }

  @Override
  public String toString() {
    return "UnsubAck{packetId=" + packetId + ", " + reasonCodes
        + (properties.isEmpty() ? "" : ", properties=" + properties) + "}";
  }
}
