package io.tributary.mqtt.codec;

import java.util.Objects;

/**
 * One MQTT 5.0 User Property (0x26): a name/value pair of UTF-8 strings. A packet may carry any
 * number of them, in order, with repeated names.
 */
public record UserProperty(String name, String value) {

  public UserProperty {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
  }

  @Override
  public String toString() {
    return name + "=" + value;
  }
}
