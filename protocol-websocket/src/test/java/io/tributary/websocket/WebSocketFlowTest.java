package io.tributary.websocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** MQTT over WebSocket with a real client (Eclipse Paho, ws:// URIs) next to TCP clients. */
class WebSocketFlowTest {

  private static WsTestBroker broker;

  @BeforeAll
  static void start() {
    broker = WsTestBroker.start();
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  static MqttClient connect(String uri, String clientId, boolean clean) throws Exception {
    MqttClient c = new MqttClient(uri, clientId, new MemoryPersistence());
    MqttConnectOptions o = new MqttConnectOptions();
    o.setCleanSession(clean);
    o.setAutomaticReconnect(false);
    // Paho counts a publish as in flight until its callback thread has seen the ack, which can
    // lag the synchronous publish() that already returned: leave room for that.
    o.setMaxInflight(1000);
    c.connect(o);
    return c;
  }

  static BlockingQueue<MqttMessage> subscribe(MqttClient c, String filter, int qos) throws Exception {
    BlockingQueue<MqttMessage> got = new ArrayBlockingQueue<>(100);
    c.subscribe(filter, qos, (t, m) -> got.add(m));
    return got;
  }

  static void close(MqttClient c) throws Exception {
    if (c.isConnected()) {
      c.disconnect(1000);
    }
    c.close(true);
  }

  @Test
  void webSocketAndTcpClientsExchangeMessagesBothWays() throws Exception {
    MqttClient ws = connect(broker.wsUri(), "ws-client", true);
    MqttClient tcp = connect(broker.tcpUri(), "tcp-client", true);
    try {
      BlockingQueue<MqttMessage> atWs = subscribe(ws, "to/ws/#", 1);
      BlockingQueue<MqttMessage> atTcp = subscribe(tcp, "to/tcp/#", 1);

      tcp.publish("to/ws/1", "from tcp".getBytes(StandardCharsets.UTF_8), 1, false);
      MqttMessage m = atWs.poll(10, TimeUnit.SECONDS);
      assertEquals("from tcp", new String(m.getPayload(), StandardCharsets.UTF_8));
      assertEquals(1, m.getQos());

      ws.publish("to/tcp/1", "from ws".getBytes(StandardCharsets.UTF_8), 1, false);
      m = atTcp.poll(10, TimeUnit.SECONDS);
      assertEquals("from ws", new String(m.getPayload(), StandardCharsets.UTF_8));

      // QoS 2 and a payload far larger than one TCP segment, both ways.
      byte[] big = new byte[300_000];
      new Random(4).nextBytes(big);
      tcp.publish("to/ws/big", big, 2, false);
      assertArrayEquals(big, atWs.poll(10, TimeUnit.SECONDS).getPayload());
      ws.publish("to/tcp/big", big, 2, false);
      assertArrayEquals(big, atTcp.poll(10, TimeUnit.SECONDS).getPayload());

      // Retained state is shared too.
      tcp.publish("to/ws/retained", "kept".getBytes(StandardCharsets.UTF_8), 1, true);
      MqttClient late = connect(broker.wsUri(), "ws-late", true);
      BlockingQueue<MqttMessage> atLate = subscribe(late, "to/ws/retained", 1);
      MqttMessage r = atLate.poll(10, TimeUnit.SECONDS);
      assertTrue(r.isRetained());
      assertEquals("kept", new String(r.getPayload(), StandardCharsets.UTF_8));
      close(late);
    } finally {
      close(ws);
      close(tcp);
    }
  }

  @Test
  void manyMessagesKeepOrder() throws Exception {
    MqttClient ws = connect(broker.wsUri(), "ws-order", true);
    MqttClient tcp = connect(broker.tcpUri(), "tcp-order", true);
    try {
      BlockingQueue<MqttMessage> atWs = new ArrayBlockingQueue<>(2000);
      ws.subscribe("order/#", 1, (t, m) -> atWs.add(m));
      // (QoS 1 only: Paho alternating QoS 0 and 1 hits Nagle on its own socket, ~20 ms a pair.)
      for (int i = 0; i < 1000; i++) {
        tcp.publish("order/x", String.valueOf(i).getBytes(StandardCharsets.UTF_8), 1, false);
      }
      for (int i = 0; i < 1000; i++) {
        MqttMessage m = atWs.poll(10, TimeUnit.SECONDS);
        assertEquals(String.valueOf(i), new String(m.getPayload(), StandardCharsets.UTF_8));
      }
    } finally {
      close(ws);
      close(tcp);
    }
  }

  /** A client id is one session whichever transport it arrives on: the newer connection wins. */
  @Test
  void webSocketAndTcpTakeOverEachOthersSession() throws Exception {
    MqttClient ws = connect(broker.wsUri(), "roaming", false);
    CountDownLatch wsLost = lostLatch(ws);
    subscribe(ws, "roam/#", 1);

    MqttClient tcp = new MqttClient(broker.tcpUri(), "roaming", new MemoryPersistence());
    CountDownLatch tcpLost = lostLatch(tcp);
    BlockingQueue<MqttMessage> atTcp = new ArrayBlockingQueue<>(10);
    tcp.setCallback(callback(tcpLost, atTcp));
    MqttConnectOptions keep = new MqttConnectOptions();
    keep.setCleanSession(false);
    tcp.connect(keep);
    assertTrue(tcp.getPendingDeliveryTokens().length == 0);
    assertTrue(wsLost.await(10, TimeUnit.SECONDS), "the WebSocket connection is taken over by TCP");

    // The subscription made over WebSocket belongs to the session now on TCP.
    MqttClient pub = connect(broker.tcpUri(), "roam-pub", true);
    pub.publish("roam/1", "to the session".getBytes(StandardCharsets.UTF_8), 1, false);
    assertEquals("to the session", new String(atTcp.poll(10, TimeUnit.SECONDS).getPayload(), StandardCharsets.UTF_8));

    // And back: WebSocket takes over from TCP, with what was queued meanwhile.
    tcp.disconnectForcibly(0, 1000, false);
    pub.publish("roam/2", "while away".getBytes(StandardCharsets.UTF_8), 1, false);
    MqttClient tcp2 = connect(broker.tcpUri(), "roaming", false);
    CountDownLatch tcp2Lost = new CountDownLatch(1);
    BlockingQueue<MqttMessage> atTcp2 = new ArrayBlockingQueue<>(10);
    tcp2.setCallback(callback(tcp2Lost, atTcp2));
    MqttClient ws2 = new MqttClient(broker.wsUri(), "roaming", new MemoryPersistence());
    BlockingQueue<MqttMessage> atWs2 = new ArrayBlockingQueue<>(10);
    ws2.setCallback(callback(new CountDownLatch(1), atWs2));
    ws2.connect(keep);
    assertTrue(tcp2Lost.await(10, TimeUnit.SECONDS), "the TCP connection is taken over by WebSocket");
    pub.publish("roam/3", "to the browser".getBytes(StandardCharsets.UTF_8), 1, false);
    String got = "";
    for (int i = 0; i < 3 && !got.contains("to the browser"); i++) {
      MqttMessage m = atWs2.poll(10, TimeUnit.SECONDS);
      assertTrue(m != null, "message over WebSocket after takeover");
      got += new String(m.getPayload(), StandardCharsets.UTF_8) + ";";
    }
    assertTrue(got.contains("to the browser"), got);
    assertFalse(tcp2.isConnected());
    close(ws2);
    close(pub);
    tcp.close(true);
    tcp2.close(true);
    ws.close(true);
  }

  private static CountDownLatch lostLatch(MqttClient c) {
    CountDownLatch lost = new CountDownLatch(1);
    c.setCallback(callback(lost, new ArrayBlockingQueue<>(10)));
    return lost;
  }

  private static MqttCallback callback(CountDownLatch lost, BlockingQueue<MqttMessage> got) {
    return new MqttCallback() {
      @Override
      public void connectionLost(Throwable cause) {
        lost.countDown();
      }

      @Override
      public void messageArrived(String topic, MqttMessage message) {
        got.add(message);
      }

      @Override
      public void deliveryComplete(IMqttDeliveryToken token) {
      }
    };
  }
}
