package io.tributary.cluster;

import io.tributary.router.Broker;
import io.tributary.router.message.Message;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;

import io.vertx.core.eventbus.MessageConsumer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where other nodes' forwards arrive: each batch is stored in this node's log as one append
 * (delivered from there like a local publish) and answered once it is as durable as the log's
 * flush policy promises. A batch sent again after a lost answer is not stored twice: a sender's
 * live batches come in offset order, so per sending incarnation the highest offset stored is
 * enough; a lookback batch (older offsets, see {@link Forwarder}) is checked against the last
 * {@link #REMEMBERED} lookback offsets.
 */
final class ForwardInbox {

  private static final Logger log = LoggerFactory.getLogger(ForwardInbox.class);
  static final int REMEMBERED = 65_536;

  private final Broker broker;
  private final Context context;
  /** Per sending incarnation: the highest live offset stored. */
  private final Map<String, long[]> highest = new HashMap<>();
  /** Per sending incarnation: lookback offsets stored lately. */
  private final Map<String, LinkedHashSet<Long>> lookback = new HashMap<>();
  private MessageConsumer<Buffer> consumer;

  ForwardInbox(Broker broker, Context context) {
    this.broker = broker;
    this.context = context;
  }

  /** Registers the consumer; completes once other nodes can reach it. */
  io.vertx.core.Future<Void> start(String address) {
    consumer = context.owner().eventBus().<Buffer>consumer(address, this::receive);
    return consumer.completion();
  }

  void stop() {
    if (consumer != null) {
      consumer.unregister();
    }
  }

  /** A node left: what it sent is forgotten (a restarted node is another incarnation). */
  void forget(String incarnation) {
    context.runOnContext(v -> {
      highest.remove(incarnation);
      lookback.remove(incarnation);
    });
  }

  private void receive(io.vertx.core.eventbus.Message<Buffer> request) {
    String from = request.headers().get(ClusterNode.FROM);
    String incarnation = request.headers().get(ClusterNode.INCARNATION);
    ForwardBatch.Received batch;
    try {
      batch = ForwardBatch.read(request.body(), ClusterNode.ORIGIN_PREFIX + from);
    } catch (RuntimeException e) {
      log.error("cluster: a forward from node '{}' could not be read, refused: {}", from, e.getMessage());
      request.fail(400, e.getMessage());
      return;
    }
    List<Message> fresh = new ArrayList<>(batch.messages().size());
    long[] offsets = batch.offsets();
    if (request.headers().contains(ClusterNode.LOOKBACK)) {
      LinkedHashSet<Long> remembered = lookback.computeIfAbsent(incarnation, k -> new LinkedHashSet<>());
      for (int i = 0; i < offsets.length; i++) {
        if (remembered.add(offsets[i])) {
          fresh.add(batch.messages().get(i));
        }
      }
      while (remembered.size() > REMEMBERED) {
        remembered.remove(remembered.iterator().next());
      }
    } else {
      long[] top = highest.computeIfAbsent(incarnation, k -> new long[] {-1});
      for (int i = 0; i < offsets.length; i++) {
        if (offsets[i] > top[0]) {
          fresh.add(batch.messages().get(i));
          top[0] = offsets[i];
        }
      }
    }
    if (fresh.isEmpty()) {
      request.reply(0);
      return;
    }
    long first = broker.storeForwarded(fresh);
    broker.whenDurable(first + fresh.size() - 1, task -> context.runOnContext(v -> task.run()),
        () -> request.reply(fresh.size()));
  }
}
