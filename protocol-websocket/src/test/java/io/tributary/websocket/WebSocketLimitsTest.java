package io.tributary.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.tributary.mqtt.MqttOptions;
import io.tributary.mqtt.codec.ConnAck;
import io.tributary.mqtt.codec.Connect;
import io.tributary.mqtt.codec.MqttVersion;
import io.tributary.mqtt.codec.Publish;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Test;

/** The MQTT maximum packet size bounds WebSocket frames too; MQTT 5 works over WebSocket. */
class WebSocketLimitsTest {

  @Test
  void frameOverMaxPacketSizeClosesTheConnection() throws Exception {
    try (WsTestBroker broker = WsTestBroker.start(o -> { }, new MqttOptions().setMaxPacketSize(1024))) {
      try (RawWs ws = RawWs.connect(broker.vertx(), RawWs.options(broker.wsPort(), "/mqtt", "mqtt"))) {
        ws.sendMessages(List.of(RawWs.encode(new Connect(MqttVersion.V3_1_1, "limited", true, 0, null, null, null))));
        assertEquals(0, ws.expect(ConnAck.class).returnCode());
        // Under the limit: served.
        ws.sendMessages(List.of(RawWs.encode(new Publish("t", 0, false, false, 0, Unpooled.wrappedBuffer(new byte[900])))));
        // One frame over the limit: the WebSocket layer closes the connection before the MQTT
        // engine sees any of it (Netty sends 1009 and closes; the client may only see 1006).
        ws.sendRefused(List.of(RawWs.encode(new Publish("t", 0, false, false, 0, Unpooled.wrappedBuffer(new byte[2000])))));
        assertTrue(ws.awaitClosed(), "closed after a frame over mqtt.maxPacketSize");
        short status = ws.ws.closeStatusCode();
        assertTrue(status == 1009 || status == 1006, "close status " + status);
      }
      // A packet over the limit, spread over small frames: the MQTT engine closes the connection.
      try (RawWs ws = RawWs.connect(broker.vertx(), RawWs.options(broker.wsPort(), "/mqtt", "mqtt"))) {
        ws.sendMessages(List.of(RawWs.encode(new Connect(MqttVersion.V3_1_1, "limited2", true, 0, null, null, null))));
        assertEquals(0, ws.expect(ConnAck.class).returnCode());
        byte[] big = RawWs.encode(new Publish("t", 0, false, false, 0, Unpooled.wrappedBuffer(new byte[3000])));
        ws.sendRefused(RawWs.split(big, 500, 1000, 1500, 2000, 2500));
        assertTrue(ws.awaitClosed(), "closed after a packet over mqtt.maxPacketSize");
      }
    }
  }

  @Test
  void mqtt5OverWebSocket() throws Exception {
    try (WsTestBroker broker = WsTestBroker.start()) {
      MqttClient ws = new MqttClient(broker.wsUri(), "v5-ws", new MemoryPersistence());
      MqttConnectionOptions o = new MqttConnectionOptions();
      ws.connect(o);
      org.eclipse.paho.client.mqttv3.MqttClient tcp = WebSocketFlowTest.connect(broker.tcpUri(), "v3-tcp", true);
      try {
        BlockingQueue<String> got = new ArrayBlockingQueue<>(4);
        ws.subscribe(new org.eclipse.paho.mqttv5.common.MqttSubscription[] {
            new org.eclipse.paho.mqttv5.common.MqttSubscription("v5/#", 1)},
            new org.eclipse.paho.mqttv5.client.IMqttMessageListener[] {
                (t, m) -> got.add(t + " " + new String(m.getPayload(), StandardCharsets.UTF_8))});
        tcp.publish("v5/a", "to v5".getBytes(StandardCharsets.UTF_8), 1, false);
        assertEquals("v5/a to v5", got.poll(10, TimeUnit.SECONDS));
        BlockingQueue<String> atTcp = new ArrayBlockingQueue<>(4);
        tcp.subscribe("back/#", 1, (t, m) -> atTcp.add(new String(m.getPayload(), StandardCharsets.UTF_8)));
        ws.publish("back/1", new MqttMessage("from v5".getBytes(StandardCharsets.UTF_8), 1, false, null));
        assertEquals("from v5", atTcp.poll(10, TimeUnit.SECONDS));
      } finally {
        ws.disconnect();
        ws.close();
        WebSocketFlowTest.close(tcp);
      }
    }
  }
}
