package io.tributary.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import io.vertx.core.transport.Transport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The launcher serves mqtt-ws listeners: MQTT over WebSocket next to TCP, and /health. */
class EmbeddedWebSocketTest {

  /** On every transport this host has: the WebSocket transport writes Netty buffers itself. */
  @ParameterizedTest
  @ValueSource(strings = {"io_uring", "epoll", "nio"})
  void mqttWsListenerServesMqttAndHealth(String transportName) throws Exception {
    Transport transport = switch (transportName) {
      case "io_uring" -> Transport.IO_URING;
      case "epoll" -> Transport.EPOLL;
      default -> Transport.NIO;
    };
    org.junit.jupiter.api.Assumptions.assumeTrue(transport.available(),
        transportName + " not available here: " + transport.unavailabilityCause());
    Vertx vertx = Vertx.builder().withTransport(transport).build();
    int tcpPort = EmbeddedBrokerTest.freePort();
    int wsPort = EmbeddedBrokerTest.freePort();
    JsonObject config = new JsonObject().put("instances", 2).put("log", EmbeddedBrokerTest.freshLog())
        .put("listeners", new JsonArray()
        .add(new JsonObject().put("name", "tcp").put("protocol", "mqtt").put("host", "127.0.0.1").put("port", tcpPort))
        .add(new JsonObject().put("name", "browsers").put("protocol", "mqtt-ws").put("host", "127.0.0.1")
            .put("port", wsPort).put("paths", new JsonArray().add("/mqtt"))));
    try {
      BrokerVerticle broker = new BrokerVerticle();
      String id = vertx.deployVerticle(broker, new DeploymentOptions().setConfig(config)).await(20, TimeUnit.SECONDS);
      assertEquals(wsPort, broker.listenerAddresses().get(1).port());

      MqttClient ws = new MqttClient("ws://127.0.0.1:" + wsPort + "/mqtt", "browser", new MemoryPersistence());
      ws.connect(new MqttConnectOptions());
      MqttClient tcp = new MqttClient("tcp://127.0.0.1:" + tcpPort, "device", new MemoryPersistence());
      tcp.connect(new MqttConnectOptions());
      BlockingQueue<String> atWs = new ArrayBlockingQueue<>(4);
      BlockingQueue<String> atTcp = new ArrayBlockingQueue<>(4);
      ws.subscribe("dash/#", 1, (t, m) -> atWs.add(t + " " + new String(m.getPayload(), StandardCharsets.UTF_8)));
      tcp.subscribe("cmd/#", 1, (t, m) -> atTcp.add(t + " " + new String(m.getPayload(), StandardCharsets.UTF_8)));
      tcp.publish("dash/temp", new MqttMessage("21.5".getBytes(StandardCharsets.UTF_8)));
      assertEquals("dash/temp 21.5", atWs.poll(10, TimeUnit.SECONDS));
      ws.publish("cmd/led", new MqttMessage("on".getBytes(StandardCharsets.UTF_8)));
      assertEquals("cmd/led on", atTcp.poll(10, TimeUnit.SECONDS));
      byte[] big = new byte[200_000];
      new java.util.Random(8).nextBytes(big);
      tcp.publish("dash/big", new MqttMessage(big));
      String bigAtWs = atWs.poll(10, TimeUnit.SECONDS);
      assertEquals("dash/big " + new String(big, StandardCharsets.UTF_8), bigAtWs);
      ws.disconnect();
      ws.close();
      tcp.disconnect();
      tcp.close();

      HttpClient http = vertx.createHttpClient();
      JsonObject health = http.request(new RequestOptions().setMethod(HttpMethod.GET)
              .setHost("127.0.0.1").setPort(wsPort).setURI("/health"))
          .compose(req -> req.send().compose(r -> {
            assertEquals(200, r.statusCode());
            return r.body();
          }))
          .await(10, TimeUnit.SECONDS).toJsonObject();
      assertEquals("UP", health.getString("status"));
      JsonArray listeners = health.getJsonArray("listeners");
      assertEquals(2, listeners.size());
      assertEquals(new JsonObject().put("name", "tcp").put("protocol", "mqtt")
          .put("address", "127.0.0.1:" + tcpPort).put("up", true), listeners.getJsonObject(0));
      assertEquals(new JsonObject().put("name", "browsers").put("protocol", "mqtt-ws")
          .put("address", "127.0.0.1:" + wsPort).put("up", true), listeners.getJsonObject(1));
      http.close();

      vertx.undeploy(id).await(20, TimeUnit.SECONDS);
      boolean refused;
      try (java.net.Socket s = new java.net.Socket("127.0.0.1", wsPort)) {
        refused = false;
      } catch (java.io.IOException e) {
        refused = true;
      }
      assertTrue(refused, "the WebSocket listener is closed on undeploy");
    } finally {
      vertx.close().await(20, TimeUnit.SECONDS);
    }
  }
}
