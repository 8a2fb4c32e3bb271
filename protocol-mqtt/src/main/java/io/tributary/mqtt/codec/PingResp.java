package io.tributary.mqtt.codec;

/** PINGRESP (server to client). Stateless: use {@link #INSTANCE}. */
public final class PingResp implements Packet {

  public static final PingResp INSTANCE = new PingResp();

  /** Prefer {@link #INSTANCE}; all instances are equal. */
  public PingResp() {}

  @Override
  public PacketType type() {
    return PacketType.PINGRESP;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PingResp;
  }

  @Override
  public int hashCode() {
    return PacketType.PINGRESP.value();
  }

  @Override
  public String toString() {
    return "PingResp";
  }
}
