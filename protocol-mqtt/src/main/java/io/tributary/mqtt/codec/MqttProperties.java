package io.tributary.mqtt.codec;

/**
 * MQTT 5.0 properties of a packet. Placeholder: 3.1.1 has no properties, so for now this holds
 * nothing and every packet carries {@link #EMPTY}. The MQTT 5.0 issue fills it in.
 */
public final class MqttProperties {

  /** No properties. */
  public static final MqttProperties EMPTY = new MqttProperties();

  private MqttProperties() {}

  public boolean isEmpty() {
    return true;
  }

  @Override
  public String toString() {
    return "{}";
  }
}
