package io.tributary.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.mqtt.MqttWire;
import io.tributary.mqtt.codec.MqttVersion;
import io.tributary.mqtt.codec.Publish;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tests' one raw MQTT client ({@link MqttWire}, from protocol-mqtt's test jar) over ws:// and
 * wss://: MQTT 5 over WebSocket and MQTT 3.1.1 over TCP exchange QoS 1 messages both ways, the
 * WebSocket side seeing exactly the packets the broker sent.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RawClientOverWebSocketTest {

  @TempDir
  static Path dir;

  @Test
  void mqtt5OverWsAnd311OverTcpExchangeMessages() throws Exception {
    try (WsTestBroker broker = WsTestBroker.start();
        MqttWire ws = MqttWire.ws(broker.wsPort(), "/mqtt", MqttVersion.V5)) {
      exchange(broker, ws, "raw-ws");
    }
  }

  @Test
  void mqtt5OverWssAnd311OverTcpExchangeMessages() throws Exception {
    SecureWebSocketTest.dir = dir;
    Path[] pem = SecureWebSocketTest.certificate();
    try (WsTestBroker broker = WsTestBroker.start(o -> o.setTls(pem[0].toString(), pem[1].toString()))) {
      SSLSocket tls = (SSLSocket) SecureWebSocketTest.trusting(pem[0]).getSocketFactory()
          .createSocket("127.0.0.1", broker.wsPort());
      tls.startHandshake();
      try (MqttWire wss = MqttWire.overWebSocket(tls, "/mqtt", MqttVersion.V5)) {
        exchange(broker, wss, "raw-wss");
      }
    }
  }

  private static void exchange(WsTestBroker broker, MqttWire web, String id) throws Exception {
    assertEquals(0, web.connect(id, true, 60, null, null).reasonCode());
    try (MqttWire tcp = MqttWire.connect311(broker.tcpPort(), id + "-tcp", true)) {
      assertEquals(1, web.subscribe(id + "/in", 1));
      assertEquals(1, tcp.subscribe(id + "/out", 1));
      tcp.publishAndComplete(id + "/in", 1, "to the browser");
      Publish in = web.nextPublishAcking(MqttWire.T);
      assertEquals("to the browser", MqttWire.text(in));
      assertEquals(1, in.qos());
      assertEquals(0, web.publishAndComplete(id + "/out", 1, false, "from the browser", null));
      Publish out = tcp.nextPublishAcking(MqttWire.T);
      assertEquals("from the browser", MqttWire.text(out));
      web.disconnectAndWait();
      assertTrue(web.isClosed());
    }
  }
}
