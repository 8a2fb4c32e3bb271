package io.tributary.bridge;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** One bridge to another MQTT broker: where it is, how to log in, and which topics cross. */
public final class BridgeOptions {

  public static final int DEFAULT_PROTOCOL_LEVEL = 5;
  public static final int DEFAULT_KEEP_ALIVE_SECONDS = 60;
  public static final long DEFAULT_SESSION_EXPIRY_SECONDS = 3_600;
  public static final int DEFAULT_MAX_INFLIGHT = 100;
  public static final long DEFAULT_RECONNECT_MIN_MS = 1_000;
  public static final long DEFAULT_RECONNECT_MAX_MS = 60_000;

  private String name;
  private String host;
  private int port = 1883;
  private String clientId;
  private String username;
  private String password;
  private int protocolLevel = DEFAULT_PROTOCOL_LEVEL;
  private boolean cleanStart = false;
  private long sessionExpirySeconds = DEFAULT_SESSION_EXPIRY_SECONDS;
  private int keepAliveSeconds = DEFAULT_KEEP_ALIVE_SECONDS;
  private boolean bridgeMarker = true;
  private int maxInflight = DEFAULT_MAX_INFLIGHT;
  private long reconnectMinMs = DEFAULT_RECONNECT_MIN_MS;
  private long reconnectMaxMs = DEFAULT_RECONNECT_MAX_MS;
  private boolean tls;
  private String tlsCa;
  private String tlsCert;
  private String tlsKey;
  private boolean verifyHostname = true;
  private List<TopicMapping> topics = new ArrayList<>();

  public String getName() {
    return name;
  }

  /** Names the bridge in logs, metrics and the key of its saved position; required. */
  public BridgeOptions setName(String name) {
    this.name = Objects.requireNonNull(name, "name");
    return this;
  }

  public String getHost() {
    return host;
  }

  public BridgeOptions setHost(String host) {
    this.host = host;
    return this;
  }

  public int getPort() {
    return port;
  }

  public BridgeOptions setPort(int port) {
    this.port = port;
    return this;
  }

  /** The client id on the remote; null: {@code tributary-bridge-NAME}. */
  public String getClientId() {
    return clientId != null ? clientId : "tributary-bridge-" + name;
  }

  public BridgeOptions setClientId(String clientId) {
    this.clientId = clientId;
    return this;
  }

  public String getUsername() {
    return username;
  }

  public BridgeOptions setUsername(String username) {
    this.username = username;
    return this;
  }

  public String getPassword() {
    return password;
  }

  public BridgeOptions setPassword(String password) {
    this.password = password;
    return this;
  }

  /** 4 (MQTT 3.1.1) or 5 (MQTT 5.0, the default). */
  public int getProtocolLevel() {
    return protocolLevel;
  }

  public BridgeOptions setProtocolLevel(int protocolLevel) {
    this.protocolLevel = protocolLevel;
    return this;
  }

  /**
   * False (the default) keeps the bridge's session on the remote across reconnects: its
   * subscriptions, what it queued while the bridge was away, and the QoS 2 state that lets a resent
   * message through only once.
   */
  public boolean isCleanStart() {
    return cleanStart;
  }

  public BridgeOptions setCleanStart(boolean cleanStart) {
    this.cleanStart = cleanStart;
    return this;
  }

  /** MQTT 5: how long the remote keeps the session after the bridge disconnects. */
  public long getSessionExpirySeconds() {
    return sessionExpirySeconds;
  }

  public BridgeOptions setSessionExpirySeconds(long sessionExpirySeconds) {
    this.sessionExpirySeconds = sessionExpirySeconds;
    return this;
  }

  public int getKeepAliveSeconds() {
    return keepAliveSeconds;
  }

  public BridgeOptions setKeepAliveSeconds(int keepAliveSeconds) {
    this.keepAliveSeconds = keepAliveSeconds;
    return this;
  }

  /**
   * MQTT 3.1.1: connect with protocol level 0x84, Mosquitto's bridge marker ({@code try_private}),
   * so a Mosquitto remote does not send the bridge's own messages back; a remote that refuses it is
   * connected to again without it. MQTT 5 uses No Local instead.
   */
  public boolean isBridgeMarker() {
    return bridgeMarker;
  }

  public BridgeOptions setBridgeMarker(boolean bridgeMarker) {
    this.bridgeMarker = bridgeMarker;
    return this;
  }

  /** QoS 1/2 messages sent out and not yet acknowledged, at most (and at most the remote's receive maximum). */
  public int getMaxInflight() {
    return maxInflight;
  }

  public BridgeOptions setMaxInflight(int maxInflight) {
    this.maxInflight = maxInflight;
    return this;
  }

  public long getReconnectMinMs() {
    return reconnectMinMs;
  }

  /** The first wait before connecting again; it doubles with each failure up to the maximum. */
  public BridgeOptions setReconnectMinMs(long reconnectMinMs) {
    this.reconnectMinMs = reconnectMinMs;
    return this;
  }

  public long getReconnectMaxMs() {
    return reconnectMaxMs;
  }

  public BridgeOptions setReconnectMaxMs(long reconnectMaxMs) {
    this.reconnectMaxMs = reconnectMaxMs;
    return this;
  }

  public boolean isTls() {
    return tls;
  }

  public BridgeOptions setTls(boolean tls) {
    this.tls = tls;
    return this;
  }

  /** PEM file of the certificate authorities to trust; null: the JDK's. */
  public String getTlsCa() {
    return tlsCa;
  }

  public BridgeOptions setTlsCa(String tlsCa) {
    this.tlsCa = tlsCa;
    return this;
  }

  /** PEM certificate (chain) and key of the bridge, for remotes that ask for a client certificate. */
  public String getTlsCert() {
    return tlsCert;
  }

  public BridgeOptions setTlsCert(String tlsCert) {
    this.tlsCert = tlsCert;
    return this;
  }

  public String getTlsKey() {
    return tlsKey;
  }

  public BridgeOptions setTlsKey(String tlsKey) {
    this.tlsKey = tlsKey;
    return this;
  }

  public boolean isVerifyHostname() {
    return verifyHostname;
  }

  public BridgeOptions setVerifyHostname(boolean verifyHostname) {
    this.verifyHostname = verifyHostname;
    return this;
  }

  public List<TopicMapping> getTopics() {
    return topics;
  }

  public BridgeOptions setTopics(List<TopicMapping> topics) {
    this.topics = new ArrayList<>(topics);
    return this;
  }

  public BridgeOptions addTopic(TopicMapping mapping) {
    topics.add(mapping);
    return this;
  }

  @Override
  public String toString() {
    return "bridge '" + name + "' to " + (tls ? "mqtts://" : "mqtt://") + host + ":" + port + " as '" + getClientId()
        + "', MQTT " + (protocolLevel == 5 ? "5.0" : "3.1.1") + ", clean start " + cleanStart + ", topics " + topics;
  }
}
