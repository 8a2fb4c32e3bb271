package io.tributary.launcher;

import static io.tributary.launcher.ConfigException.check;
import static io.tributary.launcher.ConfigException.option;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.tributary.mqtt.MqttOptions;
import io.tributary.mqtt.TlsIdentity;
import io.tributary.router.RouterOptions;
import io.tributary.tcp.RawTcpOptions;
import io.tributary.websocket.WebSocketOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The broker's configuration, bound from JSON with Jackson: unknown keys, wrong types and
 * impossible values are rejected with a message naming the key. Defaults are those of
 * {@code conf/broker.json}, which is also the built-in configuration.
 */
public final class BrokerConfig {

  public enum Transport { auto, io_uring, epoll, nio }

  /** TLS engine: {@code auto} is OpenSSL when netty-tcnative loads, else the JDK's. */
  public enum TlsEngine { auto, jdk, openssl }

  /** Client certificates on a TLS listener: not asked, asked for, or required. */
  public enum ClientAuthMode { none, request, require }

  /** Event loops / verticle instances; 0 means one per available core. */
  public int instances = 0;
  /** On stop, how long a connection may take to get the acknowledgements owed to it. */
  public long shutdownTimeoutMs = MqttOptions.DEFAULT_SHUTDOWN_TIMEOUT_MS;
  public Transport transport = Transport.auto;
  public List<Listener> listeners = new ArrayList<>(List.of(Listener.defaultMqtt(), Listener.defaultMqttWs(),
      Listener.defaultRawTcp(), Listener.defaultAdmin()));
  public Mqtt mqtt = new Mqtt();
  public Sessions sessions = new Sessions();
  public LogConfig log = new LogConfig();
  public TlsSettings tls = new TlsSettings();
  public LimitsConfig limits = new LimitsConfig();
  public AuthConfig auth = new AuthConfig();
  public AdminConfig admin = new AdminConfig();
  public AdminConfig.Sys sys = new AdminConfig.Sys();
  public ClusterConfig cluster = new ClusterConfig();
  public List<BridgeConfig> bridges = new ArrayList<>();

  public static final class Listener {
    public String name;
    public String protocol;
    public String host = "0.0.0.0";
    public Integer port;
    /** mqtt-ws: the paths that upgrade to MQTT over WebSocket (absent: ["/mqtt"]). */
    public List<String> paths;
    /** mqtt-ws: origins whose pages may connect (absent or empty: any origin). */
    public List<String> allowedOrigins;
    /** Any listener: serve TLS (mqtts, wss, raw TCP over TLS) as this says (absent: plain). */
    public Tls tls;
    /** raw-tcp: framing, identification and topics of devices (absent: every default). */
    public Device device;
    /** mqtt-ws: time to send a complete HTTP request head (absent: 10000). */
    public Integer requestTimeoutMs;
    /** mqtt-ws: time a kept-alive HTTP connection has after a response for its next request (absent: 30000). */
    public Integer idleTimeoutMs;

    static Listener defaultMqtt() {
      Listener l = new Listener();
      l.name = "mqtt";
      l.protocol = "mqtt";
      l.port = 1883;
      return l;
    }

    static Listener defaultRawTcp() {
      Listener l = new Listener();
      l.name = "devices";
      l.protocol = "raw-tcp";
      l.port = 7070;
      l.device = new Device();
      return l;
    }

    /** The admin listener, on loopback only: metrics and the API are not for the open network. */
    static Listener defaultAdmin() {
      Listener l = new Listener();
      l.name = "admin";
      l.protocol = "admin";
      l.host = "127.0.0.1";
      l.port = 8081;
      return l;
    }

    static Listener defaultMqttWs() {
      Listener l = new Listener();
      l.name = "mqtt-ws";
      l.protocol = "mqtt-ws";
      l.port = 8083;
      l.paths = new ArrayList<>(List.of(WebSocketOptions.DEFAULT_PATH));
      l.allowedOrigins = new ArrayList<>();
      l.requestTimeoutMs = WebSocketOptions.DEFAULT_REQUEST_TIMEOUT_MS;
      l.idleTimeoutMs = WebSocketOptions.DEFAULT_IDLE_TIMEOUT_MS;
      return l;
    }

