package io.tributary.websocket;

import io.tributary.router.ListenerStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.tributary.mqtt.codec.ConnAck;
import io.tributary.mqtt.codec.Connect;
import io.tributary.mqtt.codec.MqttVersion;
import io.tributary.mqtt.codec.Packet;
import io.tributary.mqtt.codec.PingReq;
import io.tributary.mqtt.codec.PingResp;
import io.tributary.mqtt.codec.Publish;
import io.tributary.mqtt.codec.SubAck;
import io.tributary.mqtt.codec.Subscribe;
import io.tributary.mqtt.codec.TopicSubscription;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** WebSocket framing, handshake and HTTP routes, with frames written by the test. */
class WebSocketFramingTest {

  private static WsTestBroker broker;

  @BeforeAll
  static void start() {
    broker = WsTestBroker.start();
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  private static byte[] connect(int level, String clientId) {
    return RawWs.encode(new Connect(level, clientId, true, 0, null, null, null));
  }

  private static byte[] subscribe(int id, String filter) {
    return RawWs.encode(new Subscribe(id, List.of(new TopicSubscription(filter, 0))));
  }

  private static RawWs open(String... subprotocols) throws Exception {
    return RawWs.connect(broker.vertx(), RawWs.options(broker.wsPort(), "/mqtt", subprotocols));
  }

  private static int rejectedStatus(Vertx vertx, WebSocketConnectOptions options) {
    return assertThrows(UpgradeRejectedException.class, () -> RawWs.connect(vertx, options).close()).getStatus();
  }

  @Test
  void packetSplitAcrossFramesIsReassembled() throws Exception {
    try (RawWs ws = open("mqtt")) {
      assertEquals("mqtt", ws.ws.subProtocol());
      // CONNECT in three binary messages, cut inside the fixed header and inside the client id.
      ws.sendMessages(RawWs.split(connect(MqttVersion.V3_1_1, "split-frames"), 1, 15));
      assertEquals(0, ws.expect(ConnAck.class).returnCode());
      // SUBSCRIBE as the fragments of one message: a binary frame and two continuation frames.
      ws.sendFragments(RawWs.split(subscribe(7, "split/#"), 2, 6));
      assertEquals(List.of(0), ws.expect(SubAck.class).returnCodes());
      // One byte per frame.
      byte[] ping = RawWs.encode(new PingReq());
      ws.sendMessages(RawWs.split(ping, 1));
      ws.expect(PingResp.class);

      MqttClient tcp = new MqttClient(broker.tcpUri(), "split-pub", new MemoryPersistence());
      tcp.connect(new MqttConnectOptions());
      tcp.publish("split/x", new MqttMessage("over tcp".getBytes(StandardCharsets.UTF_8)));
      Publish p = ws.expect(Publish.class);
      assertEquals("split/x", p.topic());
      assertEquals("over tcp", p.payload().toString(StandardCharsets.UTF_8));
      tcp.disconnect();
      tcp.close();
    }
  }

  @Test
  void severalPacketsInOneFrame() throws Exception {
    try (RawWs ws = open("mqtt")) {
      byte[] publish = RawWs.encode(new Publish("batch/self", 0, false, false, 0,
          Unpooled.wrappedBuffer("one frame".getBytes(StandardCharsets.UTF_8))));
      ws.sendMessages(List.of(RawWs.concat(connect(MqttVersion.V3_1_1, "batched"), subscribe(1, "batch/#"),
          publish, RawWs.encode(new PingReq()))));
      assertEquals(0, ws.expect(ConnAck.class).returnCode());
      assertEquals(List.of(0), ws.expect(SubAck.class).returnCodes());
      // The PINGRESP is immediate; the PUBLISH comes back through the log, before or after it.
      List<Packet> next = List.of(ws.expect(Packet.class), ws.expect(Packet.class));
      Publish p = (Publish) next.stream().filter(x -> x instanceof Publish).findFirst().orElseThrow();
      assertEquals("one frame", p.payload().toString(StandardCharsets.UTF_8));
      assertTrue(next.stream().anyMatch(x -> x instanceof PingResp), next.toString());
      // And a frame that ends with half a packet: the rest comes in the next frame.
      byte[] two = RawWs.concat(RawWs.encode(new PingReq()), RawWs.encode(new PingReq()));
      ws.sendMessages(RawWs.split(two, 3));
      ws.expect(PingResp.class);
      ws.expect(PingResp.class);
    }
  }

  @Test
  void textFrameClosesTheConnection() throws Exception {
    try (RawWs ws = open("mqtt")) {
      ws.sendMessages(List.of(connect(MqttVersion.V3_1_1, "texter")));
      assertEquals(0, ws.expect(ConnAck.class).returnCode());
      ws.ws.writeTextMessage("hello").await(5, TimeUnit.SECONDS);
      assertTrue(ws.awaitClosed(), "closed after a text frame");
      assertEquals((short) 1003, ws.ws.closeStatusCode());
    }
  }

  @Test
  void subprotocolMustBeMqtt() throws Exception {
    assertEquals(400, rejectedStatus(broker.vertx(), RawWs.options(broker.wsPort(), "/mqtt")));
    assertEquals(400, rejectedStatus(broker.vertx(), RawWs.options(broker.wsPort(), "/mqtt", "chat")));
    try (RawWs ws = open("chat", "mqtt")) {
      assertEquals("mqtt", ws.ws.subProtocol());
    }
  }

  @Test
  void mqttv31SubprotocolIsAccepted() throws Exception {
    try (RawWs ws = open("mqttv3.1")) {
      assertEquals("mqttv3.1", ws.ws.subProtocol());
      // The subprotocol is accepted; the MQTT engine speaks 3.1.1 and 5.0 over it.
      ws.sendMessages(List.of(connect(MqttVersion.V3_1_1, "old-client")));
      assertEquals(0, ws.expect(ConnAck.class).returnCode());
    }
  }

  @Test
  void otherPathsAreNotMqtt() {
    assertEquals(404, rejectedStatus(broker.vertx(), RawWs.options(broker.wsPort(), "/other", "mqtt")));
    assertEquals(426, get("/mqtt").statusCode());
  }

  @Test
  void healthIsJson() throws Exception {
    Response r = get("/health");
    assertEquals(200, r.statusCode());
    assertTrue(r.contentType().startsWith("application/json"));
    JsonObject body = r.body().toJsonObject();
    assertEquals("UP", body.getString("status"));
    assertEquals(2, body.getJsonArray("listeners").size());
    JsonObject ws = body.getJsonArray("listeners").getJsonObject(1);
    assertEquals("mqtt-ws", ws.getString("protocol"));
    assertEquals(true, ws.getBoolean("up"));
    assertEquals("127.0.0.1:" + broker.wsPort(), ws.getString("address"));
  }

  @Test
  void healthIs503WhenAListenerIsDown() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      io.tributary.router.Broker b = new io.tributary.router.Broker(new io.tributary.router.RouterOptions());
      WebSocketListener listener = new WebSocketListener(vertx, b, null, new io.tributary.mqtt.MqttOptions(),
          new WebSocketOptions().setHost("127.0.0.1").setPort(0),
          () -> List.of(new ListenerStatus("mqtt", "mqtt", "0.0.0.0:1883", false)));
      SocketAddress bound = listener.listen().await(10, TimeUnit.SECONDS);
      Response r = get(vertx, bound.port(), "/health");
      assertEquals(503, r.statusCode());
      JsonObject body = r.body().toJsonObject();
      assertEquals("DOWN", body.getString("status"));
      assertFalse(body.getJsonArray("listeners").getJsonObject(0).getBoolean("up"));
      listener.close().await(10, TimeUnit.SECONDS);
      b.close();
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void originAllowList() throws Exception {
    try (WsTestBroker b = WsTestBroker.start(o -> o.setAllowedOrigins(List.of("https://console.example.com")))) {
      WebSocketConnectOptions bad = RawWs.options(b.wsPort(), "/mqtt", "mqtt").addHeader("Origin", "https://evil.example");
      assertEquals(403, rejectedStatus(b.vertx(), bad));
      WebSocketConnectOptions good = RawWs.options(b.wsPort(), "/mqtt", "mqtt")
          .addHeader("Origin", "https://Console.example.com");
      try (RawWs ws = RawWs.connect(b.vertx(), good)) {
        ws.sendMessages(List.of(connect(MqttVersion.V3_1_1, "from-console")));
        assertEquals(0, ws.expect(ConnAck.class).returnCode());
      }
      // Not a browser: no Origin header, nothing to check.
      try (RawWs ws = RawWs.connect(b.vertx(), RawWs.options(b.wsPort(), "/mqtt", "mqtt").setAllowOriginHeader(false))) {
        assertEquals("mqtt", ws.ws.subProtocol());
      }
    }
  }

  @Test
  void severalPaths() throws Exception {
    try (WsTestBroker b = WsTestBroker.start(o -> o.setPaths(List.of("/mqtt", "/ws/mqtt")))) {
      for (String path : List.of("/mqtt", "/ws/mqtt")) {
        try (RawWs ws = RawWs.connect(b.vertx(), RawWs.options(b.wsPort(), path, "mqtt"))) {
          ws.sendMessages(List.of(connect(MqttVersion.V3_1_1, "path" + path.length())));
          assertEquals(0, ws.expect(ConnAck.class).returnCode());
        }
      }
    }
  }

  record Response(int statusCode, String contentType, io.vertx.core.buffer.Buffer body) {}

  static Response get(Vertx vertx, int port, String uri) {
    HttpClient http = vertx.createHttpClient();
    try {
      return http.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port).setURI(uri))
          .compose(req -> req.send().compose(r -> r.body().map(b -> new Response(r.statusCode(), r.getHeader("content-type"), b))))
          .await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      http.close();
    }
  }

  private static Response get(String uri) {
    return get(broker.vertx(), broker.wsPort(), uri);
  }
}
