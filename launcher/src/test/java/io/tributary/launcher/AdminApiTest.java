package io.tributary.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.mqtt.MqttWire;
import io.tributary.mqtt.codec.Disconnect;
import io.tributary.router.security.PasswordFile;
import io.tributary.router.security.PasswordHash;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin listener of a broker deployed as the launcher deploys it, driven over real sockets:
 * Paho and the raw MQTT 5 client on the MQTT side, the JDK's HTTP client on the admin side.
 */
class AdminApiTest {

  private static final String TOKEN = "0123456789abcdef-test-token";

  @TempDir
  Path dir;
  private final Vertx vertx = Vertx.vertx();
  private final HttpClient http = HttpClient.newHttpClient();
  private int mqttPort;
  private int adminPort;
  private BrokerVerticle broker;

  @AfterEach
  void close() throws Exception {
    vertx.close().await(20, TimeUnit.SECONDS);
  }

  private void start(JsonObject extra) throws Exception {
    mqttPort = EmbeddedBrokerTest.freePort();
    adminPort = EmbeddedBrokerTest.freePort();
    JsonObject config = new JsonObject().put("instances", 2).put("log", EmbeddedBrokerTest.freshLog())
        .put("listeners", new JsonArray()
            .add(new JsonObject().put("name", "mqtt").put("protocol", "mqtt").put("host", "127.0.0.1").put("port", mqttPort))
            .add(new JsonObject().put("name", "admin").put("protocol", "admin").put("host", "127.0.0.1").put("port", adminPort)))
        .mergeIn(extra);
    broker = new BrokerVerticle();
    vertx.deployVerticle(broker, new DeploymentOptions().setConfig(config)).await(20, TimeUnit.SECONDS);
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).GET(), headers);
  }

  private HttpResponse<String> send(HttpRequest.Builder b, String... headers) throws Exception {
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + adminPort + path);
  }

  private static double metric(String text, String nameAndLabels) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(nameAndLabels) + " (\\S+)$").matcher(text);
    assertTrue(m.find(), nameAndLabels + " in\n" + text);
    return Double.parseDouble(m.group(1));
  }

  private MqttClient paho(String id, boolean clean) throws Exception {
    MqttClient c = new MqttClient("tcp://127.0.0.1:" + mqttPort, id, new MemoryPersistence());
    MqttConnectOptions o = new MqttConnectOptions();
    o.setCleanSession(clean);
    o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    o.setMaxInflight(1000); // QoS 1 bursts: Paho's default of 10 unacknowledged publishes throws when acks lag
    c.connect(o);
    return c;
  }

  @Test
  void metricsCountWhatClientsDoAndChangeUnderLoad() throws Exception {
    start(new JsonObject());
    String before = get("/metrics").body();
    assertEquals(0.0, metric(before, "tributary_messages_received_total{listener=\"mqtt\",protocol=\"mqtt\",qos=\"1\"}"));
    assertTrue(before.contains("jvm_memory_used_bytes"), "JVM meters are there too");

    MqttClient sub = paho("m-sub", true);
    BlockingQueue<String> got = new ArrayBlockingQueue<>(100);
    sub.subscribe("load/#", 1, (t, m) -> got.add(t));
    MqttClient pub = paho("m-pub", true);
    for (int i = 0; i < 50; i++) {
      pub.publish("load/" + i, new MqttMessage(("m" + i).getBytes()) {{ setQos(1); }});
    }
    for (int i = 0; i < 50; i++) {
      assertNotNull(got.poll(10, TimeUnit.SECONDS), "delivery " + i);
    }
    HttpResponse<String> r = get("/metrics");
    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/plain"), r.headers().toString());
    String after = r.body();
    assertEquals(50.0, metric(after, "tributary_messages_received_total{listener=\"mqtt\",protocol=\"mqtt\",qos=\"1\"}"));
    assertEquals(50.0, metric(after, "tributary_messages_sent_total{listener=\"mqtt\",protocol=\"mqtt\",qos=\"1\"}"));
    assertEquals(50.0, metric(after, "tributary_messages_published_total"), after.lines().filter(l -> l.contains("published")).toList().toString());
    assertTrue(metric(after, "tributary_received_bytes_total{listener=\"mqtt\",protocol=\"mqtt\"}") > 50 * 8);
    assertTrue(metric(after, "tributary_sent_bytes_total{listener=\"mqtt\",protocol=\"mqtt\"}") > 50 * 8);
    assertEquals(2.0, metric(after, "tributary_connections{listener=\"mqtt\",protocol=\"mqtt\"}"));
    assertEquals(2.0, metric(after, "tributary_sessions{state=\"online\"}"));
    assertEquals(1.0, metric(after, "tributary_subscriptions"));
    assertEquals(2.0, metric(after, "tributary_connects_accepted_total"));
    assertTrue(metric(after, "tributary_log_end_offset") >= 50);
    assertTrue(after.contains("tributary_event_loop_lag_seconds{loop=\"loop-0\"}"), after);

    pub.disconnect();
    pub.close();
    sub.disconnect();
    sub.close();
    MqttWire.connect311(mqttPort, "m-lost", true, 60, null).close(); // no DISCONNECT: lost
    long deadline = System.currentTimeMillis() + 10_000;
    String end;
    do {
      Thread.sleep(50);
      end = get("/metrics").body();
    } while ((metric(end, "tributary_sessions{state=\"online\"}") != 0
        || metric(end, "tributary_connections_lost_total") == 0) && System.currentTimeMillis() < deadline);
    assertEquals(2.0, metric(end, "tributary_disconnects_by_client_total"));
    assertEquals(1.0, metric(end, "tributary_connections_lost_total"), "the client that closed its socket");
    assertEquals(0.0, metric(end, "tributary_connections{listener=\"mqtt\",protocol=\"mqtt\"}"));

    // A protocol violation is counted by the reason code it was closed with.
    try (MqttWire twice = MqttWire.connect5(mqttPort, "connects-twice")) {
      twice.sendConnect5("connects-twice", new io.tributary.mqtt.codec.MqttProperties());
      assertEquals(0x82, twice.expect(Disconnect.class, 10_000).reasonCode());
    }
    String violations = get("/metrics").body();
    assertEquals(1.0, metric(violations,
        "tributary_mqtt_protocol_violations_by_reason_total{name=\"protocol error\",reason=\"0x82\"}"));
    assertEquals(0.0, metric(violations,
        "tributary_mqtt_protocol_violations_by_reason_total{name=\"other\",reason=\"other\"}"));
    assertEquals(1.0, metric(violations, "tributary_mqtt_protocol_violations_total"));
  }

  @Test
  void healthAndAnUnknownPathAnswerJson() throws Exception {
    start(new JsonObject());
    HttpResponse<String> health = get("/health");
    assertEquals(200, health.statusCode());
    JsonObject h = new JsonObject(health.body());
    assertEquals("UP", h.getString("status"));
    assertEquals(2, h.getJsonArray("listeners").size());
    HttpResponse<String> missing = get("/nope");
    assertEquals(404, missing.statusCode());
    assertTrue(new JsonObject(missing.body()).getString("error").contains("/nope"));
    JsonObject openApi = new JsonObject(get("/api/v1/openapi.json").body());
    assertEquals("3.0.3", openApi.getString("openapi"));
    assertTrue(openApi.getJsonObject("paths").containsKey("/clients/{id}"));
  }

  @Test
  void theApiListsShowsAndDisconnectsClientsAndEndsSessions() throws Exception {
    start(new JsonObject());
    MqttClient keeper = paho("api-keeper", false);
    keeper.subscribe("api/#", 1);
    MqttClient other = paho("other-1", true);
    try (MqttWire v5 = MqttWire.connect5(mqttPort, "api-v5")) {
      JsonObject list = new JsonObject(get("/api/v1/clients?prefix=api-").body());
      assertEquals(2, list.getInteger("total"), list.encode());
      JsonArray items = list.getJsonArray("items");
      assertEquals("api-keeper", items.getJsonObject(0).getString("clientId"), "sorted by client id");
      assertEquals("api-v5", items.getJsonObject(1).getString("clientId"));
      assertEquals(5, items.getJsonObject(1).getInteger("protocolVersion"));
      assertEquals("mqtt", items.getJsonObject(1).getString("listener"));
      assertEquals(1, new JsonObject(get("/api/v1/clients?prefix=api-&size=1&page=1").body())
          .getJsonArray("items").size());
      assertEquals(400, get("/api/v1/clients?size=0").statusCode());

      JsonObject keeperInfo = new JsonObject(get("/api/v1/clients/api-keeper").body());
      assertEquals("api/#", keeperInfo.getJsonArray("subscriptions").getJsonObject(0).getString("filter"));
      assertEquals(0, keeperInfo.getLong("lag"));
      assertEquals(404, get("/api/v1/clients/nobody").statusCode());

      // DELETE a client: an MQTT 5 client is told 0x98, administrative action.
      HttpResponse<String> kicked = send(HttpRequest.newBuilder(uri("/api/v1/clients/api-v5")).DELETE());
      assertEquals(200, kicked.statusCode(), kicked.body());
      assertEquals(0x98, v5.expect(Disconnect.class, 10_000).reasonCode());
    }
    // The persistent session stays, offline, and is listed as a session, not as a client.
    send(HttpRequest.newBuilder(uri("/api/v1/clients/api-keeper")).DELETE());
    long deadline = System.currentTimeMillis() + 10_000;
    while (keeper.isConnected() && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    assertFalse(keeper.isConnected());
    keeper.close();
    assertEquals(404, get("/api/v1/clients/api-keeper").statusCode());
    JsonObject offline = new JsonObject(get("/api/v1/sessions?connected=false").body());
    assertEquals(1, offline.getInteger("total"), offline.encode());
    assertEquals("api-keeper", offline.getJsonArray("items").getJsonObject(0).getString("clientId"));

    // Messages for it pile up as lag, without a connection.
    other.publish("api/x", new MqttMessage("1".getBytes()));
    other.publish("api/x", new MqttMessage("2".getBytes()));
    assertEquals(2, new JsonObject(get("/api/v1/sessions/api-keeper").body()).getLong("lag"));
    JsonObject subs = new JsonObject(get("/api/v1/subscriptions?filter=api/%23").body());
    assertEquals(1, subs.getInteger("total"));

    HttpResponse<String> ended = send(HttpRequest.newBuilder(uri("/api/v1/sessions/api-keeper")).DELETE());
    assertEquals(200, ended.statusCode(), ended.body());
    assertEquals(404, get("/api/v1/sessions/api-keeper").statusCode());
    MqttClient back = new MqttClient("tcp://127.0.0.1:" + mqttPort, "api-keeper", new MemoryPersistence());
    MqttConnectOptions o = new MqttConnectOptions();
    o.setCleanSession(false);
    o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    assertFalse(back.connectWithResult(o).getSessionPresent(), "the session really ended");
    back.disconnect();
    back.close();
    other.disconnect();
    other.close();
  }

  @Test
  void retainedMessagesPublishAndTheLogThroughTheApi() throws Exception {
    start(new JsonObject());
    MqttClient sub = paho("r-sub", true);
    BlockingQueue<String> got = new ArrayBlockingQueue<>(10);
    sub.subscribe("ops/#", 1, (t, m) -> got.add(t + " " + new String(m.getPayload(), StandardCharsets.UTF_8)
        + (m.isRetained() ? " retained" : "")));

    HttpResponse<String> published = send(HttpRequest.newBuilder(uri("/api/v1/publish"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"topic\":\"ops/note\",\"payload\":\"from the API\",\"qos\":1,\"retain\":true}")));
    assertEquals(200, published.statusCode(), published.body());
    assertEquals("ops/note from the API", got.poll(10, TimeUnit.SECONDS));
    assertEquals(400, send(HttpRequest.newBuilder(uri("/api/v1/publish"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"topic\":\"ops/#\"}"))).statusCode());
    assertEquals(400, send(HttpRequest.newBuilder(uri("/api/v1/publish"))
        .POST(HttpRequest.BodyPublishers.ofString("not json"))).statusCode());

    JsonObject retained = new JsonObject(get("/api/v1/retained?filter=ops/%23").body());
    assertEquals(1, retained.getInteger("total"));
    assertEquals("from the API", retained.getJsonArray("items").getJsonObject(0).getString("payload"));
    HttpResponse<String> cleared = send(HttpRequest.newBuilder(uri("/api/v1/retained?topic=ops/note")).DELETE());
    assertEquals(200, cleared.statusCode(), cleared.body());
    assertEquals(0, new JsonObject(get("/api/v1/retained?filter=ops/%23").body()).getInteger("total"));
    assertEquals(404, send(HttpRequest.newBuilder(uri("/api/v1/retained?topic=ops/note")).DELETE()).statusCode());

    JsonObject log = new JsonObject(get("/api/v1/log").body());
    assertEquals(2, log.getLong("endOffset"), log.encode());
    assertTrue(log.getLong("newestTimestamp") >= log.getLong("oldestTimestamp"));
    sub.disconnect();
    sub.close();
  }

  @Test
  void withCredentialsConfiguredTheApiWantsThemButMetricsAndHealthDoNot() throws Exception {
    Path passwords = dir.resolve("passwd");
    PasswordFile file = PasswordFile.empty();
    file.put("ops", PasswordHash.create("ops-pw".getBytes(StandardCharsets.UTF_8), 1000));
    file.put("device", PasswordHash.create("dev-pw".getBytes(StandardCharsets.UTF_8), 1000));
    file.save(passwords);
    start(new JsonObject()
        .put("auth", new JsonObject().put("passwordFile", passwords.toString()).put("allowAnonymous", true))
        .put("admin", new JsonObject().put("users", new JsonArray().add("ops")).put("tokens", new JsonArray().add(TOKEN))));

    HttpResponse<String> none = get("/api/v1/clients");
    assertEquals(401, none.statusCode());
    assertTrue(none.headers().firstValue("www-authenticate").isPresent());
    assertTrue(new JsonObject(none.body()).getString("error").contains("authentication required"));
    assertEquals(200, get("/api/v1/clients", "Authorization", "Bearer " + TOKEN).statusCode());
    assertEquals(401, get("/api/v1/clients", "Authorization", "Bearer wrong-token-0123456789").statusCode());
    assertEquals(200, get("/api/v1/clients", "Authorization", basic("ops", "ops-pw")).statusCode());
    assertEquals(401, get("/api/v1/clients", "Authorization", basic("ops", "wrong")).statusCode());
    assertEquals(401, get("/api/v1/clients", "Authorization", basic("device", "dev-pw")).statusCode(),
        "a user of the password file without the admin role");
    assertEquals(200, get("/metrics").statusCode());
    assertEquals(200, get("/health").statusCode());

    JsonObject config = new JsonObject(get("/api/v1/config", "Authorization", "Bearer " + TOKEN).body());
    assertEquals("***", config.getJsonObject("admin").getJsonArray("tokens").getString(0), "tokens are not shown");
    assertEquals(10, config.getJsonObject("sys").getInteger("intervalSeconds"), "defaults are filled in");
    HttpResponse<String> reload = send(HttpRequest.newBuilder(uri("/api/v1/reload"))
        .POST(HttpRequest.BodyPublishers.noBody()), "Authorization", "Bearer " + TOKEN);
    assertEquals(200, reload.statusCode(), reload.body());
    assertEquals("2 user(s)", new JsonObject(reload.body()).getJsonArray("reloaded").getJsonObject(0).getString("holds"));
  }

  private static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void sysTopicsAreMosquittosAndReadOnly() throws Exception {
    start(new JsonObject().put("sys", new JsonObject().put("intervalSeconds", 1)));
    MqttClient c = paho("sys-reader", true);
    BlockingQueue<String> got = new ArrayBlockingQueue<>(1000);
    c.subscribe("$SYS/broker/#", 0, (t, m) -> got.add(t + " " + new String(m.getPayload(), StandardCharsets.UTF_8)));
    java.util.Map<String, String> seen = new java.util.HashMap<>();
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline && !seen.containsKey("$SYS/broker/load/connections/15min")) {
      String line = got.poll(1, TimeUnit.SECONDS);
      if (line != null) {
        int space = line.indexOf(' ');
        seen.put(line.substring(0, space), line.substring(space + 1));
      }
    }
    assertEquals("1", seen.get("$SYS/broker/clients/connected"), seen.toString());
    assertTrue(seen.get("$SYS/broker/version").startsWith("tributary "), seen.toString());
    assertTrue(seen.get("$SYS/broker/uptime").endsWith(" seconds"), seen.toString());
    assertTrue(seen.containsKey("$SYS/broker/load/messages/received/1min"), seen.toString());
    assertTrue(seen.containsKey("$SYS/broker/log/offset/end"), seen.toString());

    // A client may not publish into $SYS: the retained value stays the broker's.
    c.publish("$SYS/broker/version", new MqttMessage("forged".getBytes()) {{ setRetained(true); }});
    Thread.sleep(300);
    JsonObject retained = new JsonObject(get("/api/v1/retained?filter=%24SYS/broker/version").body());
    assertTrue(retained.getJsonArray("items").getJsonObject(0).getString("payload").startsWith("tributary "));
    c.disconnect();
    c.close();
  }

  @Test
  void tracingAClientLogsItsPacketsForAWhileWithoutARestart() throws Exception {
    start(new JsonObject());
    ch.qos.logback.classic.Logger trace =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.tributary.trace");
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
        new ch.qos.logback.core.read.ListAppender<>();
    lines.start();
    trace.addAppender(lines);
    try {
      MqttClient quiet = paho("not-traced", true);
      HttpResponse<String> on = send(HttpRequest.newBuilder(uri("/api/v1/clients/traced-1/trace?seconds=30"))
          .POST(HttpRequest.BodyPublishers.noBody()));
      assertEquals(200, on.statusCode(), on.body());
      assertEquals("traced-1", new JsonObject(get("/api/v1/traces").body()).getJsonArray("items")
          .getJsonObject(0).getString("clientId"));
      MqttClient traced = paho("traced-1", true);
      traced.subscribe("t/#", 1, (t, m) -> { });
      quiet.publish("t/x", new MqttMessage("hi".getBytes()));
      long deadline = System.currentTimeMillis() + 10_000;
      while (System.currentTimeMillis() < deadline && lines.list.stream()
          .noneMatch(e -> e.getFormattedMessage().contains("in: PUBACK{packetId=1"))) {
        Thread.sleep(20);
      }
      List<String> text = lines.list.stream().map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).toList();
      assertTrue(text.stream().anyMatch(l -> l.startsWith("traced-1@") && l.contains("in: Subscribe")), text.toString());
      assertTrue(text.stream().anyMatch(l -> l.contains("out: Publish{topic=t/x, qos=1")), text.toString());
      assertTrue(text.stream().anyMatch(l -> l.contains("in: PUBACK{packetId=1")), text.toString());
      assertTrue(text.stream().anyMatch(l -> l.contains("in: Connect{") && l.contains("password=null")), text.toString());
      assertTrue(text.stream().noneMatch(l -> l.startsWith("not-traced")), "only the traced client");

      assertEquals(200, send(HttpRequest.newBuilder(uri("/api/v1/clients/traced-1/trace")).DELETE()).statusCode());
      int before = lines.list.size();
      quiet.publish("t/x", new MqttMessage("again".getBytes()));
      Thread.sleep(300);
      assertEquals(before, lines.list.size(), "nothing more once stopped");
      assertEquals(400, send(HttpRequest.newBuilder(uri("/api/v1/clients/x/trace?seconds=0"))
          .POST(HttpRequest.BodyPublishers.noBody())).statusCode());
      traced.disconnect();
      traced.close();
      quiet.disconnect();
      quiet.close();
    } finally {
      trace.detachAppender(lines);
    }
  }

  @Test
  void devicesAreCountedListedAndDisconnectedLikeMqttClients() throws Exception {
    int devicePort = EmbeddedBrokerTest.freePort();
    mqttPort = EmbeddedBrokerTest.freePort();
    adminPort = EmbeddedBrokerTest.freePort();
    JsonObject config = new JsonObject().put("instances", 2).put("log", EmbeddedBrokerTest.freshLog())
        .put("listeners", new JsonArray()
            .add(new JsonObject().put("name", "mqtt").put("protocol", "mqtt").put("host", "127.0.0.1").put("port", mqttPort))
            .add(new JsonObject().put("name", "devices").put("protocol", "raw-tcp").put("host", "127.0.0.1")
                .put("port", devicePort))
            .add(new JsonObject().put("name", "admin").put("protocol", "admin").put("host", "127.0.0.1").put("port", adminPort)));
    broker = new BrokerVerticle();
    vertx.deployVerticle(broker, new DeploymentOptions().setConfig(config)).await(20, TimeUnit.SECONDS);

    MqttClient app = paho("app", true);
    BlockingQueue<String> up = new ArrayBlockingQueue<>(4);
    app.subscribe("devices/+/up", 0, (t, m) -> up.add(t + " " + new String(m.getPayload(), StandardCharsets.UTF_8)));
    try (java.net.Socket device = new java.net.Socket("127.0.0.1", devicePort)) {
      device.getOutputStream().write("pump-7\nflow=12\n".getBytes(StandardCharsets.UTF_8));
      device.getOutputStream().flush();
      assertEquals("devices/pump-7/up flow=12", up.poll(10, TimeUnit.SECONDS));
      app.publish("devices/pump-7/down", new MqttMessage("stop".getBytes()));
      byte[] got = new byte[5];
      device.setSoTimeout(10_000);
      assertEquals(5, device.getInputStream().readNBytes(got, 0, 5));
      assertEquals("stop\n", new String(got, StandardCharsets.UTF_8));

      String m = get("/metrics").body();
      assertEquals(1.0, metric(m, "tributary_messages_received_total{listener=\"devices\",protocol=\"raw-tcp\",qos=\"0\"}"));
      assertEquals(1.0, metric(m, "tributary_messages_sent_total{listener=\"devices\",protocol=\"raw-tcp\",qos=\"1\"}"));
      assertEquals(1.0, metric(m, "tributary_connections{listener=\"devices\",protocol=\"raw-tcp\"}"));
      assertEquals(15.0, metric(m, "tributary_received_bytes_total{listener=\"devices\",protocol=\"raw-tcp\"}"));

      JsonObject listed = new JsonObject(get("/api/v1/clients?protocol=raw-tcp").body());
      assertEquals(1, listed.getInteger("total"), listed.encode());
      JsonObject dev = listed.getJsonArray("items").getJsonObject(0);
      assertEquals("device/pump-7", dev.getString("clientId"));
      assertEquals("devices", dev.getString("listener"));
      HttpResponse<String> kicked = send(HttpRequest.newBuilder(uri("/api/v1/clients/device%2Fpump-7")).DELETE());
      assertEquals(200, kicked.statusCode(), kicked.body());
      assertEquals(-1, device.getInputStream().read(), "the device's socket is closed");
    }
    app.disconnect();
    app.close();
  }
}
