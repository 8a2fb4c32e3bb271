package io.tributary.admin;

import io.tributary.router.Broker;
import io.tributary.router.session.ConnectionDetails;
import io.tributary.router.session.SessionInfo;
import io.tributary.router.session.SessionRegistry.Eviction;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /api/v1/clients}, {@code /api/v1/sessions} and {@code /api/v1/subscriptions}: who is
 * connected, which sessions the broker keeps, what they subscribe to, how far behind the log's end
 * each one reads; disconnecting a client and ending a session. Each session is read on the event
 * loop that owns it ({@link Broker#sessions}), so its figures agree with each other.
 */
final class SessionsApi {

  private static final Logger log = LoggerFactory.getLogger(SessionsApi.class);
  static final int DEFAULT_PAGE_SIZE = 100;
  static final int MAX_PAGE_SIZE = 10_000;

  private final Broker broker;

  SessionsApi(Broker broker) {
    this.broker = broker;
  }

  void mount(Router api) {
    api.get("/clients").handler(rc -> list(rc, true));
    api.get("/clients/:id").handler(rc -> one(rc, true));
    api.delete("/clients/:id").handler(rc -> evict(rc, false));
    api.get("/sessions").handler(rc -> list(rc, false));
    api.get("/sessions/:id").handler(rc -> one(rc, false));
    api.delete("/sessions/:id").handler(rc -> evict(rc, true));
    api.get("/subscriptions").handler(this::subscriptions);
    api.post("/clients/:id/trace").handler(this::trace);
    api.delete("/clients/:id/trace").handler(rc -> {
      String id = rc.pathParam("id");
      if (broker.tracing().stop(id)) {
        log.info("admin API: stopped tracing {}", id);
        Json.send(rc, 200, new JsonObject().put("clientId", id).put("result", "not traced any more"));
      } else {
        Json.error(rc, 404, "client id " + id + " is not traced");
      }
    });
    api.get("/traces").handler(rc -> {
      JsonArray items = new JsonArray();
      broker.tracing().active().forEach((id, until) -> items.add(new JsonObject().put("clientId", id).put("until", until)));
      Json.send(rc, 200, new JsonObject().put("items", items));
    });
  }

  /**
   * {@code POST /clients/{id}/trace?seconds=N} (default 60, at most 3600): every packet of that
   * client id, in and out, is logged on {@code io.tributary.trace} until then, whether it is
   * connected now or connects later. No restart, no log level to change.
   */
  private void trace(RoutingContext rc) {
    String id = rc.pathParam("id");
    long seconds;
    try {
      String s = rc.queryParams().get("seconds");
      seconds = s == null ? 60 : Long.parseLong(s);
    } catch (NumberFormatException e) {
      Json.error(rc, 400, "seconds must be a number");
      return;
    }
    if (seconds < 1 || seconds > 3600) {
      Json.error(rc, 400, "seconds must be between 1 and 3600");
      return;
    }
    long until = broker.tracing().trace(id, seconds);
    log.info("admin API: tracing {} for {} s (logger io.tributary.trace)", id, seconds);
    Json.send(rc, 200, new JsonObject().put("clientId", id).put("seconds", seconds).put("until", until)
        .put("logger", "io.tributary.trace"));
  }

  /** Clients (connected sessions) or all sessions, filtered, sorted by client id, one page. */
  private void list(RoutingContext rc, boolean connectedOnly) {
    String prefix = rc.queryParams().get("prefix");
    String listener = rc.queryParams().get("listener");
    String protocol = rc.queryParams().get("protocol");
    String connected = rc.queryParams().get("connected");
    Page page = Page.of(rc);
    if (page == null) {
      return;
    }
    Predicate<SessionInfo> keep = s -> (!connectedOnly || s.connected())
        && (connected == null || s.connected() == Boolean.parseBoolean(connected))
        && (listener == null || (s.connected() && listener.equals(s.connection().listener())))
        && (protocol == null || (s.connected() && protocol.equals(s.connection().protocol())));
    answer(rc, broker.sessions(id -> prefix == null || id.startsWith(prefix)), all -> {
      List<SessionInfo> selected = all.stream().filter(keep).toList();
      JsonArray items = new JsonArray();
      selected.stream().skip((long) page.number() * page.size()).limit(page.size())
          .forEach(s -> items.add(summary(s)));
      Json.send(rc, 200, new JsonObject().put("total", selected.size()).put("page", page.number())
          .put("size", page.size()).put("items", items));
    });
  }

  private void one(RoutingContext rc, boolean connectedOnly) {
    String id = rc.pathParam("id");
    answer(rc, broker.sessions(id::equals), found -> {
      if (found.isEmpty() || (connectedOnly && !found.get(0).connected())) {
        Json.error(rc, 404, (connectedOnly ? "no connected client " : "no session ") + "with client id " + id);
      } else {
        Json.send(rc, 200, detail(found.get(0)));
      }
    });
  }

  /** DELETE a client: its connection is closed (MQTT 5: 0x98); a session too: it ends. */
  private void evict(RoutingContext rc, boolean endSession) {
    String id = rc.pathParam("id");
    answer(rc, broker.evict(id, endSession), result -> {
      if (result == Eviction.NOT_FOUND) {
        Json.error(rc, 404, (endSession ? "no session " : "no connected client ") + "with client id " + id);
      } else {
        log.info("admin API: {} {}", endSession ? "ended the session of" : "disconnected", id);
        Json.send(rc, 200, new JsonObject().put("clientId", id)
            .put("result", result == Eviction.ENDED ? "session ended" : "disconnected"));
      }
    });
  }

  private void subscriptions(RoutingContext rc) {
    String prefix = rc.queryParams().get("prefix");
    String filter = rc.queryParams().get("filter");
    Page page = Page.of(rc);
    if (page == null) {
      return;
    }
    answer(rc, broker.sessions(id -> prefix == null || id.startsWith(prefix)), all -> {
      JsonArray items = new JsonArray();
      long total = 0;
      long from = (long) page.number() * page.size();
      for (SessionInfo s : all) {
        for (SessionInfo.SubscriptionInfo sub : s.subscriptions()) {
          if (filter != null && !filter.equals(sub.filter())) {
            continue;
          }
          if (total >= from && items.size() < page.size()) {
            items.add(subscription(sub).put("clientId", s.clientId()).put("connected", s.connected()));
          }
          total++;
        }
      }
      Json.send(rc, 200, new JsonObject().put("total", total).put("page", page.number())
          .put("size", page.size()).put("items", items));
    });
  }

  /**
   * Answers with what the router computed on its own threads, back on the request's context; a
   * failure is a 500 with its message.
   */
  private static <T> void answer(RoutingContext rc, CompletableFuture<T> result, Consumer<T> then) {
    Future.fromCompletionStage(result, rc.vertx().getOrCreateContext())
        .onSuccess(then::accept)
        .onFailure(e -> Json.error(rc, 500, e.toString()));
  }

  static JsonObject summary(SessionInfo s) {
    JsonObject o = new JsonObject().put("clientId", s.clientId()).put("connected", s.connected())
        .put("persistent", s.persistent());
    ConnectionDetails c = s.connection();
    if (c != null) {
      o.put("listener", c.listener()).put("protocol", c.protocol()).put("remoteAddress", c.remoteAddress())
          .put("protocolVersion", c.protocolVersion()).put("username", c.username())
          .put("connectedAt", c.connectedAt());
    } else {
      o.put("disconnectedAt", s.disconnectedAt());
    }
    return o.put("subscriptions", s.subscriptions().size() + s.sharedSubscriptions()).put("inflight", s.inflight())
        .put("lag", s.lag());
  }

  static JsonObject detail(SessionInfo s) {
    JsonObject o = summary(s);
    ConnectionDetails c = s.connection();
    if (c != null) {
      o.put("cleanStart", c.cleanStart()).put("keepAliveSeconds", c.keepAliveSeconds());
    }
    JsonArray subs = new JsonArray();
    s.subscriptions().forEach(sub -> subs.add(subscription(sub)));
    return o.put("expirySeconds", s.expirySeconds()).put("subscriptions", subs)
        .put("sharedSubscriptions", s.sharedSubscriptions()).put("inboundQos2", s.inboundQos2())
        .put("position", s.position());
  }

  private static JsonObject subscription(SessionInfo.SubscriptionInfo sub) {
    JsonObject o = new JsonObject().put("filter", sub.filter()).put("qos", sub.qos());
    if (sub.noLocal()) {
      o.put("noLocal", true);
    }
    if (sub.retainAsPublished()) {
      o.put("retainAsPublished", true);
    }
    if (sub.retainHandling() != 0) {
      o.put("retainHandling", sub.retainHandling());
    }
    if (sub.identifier() != 0) {
      o.put("identifier", sub.identifier());
    }
    return o;
  }

  /** {@code page} (from 0) and {@code size} query parameters; null after answering 400. */
  record Page(int number, int size) {
    static Page of(RoutingContext rc) {
      try {
        String p = rc.queryParams().get("page");
        String s = rc.queryParams().get("size");
        int number = p == null ? 0 : Integer.parseInt(p);
        int size = s == null ? DEFAULT_PAGE_SIZE : Integer.parseInt(s);
        if (number < 0 || size < 1 || size > MAX_PAGE_SIZE) {
          Json.error(rc, 400, "page must be >= 0 and size between 1 and " + MAX_PAGE_SIZE);
          return null;
        }
        return new Page(number, size);
      } catch (NumberFormatException e) {
        Json.error(rc, 400, "page and size must be numbers");
        return null;
      }
    }
  }
}
