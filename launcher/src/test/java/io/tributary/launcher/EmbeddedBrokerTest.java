package io.tributary.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.transport.Transport;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The broker deployed as a verticle inside someone else's Vert.x application. */
class EmbeddedBrokerTest {

  static int freePort() throws IOException {
    return io.tributary.mqtt.TestBroker.freePort();
  }

  /**
   * The default log (on disk) in a directory of its own: every deployment gets a fresh one, as a
   * broker started in a new directory would.
   */
  static JsonObject freshLog() {
    try {
      return new JsonObject().put("dir", java.nio.file.Files.createTempDirectory("tributary-log").toString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static JsonObject config(int port, int instances) {
    return new JsonObject()
        .put("instances", instances)
        .put("log", freshLog())
        .put("listeners", new JsonArray().add(new JsonObject()
            .put("name", "mqtt").put("protocol", "mqtt").put("host", "127.0.0.1").put("port", port)));
  }

  @Test
  void deployedWithJsonConfigServesMqttAndUndeploysCleanly() throws Exception {
    Vertx vertx = Vertx.vertx();
    int port = freePort();
    try {
      BrokerVerticle broker = new BrokerVerticle();
      String id = vertx.deployVerticle(broker, new DeploymentOptions().setConfig(config(port, 2)))
          .await(20, TimeUnit.SECONDS);
      assertEquals(port, broker.listenerAddresses().get(0).port());

      String uri = "tcp://127.0.0.1:" + port;
      var sub = new org.eclipse.paho.client.mqttv3.MqttClient(uri, "embedded-sub", new MemoryPersistence());
      sub.connect(new MqttConnectOptions());
      BlockingQueue<String> got = new ArrayBlockingQueue<>(4);
      sub.subscribe("app/#", 1, (t, m) -> got.add(t + " " + new String(m.getPayload())));
      var pub = new org.eclipse.paho.client.mqttv3.MqttClient(uri, "embedded-pub", new MemoryPersistence());
      pub.connect(new MqttConnectOptions());
      pub.publish("app/x", new MqttMessage("from inside".getBytes()));
      assertEquals("app/x from inside", got.poll(10, TimeUnit.SECONDS));
      assertEquals(1, broker.broker().publishedCount());
      pub.disconnect();
      pub.close();

      vertx.undeploy(id).await(20, TimeUnit.SECONDS);
      assertFalse(sub.isConnected() && waitConnected(sub), "connections are closed on undeploy");
      sub.close();
      assertFalse(accepts(port), "listener is closed on undeploy");
    } finally {
      vertx.close().await(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void badConfigFailsTheDeploymentNamingTheKey() {
    Vertx vertx = Vertx.vertx();
    try {
      Throwable t = vertx.deployVerticle(new BrokerVerticle(), new DeploymentOptions()
              .setConfig(new JsonObject().put("sessions", new JsonObject().put("maxInflihgt", 3))))
          .toCompletionStage().toCompletableFuture().handle((v, e) -> e).join();
      assertTrue(t instanceof ConfigException && t.getMessage().contains("sessions.maxInflihgt"), String.valueOf(t));
    } finally {
      vertx.close();
    }
  }

  @Test
  void portInUseNamesListenerAndPort() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Throwable t = vertx.deployVerticle(new BrokerVerticle(), new DeploymentOptions()
              .setConfig(config(taken.getLocalPort(), 1)))
          .toCompletionStage().toCompletableFuture().handle((v, e) -> e).join();
      assertTrue(t != null && t.getMessage().contains("listener 'mqtt'")
          && t.getMessage().contains(":" + taken.getLocalPort()), String.valueOf(t));
    } finally {
      vertx.close();
    }
  }

  /**
   * A client connecting from the very callback in which the broker's deployment (and so the
   * listener's bind) completes must be served, on every transport this host has.
   */
  @ParameterizedTest
  @ValueSource(strings = {"io_uring", "epoll", "nio"})
  void clientConnectingFromTheDeployCallbackIsServed(String transportName) throws Exception {
    Transport transport = switch (transportName) {
      case "io_uring" -> Transport.IO_URING;
      case "epoll" -> Transport.EPOLL;
      default -> Transport.NIO;
    };
    org.junit.jupiter.api.Assumptions.assumeTrue(transport.available(),
        transportName + " not available here: " + transport.unavailabilityCause());
    Vertx vertx = Vertx.builder().withTransport(transport).build();
    try {
      int port = freePort();
      CompletableFuture<Integer> connack = new CompletableFuture<>();
      vertx.deployVerticle(new BrokerVerticle(), new DeploymentOptions().setConfig(config(port, 2)))
          .onSuccess(id -> MqttClient.create(vertx, new MqttClientOptions().setClientId("early"))
              .connect(port, "127.0.0.1")
              .onSuccess(ack -> connack.complete(ack.code().byteValue() & 0xff))
              .onFailure(connack::completeExceptionally))
          .onFailure(connack::completeExceptionally);
      assertEquals(0, connack.get(15, TimeUnit.SECONDS));
    } finally {
      vertx.close().await(20, TimeUnit.SECONDS);
    }
  }

  private static boolean waitConnected(org.eclipse.paho.client.mqttv3.MqttClient c) throws InterruptedException {
    for (int i = 0; i < 50 && c.isConnected(); i++) {
      Thread.sleep(100);
    }
    return c.isConnected();
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
