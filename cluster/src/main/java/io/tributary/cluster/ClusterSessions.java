package io.tributary.cluster;

import com.hazelcast.map.IMap;
import io.tributary.router.Broker;
import io.tributary.router.SessionDirectory;
import io.tributary.router.logging.LogSafe;
import io.tributary.router.session.SessionMirror;
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
final class ClusterSessions implements SessionDirectory, SessionMirror {

  private static final Logger log = LoggerFactory.getLogger(ClusterSessions.class);
  static final String SESSIONS = "tributary.sessions";
  /** Persistent sessions' metadata (client id -> subscriptions, expiry), for when their node dies. */
  static final String REPLICAS = "tributary.session-replicas";
  /**
   * A dead node's sessions want what other nodes stored from this long before the node was seen
   * leaving: the 5 s Hazelcast takes to declare it dead, and a second more.
   */
  static final long DEATH_LOOKBACK_MS = 6_000;

  private final Vertx vertx;
  private final Context context;
  private final Broker broker;
  private final IMap<String, String> homes;
  private final IMap<String, byte[]> replicas;
  /** Node name -> when this node saw it leave (wall clock). */
  private final java.util.Map<String, Long> leftAt = new java.util.concurrent.ConcurrentHashMap<>();
  private final String name;
  private final Predicate<String> live;
  private final long timeoutMs;
  private MessageConsumer<JsonObject> consumer;

  ClusterSessions(Vertx vertx, Context context, Broker broker, IMap<String, String> homes,
      IMap<String, byte[]> replicas, String name, Predicate<String> live, long timeoutMs) {
    this.replicas = replicas;
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

  /**
   * After a restart: sessions this node restored from its disk whose client has since made another
   * node its home (it reconnected there while this node was down) are ended here, so they neither
   * hold routes nor compete with the live session.
   */
  void dropSessionsLivingElsewhere() {
    broker.sessions(id -> true).thenAccept(list -> list.forEach(info -> homes.getAsync(info.clientId())
        .thenAccept(home -> {
          if (home != null && !home.equals(name)) {
            broker.evict(info.clientId(), true);
            log.info("cluster: client {}: the session restored here ended: the client is at node '{}' now",
                LogSafe.text(info.clientId()), home);
          }
        })));
  }

  void stop() {
    if (consumer != null) {
      consumer.unregister();
    }
  }

  /** A node left the cluster (dead or stopped): its sessions may be resumed from their replicas. */
  void nodeLeft(String node) {
    leftAt.put(node, System.currentTimeMillis());
  }

  @Override
  public void saved(String clientId, byte[] metadata) {
    replicas.setAsync(clientId, metadata);
  }

  @Override
  public void ended(String clientId) {
    // A session that moved to another node ends here after that node made itself its home and
    // saved its replica: only the home removes it.
    homes.getAsync(clientId).thenAccept(home -> {
      if (home == null || home.equals(name)) {
        replicas.removeAsync(clientId);
      }
    });
  }

  /**
   * A connection with clean start brings nothing along, so it goes ahead at once: a connection the
   * client still has on another node is closed when the map answers, milliseconds later (waiting
   * for that round trip made a connection storm on a cluster node 8x slower than on one broker).
   * Otherwise the connection waits until the session is here.
   */
  @Override
  public CompletionStage<Void> claim(String clientId, boolean cleanStart) {
    CompletionStage<Void> claimed = take(clientId, cleanStart);
    return cleanStart ? CompletableFuture.completedFuture(null) : claimed;
  }

  private CompletionStage<Void> take(String clientId, boolean cleanStart) {
    return homes.putAsync(clientId, name).thenCompose(previous -> {
      if (previous != null && !previous.equals(name) && !live.test(previous)) {
        return resumeReplica(clientId, previous, cleanStart);
      }
      if (previous == null || previous.equals(name)) {
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

  /**
   * The client's session lived on a node that is gone: unless the client starts clean, its
   * replicated metadata (if any) resumes it here, wanting what other nodes stored for it since
   * shortly before the node was seen leaving.
   */
  private CompletionStage<Void> resumeReplica(String clientId, String deadNode, boolean cleanStart) {
    if (cleanStart) {
      replicas.removeAsync(clientId);
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    replicas.getAsync(clientId).whenComplete((metadata, e) -> context.runOnContext(v -> {
      if (e != null) {
        log.warn("cluster: client {}: the session replicas did not answer ({}); the session starts here",
            LogSafe.text(clientId), e.toString());
      } else if (metadata != null) {
        Long left = leftAt.get(deadNode);
        long since = left != null ? left - DEATH_LOOKBACK_MS : System.currentTimeMillis();
        broker.adoptReplica(clientId, metadata, since);
        log.info("cluster: client {}: session of node '{}' (gone) resumed here from its replica", LogSafe.text(clientId),
            deadNode);
      }
      done.complete(null);
    }));
    return done;
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
