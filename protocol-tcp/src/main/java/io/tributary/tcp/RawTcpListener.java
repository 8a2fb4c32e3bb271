package io.tributary.tcp;

import io.tributary.router.Broker;
import io.tributary.router.counters.BrokerCounters;
import io.tributary.router.counters.Traffic;
import io.tributary.router.delivery.Dispatcher;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.SocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A {@code raw-tcp} device listener on one event loop. Every core runs one instance per
 * configured listener on the same port; Vert.x spreads accepted sockets over them and each owns
 * the devices it accepted. TLS is a configuration of the same code: the launcher passes
 * {@link NetServerOptions} with SSL (and client authentication) set, and
 * {@code identify: client-certificate} reads the peer certificate's CN.
 */
public final class RawTcpListener {

  private final Vertx vertx;
  private final Broker broker;
  private final Dispatcher core;
  private final NetServerOptions serverOptions;
  private final RawTcpOptions options;
  private final Set<DeviceConnection> connections = new LinkedHashSet<>();
  private NetServer server;

  /**
   * @param serverOptions host, port and (optionally) TLS of the socket; copied
   * @param options framing, identification and topics
   */
  public RawTcpListener(Vertx vertx, Broker broker, Dispatcher core, NetServerOptions serverOptions,
      RawTcpOptions options) {
    this.vertx = vertx;
    this.broker = broker;
    this.core = core;
    this.serverOptions = new NetServerOptions(serverOptions);
    this.options = new RawTcpOptions(options);
  }

  /** Plain TCP on host:port. */
  public RawTcpListener(Vertx vertx, Broker broker, Dispatcher core, String host, int port, RawTcpOptions options) {
    this(vertx, broker, core, new NetServerOptions().setHost(host).setPort(port).setTcpNoDelay(true), options);
  }

  /** Binds the port (on the caller's event loop); completes with the bound address. */
  public Future<SocketAddress> listen() {
    server = vertx.createNetServer(serverOptions);
    Traffic traffic = broker.traffic(options.getListenerName(), "raw-tcp");
    if (serverOptions.isSsl()) {
      // Called for errors before the connect handler: on a TLS listener, a failed handshake.
      server.exceptionHandler(e -> broker.counters().increment(BrokerCounters.Counter.TLS_HANDSHAKES_FAILED));
    }
    server.connectHandler(socket -> {
      if (socket.isSsl()) {
        broker.counters().increment(BrokerCounters.Counter.TLS_HANDSHAKES);
      }
      DeviceConnection c = new DeviceConnection(vertx, broker, core, options, socket, traffic, connections::remove);
      connections.add(c);
      c.start();
    });
    return server.listen().map(s -> SocketAddress.inetSocketAddress(s.actualPort(), serverOptions.getHost()));
  }

  /** Stops accepting, then closes this listener's devices. */
  public Future<Void> close() {
    if (server == null) {
      return Future.succeededFuture();
    }
    return server.close().andThen(ar -> {
      for (DeviceConnection c : new ArrayList<>(connections)) {
        c.close("server shutting down");
      }
    });
  }

  /** New TLS key, certificate and trust for connections made from now on (see MqttListener). */
  public Future<Boolean> updateSsl(io.vertx.core.net.ServerSSLOptions ssl) {
    return server == null ? Future.succeededFuture(false) : server.updateSSLOptions(ssl, true);
  }

  /** Devices connected to this listener (call on its event loop). */
  public int connectionCount() {
    return connections.size();
  }
}
