package io.tributary.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.router.counters.BrokerCounters.Counter;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bridges to Debian's {@code mosquitto} (a real process; .ci/run installs it) from a Tributary
 * broker deployed here, with Paho clients on both sides: topics both ways with prefixes remapped,
 * no echo (MQTT 5 No Local, Mosquitto's 3.1.1 bridge marker), QoS 2 exactly once while Mosquitto
 * is stopped and started again mid-stream, and the bridge's saved position across a restart of
 * Tributary while Mosquitto is away.
 */
// A guard against a hang (a client library waiting forever), not a performance bound.
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class BridgeTest {

  @TempDir
  Path dir;
  private Vertx vertx;
  private int localPort;
  private int remotePort;
  private int adminPort;
  private Process mosquitto;
  private BrokerVerticle broker;
  private String deployment;
  private final List<MqttClient> clients = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    localPort = io.tributary.mqtt.TestBroker.freePort();
    remotePort = io.tributary.mqtt.TestBroker.freePort();
    adminPort = io.tributary.mqtt.TestBroker.freePort();
  }

  @AfterEach
  void stop() throws Exception {
    for (MqttClient c : clients) {
      try {
        if (c.isConnected()) {
          c.disconnectForcibly(100, 100);
        }
        c.close(true);
      } catch (Exception e) {
        // a client of a broker that is gone
      }
    }
    stopMosquitto();
    vertx.close().await(20, TimeUnit.SECONDS);
  }

  private void startMosquitto() throws Exception {
    startMosquitto("");
  }

  /** Mosquitto on remotePort (plain), with more listeners from extra. */
  private void startMosquitto(String extra) throws Exception {
    Path conf = Files.writeString(dir.resolve("mosquitto.conf"), "allow_anonymous true\npersistence true\n"
        + "persistence_location " + dir + "/\nuser root\nmax_queued_messages 100000\n"
        + "listener " + remotePort + " 127.0.0.1\n" + extra);
    mosquitto = new ProcessBuilder("/usr/sbin/mosquitto", "-c", conf.toString()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("mosquitto.log").toFile())).start();
    await(() -> listening(remotePort), "mosquitto listening");
  }

  /** SIGTERM: Mosquitto saves its sessions (persistence) and exits. */
  private void stopMosquitto() throws InterruptedException {
    if (mosquitto != null) {
      mosquitto.destroy();
      assertTrue(mosquitto.waitFor(20, TimeUnit.SECONDS), "mosquitto stopped");
      mosquitto = null;
    }
  }

  private JsonObject config(int protocolVersion, String... topics) {
    JsonObject bridge = new JsonObject().put("name", "site").put("address", "127.0.0.1:" + remotePort)
        .put("protocolVersion", protocolVersion).put("reconnectMinMs", 100).put("reconnectMaxMs", 500)
        .put("topics", new JsonArray(List.of((Object[]) topics)));
    return new JsonObject().put("instances", 2).put("log", new JsonObject().put("dir", dir.resolve("log").toString()))
        .put("listeners", new JsonArray().add(new JsonObject().put("name", "mqtt").put("protocol", "mqtt")
            .put("host", "127.0.0.1").put("port", localPort))
            .add(new JsonObject().put("name", "admin").put("protocol", "admin").put("host", "127.0.0.1")
                .put("port", adminPort)))
        .put("bridges", new JsonArray().add(bridge));
  }

  private void startTributary(JsonObject config) throws Exception {
    broker = new BrokerVerticle();
    deployment = vertx.deployVerticle(broker, new DeploymentOptions().setConfig(config)).await(20, TimeUnit.SECONDS);
  }

  private void stopTributary() throws Exception {
    vertx.undeploy(deployment).await(20, TimeUnit.SECONDS);
  }

  private void awaitBridge(boolean connected) throws InterruptedException {
    await(() -> broker.bridges().get(0).isConnected() == connected, "bridge connected: " + connected);
  }

  private MqttClient client(int port, String id, boolean clean, int version) throws Exception {
    MqttClient c = new MqttClient("tcp://127.0.0.1:" + port, id, new MemoryPersistence());
    clients.add(c);
    c.connect(options(clean, version));
    return c;
  }

  private static MqttConnectOptions options(boolean clean, int version) {
    MqttConnectOptions o = new MqttConnectOptions();
    o.setCleanSession(clean);
    o.setMqttVersion(version);
    o.setMaxInflight(1_000);
    return o;
  }

  /** Collects "topic payload" of what c receives, across reconnects. */
  private static BlockingQueue<String> collect(MqttClient c) {
    BlockingQueue<String> got = new LinkedBlockingQueue<>();
    c.setCallback(new MqttCallback() {
      @Override
      public void connectionLost(Throwable cause) {
      }

      @Override
      public void messageArrived(String topic, MqttMessage m) {
        got.add(topic + " " + new String(m.getPayload(), StandardCharsets.UTF_8));
      }

      @Override
      public void deliveryComplete(IMqttDeliveryToken token) {
      }
    });
    return got;
  }

  /**
   * Out with a prefix added, in with it removed, and a topic both ways arriving once on each side:
   * the bridge neither sends back what it brought in nor gets its own messages back from the
   * remote (MQTT 5: No Local; MQTT 3.1.1: the bridge marker Mosquitto honours).
   */
  @ParameterizedTest
  @ValueSource(ints = {5, 4})
  void topicsCrossBothWaysRemappedAndNeverEcho(int protocolVersion) throws Exception {
    startMosquitto();
    startTributary(config(protocolVersion, "sensors/# out 1 \"\" site-a/", "commands/# in 1 \"\" site-a/",
        "chat/# both 2"));
    awaitBridge(true);
    MqttClient remote = client(remotePort, "remote-watch", true, MqttConnectOptions.MQTT_VERSION_3_1_1);
    BlockingQueue<String> atRemote = collect(remote);
    remote.subscribe(new String[] {"site-a/sensors/#", "chat/#", "sensors/#"}, new int[] {2, 2, 2});
    MqttClient local = client(localPort, "local-watch", true, MqttConnectOptions.MQTT_VERSION_3_1_1);
    BlockingQueue<String> atLocal = collect(local);
    local.subscribe(new String[] {"commands/#", "chat/#", "site-a/#"}, new int[] {2, 2, 2});
    MqttClient localPub = client(localPort, "local-pub", true, MqttConnectOptions.MQTT_VERSION_3_1_1);
    MqttClient remotePub = client(remotePort, "remote-pub", true, MqttConnectOptions.MQTT_VERSION_3_1_1);

    localPub.publish("sensors/1/temp", "21.5".getBytes(StandardCharsets.UTF_8), 1, false);
    assertEquals("site-a/sensors/1/temp 21.5", atRemote.poll(10, TimeUnit.SECONDS));
    remotePub.publish("site-a/commands/valve", "open".getBytes(StandardCharsets.UTF_8), 1, false);
    assertEquals("commands/valve open", atLocal.poll(10, TimeUnit.SECONDS));
    localPub.publish("chat/a", "from local".getBytes(StandardCharsets.UTF_8), 2, false);
    remotePub.publish("chat/b", "from remote".getBytes(StandardCharsets.UTF_8), 2, false);
    Set<String> remoteGot = Set.of(atRemote.poll(10, TimeUnit.SECONDS), atRemote.poll(10, TimeUnit.SECONDS));
    Set<String> localGot = Set.of(atLocal.poll(10, TimeUnit.SECONDS), atLocal.poll(10, TimeUnit.SECONDS));
    assertEquals(Set.of("chat/a from local", "chat/b from remote"), remoteGot);
    assertEquals(Set.of("chat/a from local", "chat/b from remote"), localGot);
    // An echo would come back within milliseconds on loopback; a second is a generous wait.
    assertNull(atRemote.poll(1, TimeUnit.SECONDS), "nothing more at the remote (no echo)");
    assertNull(atLocal.poll(100, TimeUnit.MILLISECONDS), "nothing more here (no echo)");
    var counters = broker.broker().counters();
    JsonObject overview = new JsonObject(java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + adminPort + "/api/v1/overview"))
            .build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body());
    assertEquals(new JsonObject().put("name", "site").put("connected", true).put("lagRecords", 0),
        overview.getJsonArray("bridges").getJsonObject(0), overview.encode());
    assertEquals(2, counters.get(Counter.BRIDGE_MESSAGES_OUT), "sensors/1/temp and chat/a went out");
    assertEquals(2, counters.get(Counter.BRIDGE_MESSAGES_IN), "commands/valve and chat/b came in");
  }

  /**
   * QoS 2 out while Mosquitto is stopped (SIGTERM; it saves its sessions) and started again in
   * the middle of the stream: the remote's persistent QoS 2 subscriber gets every message once, in
   * order. The publisher here never waits for the remote.
   */
  @Test
  void qos2StreamSurvivesTheRemoteStoppingAndStartingOnceEach() throws Exception {
    int n = 3_000;
    startMosquitto();
    MqttClient remote = client(remotePort, "remote-sub", false, MqttConnectOptions.MQTT_VERSION_3_1_1);
    BlockingQueue<String> atRemote = collect(remote);
    remote.subscribe("site/#", 2);
    startTributary(config(5, "chat/# out 2 \"\" site/"));
    awaitBridge(true);
    MqttClient pub = client(localPort, "local-pub", true, MqttConnectOptions.MQTT_VERSION_3_1_1);
    List<String> received = new CopyOnWriteArrayList<>();
    Thread publisher = new Thread(() -> {
      try {
        for (int i = 0; i < n; i++) {
          pub.publish("chat/stream", String.format("m%05d", i).getBytes(StandardCharsets.UTF_8), 2, false);
          if (i % 10 == 0) {
            Thread.sleep(5);
          }
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    publisher.start();
    drainUntil(atRemote, received, 500);
    stopMosquitto();
    awaitBridge(false);
    Thread.sleep(1_000); // the bridge tries again meanwhile, and fails
    startMosquitto();
    remote.connect(options(false, MqttConnectOptions.MQTT_VERSION_3_1_1));
    publisher.join(120_000);
    drainUntil(atRemote, received, n);
    assertNull(atRemote.poll(1, TimeUnit.SECONDS), "nothing more (no message twice)");
    assertInOrderOnce(received, "site/chat/stream m%05d", n);
  }

  /**
   * The bridge's position is saved: messages stored here while the remote was away go out after
   * this broker restarts (on the same log), and what the remote queued for the bridge's persistent
   * session while this broker was down comes in.
   */
  @Test
  void theBridgeResumesFromItsSavedPositionAfterThisBrokerRestarts() throws Exception {
    startMosquitto();
    MqttClient remote = client(remotePort, "remote-sub", false, MqttConnectOptions.MQTT_VERSION_3_1_1);
    remote.subscribe("site/chat/#", 1);
    JsonObject config = config(5, "chat/# out 1 \"\" site/", "commands/# in 1 \"\" site/");
    startTributary(config);
    awaitBridge(true);
    MqttClient localSub = client(localPort, "local-sub", false, MqttConnectOptions.MQTT_VERSION_3_1_1);
    localSub.subscribe("commands/#", 1);
    localSub.disconnect();
    remote.disconnect();
    stopMosquitto();
    awaitBridge(false);
    MqttClient pub = client(localPort, "local-pub", true, MqttConnectOptions.MQTT_VERSION_3_1_1);
    for (int i = 0; i < 500; i++) {
      pub.publish("chat/held", String.format("m%05d", i).getBytes(StandardCharsets.UTF_8), 1, false);
    }
    pub.disconnect();
    stopTributary();
    startMosquitto();
    MqttClient remotePub = client(remotePort, "remote-pub", true, MqttConnectOptions.MQTT_VERSION_3_1_1);
    for (int i = 0; i < 100; i++) {
      remotePub.publish("site/commands/c", String.format("m%05d", i).getBytes(StandardCharsets.UTF_8), 1, false);
    }
    startTributary(config);
    awaitBridge(true);
    BlockingQueue<String> atRemote = collect(remote);
    remote.connect(options(false, MqttConnectOptions.MQTT_VERSION_3_1_1));
    List<String> out = new ArrayList<>();
    drainUntil(atRemote, out, 500);
    assertInOrderOnce(out, "site/chat/held m%05d", 500);
    BlockingQueue<String> atLocal = collect(localSub);
    localSub.connect(options(false, MqttConnectOptions.MQTT_VERSION_3_1_1));
    List<String> in = new ArrayList<>();
    drainUntil(atLocal, in, 100);
    assertInOrderOnce(in, "commands/c m%05d", 100);
  }

  /**
   * TLS to the remote with a client certificate: Mosquitto's TLS listener requires one signed by
   * its CA; the bridge verifies the server's certificate (and its 127.0.0.1 address) against the CA.
   */
  @Test
  void aBridgeOverTlsPresentsItsCertificate() throws Exception {
    io.tributary.mqtt.TestCerts certs = io.tributary.mqtt.TestCerts.create();
    try {
      int tlsPort = io.tributary.mqtt.TestBroker.freePort();
      startMosquitto("listener " + tlsPort + " 127.0.0.1\ncafile " + certs.pem("ca.pem") + "\ncertfile "
          + certs.pem("server.pem") + "\nkeyfile " + certs.pem("server.key") + "\nrequire_certificate true\n");
      await(() -> listening(tlsPort), "mosquitto's TLS listener");
      JsonObject config = config(5, "sensors/# out 1 \"\" tls/");
      config.getJsonArray("bridges").getJsonObject(0).put("address", "127.0.0.1:" + tlsPort)
          .put("tls", new JsonObject().put("caPath", certs.pem("ca.pem")).put("certPath", certs.pem("client.pem"))
              .put("keyPath", certs.pem("client.key")));
      MqttClient remote = client(remotePort, "remote-watch", true, MqttConnectOptions.MQTT_VERSION_3_1_1);
      BlockingQueue<String> atRemote = collect(remote);
      remote.subscribe("tls/#", 1);
      startTributary(config);
      awaitBridge(true);
      MqttClient pub = client(localPort, "local-pub", true, MqttConnectOptions.MQTT_VERSION_3_1_1);
      pub.publish("sensors/secure", "over tls".getBytes(StandardCharsets.UTF_8), 1, false);
      assertEquals("tls/sensors/secure over tls", atRemote.poll(10, TimeUnit.SECONDS));
    } finally {
      certs.delete();
    }
  }

  /**
   * A message larger than the remote's Maximum Packet Size (Mosquitto's max_packet_size, in its
   * MQTT 5 CONNACK) is skipped with a warning: sent, it would get the bridge disconnected, again
   * after every reconnect, and hold up everything behind it.
   */
  @Test
  void aMessageTooLargeForTheRemoteIsSkippedNotRetriedForever() throws Exception {
    startMosquitto("max_packet_size 300\n");
    MqttClient remote = client(remotePort, "remote-watch", true, MqttConnectOptions.MQTT_VERSION_3_1_1);
    BlockingQueue<String> atRemote = collect(remote);
    remote.subscribe("big/#", 1);
    startTributary(config(5, "big/# out 1"));
    awaitBridge(true);
    MqttClient pub = client(localPort, "local-pub", true, MqttConnectOptions.MQTT_VERSION_3_1_1);
    pub.publish("big/one", new byte[1_000], 1, false);
    pub.publish("big/two", "small".getBytes(StandardCharsets.UTF_8), 1, false);
    assertEquals("big/two small", atRemote.poll(10, TimeUnit.SECONDS));
    assertNull(atRemote.poll(500, TimeUnit.MILLISECONDS));
    var counters = broker.broker().counters();
    assertEquals(1, counters.get(Counter.BRIDGE_CONNECTS), "never disconnected over it");
    assertEquals(1, counters.get(Counter.DELIVERIES_DROPPED_TOO_LARGE));
  }

  /**
   * MQTT 5 properties cross with the message both ways: user properties, content type, response
   * topic and correlation data, Paho v5 on each side.
   */
  @Test
  void mqtt5PropertiesCrossBothWays() throws Exception {
    startMosquitto();
    startTributary(config(5, "props/# both 1"));
    awaitBridge(true);
    BlockingQueue<org.eclipse.paho.mqttv5.common.MqttMessage> atRemote = new LinkedBlockingQueue<>();
    BlockingQueue<org.eclipse.paho.mqttv5.common.MqttMessage> atLocal = new LinkedBlockingQueue<>();
    var remote = v5(remotePort, "remote-v5", atRemote);
    remote.subscribe("props/to-remote", 1);
    var local = v5(localPort, "local-v5", atLocal);
    local.subscribe("props/to-local", 1);
    local.publish("props/to-remote", withProperties("from here"));
    remote.publish("props/to-local", withProperties("from there"));
    for (var m : List.of(atRemote.poll(10, TimeUnit.SECONDS), atLocal.poll(10, TimeUnit.SECONDS))) {
      var p = m.getProperties();
      assertEquals("text/plain", p.getContentType());
      assertEquals("replies/1", p.getResponseTopic());
      assertEquals("corr", new String(p.getCorrelationData(), StandardCharsets.UTF_8));
      assertEquals(List.of(new org.eclipse.paho.mqttv5.common.packet.UserProperty("site", "a")),
          p.getUserProperties());
    }
    remote.disconnect();
    local.disconnect();
  }

  private static org.eclipse.paho.mqttv5.client.MqttClient v5(int port, String id,
      BlockingQueue<org.eclipse.paho.mqttv5.common.MqttMessage> got) throws Exception {
    var c = new org.eclipse.paho.mqttv5.client.MqttClient("tcp://127.0.0.1:" + port, id,
        new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
    c.setCallback(io.tributary.mqtt.Paho5Callback.of((t, message) -> got.add(message), response -> { }));
    c.connect(new org.eclipse.paho.mqttv5.client.MqttConnectionOptions());
    return c;
  }

  private static org.eclipse.paho.mqttv5.common.MqttMessage withProperties(String text) {
    var m = new org.eclipse.paho.mqttv5.common.MqttMessage(text.getBytes(StandardCharsets.UTF_8));
    m.setQos(1);
    var p = new org.eclipse.paho.mqttv5.common.packet.MqttProperties();
    p.setContentType("text/plain");
    p.setResponseTopic("replies/1");
    p.setCorrelationData("corr".getBytes(StandardCharsets.UTF_8));
    p.setUserProperties(List.of(new org.eclipse.paho.mqttv5.common.packet.UserProperty("site", "a")));
    m.setProperties(p);
    return m;
  }

  /**
   * A remote that takes the TCP connection and never answers the CONNECT: after 10 s the bridge
   * gives up on that connection and connects again (it does not hang on it).
   */
  @Test
  void aRemoteThatNeverAnswersIsLeftAndTriedAgain() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      JsonObject config = config(5, "x/# out 1");
      config.getJsonArray("bridges").getJsonObject(0).put("address", "127.0.0.1:" + silent.getLocalPort());
      startTributary(config);
      silent.setSoTimeout(5_000);
      Socket first = silent.accept();
      assertTrue(first.getInputStream().read() >= 0, "the bridge sent its CONNECT");
      silent.setSoTimeout(20_000);
      Socket second = silent.accept(); // connected again after the CONNACK timeout and a backoff
      first.setSoTimeout(5_000);
      first.getInputStream().readAllBytes(); // the rest of the CONNECT, then the end: closed by the bridge
      second.close();
      first.close();
      assertEquals(false, broker.bridges().get(0).isConnected());
    }
  }

  /** Moves what arrives into into until it holds count entries or nothing came for 20 s. */
  private static void drainUntil(BlockingQueue<String> from, List<String> into, int count)
      throws InterruptedException {
    while (into.size() < count) {
      String s = from.poll(20, TimeUnit.SECONDS);
      if (s == null) {
        return;
      }
      into.add(s);
    }
  }

  private static void assertInOrderOnce(List<String> got, String format, int n) {
    Set<String> distinct = new LinkedHashSet<>(got);
    assertEquals(got.size(), distinct.size(), "no message twice");
    assertEquals(n, got.size(), "every message arrived");
    for (int i = 0; i < n; i++) {
      assertEquals(String.format(format, i), got.get(i), "in order at " + i);
    }
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    for (int i = 0; i < 400 && !condition.getAsBoolean(); i++) {
      Thread.sleep(50);
    }
    assertTrue(condition.getAsBoolean(), what);
  }

  /** Whether something accepts connections on 127.0.0.1:port (BridgeIT uses it too). */
  static boolean listening(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
