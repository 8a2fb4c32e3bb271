package io.tributary.mqtt.codec;

import java.util.List;

/** SUBSCRIBE (client to server). Decoded instances hold at least one subscription. */
public final class Subscribe implements Packet {

  private final int packetId;
  private final List<TopicSubscription> subscriptions;
  private final MqttProperties properties;

  public Subscribe(int packetId, List<TopicSubscription> subscriptions) {
    this(packetId, subscriptions, MqttProperties.EMPTY);
  }

  public Subscribe(int packetId, List<TopicSubscription> subscriptions, MqttProperties properties) {
    if (packetId < 0 || packetId > 0xFFFF) {
      throw new IllegalArgumentException("packet id " + packetId);
    }
    this.packetId = packetId;
    this.subscriptions = List.copyOf(subscriptions);
    this.properties = properties == null ? MqttProperties.EMPTY : properties;
  }

  @Override
  public PacketType type() {
    return PacketType.SUBSCRIBE;
  }

  public int packetId() {
    return packetId;
  }

  /** Unmodifiable, in packet order. */
  public List<TopicSubscription> subscriptions() {
    return subscriptions;
  }

  @Override
  public MqttProperties properties() {
    return properties;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Subscribe
        && ((Subscribe) o).packetId == packetId
        && ((Subscribe) o).subscriptions.equals(subscriptions)
        && ((Subscribe) o).properties.equals(properties);
  }

  @Override
  public int hashCode() {
    return packetId * 31 + subscriptions.hashCode();
  }

  @Override
  public String toString() {
    return "Subscribe{packetId=" + packetId + ", " + subscriptions
        + (properties.isEmpty() ? "" : ", properties=" + properties) + "}";
  }
}
