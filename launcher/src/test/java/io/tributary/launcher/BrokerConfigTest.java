package io.tributary.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.tributary.commitlog.CommitLogOptions;
import io.tributary.commitlog.FlushPolicy;
import io.tributary.commitlog.Storage;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class BrokerConfigTest {

  private static String error(JsonObject json) {
    return assertThrows(ConfigException.class, () -> BrokerConfig.from(json)).getMessage();
  }

  private static JsonObject listener(Object port) {
    return new JsonObject().put("name", "mqtt").put("protocol", "mqtt").put("host", "127.0.0.1").put("port", port);
  }

  @Test
  void builtInDefaultsAreConfBrokerJson() throws Exception {
    JsonObject file = new JsonObject(Files.readString(Path.of("..", "conf", "broker.json")));
    assertEquals(file, BrokerConfig.defaults());
    BrokerConfig parsed = BrokerConfig.from(file);
    BrokerConfig empty = BrokerConfig.from(new JsonObject());
    // Every key of broker.json equals the value the code uses when the key is absent.
    assertEquals(JsonObject.mapFrom(empty), JsonObject.mapFrom(parsed));
    assertEquals(1883, parsed.listeners.get(0).port);
    assertEquals("0.0.0.0", parsed.listeners.get(0).host);
    assertEquals(BrokerConfig.Transport.auto, parsed.transport);
  }

  @Test
  void authBlockIsValidatedNamingKeyFileAndLine(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    String msg = error(new JsonObject().put("auth", new JsonObject().put("allowAnonymous", "sometimes")));
    assertTrue(msg.contains("'auth.allowAnonymous'") && msg.contains("loopback"), msg);
    java.nio.file.Path missing = dir.resolve("missing.pw");
    msg = error(new JsonObject().put("auth", new JsonObject().put("passwordFile", missing.toString())));
    assertTrue(msg.contains("'auth.passwordFile'") && msg.contains("missing.pw"), msg);
    java.nio.file.Path broken = java.nio.file.Files.writeString(dir.resolve("broken.pw"), "# users\nalice\n");
    msg = error(new JsonObject().put("auth", new JsonObject().put("passwordFile", broken.toString())));
    assertTrue(msg.contains("'auth.passwordFile'") && msg.contains("line 2"), msg);
    java.nio.file.Path acl = java.nio.file.Files.writeString(dir.resolve("broken.acl"), "user a\ntopic read a/#/b\n");
    msg = error(new JsonObject().put("auth", new JsonObject().put("aclFile", acl.toString())));
    assertTrue(msg.contains("'auth.aclFile'") && msg.contains("broken.acl line 2") && msg.contains("a/#/b"), msg);
    assertEquals(io.tributary.router.security.Authorizer.OPEN, BrokerConfig.from(new JsonObject()).auth.authorizer(),
        "no ACL file: open");
    assertEquals(io.tributary.router.security.PasswordAuthenticator.Anonymous.LOOPBACK,
        BrokerConfig.from(new JsonObject()).auth.authenticator().anonymous(), "the default");
    assertEquals(io.tributary.router.security.PasswordAuthenticator.Anonymous.ALLOW,
        BrokerConfig.from(new JsonObject().put("auth", new JsonObject().put("allowAnonymous", true)))
            .auth.authenticator().anonymous());
  }

  @Test
  void clusterBlockIsValidatedNamingTheKey() throws Exception {
    java.util.function.Function<JsonObject, String> cluster = c -> error(new JsonObject().put("cluster", c));
    String msg = cluster.apply(new JsonObject().put("port", 0));
    assertTrue(msg.contains("'cluster.port'"), msg);
    msg = cluster.apply(new JsonObject().put("members", new JsonArray().add("host:port:x")));
    assertTrue(msg.contains("'cluster.members[0]'"), msg);
    msg = cluster.apply(new JsonObject().put("nodeName", "node 1"));
    assertTrue(msg.contains("'cluster.nodeName'"), msg);
    msg = cluster.apply(new JsonObject().put("busPort", 5701));
    assertTrue(msg.contains("'cluster.busPort'"), msg);
    msg = cluster.apply(new JsonObject().put("forwardPort", 70000));
    assertTrue(msg.contains("'cluster.forwardPort'") && msg.contains("70000"), msg);
    msg = cluster.apply(new JsonObject().put("forwardTimeoutMs", 50));
    assertTrue(msg.contains("'cluster.forwardTimeoutMs'") && msg.contains("50"), msg);
    msg = cluster.apply(new JsonObject().put("forwardPort", 5701));
    assertTrue(msg.contains("'cluster.forwardPort'") && msg.contains("must differ"), msg);
    msg = cluster.apply(new JsonObject().put("hazelcastConfig", "/nonexistent/hz.xml"));
    assertTrue(msg.contains("'cluster.hazelcastConfig'") && msg.contains("/nonexistent/hz.xml"), msg);
    msg = cluster.apply(new JsonObject().put("enabled", "yes"));
    assertTrue(msg.contains("'cluster.enabled'"), msg);
    // The node files of conf/cluster parse; each node has its own name, ports and directory.
    java.util.Set<String> names = new java.util.HashSet<>();
    for (int n = 1; n <= 3; n++) {
      BrokerConfig c = BrokerConfig.from(new JsonObject(Files.readString(Path.of("..", "conf", "cluster",
          "node" + n + ".json"))));
      assertTrue(c.cluster.enabled);
      assertTrue(names.add(c.cluster.options().getNodeName()));
      assertEquals(1882 + n, c.listeners.get(0).port);
      assertEquals(5700 + n, c.cluster.port);
      assertEquals("data/node" + n, c.log.dir);
    }
  }

  @Test
  void bridgesAreValidatedNamingTheKey() throws Exception {
    java.util.function.Function<JsonObject, String> bridge = b -> error(new JsonObject().put("bridges",
        new JsonArray().add(new JsonObject().put("name", "a").put("address", "127.0.0.1:1884")
            .put("topics", new JsonArray().add("x/# out 1")).mergeIn(b))));
    String msg = bridge.apply(new JsonObject().put("topics", new JsonArray().add("x/# out 1").add("y/# sideways")));
    assertTrue(msg.contains("'bridges[0].topics[1]'") && msg.contains("direction must be out, in or both"), msg);
    msg = bridge.apply(new JsonObject().put("address", "host:port"));
    assertTrue(msg.contains("'bridges[0].address'"), msg);
    msg = bridge.apply(new JsonObject().put("protocolVersion", 3));
    assertTrue(msg.contains("'bridges[0].protocolVersion'"), msg);
    msg = bridge.apply(new JsonObject().put("topics", new JsonArray()));
    assertTrue(msg.contains("'bridges[0].topics'"), msg);
    msg = bridge.apply(new JsonObject().put("password", "p"));
    assertTrue(msg.contains("'bridges[0].password'") && msg.contains("needs a username"), msg);
    msg = bridge.apply(new JsonObject().put("tls", new JsonObject().put("caPath", "/nonexistent/ca.pem")));
    assertTrue(msg.contains("'bridges[0].tls.caPath'"), msg);
    msg = bridge.apply(new JsonObject().put("reconnectMaxMs", 10));
    assertTrue(msg.contains("'bridges[0].reconnectMaxMs'"), msg);
    msg = bridge.apply(new JsonObject().put("retries", 10));
    assertTrue(msg.contains("'bridges[0].retries'"), msg);
    // conf/bridge.json parses: one bridge, the address split, defaults filled in.
    BrokerConfig c = BrokerConfig.from(new JsonObject(Files.readString(Path.of("..", "conf", "bridge.json"))));
    var o = c.bridges.get(0).options();
    assertEquals("127.0.0.1", o.getHost());
    assertEquals(1884, o.getPort());
    assertEquals("tributary-bridge-site-a", o.getClientId());
    assertEquals(3, o.getTopics().size());
    assertFalse(o.isCleanStart());
  }

  @Test
  void unknownKeyIsNamed() {
    String msg = error(new JsonObject().put("mqtt", new JsonObject().put("maxPacketSise", 10)));
    assertTrue(msg.contains("'mqtt.maxPacketSise'"), msg);
    msg = error(new JsonObject().put("listeners", new JsonArray().add(listener(1883).put("tls", true))));
    assertTrue(msg.contains("'listeners[0].tls'"), msg);
  }

  @Test
  void wrongTypeIsNamed() {
    String msg = error(new JsonObject().put("listeners", new JsonArray().add(listener("1883"))));
    assertTrue(msg.contains("'listeners[0].port'"), msg);
    msg = error(new JsonObject().put("instances", "two"));
    assertTrue(msg.contains("'instances'"), msg);
    msg = error(new JsonObject().put("transport", "uring"));
    assertTrue(msg.contains("'transport'") && msg.contains("io_uring"), msg);
    msg = error(new JsonObject().put("mqtt", new JsonObject().put("maxPacketSize", 1.5)));
    assertTrue(msg.contains("'mqtt.maxPacketSize'"), msg);
  }

  @Test
  void impossibleValueIsNamed() {
    String msg = error(new JsonObject().put("listeners", new JsonArray().add(listener(70000))));
    assertTrue(msg.contains("'listeners[0].port'") && msg.contains("70000"), msg);
    msg = error(new JsonObject().put("instances", -1));
    assertTrue(msg.contains("'instances'"), msg);
    msg = error(new JsonObject().put("mqtt", new JsonObject().put("maxPacketSize", 0)));
    assertTrue(msg.contains("'mqtt.maxPacketSize'"), msg);
    msg = error(new JsonObject().put("sessions", new JsonObject().put("maxInflight", 0)));
    assertTrue(msg.contains("'sessions.maxInflight'"), msg);
    msg = error(new JsonObject().put("sessions", new JsonObject().put("subscribeLookbackMs", -1)));
    assertTrue(msg.contains("'sessions.subscribeLookbackMs'"), msg);
    msg = error(new JsonObject().put("log", new JsonObject().put("retentionBytes", -5)));
    assertTrue(msg.contains("'log.retentionBytes'"), msg);
    msg = error(new JsonObject().put("listeners", new JsonArray().add(listener(1883)).add(listener(1884))));
    assertTrue(msg.contains("'listeners[1].name'") && msg.contains("duplicate"), msg);
    msg = error(new JsonObject().put("listeners", new JsonArray()
        .add(listener(1883)).add(listener(1883).put("name", "other"))));
    assertTrue(msg.contains("'listeners[1].port'"), msg);
  }

  @Test
  void unknownProtocolsAreRefusedByName() {
    String msg = error(new JsonObject().put("listeners", new JsonArray().add(listener(8083).put("protocol", "amqp"))));
    assertTrue(msg.contains("'listeners[0].protocol'") && msg.contains("amqp"), msg);
  }

  private static JsonObject device(Object key, Object value) {
    return listener(7070).put("name", "devices").put("protocol", "raw-tcp")
        .put("device", new JsonObject().put(String.valueOf(key), value));
  }

  @Test
  void rawTcpIsServedWithItsDefaults() {
    BrokerConfig c = BrokerConfig.from(new JsonObject().put("listeners", new JsonArray()
        .add(listener(7070).put("name", "devices").put("protocol", "raw-tcp"))));
    io.tributary.tcp.RawTcpOptions o = c.listeners.get(0).device.rawTcpOptions();
    assertEquals(io.tributary.tcp.RawTcpOptions.Framing.LINES, o.getFraming());
    assertEquals("devices/{id}/up", o.getUplink());
    assertEquals("devices/{id}/down", o.getDownlink());
    assertEquals(0, o.getQos());
    assertEquals(10000, o.getIdentifyTimeoutMs());
    BrokerConfig defaults = BrokerConfig.from(BrokerConfig.defaults());
    assertEquals("raw-tcp", defaults.listeners.get(2).protocol);
    assertEquals(7070, defaults.listeners.get(2).port);
    c = BrokerConfig.from(new JsonObject().put("listeners", new JsonArray().add(device("framing", "length-prefixed")
        .put("device", new JsonObject().put("framing", "length-prefixed").put("prefix", "u32").put("qos", 1)))));
    o = c.listeners.get(0).device.rawTcpOptions();
    assertEquals(io.tributary.tcp.RawTcpOptions.Prefix.U32, o.getPrefix());
    assertEquals(1, o.getQos());
  }

  @Test
  void everyDeviceKeyIsValidatedByName() {
    Object[][] bad = {
        {"framing", "json"}, {"maxLineLength", 0}, {"prefix", "u8"}, {"maxFrameSize", -1}, {"frameSize", 0},
        {"identify", "password"}, {"identifyTimeoutMs", 0}, {"uplink", "devices/up"}, {"uplink", "devices/{id}/#"},
        {"qos", 3}, {"downlink", ""}, {"qos", "1"}, {"framming", "lines"}, {"identify", "client-certificate"}};
    for (Object[] b : bad) {
      String msg = error(new JsonObject().put("listeners", new JsonArray().add(device(b[0], b[1]))));
      assertTrue(msg.contains("'listeners[0].device." + b[0] + "'"), msg);
    }
    String msg = error(new JsonObject().put("listeners", new JsonArray().add(listener(1883)
        .put("device", new JsonObject()))));
    assertTrue(msg.contains("'listeners[0].device'"), msg);
  }

  private static JsonObject ws(int port) {
    return listener(port).put("name", "ws").put("protocol", "mqtt-ws");
  }

  @Test
  void mqttWsIsServedWithItsDefaults() {
    BrokerConfig c = BrokerConfig.from(new JsonObject().put("listeners", new JsonArray().add(ws(8083))));
    assertEquals("mqtt-ws", c.listeners.get(0).protocol);
    assertEquals(List.of("/mqtt"), c.listeners.get(0).webSocketOptions().getPaths());
    assertEquals(List.of(), c.listeners.get(0).webSocketOptions().getAllowedOrigins());
    assertFalse(c.listeners.get(0).webSocketOptions().isTls());

    BrokerConfig defaults = BrokerConfig.from(BrokerConfig.defaults());
    BrokerConfig.Listener l = defaults.listeners.get(1);
    assertEquals("mqtt-ws", l.name);
    assertEquals("mqtt-ws", l.protocol);
    assertEquals(8083, l.port);
    assertEquals(List.of("/mqtt"), l.paths);

    c = BrokerConfig.from(new JsonObject().put("listeners", new JsonArray().add(ws(8083)
        .put("paths", new JsonArray().add("/mqtt").add("/ws"))
        .put("allowedOrigins", new JsonArray().add("https://console.example.com")))));
    assertEquals(List.of("/mqtt", "/ws"), c.listeners.get(0).webSocketOptions().getPaths());
    assertEquals(List.of("https://console.example.com"), c.listeners.get(0).webSocketOptions().getAllowedOrigins());
  }

  @Test
  void mqttWsKeysAreValidatedByName() throws Exception {
    String msg = error(new JsonObject().put("listeners", new JsonArray().add(ws(8083).put("paths", new JsonArray()))));
    assertTrue(msg.contains("'listeners[0].paths'"), msg);
    msg = error(new JsonObject().put("listeners", new JsonArray().add(ws(8083).put("paths", new JsonArray().add("mqtt")))));
    assertTrue(msg.contains("'listeners[0].paths[0]'") && msg.contains("/"), msg);
    msg = error(new JsonObject().put("listeners", new JsonArray().add(ws(8083)
        .put("paths", new JsonArray().add("/mqtt").add("/health")))));
    assertTrue(msg.contains("'listeners[0].paths[1]'"), msg);
    msg = error(new JsonObject().put("listeners", new JsonArray().add(ws(8083)
        .put("paths", new JsonArray().add("/mqtt").add("/mqtt")))));
    assertTrue(msg.contains("'listeners[0].paths[1]'") && msg.contains("duplicate"), msg);
    msg = error(new JsonObject().put("listeners", new JsonArray().add(ws(8083).put("paths", "/mqtt"))));
    assertTrue(msg.contains("'listeners[0].paths'"), msg);
    msg = error(new JsonObject().put("listeners", new JsonArray().add(ws(8083)
        .put("allowedOrigins", new JsonArray().add("console.example.com")))));
    assertTrue(msg.contains("'listeners[0].allowedOrigins[0]'"), msg);
    msg = error(new JsonObject().put("listeners", new JsonArray().add(ws(8083)
        .put("tls", new JsonObject().put("certPath", "/nonexistent/cert.pem").put("keyPath", "/nonexistent/key.pem")))));
    assertTrue(msg.contains("'listeners[0].tls.certPath'") && msg.contains("/nonexistent/cert.pem"), msg);
    Path cert = Files.createTempFile("cert", ".pem");
    try {
      msg = error(new JsonObject().put("listeners", new JsonArray().add(ws(8083)
          .put("tls", new JsonObject().put("certPath", cert.toString())))));
      assertTrue(msg.contains("'listeners[0].tls.keyPath'") && msg.contains("required"), msg);
    } finally {
      Files.delete(cert);
    }
    msg = error(new JsonObject().put("listeners", new JsonArray().add(ws(8083)
        .put("tls", new JsonObject().put("cert", "x")))));
    assertTrue(msg.contains("'listeners[0].tls.cert'"), msg);
    // WebSocket keys on a TCP listener are refused, not ignored.
    msg = error(new JsonObject().put("listeners", new JsonArray().add(listener(1883).put("paths", new JsonArray().add("/mqtt")))));
    assertTrue(msg.contains("'listeners[0].paths'") && msg.contains("mqtt-ws"), msg);
  }

  @Test
  void missingRequiredListenerFieldsAreNamed() {
    String msg = error(new JsonObject().put("listeners", new JsonArray().add(new JsonObject().put("name", "x").put("protocol", "mqtt"))));
    assertTrue(msg.contains("'listeners[0].port'"), msg);
  }

  @Test
  void theDefaultLogIsOnDiskUnderDataAndTheLogBlockMapsToItsOptions() {
    CommitLogOptions defaults = BrokerConfig.from(new JsonObject()).routerOptions().getLog();
    assertEquals(Storage.DISK, defaults.getStorage());
    assertEquals("data", defaults.getDir());
    assertEquals(FlushPolicy.NONE, defaults.getFlush());
    CommitLogOptions set = BrokerConfig.from(new JsonObject().put("log", new JsonObject().put("storage", "memory")
        .put("flush", "always").put("dir", "/tmp/x").put("segmentBytes", 1 << 20).put("retentionMs", 0)))
        .routerOptions().getLog();
    assertEquals(Storage.MEMORY, set.getStorage());
    assertEquals(FlushPolicy.ALWAYS, set.getFlush());
    assertEquals("/tmp/x", set.getDir());
    assertEquals(1 << 20, set.getSegmentBytes());
    assertEquals(0, set.getRetentionMs());
  }

  @Test
  void logKeysAreValidatedByName() {
    assertTrue(error(new JsonObject().put("log", new JsonObject().put("storage", "tape"))).contains("'log.storage'"));
    assertTrue(error(new JsonObject().put("log", new JsonObject().put("flush", "sometimes"))).contains("'log.flush'"));
    assertTrue(error(new JsonObject().put("log", new JsonObject().put("segmentBytes", 0))).contains("'log.segmentBytes'"));
    assertTrue(error(new JsonObject().put("log", new JsonObject().put("retentionMs", -1))).contains("'log.retentionMs'"));
    assertTrue(error(new JsonObject().put("log", new JsonObject().put("flushIntervalMs", 0)))
        .contains("'log.flushIntervalMs'"));
    assertTrue(error(new JsonObject().put("log", new JsonObject().put("segmentRecords", 5)))
        .contains("segmentRecords"), "a key that no longer exists is refused by name");
  }

  @Test
  void connectionLimitsDefaultFromTheOpenFileLimit() {
    BrokerConfig auto = BrokerConfig.from(new JsonObject());
    long fds = LimitsConfig.openFileLimit();
    if (fds > 0) {
      assertEquals(fds - Math.max(256, fds / 10), auto.limits.effectiveMaxConnections());
    }
    assertEquals(auto.limits.effectiveMaxConnections() / 2, auto.limits.effectiveMaxConnectionsPerListener());
    BrokerConfig set = BrokerConfig.from(new JsonObject().put("limits",
        new JsonObject().put("maxConnections", 100).put("maxConnectionsPerListener", 500)));
    assertEquals(100, set.limits.effectiveMaxConnections());
    assertEquals(100, set.limits.effectiveMaxConnectionsPerListener(), "a listener never gets more than the broker");
  }

  @Test
  void hardeningKeysAreValidatedByName() {
    assertTrue(error(new JsonObject().put("limits", new JsonObject().put("connectionBurst", 0)))
        .contains("'limits.connectionBurst'"));
    assertTrue(error(new JsonObject().put("limits", new JsonObject().put("maxConnections", -1)))
        .contains("'limits.maxConnections'"));
    for (String key : java.util.List.of("maxSessions", "maxSubscriptionsPerClient", "maxRetainedMessages",
        "maxRetainedBytes")) {
      assertTrue(error(new JsonObject().put("limits", new JsonObject().put(key, 0))).contains("'limits." + key + "'"),
          key);
    }
    io.tributary.router.RouterOptions router = BrokerConfig.from(new JsonObject().put("limits",
        new JsonObject().put("maxSessions", 7).put("maxRetainedBytes", 5_000_000_000L))).routerOptions();
    assertEquals(7, router.getMaxSessions());
    assertEquals(5_000_000_000L, router.getMaxRetainedBytes());
    assertEquals(10_000, router.getMaxSubscriptionsPerClient(), "the default");
    assertTrue(error(new JsonObject().put("mqtt", new JsonObject().put("maxUserProperties", -1)))
        .contains("'mqtt.maxUserProperties'"));
    assertTrue(error(new JsonObject().put("mqtt", new JsonObject().put("writeStallTimeoutMs", 0)))
        .contains("'mqtt.writeStallTimeoutMs'"));
    assertTrue(error(new JsonObject().put("listeners", new io.vertx.core.json.JsonArray().add(
        new JsonObject().put("name", "m").put("protocol", "mqtt").put("port", 1).put("requestTimeoutMs", 5))))
        .contains("'listeners[0].requestTimeoutMs'"));
  }
}
