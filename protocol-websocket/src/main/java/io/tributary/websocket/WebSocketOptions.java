package io.tributary.websocket;

import io.vertx.core.net.SSLEngineOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Options of an MQTT-over-WebSocket listener (the MQTT engine's own are {@code MqttOptions}). */
public final class WebSocketOptions {

  public static final String DEFAULT_PATH = "/mqtt";
  /** Subprotocols offered, in the server's order of preference: MQTT 3.1.1 / 5.0, then MQTT 3.1. */
  public static final List<String> SUBPROTOCOLS = List.of("mqtt", "mqttv3.1");

  /** Time a new HTTP connection has to send a complete request head (and so to ask for the upgrade). */
  public static final int DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
  /** Time a kept-alive HTTP connection has after a response to send its next request head. */
  public static final int DEFAULT_IDLE_TIMEOUT_MS = 30_000;

  private int requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS;
  private int idleTimeoutMs = DEFAULT_IDLE_TIMEOUT_MS;
  private String host = "0.0.0.0";
  private int port = 8083;
  private List<String> paths = List.of(DEFAULT_PATH);
  private List<String> allowedOrigins = List.of();
  private String certPath;
  private String keyPath;
  private ServerSSLOptions ssl;
  private SSLEngineOptions sslEngine;

  /**
   * Time a new HTTP connection has to send a complete request head (the WebSocket upgrade
   * included); then it is closed. A deadline, not an idle timer: slow-header clients are closed.
   */
  public int getRequestTimeoutMs() {
    return requestTimeoutMs;
  }

  public WebSocketOptions setRequestTimeoutMs(int requestTimeoutMs) {
    if (requestTimeoutMs < 1) {
      throw new IllegalArgumentException("must be >= 1, was " + requestTimeoutMs);
    }
    this.requestTimeoutMs = requestTimeoutMs;
    return this;
  }

  /**
   * Time a kept-alive HTTP connection has, after the end of a response, to send its next complete
   * request head; then it is closed.
   */
  public int getIdleTimeoutMs() {
    return idleTimeoutMs;
  }

  public WebSocketOptions setIdleTimeoutMs(int idleTimeoutMs) {
    if (idleTimeoutMs < 1) {
      throw new IllegalArgumentException("must be >= 1, was " + idleTimeoutMs);
    }
    this.idleTimeoutMs = idleTimeoutMs;
    return this;
  }

  public String getHost() {
    return host;
  }

  public WebSocketOptions setHost(String host) {
    this.host = host;
    return this;
  }

  public int getPort() {
    return port;
  }

  public WebSocketOptions setPort(int port) {
    this.port = port;
    return this;
  }

  /** Paths that upgrade to MQTT over WebSocket; default {@code ["/mqtt"]}. */
  public List<String> getPaths() {
    return paths;
  }

  public WebSocketOptions setPaths(List<String> paths) {
    if (paths == null || paths.isEmpty()) {
      throw new IllegalArgumentException("at least one path is needed");
    }
    for (String p : paths) {
      String problem = pathProblem(p);
      if (problem != null) {
        throw new IllegalArgumentException(problem);
      }
    }
    this.paths = List.copyOf(paths);
    return this;
  }

  /**
   * Origins (scheme://host[:port]) whose pages may connect; empty (the default) allows any
   * origin. A request without an Origin header (not a browser) is not checked.
   */
  public List<String> getAllowedOrigins() {
    return allowedOrigins;
  }

  public WebSocketOptions setAllowedOrigins(List<String> allowedOrigins) {
    List<String> out = new ArrayList<>();
    for (String o : allowedOrigins == null ? List.<String>of() : allowedOrigins) {
      String problem = originProblem(o);
      if (problem != null) {
        throw new IllegalArgumentException(problem);
      }
      out.add(normalizeOrigin(o));
    }
    this.allowedOrigins = List.copyOf(out);
    return this;
  }

  /** PEM certificate (chain) for wss, or null for plain ws. */
  public String getCertPath() {
    return certPath;
  }

  /** PEM private key for wss, or null for plain ws. */
  public String getKeyPath() {
    return keyPath;
  }

  /** Serves wss with this PEM certificate and key; nulls for plain ws. */
  public WebSocketOptions setTls(String certPath, String keyPath) {
    if ((certPath == null) != (keyPath == null)) {
      throw new IllegalArgumentException("TLS needs both a certificate and a key");
    }
    this.certPath = certPath;
    this.keyPath = keyPath;
    return this;
  }

  /**
   * Serves wss with ready-made server SSL options (key/cert, trust, client auth, protocols) and
   * SSL engine (null: Vert.x's default); the launcher builds both from a listener's {@code tls}.
   * Takes precedence over {@link #setTls(String, String)}.
   */
  public WebSocketOptions setSsl(ServerSSLOptions ssl, SSLEngineOptions engine) {
    this.ssl = ssl == null ? null : ssl.copy();
    this.sslEngine = engine;
    return this;
  }

  public ServerSSLOptions getSsl() {
    return ssl;
  }

  public SSLEngineOptions getSslEngine() {
    return sslEngine;
  }

  public boolean isTls() {
    return certPath != null || ssl != null;
  }

  /** Why {@code path} cannot be an MQTT path, or null when it can. */
  public static String pathProblem(String path) {
    if (path == null || !path.startsWith("/") || path.length() < 2) {
      return "path must start with '/' and name something after it: " + path;
    }
    if (path.contains("*") || path.contains(":") || path.contains("?") || path.contains("#") || path.contains(" ")) {
      return "path must be a plain path (no '*', ':', '?', '#' or spaces): " + path;
    }
    if (path.equals("/health") || path.endsWith("/")) {
      return "path must not be /health or end with '/': " + path;
    }
    return null;
  }

  /** Why {@code origin} cannot be on the allow-list, or null when it can. */
  public static String originProblem(String origin) {
    if (origin == null || origin.isBlank()) {
      return "origin must be a non-empty string";
    }
    String o = origin.trim().toLowerCase(Locale.ROOT);
    if (!(o.startsWith("http://") || o.startsWith("https://")) || o.length() <= "https://".length()
        || o.indexOf('/', o.indexOf("//") + 2) >= 0 && !o.endsWith("/")) {
      return "origin must look like scheme://host[:port] (http or https): " + origin;
    }
    return null;
  }

  static String normalizeOrigin(String origin) {
    String o = origin.trim().toLowerCase(Locale.ROOT);
    return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
  }
}
