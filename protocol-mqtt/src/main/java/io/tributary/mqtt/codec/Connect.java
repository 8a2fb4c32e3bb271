package io.tributary.mqtt.codec;

import java.util.Arrays;
import java.util.Objects;

/** CONNECT (client to server). The password array is owned by this object: do not modify it. */
public final class Connect implements Packet {

  private final int protocolLevel;
  private final String protocolName;
  private final String clientId;
  private final boolean cleanSession;
  private final int keepAliveSeconds;
  private final String username;
  private final byte[] password;
  private final Will will;
  private final MqttProperties properties;

  public Connect(
      int protocolLevel,
      String protocolName,
      String clientId,
      boolean cleanSession,
      int keepAliveSeconds,
      String username,
      byte[] password,
      Will will,
      MqttProperties properties) {
    if (keepAliveSeconds < 0 || keepAliveSeconds > 0xFFFF) {
      throw new IllegalArgumentException("keep alive " + keepAliveSeconds);
    }
    this.protocolLevel = protocolLevel;
    this.protocolName = Objects.requireNonNull(protocolName, "protocolName");
    this.clientId = Objects.requireNonNull(clientId, "clientId");
    this.cleanSession = cleanSession;
    this.keepAliveSeconds = keepAliveSeconds;
    this.username = username;
    this.password = password;
    this.will = will;
    this.properties = properties == null ? MqttProperties.EMPTY : properties;
  }

  /** Convenience: protocol name from the level ("MQIsdp" for 3, else "MQTT"), with properties. */
  public Connect(
      int protocolLevel,
      String clientId,
      boolean cleanStart,
      int keepAliveSeconds,
      String username,
      byte[] password,
      Will will,
      MqttProperties properties) {
    this(
        protocolLevel,
        protocolLevel == MqttVersion.V3_1 ? "MQIsdp" : "MQTT",
        clientId,
        cleanStart,
        keepAliveSeconds,
        username,
        password,
        will,
        properties);
  }

  /** Convenience: protocol name from the level ("MQIsdp" for 3, else "MQTT"), no properties. */
  public Connect(
      int protocolLevel,
      String clientId,
      boolean cleanSession,
      int keepAliveSeconds,
      String username,
      byte[] password,
      Will will) {
    this(
        protocolLevel,
        protocolLevel == MqttVersion.V3_1 ? "MQIsdp" : "MQTT",
        clientId,
        cleanSession,
        keepAliveSeconds,
        username,
        password,
        will,
        MqttProperties.EMPTY);
  }

  @Override
  public PacketType type() {
    return PacketType.CONNECT;
  }

  public int protocolLevel() {
    return protocolLevel;
  }

  public String protocolName() {
    return protocolName;
  }

  /** May be empty; the connection decides whether that is acceptable. */
  public String clientId() {
    return clientId;
  }

  public boolean cleanSession() {
    return cleanSession;
  }

  /** MQTT 5.0 name of {@link #cleanSession()} (the same bit). */
  public boolean cleanStart() {
    return cleanSession;
  }

  public int keepAliveSeconds() {
    return keepAliveSeconds;
  }

  /** Null when the username flag is not set. */
  public String username() {
    return username;
  }

  /** Null when the password flag is not set. */
  public byte[] password() {
    return password;
  }

  /** Null when the will flag is not set. */
  public Will will() {
    return will;
  }

  @Override
  public MqttProperties properties() {
    return properties;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Connect)) {
      return false;
    }
    Connect c = (Connect) o;
    return protocolLevel == c.protocolLevel
        && cleanSession == c.cleanSession
        && keepAliveSeconds == c.keepAliveSeconds
        && protocolName.equals(c.protocolName)
        && clientId.equals(c.clientId)
        && Objects.equals(username, c.username)
        && Arrays.equals(password, c.password)
        && Objects.equals(will, c.will)
        && properties.equals(c.properties);
  }

  @Override
  public int hashCode() {
    return Objects.hash(protocolLevel, clientId, cleanSession, keepAliveSeconds, username, will);
  }

  @Override
  public String toString() {
    return "Connect{" + protocolName + " level=" + protocolLevel + ", clientId=" + clientId
        + ", cleanSession=" + cleanSession + ", keepAlive=" + keepAliveSeconds
        + ", username=" + username
        + ", password=" + (password == null ? "null" : "<" + password.length + " bytes>")
        + ", will=" + will
        + (properties.isEmpty() ? "" : ", properties=" + properties) + "}";
  }
}
