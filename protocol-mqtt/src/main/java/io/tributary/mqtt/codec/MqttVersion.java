package io.tributary.mqtt.codec;

/** MQTT protocol levels as carried in the CONNECT variable header. */
public final class MqttVersion {

  /** MQTT 3.1 ("MQIsdp"): not supported, rejected with 0x84. */
  public static final int V3_1 = 3;
  /** MQTT 3.1.1 ("MQTT"). */
  public static final int V3_1_1 = 4;
  /** MQTT 5.0 ("MQTT"). */
  public static final int V5 = 5;

  private MqttVersion() {}
}