    /** The WebSocket options of an mqtt-ws listener. */
    public WebSocketOptions webSocketOptions() {
      WebSocketOptions o = new WebSocketOptions().setHost(host).setPort(port);
      if (paths != null) {
        o.setPaths(paths);
      }
      if (allowedOrigins != null) {
        o.setAllowedOrigins(allowedOrigins);
      }
      if (requestTimeoutMs != null) {
        o.setRequestTimeoutMs(requestTimeoutMs);
      }
      if (idleTimeoutMs != null) {
        o.setIdleTimeoutMs(idleTimeoutMs);
      }
      if (tls != null) {
        o.setTls(tls.certPath, tls.keyPath);
      }
      return o;
    }

    /** The WebSocket options of an mqtt-ws listener, with the full TLS settings and this engine. */
    public WebSocketOptions webSocketOptions(TlsEngine engine) {
      WebSocketOptions o = webSocketOptions();
      if (tls != null) {
        o.setSsl(ListenerTls.sslOptions(tls), ListenerTls.engineOptions(engine));
      }
      return o;
    }
  }

  /**
   * A listener's TLS: a PEM certificate (chain) and its private key; client certificates
   * (none, request, require) checked against a PEM CA bundle. TLS 1.2 and 1.3 only.
   */
  public static final class Tls {
    public String certPath;
    public String keyPath;
    public ClientAuthMode clientAuth = ClientAuthMode.none;
    /** PEM CA bundle that client certificates must chain to; required unless clientAuth is none. */
    public String caPath;
    /** MQTT listeners: what a client certificate's CN stands for: none, username or clientId. */
    public String identity = TlsIdentity.NONE.key();
  }

  /** The device options of a raw-tcp listener; see {@link RawTcpOptions} and the README. */
  public static final class Device {
    /** lines | length-prefixed | fixed */
    public String framing = RawTcpOptions.DEFAULT_FRAMING.key();
    /** lines: longest line in bytes, without its \n or \r\n. */
    public int maxLineLength = RawTcpOptions.DEFAULT_MAX_LINE_LENGTH;
    /** length-prefixed: u16 | u32, big-endian. */
    public String prefix = RawTcpOptions.DEFAULT_PREFIX.key();
    /** length-prefixed: largest frame; a larger prefix closes the socket. */
    public int maxFrameSize = RawTcpOptions.DEFAULT_MAX_FRAME_SIZE;
    /** fixed: bytes per frame. */
    public int frameSize = RawTcpOptions.DEFAULT_FRAME_SIZE;
    /** first-frame | remote-address | client-certificate */
    public String identify = RawTcpOptions.DEFAULT_IDENTIFY.key();
    public int identifyTimeoutMs = RawTcpOptions.DEFAULT_IDENTIFY_TIMEOUT_MS;
    public String uplink = RawTcpOptions.DEFAULT_UPLINK;
    public int qos = RawTcpOptions.DEFAULT_QOS;
    public String downlink = RawTcpOptions.DEFAULT_DOWNLINK;

    /** The listener options these keys describe (validated by {@link BrokerConfig#from}). */
    public RawTcpOptions rawTcpOptions() {
      return new RawTcpOptions()
          .setFraming(RawTcpOptions.Framing.of(framing))
          .setMaxLineLength(maxLineLength)
          .setPrefix(RawTcpOptions.Prefix.of(prefix))
          .setMaxFrameSize(maxFrameSize)
          .setFrameSize(frameSize)
          .setIdentify(RawTcpOptions.Identify.of(identify))
          .setIdentifyTimeoutMs(identifyTimeoutMs)
          .setUplink(uplink)
          .setQos(qos)
          .setDownlink(downlink);
    }
  }

  /** Settings shared by all TLS listeners. */
  public static final class TlsSettings {
    public TlsEngine engine = TlsEngine.auto;
  }

