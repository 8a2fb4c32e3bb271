package io.tributary.router.shared;

import io.tributary.commitlog.CommitLog;
import io.tributary.router.counters.BrokerCounters;
import io.tributary.router.delivery.Dispatcher;
import io.tributary.router.message.Message;
import io.tributary.router.topic.SubscriptionIndex;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The broker's shared-subscription groups by {@code $share/{name}/{filter}}, with the count of
 * sessions holding each; off the per-message path. Also the one {@link SharedInbox} per dispatcher.
 */
public final class SharedGroups {

  private final CommitLog<Message> commitLog;
  private final int drainBatch;
  private final BrokerCounters counters;
  private final SubscriptionIndex index;
  private final SharedPositions positions;
  /** Positions saved before a restart, taken by the first session (restored or new) to join. */
  private final ConcurrentHashMap<String, Long> restored;
  private final ConcurrentHashMap<String, SharedGroup> groups = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Dispatcher, SharedInbox> inboxes = new ConcurrentHashMap<>();

  public SharedGroups(CommitLog<Message> commitLog, int drainBatch, BrokerCounters counters, SubscriptionIndex index,
      SharedPositions positions) {
    this.commitLog = commitLog;
    this.drainBatch = drainBatch;
    this.counters = counters;
    this.index = index;
    this.positions = positions;
    this.restored = new ConcurrentHashMap<>(positions.restored());
  }

  SharedInbox inbox(Dispatcher dispatcher) {
    return inboxes.computeIfAbsent(dispatcher, d -> new SharedInbox(d::execute));
  }

  /** The dispatcher is gone: its inbox with it. */
  public void remove(Dispatcher dispatcher) {
    inboxes.remove(dispatcher);
  }

  /**
   * Counts one more session holding the shared subscription, creating the group if it is the
   * first: pumped on {@code dispatcher} (the caller's, on its thread), or, for a session restored
   * offline ({@code dispatcher} null), on the first member's. A group saved before a restart
   * resumes at its saved position (retention permitting), a new one at the log's end.
   */
  public SharedGroup join(String shareName, String filter, Dispatcher dispatcher) {
    SharedGroup[] created = new SharedGroup[1];
    SharedGroup group = groups.compute(SharedGroup.key(shareName, filter), (k, g) -> {
      if (g == null) {
        Long saved = restored.remove(k);
        long from = saved == null ? commitLog.endOffset()
            : Math.max(commitLog.startOffset(), Math.min(saved, commitLog.endOffset()));
        g = new SharedGroup(commitLog, drainBatch, counters, positions, shareName, filter, dispatcher, from,
            () -> choice);
        created[0] = g;
      }
      g.subscribers++;
      return g;
    });
    if (created[0] != null) {
      index.addGroup(created[0].key(), filter); // once per group: one subscriber for PUBACK 0x10, one route
      if (dispatcher != null) {
        dispatcher.addPump(created[0]);
      }
    }
    return group;
  }

  /**
   * After the sessions were restored: positions of groups no restored session holds (all their
   * sessions expired or ended meanwhile) are removed from the state.
   */
  public void forgetUnclaimed() {
    for (String key : restored.keySet()) {
      if (restored.remove(key) != null) {
        positions.remove(key);
      }
    }
  }

  /** One session less holds the shared subscription; the last one removes the group. Any thread. */
  public void leave(SharedGroup group) {
    boolean[] last = new boolean[1];
    groups.computeIfPresent(group.key(), (k, g) -> {
      if (g != group) {
        return g;
      }
      if (--g.subscribers == 0) {
        last[0] = true;
        g.removed = true;
        return null;
      }
      return g;
    });
    if (last[0]) {
      index.removeGroup(group.key(), group.filter());
      positions.remove(group.key());
      Dispatcher home = group.home();
      if (home != null) {
        home.execute(() -> home.removePump(group));
      }
    }
  }

  private volatile SharedChoice choice = SharedChoice.LOCAL;

  /** Set by a cluster node: which records each group delivers here (see {@link SharedChoice}). */
  public void setChoice(SharedChoice choice) {
    this.choice = choice;
  }

  /** The group of a shared subscription, or null. */
  public SharedGroup get(String sharedFilter) {
    return groups.get(sharedFilter);
  }
}
