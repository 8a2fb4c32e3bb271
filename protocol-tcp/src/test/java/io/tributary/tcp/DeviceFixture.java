package io.tributary.tcp;

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
import io.vertx.core.net.NetServerOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;

/** Broker + per-core MQTT and raw-tcp listeners on free loopback ports, as the launcher runs them. */
final class DeviceFixture implements AutoCloseable {

  final Vertx vertx;
  final Broker broker;
  final int mqttPort;
  final int devicePort;

  DeviceFixture(RawTcpOptions options) {
    this(options, new NetServerOptions());
  }

  DeviceFixture(RawTcpOptions options, NetServerOptions tls) {
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    broker = new Broker(new RouterOptions());
    mqttPort = freePort();
    devicePort = freePort();
    NetServerOptions server = new NetServerOptions(tls).setHost("127.0.0.1").setPort(devicePort);
    try {
      vertx.deployVerticle(() -> new VerticleBase() {
        private Dispatcher core;
        private MqttListener mqtt;
        private RawTcpListener devices;

        @Override
        public Future<?> start() {
          core = broker.addDispatcher(task -> context.runOnContext(v -> task.run()), "test-" + context.hashCode());
          mqtt = new MqttListener(vertx, broker, core, "127.0.0.1", mqttPort, new MqttOptions());
          devices = new RawTcpListener(vertx, broker, core, server, options);
          return mqtt.listen().compose(a -> devices.listen());
        }

        @Override
        public Future<?> stop() {
          return devices.close().compose(v -> mqtt.close()).andThen(ar -> broker.removeDispatcher(core));
        }
      }, new DeploymentOptions().setInstances(2)).await(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      vertx.close();
      throw new IllegalStateException("fixture failed to start", e);
    }
  }

  String mqttUri() {
    return "tcp://127.0.0.1:" + mqttPort;
  }

  @Override
  public void close() throws Exception {
    vertx.close().await(20, TimeUnit.SECONDS);
    broker.close();
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
