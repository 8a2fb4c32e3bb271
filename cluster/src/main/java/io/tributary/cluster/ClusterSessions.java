package io.tributary.cluster;

import com.hazelcast.map.IMap;
import io.tributary.router.Broker;
import io.tributary.router.SessionDirectory;
import io.tributary.router.logging.LogSafe;
import io.tributary.router.session.SessionRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which node holds each session ({@code tributary.sessions}: client id -> node name), and sessions
 * moving between nodes: before a connection claims its client id on this node, this node becomes
 * the session's home, and the node that was its home (if another, and alive) hands the session
 * over. There the old connection is closed (MQTT 5: 0x8E) and, unless the new one starts clean,
 * the session's state and queue come here ({@link SessionHandoffs}, {@link Broker#adopt}).
 */
final class ClusterSessions implements SessionDirectory {

  private static final Logger log = LoggerFactory.getLogger(ClusterSessions.class);
  static final String SESSIONS = "tributary.sessions";

  private final Vertx vertx;
  private final Context context;
  private final Broker broker;
  private final IMap<String, String> homes;
  private final String name;
  private final Predicate<String> live;
  private final long timeoutMs;
  private MessageConsumer<JsonObject> consumer;

  ClusterSessions(Vertx vertx, Context context, Broker broker, IMap<String, String> homes, String name,
      Predicate<String> live, long timeoutMs) {
    this.vertx = vertx;
    this.context = context;
    this.broker = broker;
    this.homes = homes;
    this.name = name;
    this.live = live;
    this.timeoutMs = timeoutMs;
  }

  static String address(String node) {
    return "tributary.cluster.session." + node;
  }

  /** Starts answering other nodes; completes once they can reach this one. */
  Future<Void> start() {
    consumer = vertx.eventBus().consumer(address(name), this::handOff);
    return consumer.completion();
  }

  void stop() {
    if (consumer != null) {
      consumer.unregister();
    }
  }

  @Override
  public CompletionStage<Void> claim(String clientId, boolean cleanStart) {
    return homes.putAsync(clientId, name).thenCompose(previous -> {
      if (previous == null || previous.equals(name) || !live.test(previous)) {
        return CompletableFuture.<Void>completedFuture(null);
      }
      JsonObject ask = new JsonObject().put("clientId", clientId).put("keepState", !cleanStart);
      return vertx.eventBus().<Buffer>request(address(previous), ask, new DeliveryOptions().setSendTimeout(timeoutMs))
          .map(reply -> {
            Buffer body = reply.body();
            if (body != null && body.length() > 0) {
              SessionRegistry.Handoff handoff = SessionHandoffs.read(body);
              broker.adopt(clientId, handoff);
              log.info("cluster: client {}: session taken over from node '{}' with {} queued message(s)",
                  LogSafe.text(clientId), previous, handoff.messages().size());
            } else {
              log.info("cluster: client {}: connection on node '{}' taken over (no session moved)",
                  LogSafe.text(clientId), previous);
            }
            return (Void) null;
          })
          .recover(e -> {
            log.warn("cluster: client {}: the session on node '{}' was not taken over ({}); it starts here",
                LogSafe.text(clientId), previous, e.getMessage());
            return Future.succeededFuture();
          })
          .toCompletionStage();
    }).exceptionally(e -> {
      log.warn("cluster: client {}: the sessions map did not answer ({}); the session starts here",
          LogSafe.text(clientId), e.toString());
      return null;
    });
  }

  /** Another node takes one of this node's sessions over. */
  private void handOff(io.vertx.core.eventbus.Message<JsonObject> request) {
    String clientId = request.body().getString("clientId");
    boolean keepState = request.body().getBoolean("keepState", true);
    broker.handOff(clientId, keepState).whenComplete((handoff, e) -> context.runOnContext(v -> {
      if (e != null) {
        request.fail(500, e.toString());
      } else {
        request.reply(handoff == null ? Buffer.buffer() : SessionHandoffs.write(handoff));
      }
    }));
  }
}
