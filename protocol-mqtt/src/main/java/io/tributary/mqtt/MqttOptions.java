package io.tributary.mqtt;

import io.tributary.mqtt.auth.EnhancedAuthenticator;
import io.tributary.router.security.Authenticator;
import io.vertx.core.json.JsonObject;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Options of the MQTT protocol engine, shared by the TCP and WebSocket listeners. */
public final class MqttOptions {

  public static final int DEFAULT_MAX_PACKET_SIZE = 1024 * 1024;
  public static final int DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
  public static final int DEFAULT_MAX_TOPIC_LEVELS = 32;
  public static final int DEFAULT_WRITE_QUEUE_BYTES = 64 * 1024;
  public static final int DEFAULT_RECEIVE_MAXIMUM = 64;
  public static final int DEFAULT_TOPIC_ALIAS_MAXIMUM = 16;
  public static final int DEFAULT_MAX_KEEP_ALIVE_SECONDS = 0;
  /** MQTT 5 user properties one packet may carry; far above what any real client sends. */
  public static final int DEFAULT_MAX_USER_PROPERTIES = 256;
  /** Their names and values together, in bytes. */
  public static final int DEFAULT_MAX_USER_PROPERTY_BYTES = 64 * 1024;
  /** How long a connection may have output waiting that its peer does not read, before it is closed. */
  public static final int DEFAULT_WRITE_STALL_TIMEOUT_MS = 60_000;
  /** How long a stopping listener waits for acknowledgements still owed to its clients. */
  public static final long DEFAULT_SHUTDOWN_TIMEOUT_MS = 5_000;

  private int maxPacketSize = DEFAULT_MAX_PACKET_SIZE;
  private int connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS;
  private int maxTopicLevels = DEFAULT_MAX_TOPIC_LEVELS;
  private int writeQueueBytes = DEFAULT_WRITE_QUEUE_BYTES;
  private int receiveMaximum = DEFAULT_RECEIVE_MAXIMUM;
  private int topicAliasMaximum = DEFAULT_TOPIC_ALIAS_MAXIMUM;
  private int maxKeepAliveSeconds = DEFAULT_MAX_KEEP_ALIVE_SECONDS;
  private int maxUserProperties = DEFAULT_MAX_USER_PROPERTIES;
  private int maxUserPropertyBytes = DEFAULT_MAX_USER_PROPERTY_BYTES;
  private int writeStallTimeoutMs = DEFAULT_WRITE_STALL_TIMEOUT_MS;
  private TlsIdentity tlsIdentity = TlsIdentity.NONE;
  private int publishRate;
  private long publishBytesRate;
  private String responseInformation;
  /** The listener's name, for logs and metrics. */
  private String listenerName = "mqtt";
  private long shutdownTimeoutMs = DEFAULT_SHUTDOWN_TIMEOUT_MS;
  private final Map<String, EnhancedAuthenticator> authenticators = new LinkedHashMap<>();
  private Authenticator login = Authenticator.ALLOW_ALL;

  public MqttOptions() {
  }

  public MqttOptions(MqttOptions other) {
    this.maxPacketSize = other.maxPacketSize;
    this.connectTimeoutMs = other.connectTimeoutMs;
    this.maxTopicLevels = other.maxTopicLevels;
    this.writeQueueBytes = other.writeQueueBytes;
    this.receiveMaximum = other.receiveMaximum;
    this.topicAliasMaximum = other.topicAliasMaximum;
    this.maxKeepAliveSeconds = other.maxKeepAliveSeconds;
    this.responseInformation = other.responseInformation;
    this.listenerName = other.listenerName;
    this.shutdownTimeoutMs = other.shutdownTimeoutMs;
    this.maxUserProperties = other.maxUserProperties;
    this.maxUserPropertyBytes = other.maxUserPropertyBytes;
    this.writeStallTimeoutMs = other.writeStallTimeoutMs;
    this.publishRate = other.publishRate;
    this.tlsIdentity = other.tlsIdentity;
    this.publishBytesRate = other.publishBytesRate;
    this.authenticators.putAll(other.authenticators);
    this.login = other.login;
  }

  public MqttOptions(JsonObject json) {
    this();
    if (json.containsKey("maxPacketSize")) setMaxPacketSize(json.getInteger("maxPacketSize"));
    if (json.containsKey("connectTimeoutMs")) setConnectTimeoutMs(json.getInteger("connectTimeoutMs"));
    if (json.containsKey("maxTopicLevels")) setMaxTopicLevels(json.getInteger("maxTopicLevels"));
    if (json.containsKey("writeQueueBytes")) setWriteQueueBytes(json.getInteger("writeQueueBytes"));
    if (json.containsKey("receiveMaximum")) setReceiveMaximum(json.getInteger("receiveMaximum"));
    if (json.containsKey("topicAliasMaximum")) setTopicAliasMaximum(json.getInteger("topicAliasMaximum"));
    if (json.containsKey("maxKeepAliveSeconds")) setMaxKeepAliveSeconds(json.getInteger("maxKeepAliveSeconds"));
    if (json.containsKey("responseInformation")) setResponseInformation(json.getString("responseInformation"));
    if (json.containsKey("publishRate")) setPublishRate(json.getInteger("publishRate"));
    if (json.containsKey("tlsIdentity")) setTlsIdentity(TlsIdentity.of(json.getString("tlsIdentity")));
    if (json.containsKey("publishBytesRate")) setPublishBytesRate(json.getLong("publishBytesRate"));
    if (json.containsKey("listenerName")) setListenerName(json.getString("listenerName"));
  }

