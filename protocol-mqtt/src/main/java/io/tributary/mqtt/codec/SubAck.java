package io.tributary.mqtt.codec;

import java.util.List;

/**
 * SUBACK (server to client): one return code per requested subscription, in order. 3.1.1 codes:
 * 0x00, 0x01, 0x02 (granted QoS) or 0x80 (failure); 5.0 reason codes: those and 0x83, 0x87,
 * 0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2. Encoded for 3.1.1, every code of 0x80 and above is written
 * as 0x80.
 */
public final class SubAck implements Packet {

  /** 3.1.1 failure return code. */
  public static final int FAILURE = 0x80;

  private final int packetId;
  private final List<Integer> returnCodes;
  private final MqttProperties properties;

  public SubAck(int packetId, List<Integer> returnCodes) {
    this(packetId, returnCodes, MqttProperties.EMPTY);
  }

  public SubAck(int packetId, List<Integer> returnCodes, MqttProperties properties) {
    if (packetId < 0 || packetId > 0xFFFF) {
      throw new IllegalArgumentException("packet id " + packetId);
    }
    for (Integer rc : returnCodes) {
      if (rc == null || rc < 0 || rc > 0xFF) {
        throw new IllegalArgumentException("return code " + rc);
      }
    }
    this.packetId = packetId;
    this.returnCodes = List.copyOf(returnCodes);
    this.properties = properties == null ? MqttProperties.EMPTY : properties;
  }

  @Override
  public PacketType type() {
    return PacketType.SUBACK;
  }

  public int packetId() {
    return packetId;
  }

  /** Unmodifiable, in the order of the SUBSCRIBE's subscriptions. */
  public List<Integer> returnCodes() {
    return returnCodes;
  }

  /** The same as {@link #returnCodes()}: the MQTT 5.0 name. */
  public List<Integer> reasonCodes() {
    return returnCodes;
  }

  @Override
  public MqttProperties properties() {
    return properties;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SubAck
        && ((SubAck) o).packetId == packetId
        && ((SubAck) o).returnCodes.equals(returnCodes)
        && ((SubAck) o).properties.equals(properties);
  }

  @Override
  public int hashCode() {
    return packetId * 31 + returnCodes.hashCode();
  }

  @Override
  public String toString() {
    return "SubAck{packetId=" + packetId + ", " + returnCodes
        + (properties.isEmpty() ? "" : ", properties=" + properties) + "}";
  }
}
