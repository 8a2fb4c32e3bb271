package io.tributary.cluster;

import io.tributary.router.Broker;
import io.tributary.router.message.Message;
import io.vertx.core.Context;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Where other nodes' forwards are stored ({@link ForwardServer} hands them here): each batch is
 * stored in this node's log as one append (delivered from there like a local publish) and
 * answered once it is as durable as the log's flush policy promises. A batch sent again after a
 * lost answer is not stored twice: a sender's live batches come in offset order, so per sending
 * incarnation the highest offset stored is enough; a lookback batch (older offsets, see
 * {@link Forwarder}) is checked against the last {@link #REMEMBERED} lookback offsets, and a live
 * record already stored by a lookback one is dropped too.
 *
 * <p>The server's context only (the broker verticle's).
 */
final class ForwardInbox {

  static final int REMEMBERED = 65_536;

  private final Broker broker;
  private final Context context;
  /** Per sending incarnation: the highest live offset stored. */
  private final Map<String, long[]> highest = new HashMap<>();
  /** Per sending incarnation: lookback offsets stored lately, and the highest of them. */
  private final Map<String, Lookbacks> lookback = new HashMap<>();

  private static final class Lookbacks {
    final LinkedHashSet<Long> offsets = new LinkedHashSet<>();
    long highest = -1;
  }

  ForwardInbox(Broker broker, Context context) {
    this.broker = broker;
    this.context = context;
  }

  /** A node left: what it sent is forgotten (a restarted node is another incarnation). */
  void forget(String incarnation) {
    context.runOnContext(v -> {
      highest.remove(incarnation);
      lookback.remove(incarnation);
    });
  }

  /**
   * Stores a batch (a {@link ForwardBatch} body) from node {@code from}, member incarnation;
   * {@code stored} runs on this context once it is durable. Throws IllegalArgumentException, having
   * stored nothing, for a batch that cannot be read.
   */
  void store(String from, String incarnation, boolean isLookback, ByteBuffer body, Runnable stored) {
    ForwardBatch.Received batch = ForwardBatch.read(body, ClusterNode.ORIGIN_PREFIX + from);
    List<Message> fresh = new ArrayList<>(batch.messages().size());
    long[] offsets = batch.offsets();
    Lookbacks looked = lookback.get(incarnation);
    if (isLookback) {
      if (looked == null) {
        looked = new Lookbacks();
        lookback.put(incarnation, looked);
      }
      for (int i = 0; i < offsets.length; i++) {
        if (looked.offsets.add(offsets[i])) {
          fresh.add(batch.messages().get(i));
          looked.highest = Math.max(looked.highest, offsets[i]);
        }
      }
      while (looked.offsets.size() > REMEMBERED) {
        looked.offsets.remove(looked.offsets.iterator().next());
      }
    } else {
      long[] top = highest.computeIfAbsent(incarnation, k -> new long[] {-1});
      for (int i = 0; i < offsets.length; i++) {
        long offset = offsets[i];
        if (offset > top[0]) {
          top[0] = offset;
          if (looked == null || offset > looked.highest || !looked.offsets.contains(offset)) {
            fresh.add(batch.messages().get(i));
          }
        }
      }
    }
    if (fresh.isEmpty()) {
      stored.run();
      return;
    }
    long first = broker.storeForwarded(fresh);
    broker.whenDurable(first + fresh.size() - 1, task -> context.runOnContext(v -> task.run()), stored);
  }
}
