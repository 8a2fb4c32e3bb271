package io.tributary.launcher;

import io.tributary.admin.AdminHost;
import io.tributary.admin.AdminListener;
import io.tributary.mqtt.MqttListener;
import io.tributary.router.Broker;
import io.tributary.router.delivery.Dispatcher;
import io.tributary.tcp.RawTcpListener;
import io.tributary.websocket.WebSocketListener;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import io.vertx.core.net.ServerSSLOptions;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One event loop of the broker: registers its {@link Dispatcher} with the shared broker and runs one
 * instance of every listener, so the connections it accepts live on this loop.
 */
final class CoreVerticle extends VerticleBase {

  private final Broker broker;
  private final BrokerConfig config;
  private final ListenerStates states;
  /** This core's number: core 0 also runs the admin listener (one per broker). */
  private final int coreIndex;
  private final AdminHost adminHost;
  /** Closes one started listener (stop accepting, then close its connections). */
  private final List<Supplier<Future<Void>>> closers = new ArrayList<>();
  private final List<SocketAddress> bound = new ArrayList<>();
  /** Per listener (config order): puts new TLS options in force on this loop's server, or null. */
  private final List<Function<ServerSSLOptions, Future<Boolean>>> tlsUpdaters = new ArrayList<>();
  private Dispatcher core;

  CoreVerticle(Broker broker, BrokerConfig config, ListenerStates states, int index, AdminHost adminHost) {
    this.broker = broker;
    this.config = config;
    this.states = states;
    this.coreIndex = index;
    this.adminHost = adminHost;
  }

  @Override
  public Future<?> start() {
    core = broker.addDispatcher(task -> context.runOnContext(v -> task.run()), "loop-" + coreIndex);
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < config.listeners.size(); i++) {
      BrokerConfig.Listener l = config.listeners.get(i);
      int index = i;
      chain = chain.compose(v -> {
        Future<SocketAddress> listening;
        if ("admin".equals(l.protocol)) {
          if (coreIndex != 0) {
            // Served by core 0 alone; the slots keep both lists in config order.
            bound.add(null);
            closers.add(Future::succeededFuture);
            tlsUpdaters.add(null);
            return Future.succeededFuture();
          }
          AdminListener listener = new AdminListener(vertx, broker, config.admin.adminOptions(config.auth)
              .setName(l.name).setServerOptions(ListenerTls.adminServerOptions(l, config.tls.engine)), adminHost);
          closers.add(listener::close);
          tlsUpdaters.add(listener::updateSsl);
          listening = listener.listen();
        } else if ("mqtt-ws".equals(l.protocol)) {
          WebSocketListener listener = new WebSocketListener(vertx, broker, core, config.mqttOptions(l),
              l.webSocketOptions(config.tls.engine), states::snapshot);
          closers.add(listener::close);
          tlsUpdaters.add(listener::updateSsl);
          listening = listener.listen();
        } else if ("raw-tcp".equals(l.protocol)) {
          // Same code with or without TLS: the server options carry it (identify client-certificate
          // reads the TLS session's peer certificate).
          RawTcpListener listener = new RawTcpListener(vertx, broker, core,
              ListenerTls.serverOptions(l, config.tls.engine),
              l.device.rawTcpOptions().setListenerName(l.name).setLoginAuthenticator(config.auth.authenticator())
                  .setPublishRates(config.limits.publishRate, config.limits.publishBytesRate));
          closers.add(listener::close);
          tlsUpdaters.add(listener::updateSsl);
          listening = listener.listen();
        } else {
          MqttListener listener = new MqttListener(vertx, broker, core,
              ListenerTls.serverOptions(l, config.tls.engine), config.mqttOptions(l));
          closers.add(listener::close);
          tlsUpdaters.add(listener::updateSsl);
          listening = listener.listen();
        }
        return listening
            .recover(e -> Future.failedFuture(new ConfigException("listener '" + l.name + "' cannot bind "
                + l.host + ":" + l.port + ": " + e.getMessage())))
            .map(address -> {
              bound.add(address);
              states.bound(index, address);
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
    for (int i = 0; i < closers.size(); i++) {
      if (i < bound.size() && bound.get(i) != null) {
        states.closed(i);
      }
      closing.add(closers.get(i).get());
    }
    return Future.join(closing).andThen(ar -> broker.removeDispatcher(core));
  }

  /** Puts new TLS options in force on this loop's server of listener (config order). */
  Future<Boolean> updateTls(int listener, ServerSSLOptions ssl) {
    Function<ServerSSLOptions, Future<Boolean>> updater = listener < tlsUpdaters.size() ? tlsUpdaters.get(listener) : null;
    return updater == null ? Future.succeededFuture(false) : updater.apply(ssl);
  }

  List<SocketAddress> boundAddresses() {
    return bound;
  }
}
