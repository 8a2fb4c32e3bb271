package io.tributary.mqtt;

import io.tributary.mqtt.codec.StoredProperties;

import io.tributary.router.Broker;
import io.tributary.router.counters.BrokerCounters;
import io.tributary.router.delivery.Dispatcher;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.SocketAddress;

/**
 * An MQTT listener on one event loop. Every core runs one instance per configured listener on the
 * same port; Vert.x spreads accepted sockets over them and each owns the connections it accepted.
 */
public final class MqttListener {

  private final Vertx vertx;
  private final Broker broker;
  private final Dispatcher core;
  private final MqttOptions options;
  private final NetServerOptions serverOptions;
  private final MqttConnections connections = new MqttConnections("mqtt");
  private NetServer server;

  /** A plain-TCP listener on {@code host:port}. */
  public MqttListener(Vertx vertx, Broker broker, Dispatcher core, String host, int port, MqttOptions options) {
    this(vertx, broker, core, new NetServerOptions().setHost(host).setPort(port).setTcpNoDelay(true), options);
  }

  /**
   * A listener with ready-made server options: host, port and, for MQTT over TLS, the SSL
   * settings (the launcher builds them from a listener's {@code tls} block). The options are copied.
   */
  public MqttListener(Vertx vertx, Broker broker, Dispatcher core, NetServerOptions serverOptions, MqttOptions options) {
    this.vertx = vertx;
    this.broker = broker;
    this.core = core;
    this.options = new MqttOptions(options);
    this.serverOptions = new NetServerOptions(serverOptions);
    StoredProperties.register(); // so records read back from the log keep their MQTT 5 properties
  }

  /** Binds the port; completes with the bound address (port 0 picks a free port). */
  public Future<SocketAddress> listen() {
    server = vertx.createNetServer(serverOptions);
    if (serverOptions.isSsl()) {
      // Called for errors before the connect handler: on a TLS listener, a failed handshake.
      server.exceptionHandler(e -> broker.counters().increment(BrokerCounters.Counter.TLS_HANDSHAKES_FAILED));
    }
    server.connectHandler(socket -> {
      if (socket.isSsl()) {
        broker.counters().increment(BrokerCounters.Counter.TLS_HANDSHAKES);
      }
      connections.accept(vertx, broker, core, options, TcpTransport.takeOver((NetSocketInternal) socket));
    });
    return server.listen().map(s -> SocketAddress.inetSocketAddress(s.actualPort(), serverOptions.getHost()));
  }

  /** Closes this listener's connections, then stops accepting. */
  public Future<Void> close() {
    if (server == null) {
      return Future.succeededFuture();
    }
    // Our connections first, so MQTT 5 clients are told (DISCONNECT 0x8B) before the server's
    // close would cut their sockets; a socket accepted in between is closed with the server.
    return connections.closeAll(vertx, options.getShutdownTimeoutMs()).compose(v -> server.close());
  }

  /**
   * New TLS key, certificate and trust (rotated files at the same paths: forced, so an unchanged
   * path is read again); connections made from now on get them, open ones keep theirs.
   */
  public Future<Boolean> updateSsl(io.vertx.core.net.ServerSSLOptions ssl) {
    return server == null ? Future.succeededFuture(false) : server.updateSSLOptions(ssl, true);
  }

  public int connectionCount() {
    return connections.size();
  }
}