  public static final class Mqtt {
    public int maxPacketSize = MqttOptions.DEFAULT_MAX_PACKET_SIZE;
    public int connectTimeoutMs = MqttOptions.DEFAULT_CONNECT_TIMEOUT_MS;
    public int maxTopicLevels = MqttOptions.DEFAULT_MAX_TOPIC_LEVELS;
    public int writeQueueBytes = MqttOptions.DEFAULT_WRITE_QUEUE_BYTES;
    public int receiveMaximum = MqttOptions.DEFAULT_RECEIVE_MAXIMUM;
    public int topicAliasMaximum = MqttOptions.DEFAULT_TOPIC_ALIAS_MAXIMUM;
    public int maxKeepAliveSeconds = MqttOptions.DEFAULT_MAX_KEEP_ALIVE_SECONDS;
    public String responseInformation = "";
    public int maxUserProperties = MqttOptions.DEFAULT_MAX_USER_PROPERTIES;
    public int maxUserPropertyBytes = MqttOptions.DEFAULT_MAX_USER_PROPERTY_BYTES;
    public int writeStallTimeoutMs = MqttOptions.DEFAULT_WRITE_STALL_TIMEOUT_MS;
  }

  public static final class Sessions {
    public int maxInflight = RouterOptions.DEFAULT_MAX_INFLIGHT;
    public long subscribeLookbackMs = RouterOptions.DEFAULT_SUBSCRIBE_LOOKBACK_MS;
  }

