package io.tributary.tcp;

import io.tributary.mqtt.MqttOptions;
import io.tributary.mqtt.TestBroker;
import io.tributary.router.Broker;
import io.tributary.router.RouterOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServerOptions;
import java.util.List;

/**
 * The test broker ({@link TestBroker}, from protocol-mqtt's test jar) with a raw-tcp device
 * listener beside the MQTT listener on each event loop, on free loopback ports, as the launcher
 * runs them.
 */
final class DeviceFixture implements AutoCloseable {

  private final TestBroker testBroker;
  final Vertx vertx;
  final Broker broker;
  final int mqttPort;
  final int devicePort;

  DeviceFixture(RawTcpOptions options) {
    this(options, new NetServerOptions());
  }

  DeviceFixture(RawTcpOptions options, NetServerOptions tls) {
    devicePort = TestBroker.freePort();
    NetServerOptions server = new NetServerOptions(tls).setHost("127.0.0.1").setPort(devicePort);
    testBroker = TestBroker.start(2, new MqttOptions(), new RouterOptions(), (v, b, dispatcher, port) -> {
      RawTcpListener devices = new RawTcpListener(v, b, dispatcher, server, options);
      return List.of(new TestBroker.LoopListener() {
        @Override
        public Future<?> listen() {
          return devices.listen();
        }

        @Override
        public Future<?> close() {
          return devices.close();
        }
      });
    });
    vertx = testBroker.vertx();
    broker = testBroker.broker();
    mqttPort = testBroker.port();
  }

  String mqttUri() {
    return testBroker.tcpUri();
  }

  @Override
  public void close() {
    testBroker.close();
  }

  static int freePort() {
    return TestBroker.freePort();
  }
}
