package io.tributary.cluster;

import io.tributary.commitlog.CommitLog;
import io.tributary.router.counters.BrokerCounters;
import io.tributary.router.counters.BrokerCounters.Counter;
import io.tributary.router.delivery.Dispatcher;
import io.tributary.router.delivery.LogPump;
import io.tributary.router.message.Message;
import io.tributary.router.shared.SharedPositions;
import io.tributary.router.topic.SubscriptionIndex;
import io.tributary.router.topic.TopicTrie;
import io.tributary.router.topic.Topics;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one other node what it needs of this node's log: the messages this node's own clients
 * published (not those another node forwarded here) whose topic matches a filter subscribed on that
 * node or a shared group there that {@link ClusterGroups} chose for the record (named with it),
 * and every retained message. It reads the log with an offset of its own, as a shared group
 * does, on one dispatcher's thread: one batch in flight at a time (the other node answers once the
 * batch is stored in its log), so a slow node holds nothing here but its position; the log keeps
 * the messages. The position is saved after each answered batch, so a restart resumes there.
 *
 * <p>A filter that arrives after matching messages were stored here (a subscribe on the other
 * node races a publish on this one) gets what this node stored in the last {@link #LOOKBACK_MS}
 * that no other route of the node matched, as a lookback batch; a session that moved to the other
 * node gets what was stored here since it left its old node (its queue had what came before).
 * The other node drops offsets it already has.
 */
final class Forwarder implements LogPump {

  private static final Logger log = LoggerFactory.getLogger(Forwarder.class);
  static final long LOOKBACK_MS = 1_000;
  static final int LOOKBACK_RECORDS = 4_096;
  private static final int BATCH_RECORDS = 4_096;
  private static final long RETRY_MS = 500;

  private final String peer;
  private final String address;
  private final String self;
  private final String selfIncarnation;
  private final CommitLog<Message> commitLog;
  private final Dispatcher home;
  private final Vertx vertx;
  private final SharedPositions positions;
  private final BrokerCounters counters;
  private final ClusterOptions options;
  private final String key;
  /** This dispatcher's thread only, from here on. */
  private final TopicTrie<String> routes = new TopicTrie<>();
  /** The peer's shared groups: filter -> group key; this dispatcher's thread only. */
  private final TopicTrie<String> groups = new TopicTrie<>();
  private final ClusterGroups choice;
  private final java.util.List<String> chosen = new java.util.ArrayList<>();
  private long matchingOffset;
  /** Next offset to send; written on the dispatcher's thread, read by metrics. */
  private volatile long position;
  private boolean inflight;
  private boolean closed;
  /** Lookback batches waiting to go, before the next live batch. */
  private final java.util.ArrayDeque<ForwardBatch> lookbacks = new java.util.ArrayDeque<>();
  private final boolean[] found = new boolean[1];

  Forwarder(String peer, String self, String selfIncarnation, CommitLog<Message> commitLog, Dispatcher home,
      Vertx vertx, SharedPositions positions, Long savedPosition, BrokerCounters counters, ClusterOptions options,
      ClusterGroups choice) {
    this.choice = choice;
    this.peer = peer;
    this.address = ClusterNode.forwardAddress(peer);
    this.self = self;
    this.selfIncarnation = selfIncarnation;
    this.commitLog = commitLog;
    this.home = home;
    this.vertx = vertx;
    this.positions = positions;
    this.counters = counters;
    this.options = options;
    this.key = ClusterNode.POSITION_PREFIX + peer;
    this.position = savedPosition != null ? savedPosition : commitLog.endOffset();
  }

  String peer() {
    return peer;
  }

  /** The dispatcher this forwarder runs on. */
  Dispatcher home() {
    return home;
  }

  /** Records of this log the peer has not been sent yet (forward lag); any thread, approximate. */
  long lag() {
    return Math.max(0, commitLog.endOffset() - position);
  }

  /**
   * Dispatcher thread: a filter subscribed on the peer, wanting records stored from {@code since}
   * (see {@code SubscriptionIndex.FilterListener}).
   */
  void routeAdded(String filter, long since) {
    if (closed) {
      return;
    }
    if (RouteEntries.isGroupRoute(filter)) {
      String key = RouteEntries.groupKeyOf(filter);
      groups.add(io.tributary.router.shared.SharedGroup.parse(key)[1], key);
      home.wake();
      return;
    }
    if (since != SubscriptionIndex.NOTHING_BEFORE) {
      collectLookback(filter, since == SubscriptionIndex.RECENT ? System.currentTimeMillis() - LOOKBACK_MS : since);
    }
    routes.add(filter, filter);
    home.wake();
  }

  /** Dispatcher thread: the peer's last subscription to filter is gone. */
  void routeRemoved(String filter) {
    if (RouteEntries.isGroupRoute(filter)) {
      String key = RouteEntries.groupKeyOf(filter);
      groups.remove(io.tributary.router.shared.SharedGroup.parse(key)[1], key);
      return;
    }
    routes.remove(filter, filter);
  }

  /** Dispatcher thread: starts pumping. */
  void start() {
    home.addPump(this);
  }

  /** Dispatcher thread: the peer left; the position stays saved for when it comes back. */
  void close() {
    closed = true;
    home.removePump(this);
  }

  @Override
  public boolean pump() {
    if (inflight || closed) {
      return false;
    }
    if (!lookbacks.isEmpty()) {
      ForwardBatch b = lookbacks.poll();
      send(b, position, true);
      return false;
    }
    long end = commitLog.endOffset();
    if (position >= end) {
      return false;
    }
    long start = commitLog.startOffset();
    if (position < start) {
      log.warn("cluster: forwards to node '{}' fell {} records behind retention; those are not forwarded", peer,
          start - position);
      counters.add(Counter.RECORDS_LOST_TO_RETENTION, start - position);
      position = start;
    }
    ForwardBatch batch = new ForwardBatch();
    int limit = options.getForwardBatchBytes();
    long next = commitLog.read(position, BATCH_RECORDS, (offset, m) -> {
      if (!ownRecord(m)) {
        return true;
      }
      collectGroups(offset, m);
      if (!m.retain() && !matches(m.topic()) && chosen.isEmpty()) {
        return true;
      }
      if (batch.count() > 0 && batch.bytes() >= limit) {
        return false;
      }
      batch.add(offset, m, chosen.isEmpty() ? null : chosen);
      return true;
    });
    if (batch.count() == 0) {
      position = next;
      return next < commitLog.endOffset();
    }
    send(batch, next, false);
    return false;
  }

  /** The peer's shared groups the record's topic matches whose choice for this record is the peer, into {@link #chosen}. */
  private void collectGroups(long offset, Message m) {
    chosen.clear();
    if (groups.isEmpty()) {
      return;
    }
    matchingOffset = offset;
    groups.match(m.topic(), key -> {
      if (peer.equals(choice.chosen(key, matchingOffset)) && !chosen.contains(key)) {
        chosen.add(key);
      }
    });
  }

  /**
   * Published here by a client (or a bridge): not forwarded here by another node, not a session's
   * queue brought from another node, not this node's own {@code $SYS} figures.
   */
  private static boolean ownRecord(Message m) {
    String origin = m.origin();
    return (origin == null || origin.startsWith("bridge:")) && !m.topic().startsWith("$SYS/");
  }

  private boolean matches(String topic) {
    found[0] = false;
    routes.match(topic, f -> found[0] = true);
    return found[0];
  }

  private void collectLookback(String filter, long since) {
    long from = Math.max(Math.max(commitLog.startOffset(), position - LOOKBACK_RECORDS),
        commitLog.offsetForTime(since));
    if (from >= position) {
      return;
    }
    ForwardBatch b = new ForwardBatch(1024);
    commitLog.read(from, (int) (position - from), (offset, m) -> {
      if (ownRecord(m) && !m.retain() && !matches(m.topic()) && Topics.matches(filter, m.topic())) {
        b.add(offset, m);
      }
      return true;
    });
    if (b.count() > 0) {
      lookbacks.add(b);
    }
  }

  private void send(ForwardBatch batch, long next, boolean isLookback) {
    inflight = true;
    DeliveryOptions delivery = new DeliveryOptions().setSendTimeout(options.getForwardTimeoutMs())
        .addHeader(ClusterNode.FROM, self).addHeader(ClusterNode.INCARNATION, selfIncarnation);
    if (isLookback) {
      delivery.addHeader(ClusterNode.LOOKBACK, "1");
    }
    vertx.eventBus().request(address, batch.buffer(), delivery).onComplete(ar -> home.execute(() -> {
      if (ar.succeeded()) {
        inflight = false;
        counters.add(Counter.CLUSTER_MESSAGES_FORWARDED_OUT, batch.count());
        counters.increment(Counter.CLUSTER_FORWARD_BATCHES);
        if (!isLookback && next > position) {
          position = next;
          positions.save(key, position);
        }
        home.wake();
        return;
      }
      counters.increment(Counter.CLUSTER_FORWARD_RETRIES);
      if (!closed) {
        log.warn("cluster: forward of {} message(s) to node '{}' failed ({}); sending again in {} ms", batch.count(),
            peer, ar.cause().getMessage(), RETRY_MS);
      }
      if (isLookback) {
        lookbacks.addFirst(batch); // first again
      }
      vertx.setTimer(RETRY_MS, t -> home.execute(() -> {
        inflight = false;
        home.wake();
      }));
    }));
  }
}
