package io.tributary.websocket;

import io.tributary.mqtt.MqttConnections;
import io.tributary.mqtt.MqttOptions;
import io.tributary.router.Broker;
import io.tributary.router.ListenerStatus;
import io.tributary.router.counters.BrokerCounters;
import io.tributary.router.logging.LogSafe;
import io.tributary.router.logging.LogThrottle;
import io.tributary.router.delivery.Dispatcher;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MQTT over WebSocket on one event loop, like {@code MqttListener} for TCP: every core runs one
 * instance per configured listener on the same port and owns the connections it accepted. One
 * HTTP server serves:
 * <ul>
 *   <li>the MQTT paths (default {@code /mqtt}): WebSocket upgrade with subprotocol {@code mqtt}
 *       (3.1.1 and 5.0) or {@code mqttv3.1}; no acceptable subprotocol is refused with 400, an
 *       Origin not on the allow-list with 403, both before the upgrade;</li>
 *   <li>through a vertx-web {@link Router}: {@code GET /health}, the broker's listeners as JSON, 200 when all are up, else 503;</li>
 *   <li>through the Router, everything else: the web console, static files from the classpath {@code webroot/}.</li>
 * </ul>
 */
public final class WebSocketListener {

  private static final Logger log = LoggerFactory.getLogger(WebSocketListener.class);

  private final Vertx vertx;
  private final Broker broker;
  private final Dispatcher core;
  private final MqttOptions mqtt;
  private final WebSocketOptions options;
  private final Supplier<List<ListenerStatus>> health;
  private final MqttConnections connections = new MqttConnections("mqtt-ws");
  /** WebSocket protocol errors and HTTP timeouts: bursts of 100 lines, then 10 a second. */
  private final LogThrottle warnings = new LogThrottle(100, 10);
  /** HTTP connections of this loop waiting for a complete request head -> their deadline timer. */
  private final Map<HttpConnection, Long> headDeadlines = new HashMap<>();
  private HttpServer server;
  private SocketAddress bound;

  /**
   * @param health the broker's listeners for {@code GET /health}; null reports this listener
   *     alone
   */
  public WebSocketListener(Vertx vertx, Broker broker, Dispatcher core, MqttOptions mqtt, WebSocketOptions options,
      Supplier<List<ListenerStatus>> health) {
    this.vertx = vertx;
    this.broker = broker;
    this.core = core;
    this.mqtt = new MqttOptions(mqtt);
    this.options = options;
    this.health = health;
  }