  /** What the CN of a TLS client certificate stands for on this listener (see {@link TlsIdentity}). */
  public TlsIdentity getTlsIdentity() {
    return tlsIdentity;
  }

  public MqttOptions setTlsIdentity(TlsIdentity tlsIdentity) {
    this.tlsIdentity = java.util.Objects.requireNonNull(tlsIdentity, "tlsIdentity");
    return this;
  }

  /**
   * PUBLISHes a second one connection may send (a second's worth at once); past it the broker
   * stops reading the connection until it is back under (see {@link PublishThrottle}). 0: unlimited.
   */
  public int getPublishRate() {
    return publishRate;
  }

  public MqttOptions setPublishRate(int publishRate) {
    if (publishRate < 0) {
      throw new IllegalArgumentException("publishRate must be >= 0 (0: unlimited): " + publishRate);
    }
    this.publishRate = publishRate;
    return this;
  }

  /** Payload bytes a second one connection may publish, as {@link #getPublishRate}. 0: unlimited. */
  public long getPublishBytesRate() {
    return publishBytesRate;
  }

  public MqttOptions setPublishBytesRate(long publishBytesRate) {
    if (publishBytesRate < 0) {
      throw new IllegalArgumentException("publishBytesRate must be >= 0 (0: unlimited): " + publishBytesRate);
    }
    this.publishBytesRate = publishBytesRate;
    return this;
  }

  /** Largest packet accepted (fixed header included); larger ones close the connection. */
  public int getMaxPacketSize() {
    return maxPacketSize;
  }

  public MqttOptions setMaxPacketSize(int maxPacketSize) {
    // 268,435,455 is the largest remaining length MQTT can encode, plus the 5-byte fixed header.
    if (maxPacketSize < 16 || maxPacketSize > 268_435_460) {
      throw new IllegalArgumentException("maxPacketSize must be 16..268435460: " + maxPacketSize);
    }
    this.maxPacketSize = maxPacketSize;
    return this;
  }

  /** Time a new socket has to send CONNECT before it is closed. */
  public int getConnectTimeoutMs() {
    return connectTimeoutMs;
  }

  public MqttOptions setConnectTimeoutMs(int connectTimeoutMs) {
    if (connectTimeoutMs < 1) {
      throw new IllegalArgumentException("connectTimeoutMs must be > 0: " + connectTimeoutMs);
    }
    this.connectTimeoutMs = connectTimeoutMs;
    return this;
  }

  /** Deepest topic or filter accepted; deeper filters are refused (0x80), deeper topics close. */
  public int getMaxTopicLevels() {
    return maxTopicLevels;
  }

  public MqttOptions setMaxTopicLevels(int maxTopicLevels) {
    if (maxTopicLevels < 1) {
      throw new IllegalArgumentException("maxTopicLevels must be > 0: " + maxTopicLevels);
    }
    this.maxTopicLevels = maxTopicLevels;
    return this;
  }

  /** Bytes queued for one connection before its session stops taking from the log. */
  /** MQTT 5: user properties one packet may carry; more closes the connection (0x95). */
  public int getMaxUserProperties() {
    return maxUserProperties;
  }

  public MqttOptions setMaxUserProperties(int maxUserProperties) {
    if (maxUserProperties < 0) {
      throw new IllegalArgumentException("must be >= 0, was " + maxUserProperties);
    }
    this.maxUserProperties = maxUserProperties;
    return this;
  }

  /** MQTT 5: bytes of user property names and values one packet may carry (0x95 past it). */
  public int getMaxUserPropertyBytes() {
    return maxUserPropertyBytes;
  }

  public MqttOptions setMaxUserPropertyBytes(int maxUserPropertyBytes) {
    if (maxUserPropertyBytes < 0) {
      throw new IllegalArgumentException("must be >= 0, was " + maxUserPropertyBytes);
    }
    this.maxUserPropertyBytes = maxUserPropertyBytes;
    return this;
  }

  /**
   * How long reading may stay stopped because the peer reads nothing of what the broker writes;
   * then the connection is closed and counted as a slow consumer.
   */
  public int getWriteStallTimeoutMs() {
    return writeStallTimeoutMs;
  }

  public MqttOptions setWriteStallTimeoutMs(int writeStallTimeoutMs) {
    if (writeStallTimeoutMs < 1) {
      throw new IllegalArgumentException("must be >= 1, was " + writeStallTimeoutMs);
    }
    this.writeStallTimeoutMs = writeStallTimeoutMs;
    return this;
  }

