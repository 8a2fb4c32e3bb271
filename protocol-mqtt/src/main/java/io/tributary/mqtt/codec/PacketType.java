package io.tributary.mqtt.codec;

/** MQTT control packet types (fixed header bits 7-4). */
public enum PacketType {
  CONNECT(1),
  CONNACK(2),
  PUBLISH(3),
  PUBACK(4),
  PUBREC(5),
  PUBREL(6),
  PUBCOMP(7),
  SUBSCRIBE(8),
  SUBACK(9),
  UNSUBSCRIBE(10),
  UNSUBACK(11),
  PINGREQ(12),
  PINGRESP(13),
  DISCONNECT(14),
  /** MQTT 5.0 only. */
  AUTH(15);

  private static final PacketType[] BY_VALUE = new PacketType[16];

  static {
    for (PacketType t : values()) {
      BY_VALUE[t.value] = t;
    }
  }

  private final int value;

  PacketType(int value) {
    this.value = value;
  }

  /** The 4-bit type value of the fixed header. */
  public int value() {
    return value;
  }

  /**
   * The type for a 4-bit value.
   *
   * @throws IllegalArgumentException for 0 (reserved) or a value outside 1..15
   */
  public static PacketType of(int v) {
    if (v < 1 || v > 15) {
      throw new IllegalArgumentException("no MQTT packet type " + v);
    }
    return BY_VALUE[v];
  }
}
