package io.tributary.websocket;

import io.tributary.router.ListenerStatus;
import io.tributary.mqtt.MqttOptions;
import io.tributary.mqtt.TestBroker;
import io.tributary.router.Broker;
import io.tributary.router.RouterOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.function.Consumer;

/**
 * The test broker ({@link TestBroker}, from protocol-mqtt's test jar) with an MQTT-over-WebSocket
 * listener beside the MQTT TCP listener on each event loop, on 127.0.0.1, as the launcher runs it.
 */
final class WsTestBroker implements AutoCloseable {

  private final TestBroker broker;
  private final int wsPort;
  private final boolean tls;

  private WsTestBroker(TestBroker broker, int wsPort, boolean tls) {
    this.broker = broker;
    this.wsPort = wsPort;
    this.tls = tls;
  }

  static WsTestBroker start() {
    return start(ws -> { });
  }

  /** {@code configure} adjusts the WebSocket options (host and port are set here). */
  static WsTestBroker start(Consumer<WebSocketOptions> configure) {
    return start(configure, new MqttOptions());
  }

  static WsTestBroker start(Consumer<WebSocketOptions> configure, MqttOptions mqtt) {
    int wsPort = TestBroker.freePort();
    WebSocketOptions wsOptions = new WebSocketOptions().setHost("127.0.0.1").setPort(wsPort);
    configure.accept(wsOptions);
    TestBroker broker = TestBroker.start(2, mqtt, new RouterOptions(), (vertx, core, dispatcher, tcpPort) -> {
      List<ListenerStatus> health = List.of(
          new ListenerStatus("mqtt", "mqtt", "127.0.0.1:" + tcpPort, true),
          new ListenerStatus("mqtt-ws", "mqtt-ws", "127.0.0.1:" + wsPort, true));
      WebSocketListener ws = new WebSocketListener(vertx, core, dispatcher, mqtt, wsOptions, () -> health);
      return List.of(new TestBroker.LoopListener() {
        @Override
        public Future<?> listen() {
          return ws.listen();
        }

        @Override
        public Future<?> close() {
          return ws.close();
        }
      });
    });
    return new WsTestBroker(broker, wsPort, wsOptions.isTls());
  }

  int wsPort() {
    return wsPort;
  }

  int tcpPort() {
    return broker.port();
  }

  String wsUri() {
    return (tls ? "wss" : "ws") + "://127.0.0.1:" + wsPort + "/mqtt";
  }

  String tcpUri() {
    return broker.tcpUri();
  }

  Vertx vertx() {
    return broker.vertx();
  }

  Broker broker() {
    return broker.broker();
  }

  @Override
  public void close() {
    broker.close();
  }

  static int freePort() {
    return TestBroker.freePort();
  }
}
