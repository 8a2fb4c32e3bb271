package io.tributary.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.router.counters.BrokerCounters.Counter;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.transport.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code limits.*}: connections over the broker's or a listener's cap, or over a listener's
 * connection rate, are closed at accept (before any byte is read: the client sees end of stream,
 * not a CONNACK), counted, and make room again when connections close.
 */
// A guard against a hang (a client library waiting forever), not a performance bound.
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ConnectionLimitsTest {

  private static final byte[] CONNECT = {0x10, 0x0D, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x02, 0x00, 0x3C, 0x00, 0x01, 'c'};

  static int freePort() throws IOException {
    return io.tributary.mqtt.TestBroker.freePort();
  }

  private static JsonObject config(int mqttPort, int wsPort, JsonObject limits) {
    return new JsonObject().put("instances", 2).put("limits", limits).put("log", EmbeddedBrokerTest.freshLog())
        .put("listeners", new JsonArray()
            .add(new JsonObject().put("name", "mqtt").put("protocol", "mqtt").put("host", "127.0.0.1").put("port", mqttPort))
            .add(new JsonObject().put("name", "ws").put("protocol", "mqtt-ws").put("host", "127.0.0.1").put("port", wsPort)));
  }

  /** True when the broker answers a CONNECT (with a CONNACK), false when it closed the socket. */
  private static boolean served(Socket s) throws IOException {
    s.setSoTimeout(10_000);
    try {
      s.getOutputStream().write(CONNECT);
      InputStream in = s.getInputStream();
      return in.read() == 0x20;
    } catch (IOException e) {
      return false; // reset: refused
    }
  }

  private interface Body {
    void run(BrokerVerticle broker, int mqttPort, int wsPort) throws Exception;
  }

  private static void withBroker(JsonObject limits, Body body) throws Exception {
    Vertx vertx = Vertx.builder().withTransport(BrokerVerticle.guardedTransport(Transport.NIO)).build();
    try {
      int mqttPort = freePort();
      int wsPort = freePort();
      BrokerVerticle broker = new BrokerVerticle();
      vertx.deployVerticle(broker, new DeploymentOptions().setConfig(config(mqttPort, wsPort, limits)))
          .await(20, TimeUnit.SECONDS);
      body.run(broker, mqttPort, wsPort);
    } finally {
      vertx.close().await(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void connectionsOverTheBrokerCapAreClosedAtAcceptAndRoomComesBack() throws Exception {
    withBroker(new JsonObject().put("maxConnections", 3).put("maxConnectionsPerListener", 3), (broker, mqtt, ws) -> {
      List<Socket> held = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          Socket s = new Socket("127.0.0.1", i < 2 ? mqtt : ws); // both listeners share the cap
          held.add(s);
        }
        assertTrue(served(held.get(0)), "a connection under the cap is served");
        // The three are accepted on two listeners' loops in any order: wait until all hold a place.
        for (int i = 0; i < 200 && broker.connectionLimits().openConnections() < 3; i++) {
          Thread.sleep(10);
        }
        try (Socket over = new Socket("127.0.0.1", mqtt)) {
          assertTrue(!served(over), "the fourth connection was served");
        }
        assertEquals(1, broker.broker().counters().get(Counter.CONNECTIONS_REFUSED_BROKER_LIMIT));
        held.remove(2).close();
        Socket again = null;
        for (int i = 0; i < 100; i++) { // the close reaches the broker asynchronously
          again = new Socket("127.0.0.1", mqtt);
          if (served(again)) {
            break;
          }
          again.close();
          again = null;
          Thread.sleep(50);
        }
        assertTrue(again != null, "no room after a connection closed");
        again.close();
      } finally {
        for (Socket s : held) {
          s.close();
        }
      }
    });
  }

  @Test
  void aFloodedListenerLeavesRoomForTheOthers() throws Exception {
    withBroker(new JsonObject().put("maxConnections", 4).put("maxConnectionsPerListener", 2), (broker, mqtt, ws) -> {
      List<Socket> held = new ArrayList<>();
      try {
        for (int i = 0; i < 4; i++) {
          held.add(new Socket("127.0.0.1", ws)); // two are admitted, two closed at accept
        }
        for (int i = 0; i < 100 && broker.broker().counters().get(Counter.CONNECTIONS_REFUSED_LISTENER_LIMIT) < 2; i++) {
          Thread.sleep(20);
        }
        assertEquals(2, broker.broker().counters().get(Counter.CONNECTIONS_REFUSED_LISTENER_LIMIT));
        try (Socket control = new Socket("127.0.0.1", mqtt)) {
          assertTrue(served(control), "the MQTT listener still serves");
        }
      } finally {
        for (Socket s : held) {
          s.close();
        }
      }
    });
  }

  @Test
  void connectionsOverTheRateAreClosedAtAccept() throws Exception {
    withBroker(new JsonObject().put("connectionRate", 1).put("connectionBurst", 2), (broker, mqtt, ws) -> {
      int served = 0;
      for (int i = 0; i < 5; i++) {
        try (Socket s = new Socket("127.0.0.1", mqtt)) {
          if (served(s)) {
            served++;
          }
        }
      }
      // A burst of 2, then 1 a second: of 5 back-to-back connections 2 or 3 get in.
      assertTrue(served >= 2 && served <= 3, "served " + served);
      assertEquals(5 - served, broker.broker().counters().get(Counter.CONNECTIONS_REFUSED_RATE));
    });
  }

  @Test
  void refusedSocketIsClosedBeforeAnyByteIsRead() throws Exception {
    withBroker(new JsonObject().put("maxConnections", 1).put("maxConnectionsPerListener", 1), (broker, mqtt, ws) -> {
      try (Socket first = new Socket("127.0.0.1", mqtt); Socket second = new Socket("127.0.0.1", mqtt)) {
        assertTrue(served(first));
        second.setSoTimeout(10_000);
        try {
          assertEquals(-1, second.getInputStream().read(), "end of stream without an answer");
        } catch (SocketTimeoutException e) {
          throw new AssertionError("the refused socket was left open", e);
        } catch (IOException e) {
          // a reset is a close too
        }
      }
    });
  }
}
