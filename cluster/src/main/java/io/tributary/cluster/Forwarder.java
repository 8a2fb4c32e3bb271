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
import io.vertx.core.net.NetClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one other node what it needs of this node's log: the messages this node's own clients
 * published (not those another node forwarded here) whose topic matches a filter subscribed on that
 * node or a shared group there that {@link ClusterGroups} chose for the record (named with it),
 * and every retained message. It reads the log with an offset of its own, as a shared group
 * does, on one dispatcher's thread, and sends batches over a {@link ForwardLink} of its own, a few
 * unanswered at a time (the other node answers once a batch is stored in its log), so a slow node
 * holds nothing here but its position; the log keeps the messages. The position (the first record
 * not answered for) is saved as answers come, so a restart resumes there; a lost connection sends
 * again from there.
 *
 * <p>A filter that arrives after matching messages were stored here (a subscribe on the other
 * node races a publish on this one) gets what this node stored in the last {@link #LOOKBACK_MS}
 * that no other route of the node matched, as a lookback batch; a session that moved to the other
 * node gets what was stored here since it left its old node (its queue had what came before).
 * The other node drops offsets it already has.
 */
final class Forwarder implements LogPump, ForwardLink.Listener {

  private static final Logger log = LoggerFactory.getLogger(Forwarder.class);
  static final long LOOKBACK_MS = 1_000;
  static final int LOOKBACK_RECORDS = 4_096;
  private static final int BATCH_RECORDS = 4_096;
  private static final long RETRY_MS = 500;

  private final String peer;
  private final CommitLog<Message> commitLog;
  private final Dispatcher home;
  private final ForwardLink link;
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
  /** First offset not answered for; written on the dispatcher's thread, read by metrics. */
  private volatile long position;
  /** Next offset to read and send (ahead of position by the batches unanswered). */
  private long sendPosition;
  private boolean closed;
  /** Lookback batches waiting to go, before the next live batch. */
  private final java.util.ArrayDeque<ForwardBatch> lookbacks = new java.util.ArrayDeque<>();
  /** Live batches are built here, one at a time (each is copied into its frame when sent). */
  private final ForwardBatch live = new ForwardBatch(64 * 1024);
  private final boolean[] found = new boolean[1];
  /**
   * Topic -> whether a route matches it, since the routes last changed: devices publish to the same
   * topics again and again, and matching each record in the trie was a sixth of the sending node's
   * time in a profile. Bounded; emptied when full.
   */
  private final java.util.HashMap<String, Boolean> matchCache = new java.util.HashMap<>();
  private static final int MATCH_CACHE = 16_384;

  /**
   * Forwards to node {@code peer} (member {@code peerIncarnation}, whose forward address
   * {@code endpoint} gives when known) over a connection of {@code client}.
   */
  Forwarder(String peer, String peerIncarnation, java.util.function.Supplier<String> endpoint, String self,
      String selfIncarnation, CommitLog<Message> commitLog, Dispatcher home, Vertx vertx, NetClient client,
      SharedPositions positions, Long savedPosition, BrokerCounters counters, ClusterOptions options,
      ClusterGroups choice) {
    this.choice = choice;
    this.peer = peer;
    this.commitLog = commitLog;
    this.home = home;
    this.link = new ForwardLink(vertx, client, peer, endpoint, self, selfIncarnation, peerIncarnation,
        options.getForwardTimeoutMs(), RETRY_MS, this);
    this.positions = positions;
    this.counters = counters;
    this.options = options;
    this.key = ClusterNode.POSITION_PREFIX + peer;
    this.position = savedPosition != null ? savedPosition : commitLog.endOffset();
    this.sendPosition = position;
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
    matchCache.clear();
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
    matchCache.clear();
  }

  /** Dispatcher thread: starts pumping. */
  void start() {
    home.addPump(this);
  }

  /** Dispatcher thread: the peer left; the position stays saved for when it comes back. */
  void close() {
    closed = true;
    home.removePump(this);
    link.close();
  }

  @Override
  public boolean pump() {
    if (closed) {
      return false;
    }
    if (!lookbacks.isEmpty()) {
      if (link.ready()) {
        link.send(lookbacks.poll(), sendPosition, true);
        return !lookbacks.isEmpty() || sendPosition < commitLog.endOffset();
      }
      return false;
    }
    long end = commitLog.endOffset();
    if (sendPosition >= end) {
      return false;
    }
    long start = commitLog.startOffset();
    if (sendPosition < start) {
      log.warn("cluster: forwards to node '{}' fell {} records behind retention; those are not forwarded", peer,
          start - sendPosition);
      counters.add(Counter.RECORDS_LOST_TO_RETENTION, start - sendPosition);
      sendPosition = start;
      if (link.idle()) {
        position = start;
      }
    }
    if (!link.ready()) {
      return false;
    }
    ForwardBatch batch = live;
    batch.clear();
    int limit = options.getForwardBatchBytes();
    long next = commitLog.read(sendPosition, BATCH_RECORDS, (offset, m) -> {
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
    sendPosition = next;
    if (batch.count() == 0) {
      if (link.idle()) {
        position = next; // nothing for the peer in there, and nothing before it unanswered
      }
      return next < commitLog.endOffset();
    }
    link.send(batch, next, false);
    return next < commitLog.endOffset();
  }

  @Override
  public void answered(java.util.List<ForwardLink.Sent> sent) {
    long count = 0;
    long next = position;
    for (ForwardLink.Sent s : sent) {
      count += s.count();
      if (s.lookback() == null) {
        next = Math.max(next, s.next());
      }
    }
    counters.add(Counter.CLUSTER_MESSAGES_FORWARDED_OUT, count);
    counters.add(Counter.CLUSTER_FORWARD_BATCHES, sent.size());
    if (link.idle()) {
      next = Math.max(next, sendPosition); // what was read past the last batch had nothing for the peer
    }
    if (next > position) {
      position = next;
      positions.save(key, position);
    }
    home.wake();
  }

  @Override
  public void lost(java.util.List<ForwardLink.Sent> unanswered) {
    if (unanswered.isEmpty()) {
      return;
    }
    counters.add(Counter.CLUSTER_FORWARD_RETRIES, unanswered.size());
    for (int i = unanswered.size() - 1; i >= 0; i--) {
      if (unanswered.get(i).lookback() != null) {
        lookbacks.addFirst(unanswered.get(i).lookback()); // first again, in their order
      }
    }
    sendPosition = position; // the peer drops what it already stored
  }

  @Override
  public void ready() {
    home.wake();
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
    Boolean known = matchCache.get(topic);
    if (known != null) {
      return known;
    }
    found[0] = false;
    routes.match(topic, f -> found[0] = true);
    if (matchCache.size() >= MATCH_CACHE) {
      matchCache.clear();
    }
    matchCache.put(topic, found[0]);
    return found[0];
  }

  private void collectLookback(String filter, long since) {
    long from = Math.max(Math.max(commitLog.startOffset(), sendPosition - LOOKBACK_RECORDS),
        commitLog.offsetForTime(since));
    if (from >= sendPosition) {
      return;
    }
    ForwardBatch b = new ForwardBatch(1024);
    commitLog.read(from, (int) (sendPosition - from), (offset, m) -> {
      if (ownRecord(m) && !m.retain() && !matches(m.topic()) && Topics.matches(filter, m.topic())) {
        b.add(offset, m);
      }
      return true;
    });
    if (b.count() > 0) {
      lookbacks.add(b);
    }
  }
}
