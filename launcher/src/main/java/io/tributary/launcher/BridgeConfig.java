package io.tributary.launcher;

import static io.tributary.launcher.ConfigException.check;

import io.tributary.bridge.BridgeOptions;
import io.tributary.bridge.TopicMapping;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One entry of {@code bridges}: a connection to another MQTT broker, as its client, and the topics
 * that cross, in Mosquitto's {@code PATTERN [out|in|both [QOS [LOCAL-PREFIX REMOTE-PREFIX]]]} form.
 */
public final class BridgeConfig {

  public String name;
  /** {@code host:port} (port 1883, or 8883 with TLS, when absent). */
  public String address;
  public String clientId;
  public String username;
  public String password;
  public int protocolVersion = BridgeOptions.DEFAULT_PROTOCOL_LEVEL;
  public boolean cleanStart = false;
  public long sessionExpirySeconds = BridgeOptions.DEFAULT_SESSION_EXPIRY_SECONDS;
  public int keepAliveSeconds = BridgeOptions.DEFAULT_KEEP_ALIVE_SECONDS;
  public boolean bridgeMarker = true;
  public int maxInflight = BridgeOptions.DEFAULT_MAX_INFLIGHT;
  public long reconnectMinMs = BridgeOptions.DEFAULT_RECONNECT_MIN_MS;
  public long reconnectMaxMs = BridgeOptions.DEFAULT_RECONNECT_MAX_MS;
  public Tls tls;
  public List<String> topics = new ArrayList<>();

  /** TLS to the remote: on when present. */
  public static final class Tls {
    /** PEM of the certificate authorities to trust; absent: the JDK's. */
    public String caPath;
    public String certPath;
    public String keyPath;
    public boolean verifyHostname = true;
  }

  static void validateAll(List<BridgeConfig> bridges) {
    check(bridges != null, "bridges", "must be a list ([] for none)");
    Set<String> names = new HashSet<>();
    for (int i = 0; i < bridges.size(); i++) {
      String key = "bridges[" + i + "]";
      BridgeConfig b = bridges.get(i);
      check(b != null, key, "must be an object");
      b.validate(key);
      check(names.add(b.name), key + ".name", "duplicate bridge name '" + b.name + "'");
    }
  }

  private void validate(String key) {
    check(name != null && name.matches("[A-Za-z0-9._-]+"), key + ".name",
        "is required: letters, digits, '.', '_' or '-', was " + name);
    check(address != null && address.matches("[^\\s:]+(:\\d{1,5})?"), key + ".address",
        "must be host or host:port, was " + address);
    check(port() > 0 && port() <= 65535, key + ".address", "port must be 1..65535, was " + port());
    check(clientId == null || !clientId.isEmpty(), key + ".clientId", "must not be empty (absent: tributary-bridge-NAME)");
    check(password == null || username != null, key + ".password", "needs a username");
    check(protocolVersion == 4 || protocolVersion == 5, key + ".protocolVersion",
        "must be 4 (MQTT 3.1.1) or 5 (MQTT 5.0), was " + protocolVersion);
    check(sessionExpirySeconds >= 0 && sessionExpirySeconds <= 0xFFFF_FFFFL, key + ".sessionExpirySeconds",
        "must be 0 to 4294967295, was " + sessionExpirySeconds);
    check(keepAliveSeconds >= 0 && keepAliveSeconds <= 65535, key + ".keepAliveSeconds",
        "must be 0 to 65535, was " + keepAliveSeconds);
    check(maxInflight >= 1 && maxInflight <= 65535, key + ".maxInflight", "must be 1 to 65535, was " + maxInflight);
    check(reconnectMinMs >= 1, key + ".reconnectMinMs", "must be at least 1, was " + reconnectMinMs);
    check(reconnectMaxMs >= reconnectMinMs, key + ".reconnectMaxMs",
        "must be at least reconnectMinMs (" + reconnectMinMs + "), was " + reconnectMaxMs);
    if (tls != null) {
      readable(tls.caPath, key + ".tls.caPath");
      readable(tls.certPath, key + ".tls.certPath");
      readable(tls.keyPath, key + ".tls.keyPath");
      check((tls.certPath == null) == (tls.keyPath == null), key + ".tls", "certPath and keyPath go together");
    }
    check(topics != null && !topics.isEmpty(), key + ".topics", "must list at least one topic line");
    for (int j = 0; j < topics.size(); j++) {
      String line = topics.get(j);
      check(line != null, key + ".topics[" + j + "]", "must be a string");
      try {
        TopicMapping.parse(line);
      } catch (IllegalArgumentException e) {
        check(false, key + ".topics[" + j + "]", e.getMessage());
      }
    }
  }

  private static void readable(String path, String key) {
    check(path == null || Files.isReadable(Path.of(path)), key, "file " + path + " cannot be read");
  }

  private int port() {
    int colon = address.lastIndexOf(':');
    return colon < 0 ? (tls != null ? 8883 : 1883) : Integer.parseInt(address.substring(colon + 1));
  }

  BridgeOptions options() {
    int colon = address.lastIndexOf(':');
    BridgeOptions o = new BridgeOptions().setName(name).setHost(colon < 0 ? address : address.substring(0, colon))
        .setPort(port()).setClientId(clientId).setUsername(username).setPassword(password)
        .setProtocolLevel(protocolVersion).setCleanStart(cleanStart).setSessionExpirySeconds(sessionExpirySeconds)
        .setKeepAliveSeconds(keepAliveSeconds).setBridgeMarker(bridgeMarker).setMaxInflight(maxInflight)
        .setReconnectMinMs(reconnectMinMs).setReconnectMaxMs(reconnectMaxMs);
    if (tls != null) {
      o.setTls(true).setTlsCa(tls.caPath).setTlsCert(tls.certPath).setTlsKey(tls.keyPath)
          .setVerifyHostname(tls.verifyHostname);
    }
    for (String line : topics) {
      o.addTopic(TopicMapping.parse(line));
    }
    return o;
  }
}