  /** Protocols a listener may name, and the ones this build serves. */
  static final Set<String> PROTOCOLS = Set.of("mqtt", "mqtt-ws", "raw-tcp", "admin");
  static final Set<String> SERVED = Set.of("mqtt", "mqtt-ws", "raw-tcp", "admin");

  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
      .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
      .withCoercionConfigDefaults(c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail))
      .build();

  /** The built-in configuration: conf/broker.json as packaged in the jar. */
  public static JsonObject defaults() {
    try (InputStream in = BrokerConfig.class.getResourceAsStream("broker.json")) {
      if (in == null) {
        throw new IllegalStateException("built-in broker.json missing from the jar");
      }
      return new JsonObject(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Binds and validates; throws {@link ConfigException} naming the offending key. */
  public static BrokerConfig from(JsonObject json) {
    BrokerConfig config;
    try {
      config = MAPPER.readValue(json.encode(), BrokerConfig.class);
    } catch (UnrecognizedPropertyException e) {
      throw new ConfigException("unknown configuration key '" + path(e) + "' (known here: "
          + e.getKnownPropertyIds().stream().map(String::valueOf).sorted().collect(Collectors.joining(", ")) + ")");
    } catch (InvalidFormatException e) {
      throw new ConfigException("configuration key '" + path(e) + "': value " + e.getValue()
          + " is not a valid " + typeName(e.getTargetType()));
    } catch (MismatchedInputException e) {
      throw new ConfigException("configuration key '" + path(e) + "': expected " + typeName(e.getTargetType()));
    } catch (JsonMappingException e) {
      throw new ConfigException("configuration key '" + path(e) + "': " + e.getOriginalMessage());
    } catch (JsonProcessingException e) {
      throw new ConfigException("configuration is not valid JSON: " + e.getOriginalMessage());
    }
    config.validate();
    return config;
  }

  private void validate() {
    check(instances >= 0 && instances <= 1024, "instances", "must be 0 (one per core) to 1024, was " + instances);
    check(shutdownTimeoutMs >= 0 && shutdownTimeoutMs <= 600_000, "shutdownTimeoutMs",
        "must be 0 to 600000 ms, was " + shutdownTimeoutMs);
    check(listeners != null, "listeners", "must be a list");
    check(!listeners.isEmpty(), "listeners", "at least one listener is required (a broker nobody can reach)");
    Set<String> names = new HashSet<>();
    Set<String> endpoints = new HashSet<>();
    for (int i = 0; i < listeners.size(); i++) {
      Listener l = listeners.get(i);
      String key = "listeners[" + i + "]";
      check(l != null, key, "must be an object");
      check(l.name != null && !l.name.isBlank(), key + ".name", "is required");
      check(names.add(l.name), key + ".name", "duplicate listener name '" + l.name + "'");
      check(l.protocol != null, key + ".protocol", "is required (one of " + String.join(", ", PROTOCOLS) + ")");
      check(PROTOCOLS.contains(l.protocol), key + ".protocol",
          "unknown protocol '" + l.protocol + "' (one of mqtt, mqtt-ws, raw-tcp, admin)");
      check(SERVED.contains(l.protocol), key + ".protocol",
          "'" + l.protocol + "' is not available in this version (available: " + String.join(", ", SERVED) + ")");
      check(l.host != null && !l.host.isBlank(), key + ".host", "is required");
      check(l.port != null, key + ".port", "is required");
      check(l.port >= 0 && l.port <= 65535, key + ".port", "must be 0..65535, was " + l.port);
      check(l.port == 0 || endpoints.add(l.host + ":" + l.port), key + ".port",
          "port " + l.port + " is already used by another listener");
      check(!"admin".equals(l.protocol) || listeners.stream().filter(o -> o != null && "admin".equals(o.protocol))
          .count() == 1, key + ".protocol", "only one admin listener may be configured");
      validateWebSocket(l, key);
      validateTls(l, key);
      validateDevice(l, key);
    }
    option("mqtt.maxPacketSize", () -> new MqttOptions().setMaxPacketSize(mqtt.maxPacketSize));
    option("mqtt.connectTimeoutMs", () -> new MqttOptions().setConnectTimeoutMs(mqtt.connectTimeoutMs));
    option("mqtt.maxTopicLevels", () -> new MqttOptions().setMaxTopicLevels(mqtt.maxTopicLevels));
    option("mqtt.writeQueueBytes", () -> new MqttOptions().setWriteQueueBytes(mqtt.writeQueueBytes));
    option("mqtt.receiveMaximum", () -> new MqttOptions().setReceiveMaximum(mqtt.receiveMaximum));
    option("mqtt.topicAliasMaximum", () -> new MqttOptions().setTopicAliasMaximum(mqtt.topicAliasMaximum));
    option("mqtt.maxKeepAliveSeconds", () -> new MqttOptions().setMaxKeepAliveSeconds(mqtt.maxKeepAliveSeconds));
    check(mqtt.responseInformation != null, "mqtt.responseInformation", "must be a string (\"\" for none)");
    option("mqtt.maxUserProperties", () -> new MqttOptions().setMaxUserProperties(mqtt.maxUserProperties));
    option("mqtt.maxUserPropertyBytes", () -> new MqttOptions().setMaxUserPropertyBytes(mqtt.maxUserPropertyBytes));
    option("mqtt.writeStallTimeoutMs", () -> new MqttOptions().setWriteStallTimeoutMs(mqtt.writeStallTimeoutMs));
    check(log != null, "log", "must be an object");
    log.validate();
    check(limits != null, "limits", "must be an object");
    limits.validate();
    check(auth != null, "auth", "must be an object");
    auth.validate();
    check(admin != null, "admin", "must be an object");
    admin.validate(auth);
    check(sys != null, "sys", "must be an object");
    sys.validate();
    check(cluster != null, "cluster", "must be an object");
    cluster.validate();
    BridgeConfig.validateAll(bridges);
    option("sessions.maxInflight", () -> new RouterOptions().setMaxInflight(sessions.maxInflight));
    option("sessions.subscribeLookbackMs",
        () -> new RouterOptions().setSubscribeLookbackMs(sessions.subscribeLookbackMs));
    check(tls != null && tls.engine != null, "tls.engine", "must be one of auto, jdk, openssl");
    check(tls.engine != TlsEngine.openssl || ListenerTls.openSslAvailable(), "tls.engine",
        "openssl is not available here (netty-tcnative-boringssl-static did not load); use auto or jdk");
  }

  private static void validateWebSocket(Listener l, String key) {
    boolean ws = "mqtt-ws".equals(l.protocol);
    check(ws || l.paths == null, key + ".paths", "only for mqtt-ws listeners");
    check(ws || l.allowedOrigins == null, key + ".allowedOrigins", "only for mqtt-ws listeners");
    check(ws || l.requestTimeoutMs == null, key + ".requestTimeoutMs", "only for mqtt-ws listeners");
    check(ws || l.idleTimeoutMs == null, key + ".idleTimeoutMs", "only for mqtt-ws listeners");
    if (l.requestTimeoutMs != null) {
      option(key + ".requestTimeoutMs", () -> new WebSocketOptions().setRequestTimeoutMs(l.requestTimeoutMs));
    }
    if (l.idleTimeoutMs != null) {
      option(key + ".idleTimeoutMs", () -> new WebSocketOptions().setIdleTimeoutMs(l.idleTimeoutMs));
    }
    if (l.paths != null) {
      check(!l.paths.isEmpty(), key + ".paths", "must list at least one path (absent means [\"/mqtt\"])");
      Set<String> seen = new HashSet<>();
      for (int j = 0; j < l.paths.size(); j++) {
        String p = l.paths.get(j);
        String problem = WebSocketOptions.pathProblem(p);
        check(problem == null, key + ".paths[" + j + "]", String.valueOf(problem));
        check(seen.add(p), key + ".paths[" + j + "]", "duplicate path " + p);
      }
    }
    if (l.allowedOrigins != null) {
      for (int j = 0; j < l.allowedOrigins.size(); j++) {
        String problem = WebSocketOptions.originProblem(l.allowedOrigins.get(j));
        check(problem == null, key + ".allowedOrigins[" + j + "]", String.valueOf(problem));
      }
    }
  }

  private static void validateDevice(Listener l, String key) {
    if (!"raw-tcp".equals(l.protocol)) {
      check(l.device == null, key + ".device", "only for raw-tcp listeners");
      return;
    }
    if (l.device == null) {
      l.device = new Device();
    }
    Device d = l.device;
    String k = key + ".device.";
    option(k + "framing", () -> RawTcpOptions.Framing.of(d.framing));
    option(k + "maxLineLength", () -> new RawTcpOptions().setMaxLineLength(d.maxLineLength));
    option(k + "prefix", () -> RawTcpOptions.Prefix.of(d.prefix));
    option(k + "maxFrameSize", () -> new RawTcpOptions().setMaxFrameSize(d.maxFrameSize));
    option(k + "frameSize", () -> new RawTcpOptions().setFrameSize(d.frameSize));
    option(k + "identify", () -> RawTcpOptions.Identify.of(d.identify));
    check(!"client-certificate".equals(d.identify) || (l.tls != null && l.tls.clientAuth != null
        && l.tls.clientAuth != ClientAuthMode.none), k + "identify",
        "client-certificate needs a tls block with clientAuth request or require");
    option(k + "identifyTimeoutMs", () -> new RawTcpOptions().setIdentifyTimeoutMs(d.identifyTimeoutMs));
    option(k + "uplink", () -> new RawTcpOptions().setUplink(d.uplink));
    option(k + "qos", () -> new RawTcpOptions().setQos(d.qos));
    option(k + "downlink", () -> new RawTcpOptions().setDownlink(d.downlink));
  }

  private static void validateTls(Listener l, String key) {
    if (l.tls == null) {
      return;
    }
    pemFile(l.tls.certPath, key + ".tls.certPath");
    pemFile(l.tls.keyPath, key + ".tls.keyPath");
    check(l.tls.clientAuth != null, key + ".tls.clientAuth", "must be one of none, request, require");
    if (l.tls.clientAuth == ClientAuthMode.none) {
      check(l.tls.caPath == null, key + ".tls.caPath", "only with clientAuth request or require");
    } else {
      pemFile(l.tls.caPath, key + ".tls.caPath");
    }
    TlsIdentity identity;
    try {
      identity = TlsIdentity.of(l.tls.identity);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("configuration key '" + key + ".tls.identity': " + e.getMessage());
    }
    if (identity != TlsIdentity.NONE) {
      check(!"raw-tcp".equals(l.protocol), key + ".tls.identity",
          "is for MQTT listeners (devices have device.identify: client-certificate)");
      check(!"admin".equals(l.protocol), key + ".tls.identity", "is for MQTT listeners");
      check(l.tls.clientAuth != ClientAuthMode.none, key + ".tls.identity",
          identity.key() + " needs client certificates: clientAuth request or require");
    }
  }

  private static void pemFile(String path, String key) {
    check(path != null && !path.isBlank(), key, "is required (a PEM file)");
    Path file = Path.of(path);
    check(Files.isRegularFile(file) && Files.isReadable(file), key, "cannot read file " + file.toAbsolutePath());
  }

  /** The MQTT options of one listener: the broker's, with the listener's TLS identity. */
  public MqttOptions mqttOptions(Listener l) {
    return mqttOptions().setListenerName(l.name)
        .setTlsIdentity(l.tls == null ? TlsIdentity.NONE : TlsIdentity.of(l.tls.identity));
  }

  public MqttOptions mqttOptions() {
    MqttOptions o = new MqttOptions()
        .setMaxPacketSize(mqtt.maxPacketSize)
        .setConnectTimeoutMs(mqtt.connectTimeoutMs)
        .setMaxTopicLevels(mqtt.maxTopicLevels)
        .setWriteQueueBytes(mqtt.writeQueueBytes)
        .setReceiveMaximum(mqtt.receiveMaximum)
        .setTopicAliasMaximum(mqtt.topicAliasMaximum)
        .setMaxKeepAliveSeconds(mqtt.maxKeepAliveSeconds)
        .setResponseInformation(mqtt.responseInformation)
        .setMaxUserProperties(mqtt.maxUserProperties)
        .setMaxUserPropertyBytes(mqtt.maxUserPropertyBytes)
        .setWriteStallTimeoutMs(mqtt.writeStallTimeoutMs)
        .setShutdownTimeoutMs(shutdownTimeoutMs)
        .setPublishRate(limits.publishRate)
        .setPublishBytesRate(limits.publishBytesRate)
        .setLoginAuthenticator(auth.authenticator());
    if (auth.scram() != null) {
      o.addAuthenticator(auth.scram());
    }
    return o;
  }

  public RouterOptions routerOptions() {
    return new RouterOptions()
        .setMaxInflight(sessions.maxInflight)
        .setSysIntervalSeconds(sys.intervalSeconds)
        .setMaxSessions(limits.maxSessions)
        .setMaxSubscriptionsPerClient(limits.maxSubscriptionsPerClient)
        .setMaxRetainedMessages(limits.maxRetainedMessages)
        .setMaxRetainedBytes(limits.maxRetainedBytes)
        .setFlapping(limits.flappingConnects, limits.flappingWindowSeconds, limits.flappingBanSeconds)
        .setSubscribeLookbackMs(sessions.subscribeLookbackMs)
        .setLog(log.toOptions());
  }

  /** Event loops to run: the configured count, or one per core. */
  public int effectiveInstances() {
    return instances > 0 ? instances : Runtime.getRuntime().availableProcessors();
  }



  private static String path(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex()).append(']');
      } else if (ref.getFieldName() != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(ref.getFieldName());
      }
    }
    return sb.toString();
  }

  private static String typeName(Class<?> type) {
    if (type == null) {
      return "value";
    }
    if (type.isEnum()) {
      Object[] values = type.getEnumConstants();
      List<String> names = new ArrayList<>();
      for (Object v : values) {
        names.add(v.toString());
      }
      return "one of " + String.join(", ", names);
    }
    if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
      return "integer";
    }
    if (type == String.class) {
      return "string";
    }
    if (List.class.isAssignableFrom(type)) {
      return "list";
    }
    return "object";
  }
}