  public int getWriteQueueBytes() {
    return writeQueueBytes;
  }

  public MqttOptions setWriteQueueBytes(int writeQueueBytes) {
    if (writeQueueBytes < 1024) {
      throw new IllegalArgumentException("writeQueueBytes must be >= 1024: " + writeQueueBytes);
    }
    this.writeQueueBytes = writeQueueBytes;
    return this;
  }

  /** MQTT 5: unacknowledged inbound QoS 2 messages a client may have; past it, DISCONNECT 0x93. */
  public int getReceiveMaximum() {
    return receiveMaximum;
  }

  public MqttOptions setReceiveMaximum(int receiveMaximum) {
    if (receiveMaximum < 1 || receiveMaximum > 65535) {
      throw new IllegalArgumentException("receiveMaximum must be 1..65535: " + receiveMaximum);
    }
    this.receiveMaximum = receiveMaximum;
    return this;
  }

  /** MQTT 5: topic aliases a client may use towards the broker (0 disables inbound aliases). */
  public int getTopicAliasMaximum() {
    return topicAliasMaximum;
  }

  public MqttOptions setTopicAliasMaximum(int topicAliasMaximum) {
    if (topicAliasMaximum < 0 || topicAliasMaximum > 65535) {
      throw new IllegalArgumentException("topicAliasMaximum must be 0..65535: " + topicAliasMaximum);
    }
    this.topicAliasMaximum = topicAliasMaximum;
    return this;
  }

  /**
   * MQTT 5: the longest keep alive the broker accepts; a client asking for more (or for none) is
   * told this value as Server Keep Alive. 0 accepts what the client asks.
   */
  public int getMaxKeepAliveSeconds() {
    return maxKeepAliveSeconds;
  }

  public MqttOptions setMaxKeepAliveSeconds(int maxKeepAliveSeconds) {
    if (maxKeepAliveSeconds < 0 || maxKeepAliveSeconds > 65535) {
      throw new IllegalArgumentException("maxKeepAliveSeconds must be 0..65535: " + maxKeepAliveSeconds);
    }
    this.maxKeepAliveSeconds = maxKeepAliveSeconds;
    return this;
  }

  /** MQTT 5: Response Information sent to clients that request it, or null for none. */
  public String getResponseInformation() {
    return responseInformation;
  }

  public MqttOptions setResponseInformation(String responseInformation) {
    this.responseInformation = responseInformation == null || responseInformation.isEmpty() ? null : responseInformation;
    return this;
  }

  /**
   * MQTT 5 enhanced authentication: registers the authenticator of one Authentication Method. A
   * CONNECT naming a method that has none gets CONNACK 0x8C. None are registered by default.
   *
   * @throws IllegalArgumentException if an authenticator for the same method is registered
   */
  public MqttOptions addAuthenticator(EnhancedAuthenticator authenticator) {
    String method = authenticator.method();
    if (method == null || method.isEmpty()) {
      throw new IllegalArgumentException("authenticator without an authentication method: " + authenticator);
    }
    if (authenticators.putIfAbsent(method, authenticator) != null) {
      throw new IllegalArgumentException("an authenticator for method '" + method + "' is already registered");
    }
    return this;
  }

  /** The registered authenticators by Authentication Method, in registration order (read-only). */
  public Map<String, EnhancedAuthenticator> getAuthenticators() {
    return Collections.unmodifiableMap(authenticators);
  }

  /**
   * Who may connect with a user name and password, or anonymously (a CONNECT without an
   * Authentication Method); default: everyone. The launcher sets it from the {@code auth} block.
   */
  public MqttOptions setLoginAuthenticator(Authenticator authenticator) {
    this.login = java.util.Objects.requireNonNull(authenticator, "authenticator");
    return this;
  }

  public Authenticator getLoginAuthenticator() {
    return login;
  }

  /** The authenticator of {@code method}, or null if none is registered. */
  public EnhancedAuthenticator getAuthenticator(String method) {
    return authenticators.get(method);
  }

  public long getShutdownTimeoutMs() {
    return shutdownTimeoutMs;
  }

  /**
   * When the broker stops, how long each connection may take to get the acknowledgements still
   * owed to it (QoS 1/2 publishes waiting for the log's fsync) before it is closed.
   */
  public MqttOptions setShutdownTimeoutMs(long shutdownTimeoutMs) {
    if (shutdownTimeoutMs < 0) {
      throw new IllegalArgumentException("shutdownTimeoutMs must be >= 0, not " + shutdownTimeoutMs);
    }
    this.shutdownTimeoutMs = shutdownTimeoutMs;
    return this;
  }

  /** The listener's name, in connect log lines and metrics labels. */
  public String getListenerName() {
    return listenerName;
  }

  public MqttOptions setListenerName(String listenerName) {
    this.listenerName = listenerName;
    return this;
  }
}
