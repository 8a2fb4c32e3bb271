package io.tributary.mqtt.codec;

/** A decoded or to-be-encoded MQTT control packet. Implementations are immutable. */
public interface Packet {

  PacketType type();

  /** MQTT 5.0 properties; always {@link MqttProperties#EMPTY} for 3.1.1. */
  default MqttProperties properties() {
    return MqttProperties.EMPTY;
  }
}
