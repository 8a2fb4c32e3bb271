package io.tributary.launcher;

import io.tributary.mqtt.MqttListener;
import io.tributary.router.Broker;
import io.tributary.router.Core;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * One event loop of the broker: registers its {@link Core} with the shared broker and runs one
 * instance of every listener, so the connections it accepts live on this loop.
 */
final class CoreVerticle extends VerticleBase {

  private final Broker broker;
  private final BrokerConfig config;
  private final List<MqttListener> listeners = new ArrayList<>();
  private final List<SocketAddress> bound = new ArrayList<>();
  private Core core;

  CoreVerticle(Broker broker, BrokerConfig config) {
    this.broker = broker;
    this.config = config;
  }

  @Override
  public Future<?> start() {
    core = broker.addCore(task -> context.runOnContext(v -> task.run()), "loop-" + context.hashCode());
    Future<Void> chain = Future.succeededFuture();
    for (BrokerConfig.Listener l : config.listeners) {
      chain = chain.compose(v -> {
        MqttListener listener = new MqttListener(vertx, broker, core, l.host, l.port, config.mqttOptions());
        listeners.add(listener);
        return listener.listen()
            .recover(e -> Future.failedFuture(new ConfigException("listener '" + l.name + "' cannot bind "
                + l.host + ":" + l.port + ": " + e.getMessage())))
            .map(address -> {
              bound.add(address);
              return null;
            });
      });
    }
    return chain;
  }

  /** Listeners close first (no new sockets), then their connections. */
  @Override
  public Future<?> stop() {
    List<Future<Void>> closing = new ArrayList<>();
    for (MqttListener l : listeners) {
      closing.add(l.close());
    }
    return Future.join(closing).andThen(ar -> broker.removeCore(core));
  }

  List<SocketAddress> boundAddresses() {
    return bound;
  }
}
