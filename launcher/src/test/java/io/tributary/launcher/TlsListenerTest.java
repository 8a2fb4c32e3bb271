package io.tributary.launcher;

import io.tributary.mqtt.TestCerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Listener {@code tls} blocks through the launcher: config checks, mqtts and wss with real clients. */
class TlsListenerTest {

  static TestCerts certs;

  @BeforeAll
  static void pki() throws Exception {
    certs = TestCerts.create();
  }

  @AfterAll
  static void cleanup() throws Exception {
    certs.delete();
  }

  static JsonObject tls(String clientAuth, boolean ca) {
    JsonObject t = new JsonObject().put("certPath", certs.pem("server.pem")).put("keyPath", certs.pem("server.key"));
    if (clientAuth != null) {
      t.put("clientAuth", clientAuth);
    }
    if (ca) {
      t.put("caPath", certs.pem("ca.pem"));
    }
    return t;
  }

  static JsonObject mqtts(int port, JsonObject tls) {
    return new JsonObject().put("name", "mqtts").put("protocol", "mqtt").put("host", "127.0.0.1").put("port", port)
        .put("tls", tls);
  }

  static String error(JsonObject json) {
    return assertThrows(ConfigException.class, () -> BrokerConfig.from(json)).getMessage();
  }

  static JsonObject one(JsonObject listener) {
    return new JsonObject().put("log", EmbeddedBrokerTest.freshLog()).put("listeners", new JsonArray().add(listener));
  }

  @Test
  void tlsBlockIsValidatedNamingTheKey() {
    BrokerConfig c = BrokerConfig.from(one(mqtts(8883, tls(null, false))));
    assertEquals(BrokerConfig.ClientAuthMode.none, c.listeners.get(0).tls.clientAuth);
    NetServerOptions o = ListenerTls.serverOptions(c.listeners.get(0), BrokerConfig.TlsEngine.jdk);
    assertTrue(o.isSsl());
    assertEquals(ListenerTls.PROTOCOLS, o.getEnabledSecureTransportProtocols());
    assertEquals(ClientAuth.NONE, o.getClientAuth());
    assertTrue(o.getSslEngineOptions() instanceof JdkSSLEngineOptions);

    c = BrokerConfig.from(one(mqtts(8883, tls("require", true))));
    o = ListenerTls.serverOptions(c.listeners.get(0), BrokerConfig.TlsEngine.jdk);
    assertEquals(ClientAuth.REQUIRED, o.getClientAuth());

    String msg = error(one(mqtts(8883, tls("require", false))));
    assertTrue(msg.contains("'listeners[0].tls.caPath'") && msg.contains("required"), msg);
    msg = error(one(mqtts(8883, tls("none", true))));
    assertTrue(msg.contains("'listeners[0].tls.caPath'"), msg);
    msg = error(one(mqtts(8883, tls("sometimes", true))));
    assertTrue(msg.contains("'listeners[0].tls.clientAuth'") && msg.contains("request"), msg);
    msg = error(one(mqtts(8883, tls("request", false).put("caPath", "/nonexistent/ca.pem"))));
    assertTrue(msg.contains("'listeners[0].tls.caPath'") && msg.contains("/nonexistent/ca.pem"), msg);
    msg = error(one(mqtts(8883, tls(null, false).put("keyPath", "/nonexistent/key.pem"))));
    assertTrue(msg.contains("'listeners[0].tls.keyPath'"), msg);
    msg = error(new JsonObject().put("tls", new JsonObject().put("engine", "gnutls")));
    assertTrue(msg.contains("'tls.engine'"), msg);
  }

  @Test
  void tlsIdentityNeedsClientCertificates() {
    BrokerConfig c = BrokerConfig.from(one(mqtts(8883, tls("require", true).put("identity", "username"))));
    assertEquals(io.tributary.mqtt.TlsIdentity.USERNAME, c.mqttOptions(c.listeners.get(0)).getTlsIdentity());
    BrokerConfig plain = BrokerConfig.from(one(mqtts(8883, tls(null, false))));
    assertEquals(io.tributary.mqtt.TlsIdentity.NONE, plain.mqttOptions(plain.listeners.get(0)).getTlsIdentity());
    String msg = error(one(mqtts(8883, tls(null, false).put("identity", "clientId"))));
    assertTrue(msg.contains("'listeners[0].tls.identity'") && msg.contains("client certificates"), msg);
    msg = error(one(mqtts(8883, tls("require", true).put("identity", "cn"))));
    assertTrue(msg.contains("'listeners[0].tls.identity'") && msg.contains("none, username or clientId"), msg);
  }

