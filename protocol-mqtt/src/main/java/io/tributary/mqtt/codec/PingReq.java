package io.tributary.mqtt.codec;

/** PINGREQ (client to server). Stateless: use {@link #INSTANCE}. */
public final class PingReq implements Packet {

  public static final PingReq INSTANCE = new PingReq();

  /** Prefer {@link #INSTANCE}; all instances are equal. */
  public PingReq() {}

  @Override
  public PacketType type() {
    return PacketType.PINGREQ;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PingReq;
  }

  @Override
  public int hashCode() {
    return PacketType.PINGREQ.value();
  }

  @Override
  public String toString() {
    return "PingReq";
  }
}
