package io.tributary.cluster;

import io.tributary.router.Broker;
import io.tributary.router.message.Message;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retained messages for a node that joins: every node answers on
 * {@code tributary.cluster.retained.NAME} with all of its retained messages (but {@code $SYS}: each
 * node has its own), and a joining node takes those newer than its own from the first member that
 * answers (each member holds them all: retained messages are forwarded to every node).
 */
final class RetainedSync {

  private static final Logger log = LoggerFactory.getLogger(RetainedSync.class);

  private final Vertx vertx;
  private final Broker broker;
  private final String name;
  private MessageConsumer<Object> consumer;

  RetainedSync(Vertx vertx, Broker broker, String name) {
    this.vertx = vertx;
    this.broker = broker;
    this.name = name;
  }

  static String address(String node) {
    return "tributary.cluster.retained." + node;
  }

  /** Starts answering; completes once other nodes can reach this one. */
  Future<Void> start() {
    consumer = vertx.eventBus().consumer(address(name), request -> request.reply(snapshot()));
    return consumer.completion();
  }

  void stop() {
    if (consumer != null) {
      consumer.unregister();
    }
  }

  private Buffer snapshot() {
    ForwardBatch batch = new ForwardBatch(1024);
    for (Message m : broker.retained().snapshot()) {
      if (!m.topic().startsWith("$SYS/")) {
        batch.add(-1, m);
      }
    }
    return batch.body();
  }

  /** Takes the retained messages of the first of these nodes that answers. */
  Future<Void> takeFrom(List<String> sources) {
    return takeFrom(sources, 0);
  }

  private Future<Void> takeFrom(List<String> sources, int next) {
    if (next >= sources.size()) {
      if (!sources.isEmpty()) {
        log.warn("cluster: no member gave its retained messages; this node has only its own until they are published again");
      }
      return Future.succeededFuture();
    }
    String source = sources.get(next);
    return vertx.eventBus().<Buffer>request(address(source), null)
        .map(reply -> {
          ForwardBatch.Received got = ForwardBatch.read(reply.body(), ClusterNode.ORIGIN_PREFIX + source);
          int taken = 0;
          for (Message m : got.messages()) {
            taken += broker.retained().adoptIfNewer(m) ? 1 : 0;
          }
          log.info("cluster: {} of {} retained message(s) taken from node '{}'", taken, got.messages().size(), source);
          return (Void) null;
        })
        .recover(e -> {
          log.warn("cluster: retained messages not taken from node '{}': {}", source, e.getMessage());
          return takeFrom(sources, next + 1);
        });
  }
}