  /** Issue 13, fail closed: Vert.x would start the listener and fail every handshake. */
  @Test
  void aKeyThatDoesNotMatchItsCertificateStopsTheStartNamingKeyPath() throws Exception {
    JsonObject wrongKey = tls(null, false).put("keyPath", certs.pem("client.key")); // server.pem's key is server.key
    Vertx vertx = Vertx.vertx();
    try {
      Throwable failure = assertThrows(Exception.class, () -> vertx.deployVerticle(new BrokerVerticle(),
          new DeploymentOptions().setConfig(one(mqtts(EmbeddedBrokerTest.freePort(), wrongKey))))
          .await(20, TimeUnit.SECONDS));
      assertTrue(failure instanceof ConfigException, failure.toString());
      assertTrue(failure.getMessage().contains("'listeners[0].tls.keyPath'")
          && failure.getMessage().contains("does not match the certificate"), failure.getMessage());
      // The matching pair starts.
      vertx.deployVerticle(new BrokerVerticle(), new DeploymentOptions()
          .setConfig(one(mqtts(EmbeddedBrokerTest.freePort(), tls(null, false))))).await(20, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void engineChoice() {
    assertEquals(BrokerConfig.TlsEngine.auto, BrokerConfig.from(new JsonObject()).tls.engine);
    assertEquals(BrokerConfig.TlsEngine.jdk, ListenerTls.resolve(BrokerConfig.TlsEngine.jdk));
    BrokerConfig.TlsEngine auto = ListenerTls.resolve(BrokerConfig.TlsEngine.auto);
    if (ListenerTls.openSslAvailable()) {
      assertEquals(ListenerTls.PREFERRED, auto);
      BrokerConfig.from(new JsonObject().put("tls", new JsonObject().put("engine", "openssl")));
      assertTrue(ListenerTls.engineOptions(BrokerConfig.TlsEngine.openssl) instanceof OpenSSLEngineOptions);
    } else {
      assertEquals(BrokerConfig.TlsEngine.jdk, auto);
      String msg = error(new JsonObject().put("tls", new JsonObject().put("engine", "openssl")));
      assertTrue(msg.contains("'tls.engine'"), msg);
    }
  }

  static MqttClient connect(String uri, String id, SSLContext ctx) throws MqttException {
    MqttClient c = new MqttClient(uri, id, new MemoryPersistence());
    MqttConnectOptions o = new MqttConnectOptions();
    o.setSocketFactory(ctx.getSocketFactory());
    o.setConnectionTimeout(10);
    c.connect(o);
    return c;
  }

  /** mqtts with client certificates required, and wss, on each engine, with Paho as the client. */
  @ParameterizedTest
  @ValueSource(strings = {"jdk", "openssl"})
  void mqttsAndWssThroughTheLauncher(String engine) throws Exception {
    Assumptions.assumeTrue("jdk".equals(engine) || ListenerTls.openSslAvailable(), "OpenSSL not available here");
    int tlsPort = EmbeddedBrokerTest.freePort();
    int wssPort = EmbeddedBrokerTest.freePort();
    JsonObject config = new JsonObject().put("instances", 2).put("tls", new JsonObject().put("engine", engine))
        .put("listeners", new JsonArray()
            .add(mqtts(tlsPort, tls("require", true)))
            .add(new JsonObject().put("name", "wss").put("protocol", "mqtt-ws").put("host", "127.0.0.1")
                .put("port", wssPort).put("tls", tls(null, false))));
    Vertx vertx = Vertx.vertx();
    try {
      BrokerVerticle broker = new BrokerVerticle();
      vertx.deployVerticle(broker, new DeploymentOptions().setConfig(config)).await(20, TimeUnit.SECONDS);
      MqttClient device = connect("ssl://localhost:" + tlsPort, "dev1", certs.clientContext("client"));
      MqttClient browser = connect("wss://localhost:" + wssPort + "/mqtt", "browser", certs.clientContext(null));
      // Counted for /metrics: the device's and the browser's handshakes; a client speaking plain
      // MQTT to the TLS port is a failed one.
      io.tributary.router.counters.BrokerCounters counters = broker.broker().counters();
      assertEquals(2, counters.get(io.tributary.router.counters.BrokerCounters.Counter.TLS_HANDSHAKES));
      try (java.net.Socket plain = new java.net.Socket("127.0.0.1", tlsPort)) {
        plain.getOutputStream().write(new byte[] {0x10, 0x0c, 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 60, 0, 0});
        plain.getOutputStream().flush();
        long deadline = System.currentTimeMillis() + 10_000;
        while (counters.get(io.tributary.router.counters.BrokerCounters.Counter.TLS_HANDSHAKES_FAILED) == 0
            && System.currentTimeMillis() < deadline) {
          Thread.sleep(20);
        }
      }
      assertEquals(1, counters.get(io.tributary.router.counters.BrokerCounters.Counter.TLS_HANDSHAKES_FAILED));
      BlockingQueue<String> atBrowser = new ArrayBlockingQueue<>(4);
      BlockingQueue<String> atDevice = new ArrayBlockingQueue<>(4);
      browser.subscribe("up/#", 1, (t, m) -> atBrowser.add(t + " " + new String(m.getPayload(), StandardCharsets.UTF_8)));
      device.subscribe("down/#", 1, (t, m) -> atDevice.add(t + " " + new String(m.getPayload(), StandardCharsets.UTF_8)));
      device.publish("up/temp", new MqttMessage("21.5".getBytes(StandardCharsets.UTF_8)));
      assertEquals("up/temp 21.5", atBrowser.poll(10, TimeUnit.SECONDS));
      browser.publish("down/led", new MqttMessage("on".getBytes(StandardCharsets.UTF_8)));
      assertEquals("down/led on", atDevice.poll(10, TimeUnit.SECONDS));

      // mutual TLS refused: no certificate, and a certificate from another CA
      assertThrows(MqttException.class, () -> connect("ssl://localhost:" + tlsPort, "anon", certs.clientContext(null)));
      assertThrows(MqttException.class,
          () -> connect("ssl://localhost:" + tlsPort, "stranger", certs.clientContext("stranger")));

      device.disconnect();
      device.close();
      browser.disconnect();
      browser.close();
    } finally {
      vertx.close().await(20, TimeUnit.SECONDS);
    }
  }

  /**
   * Certificates rotated in place (same paths, new files) are served to new connections after
   * {@code reloadTls} (what SIGHUP and {@code POST /api/v1/reload} call); open connections keep
   * theirs and stay up; a key that does not match its certificate is refused and the pair in force
   * stays.
   */
  @Test
  void certificatesRotatedInPlaceAreServedAfterAReload() throws Exception {
    TestCerts next = TestCerts.create();
    java.nio.file.Path live = java.nio.file.Files.createTempDirectory("tributary-live-tls");
    try {
      copy(certs, "server.pem", live);
      copy(certs, "server.key", live);
      int port = EmbeddedBrokerTest.freePort();
      JsonObject tls = new JsonObject().put("certPath", live.resolve("server.pem").toString())
          .put("keyPath", live.resolve("server.key").toString());
      JsonObject config = new JsonObject().put("instances", 2).put("log", EmbeddedBrokerTest.freshLog())
          .put("listeners", new JsonArray().add(mqtts(port, tls)));
      Vertx vertx = Vertx.vertx();
      try {
        BrokerVerticle broker = new BrokerVerticle();
        vertx.deployVerticle(broker, new DeploymentOptions().setConfig(config)).await(20, TimeUnit.SECONDS);
        java.math.BigInteger first = serialOf(certs, "server.pem");
        java.math.BigInteger second = serialOf(next, "server.pem");
        javax.net.ssl.SSLSocket open = handshake(port);
        assertEquals(first, ((java.security.cert.X509Certificate) open.getSession().getPeerCertificates()[0]).getSerialNumber());
        io.tributary.mqtt.MqttWire wire = io.tributary.mqtt.MqttWire.over(open, 4);
        wire.connect("before-rotation", true, 60, (io.tributary.mqtt.codec.Will) null);

        copy(next, "server.pem", live);
        copy(next, "server.key", live);
        java.util.List<String> result = broker.reloadTls().await(20, TimeUnit.SECONDS);
        assertTrue(result.get(0).contains("TLS certificate CN=localhost"), result.toString());
        for (int i = 0; i < 4; i++) { // new connections land on either event loop: both have it
          try (javax.net.ssl.SSLSocket s = handshake(port)) {
            assertEquals(second, ((java.security.cert.X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber());
          }
        }
        wire.ping();
        wire.expect(io.tributary.mqtt.codec.PingResp.class, 10_000); // the open connection stays

        copy(certs, "server.key", live); // a key that does not belong to the certificate
        result = broker.reloadTls().await(20, TimeUnit.SECONDS);
        assertTrue(result.get(0).contains("not reloaded") && result.get(0).contains("does not match"), result.toString());
        try (javax.net.ssl.SSLSocket s = handshake(port)) {
          assertEquals(second, ((java.security.cert.X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber());
        }
        wire.close();
      } finally {
        vertx.close().await(20, TimeUnit.SECONDS);
      }
    } finally {
      next.delete();
    }
  }

  private static void copy(TestCerts from, String file, java.nio.file.Path to) throws java.io.IOException {
    // Written beside, then moved over: a reader never sees half a file.
    java.nio.file.Path tmp = to.resolve(file + ".new");
    java.nio.file.Files.copy(from.path(file), tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    java.nio.file.Files.move(tmp, to.resolve(file), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private static java.math.BigInteger serialOf(TestCerts c, String file) throws Exception {
    try (java.io.InputStream in = java.nio.file.Files.newInputStream(c.path(file))) {
      return ((java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
          .generateCertificate(in)).getSerialNumber();
    }
  }

  /** A TLS connection that trusts any server certificate: the test looks at which one it got. */
  private static javax.net.ssl.SSLSocket handshake(int port) throws Exception {
    javax.net.ssl.SSLContext trustAll = javax.net.ssl.SSLContext.getInstance("TLS");
    trustAll.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
      public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {}
      public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {}
      public java.security.cert.X509Certificate[] getAcceptedIssuers() {
        return new java.security.cert.X509Certificate[0];
      }
    }}, null);
    javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) trustAll.getSocketFactory().createSocket("127.0.0.1", port);
    s.startHandshake();
    return s;
  }
}
