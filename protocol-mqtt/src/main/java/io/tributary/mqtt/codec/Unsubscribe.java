package io.tributary.mqtt.codec;

import java.util.List;

/** UNSUBSCRIBE (client to server). Decoded instances hold at least one filter. */
public final class Unsubscribe implements Packet {

  private final int packetId;
  private final List<String> filters;
  private final MqttProperties properties;

  public Unsubscribe(int packetId, List<String> filters) {
    this(packetId, filters, MqttProperties.EMPTY);
  }

  public Unsubscribe(int packetId, List<String> filters, MqttProperties properties) {
    if (packetId < 0 || packetId > 0xFFFF) {
      throw new IllegalArgumentException("packet id " + packetId);
    }
    this.packetId = packetId;
    this.filters = List.copyOf(filters);
    this.properties = properties == null ? MqttProperties.EMPTY : properties;
  }

  @Override
  public PacketType type() {
    return PacketType.UNSUBSCRIBE;
  }

  public int packetId() {
    return packetId;
  }

  /** Unmodifiable, in packet order. */
  public List<String> filters() {
    return filters;
  }

  @Override
  public MqttProperties properties() {
    return properties;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Unsubscribe
        && ((Unsubscribe) o).packetId == packetId
        && ((Unsubscribe) o).filters.equals(filters)
        && ((Unsubscribe) o).properties.equals(properties);
  }

  @Override
  public int hashCode() {
    return packetId * 31 + filters.hashCode();
  }

  @Override
  public String toString() {
    return "Unsubscribe{packetId=" + packetId + ", " + filters
        + (properties.isEmpty() ? "" : ", properties=" + properties) + "}";
  }
}
