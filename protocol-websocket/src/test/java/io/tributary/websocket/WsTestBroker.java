package io.tributary.websocket;

import io.tributary.mqtt.MqttListener;
import io.tributary.mqtt.MqttOptions;
import io.tributary.router.Broker;
import io.tributary.router.delivery.Dispatcher;
import io.tributary.router.RouterOptions;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A real broker for tests: one shared {@link Broker}, and per event loop one MQTT-over-WebSocket
 * listener and one MQTT TCP listener, on 127.0.0.1 and ports picked here, as the launcher runs it.
 */
final class WsTestBroker implements AutoCloseable {

  private final Vertx vertx;
  private final Broker broker;
  private final int wsPort;
  private final int tcpPort;
  private final boolean tls;

  private WsTestBroker(Vertx vertx, Broker broker, int wsPort, int tcpPort, boolean tls) {
    this.vertx = vertx;
    this.broker = broker;
    this.wsPort = wsPort;
    this.tcpPort = tcpPort;
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
    int instances = 2;
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(instances));
    Broker broker = new Broker(new RouterOptions());
    int wsPort = freePort();
    int tcpPort = freePort();
    WebSocketOptions wsOptions = new WebSocketOptions().setHost("127.0.0.1").setPort(wsPort);
    configure.accept(wsOptions);
    List<ListenerStatus> health = List.of(
        new ListenerStatus("mqtt", "mqtt", "127.0.0.1:" + tcpPort, true),
        new ListenerStatus("mqtt-ws", "mqtt-ws", "127.0.0.1:" + wsPort, true));
    try {
      vertx.deployVerticle(() -> new VerticleBase() {
        private WebSocketListener ws;
        private MqttListener tcp;
        private Dispatcher core;

        @Override
        public Future<?> start() {
          core = broker.addDispatcher(task -> context.runOnContext(v -> task.run()), "test-" + context.hashCode());
          ws = new WebSocketListener(vertx, broker, core, mqtt, wsOptions, () -> health);
          tcp = new MqttListener(vertx, broker, core, "127.0.0.1", tcpPort, mqtt);
          return ws.listen().compose(a -> tcp.listen());
        }

        @Override
        public Future<?> stop() {
          return Future.join(ws.close(), tcp.close()).andThen(ar -> broker.removeDispatcher(core));
        }
      }, new DeploymentOptions().setInstances(instances)).await(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      vertx.close();
      throw new IllegalStateException("test broker failed to start", e);
    }
    return new WsTestBroker(vertx, broker, wsPort, tcpPort, wsOptions.isTls());
  }

  int wsPort() {
    return wsPort;
  }

  int tcpPort() {
    return tcpPort;
  }

  String wsUri() {
    return (tls ? "wss" : "ws") + "://127.0.0.1:" + wsPort + "/mqtt";
  }

  String tcpUri() {
    return "tcp://127.0.0.1:" + tcpPort;
  }

  Vertx vertx() {
    return vertx;
  }

  Broker broker() {
    return broker;
  }

  @Override
  public void close() {
    try {
      vertx.close().await(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    broker.close();
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