  HttpServerOptions serverOptions() {
    HttpServerOptions o = new HttpServerOptions()
        .setHost(options.getHost())
        .setPort(options.getPort())
        .setTcpNoDelay(true)
        .setWebSocketSubProtocols(WebSocketOptions.SUBPROTOCOLS)
        // No WebSocket extension is offered, so the decoder refuses frames with RSV bits set
        // (RFC 6455 5.2: close with 1002). HTTP/2 is not served: no h2c preface sniffing.
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false)
        .setHttp2ClearTextEnabled(false)
        // An MQTT packet may span frames and a frame hold several packets; neither a frame nor a
        // (never aggregated) message needs to be larger than the largest packet.
        .setMaxWebSocketFrameSize(mqtt.getMaxPacketSize())
        .setMaxWebSocketMessageSize(mqtt.getMaxPacketSize());
    if (options.getSsl() != null) {
      ServerSSLOptions ssl = options.getSsl();
      o.setSsl(true)
          .setKeyCertOptions(ssl.getKeyCertOptions())
          .setTrustOptions(ssl.getTrustOptions())
          .setClientAuth(ssl.getClientAuth())
          .setEnabledSecureTransportProtocols(ssl.getEnabledSecureTransportProtocols());
      if (options.getSslEngine() != null) {
        o.setSslEngineOptions(options.getSslEngine());
      }
    } else if (options.isTls()) {
      o.setSsl(true)
          .setKeyCertOptions(new PemKeyCertOptions().setCertPath(options.getCertPath()).setKeyPath(options.getKeyPath()))
          .setEnabledSecureTransportProtocols(Set.of("TLSv1.2", "TLSv1.3"));
    }
    return o;
  }

  /** New TLS key, certificate and trust for connections made from now on (see MqttListener). */
  public Future<Boolean> updateSsl(io.vertx.core.net.ServerSSLOptions ssl) {
    return server == null ? Future.succeededFuture(false) : server.updateSSLOptions(ssl, true);
  }

  /** Binds the port; completes with the bound address (port 0 picks a free port). */
  public Future<SocketAddress> listen() {
    Router router = Router.router(vertx);
    router.route().handler(rc -> {
      // Once the response is sent, the next request head must come within the idle timeout.
      HttpConnection conn = rc.request().connection();
      rc.addEndHandler(ar -> {
        if (ar.succeeded()) {
          armDeadline(conn, options.getIdleTimeoutMs(), "idle after its last response");
        }
      });
      rc.next();
    });
    router.get("/health").handler(this::health);
    router.route().handler(StaticHandler.create("webroot"));
    Set<String> mqttPaths = Set.copyOf(options.getPaths());
    // The MQTT paths are taken before the router: vertx-web wraps the WebSocket of an upgrade it
    // routes, and the transport takes over Vert.x's own (its channel's pipeline).
    server = vertx.createHttpServer(serverOptions()).connectionHandler(this::onHttpConnection);
    if (options.isTls()) {
      // Called for errors before the connection handler: on a TLS listener, a failed handshake.
      server.exceptionHandler(e -> broker.counters().increment(BrokerCounters.Counter.TLS_HANDSHAKES_FAILED));
    }
    server.requestHandler(req -> {
      cancelDeadline(req.connection()); // a complete request head arrived
      if (mqttPaths.contains(req.path())) {
        if (!upgrade(req)) {
          // Refused with an HTTP answer: the connection stays HTTP, so it gets its next deadline.
          armDeadline(req.connection(), options.getIdleTimeoutMs(), "idle after its last response");
        }
      } else {
        router.handle(req);
      }
    });
    return server.listen().map(s -> {
      bound = SocketAddress.inetSocketAddress(s.actualPort(), options.getHost());
      return bound;
    });
  }

  /**
   * Every HTTP connection has a deadline for its next complete request head: from its start
   * ({@code requestTimeoutMs}) and from the end of each response ({@code idleTimeoutMs}). A
   * deadline, not a timer reset by traffic, so a client that sends its head one byte every few
   * seconds is closed too. An upgrade to MQTT over WebSocket ends it: MQTT's own timers apply.
   */
  private void onHttpConnection(HttpConnection conn) {
    if (conn.isSsl()) {
      broker.counters().increment(BrokerCounters.Counter.TLS_HANDSHAKES);
    }
    armDeadline(conn, options.getRequestTimeoutMs(), "no complete request");
    conn.closeHandler(v -> cancelDeadline(conn));
  }

  private void armDeadline(HttpConnection conn, long delayMs, String what) {
    cancelDeadline(conn);
    long timer = vertx.setTimer(delayMs, id -> {
      headDeadlines.remove(conn);
      broker.counters().increment(BrokerCounters.Counter.HTTP_TIMEOUTS);
      warnings.info(log, "HTTP connection from {}: {} within {} ms, closing", conn.remoteAddress(), what, delayMs);
      conn.close();
    });
    headDeadlines.put(conn, timer);
  }

  private void cancelDeadline(HttpConnection conn) {
    Long timer = headDeadlines.remove(conn);
    if (timer != null) {
      vertx.cancelTimer(timer);
    }
  }

  /** False when the upgrade was refused with an HTTP response (the connection stays HTTP). */
  private boolean upgrade(HttpServerRequest req) {
    String upgrade = req.getHeader(HttpHeaders.UPGRADE);
    if (req.method() != HttpMethod.GET || upgrade == null || !upgrade.toLowerCase(Locale.ROOT).contains("websocket")) {
      req.response().setStatusCode(426).putHeader(HttpHeaders.UPGRADE, "websocket")
          .putHeader("Sec-WebSocket-Protocol", "mqtt")
          .end("MQTT over WebSocket: connect with a WebSocket client (subprotocol mqtt)\n");
      return false;
    }
    String origin = req.getHeader(HttpHeaders.ORIGIN);
    List<String> allowed = options.getAllowedOrigins();
    if (origin != null && !allowed.isEmpty() && !allowed.contains(WebSocketOptions.normalizeOrigin(origin))) {
      log.info("WebSocket upgrade from {} refused: origin '{}' is not allowed", req.remoteAddress(), LogSafe.text(origin));
      req.response().setStatusCode(403).end("origin not allowed\n");
      return false;
    }
    if (!offersMqtt(req.getHeader("Sec-WebSocket-Protocol"))) {
      log.info("WebSocket upgrade from {} refused: subprotocols offered '{}', need mqtt or mqttv3.1",
          req.remoteAddress(), LogSafe.text(req.getHeader("Sec-WebSocket-Protocol")));
      req.response().setStatusCode(400)
          .putHeader("Sec-WebSocket-Protocol", String.join(", ", WebSocketOptions.SUBPROTOCOLS))
          .end("WebSocket subprotocol mqtt or mqttv3.1 required\n");
      return false;
    }
    req.toWebSocket().onComplete(ar -> {
      if (ar.failed()) {
        log.debug("WebSocket upgrade from {} failed: {}", req.remoteAddress(), ar.cause().toString());
        armDeadline(req.connection(), options.getIdleTimeoutMs(), "idle after a failed upgrade");
        return;
      }
      ServerWebSocket ws = ar.result();
      if (ws.subProtocol() == null) {
        // The handshake always selects one of ours after offersMqtt(); this is a guard.
        ws.close((short) 1002, "no MQTT subprotocol");
        return;
      }
      connections.accept(vertx, broker, core, mqtt, WebSocketTransport.takeOver(ws, broker.counters(), warnings,
          mqtt.getWriteStallTimeoutMs()));
    });
    return true;
  }

  /** True when the Sec-WebSocket-Protocol header offers a subprotocol this server speaks. */
  static boolean offersMqtt(String header) {
    if (header == null) {
      return false;
    }
    for (String p : header.split(",")) {
      if (WebSocketOptions.SUBPROTOCOLS.contains(p.trim())) {
        return true;
      }
    }
    return false;
  }

  private void health(RoutingContext rc) {
    List<ListenerStatus> listeners = health != null ? health.get()
        : List.of(new ListenerStatus("mqtt-ws", "mqtt-ws", String.valueOf(bound), server != null && bound != null));
    boolean up = !listeners.isEmpty() && listeners.stream().allMatch(ListenerStatus::up);
    JsonArray array = new JsonArray();
    listeners.forEach(l -> array.add(new JsonObject().put("name", l.name()).put("protocol", l.protocol())
        .put("address", l.address()).put("up", l.up())));
    rc.response().setStatusCode(up ? 200 : 503)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .end(new JsonObject().put("status", up ? "UP" : "DOWN").put("listeners", array).encode());
  }

  /** Closes this listener's connections, then stops accepting. */
  public Future<Void> close() {
    if (server == null) {
      return Future.succeededFuture();
    }
    // Our connections first, so MQTT 5 clients are told (DISCONNECT 0x8B) before the server's
    // close would cut their sockets; a socket accepted in between is closed with the server.
    return connections.closeAll(vertx, mqtt.getShutdownTimeoutMs()).compose(v -> server.close());
  }

  public int connectionCount() {
    return connections.size();
  }
}
