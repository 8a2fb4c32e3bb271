package io.tributary.admin;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tributary.router.Broker;
import io.tributary.router.ListenerStatus;
import io.tributary.router.SysTopics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.micrometer.backends.BackendRegistries;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin listener, an HTTP server on vertx-web: {@code GET /health} and {@code GET /metrics}
 * (Prometheus text, through Micrometer) for anyone who can reach it, and the REST API under
 * {@code /api/v1} for operators ({@link AdminAuth}), described by {@code /api/v1/openapi.json}, and
 * at {@code /} the console's broker view, pages that call that API from the browser.
 * One instance per broker, on one event loop: nothing here is on the message path.
 *
 * <p>The metrics registry is the one Vert.x was built with ({@code vertx-micrometer-metrics}, as
 * the launcher does: JVM and GC meters come with it), or one of its own for a Vert.x without
 * metrics (JVM meters then bound here).
 */
public final class AdminListener {

  private static final Logger log = LoggerFactory.getLogger(AdminListener.class);

  private final Vertx vertx;
  private final Broker broker;
  private final AdminOptions options;
  private final AdminHost host;
  private final PrometheusMeterRegistry registry;
  private EventLoopLag lag;
  private HttpServer server;

  public AdminListener(Vertx vertx, Broker broker, AdminOptions options, AdminHost host) {
    this.vertx = vertx;
    this.broker = broker;
    this.options = new AdminOptions(options);
    this.host = host;
    this.registry = sharedOrOwnRegistry();
  }

  private static PrometheusMeterRegistry sharedOrOwnRegistry() {
    MeterRegistry shared = BackendRegistries.getDefaultNow();
    if (shared instanceof PrometheusMeterRegistry prometheus) {
      return prometheus;
    }
    PrometheusMeterRegistry own = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(own);
    new JvmGcMetrics().bindTo(own);
    new JvmThreadMetrics().bindTo(own);
    new ClassLoaderMetrics().bindTo(own);
    new ProcessorMetrics().bindTo(own);
    new UptimeMetrics().bindTo(own);
    new FileDescriptorMetrics().bindTo(own);
    return own;
  }

  /** The registry /metrics serves (for tests and embedding applications adding their own meters). */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Binds the port; completes with the bound address (port 0 picks a free one). */
  public Future<SocketAddress> listen() {
    new BrokerMetrics(broker, host).bindTo(registry);
    lag = new EventLoopLag(vertx, broker, registry);

    Router router = Router.router(vertx);
    router.get("/health").handler(this::health);
    router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));

    Router api = Router.router(vertx);
    api.get("/openapi.json").handler(this::openApi);
    // The body is read first: the password check below is asynchronous.
    api.route().handler(BodyHandler.create().setBodyLimit(1024 * 1024));
    api.route().handler(new AdminAuth(vertx, options));
    new SessionsApi(broker).mount(api);
    new MessagesApi(broker).mount(api);
    api.get("/overview").handler(rc -> Json.send(rc, 200, Overview.of(broker)));
    api.get("/config").handler(rc -> Json.send(rc, 200, host.runningConfig()));
    api.post("/reload").handler(rc -> host.reload()
        .onSuccess(result -> Json.send(rc, 200, result))
        .onFailure(e -> Json.error(rc, 500, e.getMessage())));
    api.route().handler(rc -> Json.error(rc, 404, "no such API: " + rc.request().method() + " " + rc.request().path()));
    api.route().failureHandler(rc -> {
      log.warn("admin API: {} {} failed", rc.request().method(), rc.request().path(), rc.failure());
      Json.error(rc, rc.statusCode() > 0 ? rc.statusCode() : 500,
          rc.failure() == null ? "request failed" : rc.failure().toString());
    });
    router.route("/api/v1/*").subRouter(api);
    // The console's broker view: static pages that call the API above from the browser.
    router.route().handler(StaticHandler.create("admin-console").setCachingEnabled(false));
    router.route().handler(rc -> Json.error(rc, 404, "not found: " + rc.request().path()
        + " (try /health, /metrics, /api/v1/openapi.json)"));

    server = vertx.createHttpServer(options.getServerOptions()).requestHandler(router);
    return server.listen().map(s -> SocketAddress.inetSocketAddress(s.actualPort(),
        options.getServerOptions().getHost()));
  }

  private void health(RoutingContext rc) {
    List<ListenerStatus> listeners = host.listeners();
    boolean up = listeners.stream().allMatch(ListenerStatus::up);
    JsonArray array = new JsonArray();
    listeners.forEach(l -> array.add(new JsonObject().put("name", l.name()).put("protocol", l.protocol())
        .put("address", l.address()).put("up", l.up())));
    Json.send(rc, up ? 200 : 503, new JsonObject().put("status", up ? "UP" : "DOWN")
        .put("version", SysTopics.version()).put("listeners", array));
  }

  private void openApi(RoutingContext rc) {
    try (InputStream in = AdminListener.class.getResourceAsStream("openapi.json")) {
      rc.response().putHeader("Content-Type", "application/json").end(new String(in.readAllBytes(),
          java.nio.charset.StandardCharsets.UTF_8));
    } catch (IOException | NullPointerException e) {
      Json.error(rc, 500, "the OpenAPI document is missing from the build");
    }
  }

  /** New TLS key, certificate and trust for connections made from now on. */
  public Future<Boolean> updateSsl(io.vertx.core.net.ServerSSLOptions ssl) {
    return server == null ? Future.succeededFuture(false) : server.updateSSLOptions(ssl, true);
  }

  /** Stops accepting and closes open HTTP connections. */
  public Future<Void> close() {
    if (lag != null) {
      lag.close();
    }
    return server == null ? Future.succeededFuture() : server.close();
  }
}
