package io.tributary.router.topic;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Every filter any session (connected or not) subscribes to, with a count, to answer "does
 * anyone subscribe to this topic?" from any core: what MQTT 5's PUBACK/PUBREC 0x10 (no matching
 * subscribers) needs. Delivery never uses it; each core matches against its own trie. It is
 * read only for acknowledgements that may carry 0x10, under a read lock.
 */
public final class SubscriptionIndex {

  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final TopicTrie<String> trie = new TopicTrie<>();
  private final Map<String, Integer> counts = new HashMap<>();
  /** Subscriptions in all (a filter subscribed by two sessions counts twice). */
  private volatile int total;
  private volatile FilterListener listener;

  /**
   * Told when a filter gets its first subscription and when it loses its last one (a cluster's
   * route table). Called under the index's lock, so in the order the changes happened: it must
   * only hand the change on, never block.
   */
  public interface FilterListener {
    /**
     * The filter's first subscription. {@code since}: wall-clock ms from which records stored
     * before the subscription are wanted by it ({@link #RECENT}: the usual lookback of a new
     * subscription; {@link #NOTHING_BEFORE}: none, a session restored at start).
     */
    void added(String filter, long since);

    void removed(String filter);

    /** A shared-subscription group ({@code $share/name/filter}) got its first member here. */
    void groupAdded(String groupKey);

    /** The group's last member here left. */
    void groupRemoved(String groupKey);
  }

  /** What is subscribed now: plain filters, and groups by key. */
  public record Subscribed(java.util.List<String> filters, java.util.List<String> groups) {}

  /** Group keys with members here (this map's own lock is the index's). */
  private final java.util.Set<String> groups = new java.util.HashSet<>();

  /**
   * A shared-subscription group: matched like a filter for {@link #hasSubscribers}, not counted in
   * {@link #size()}, told to the listener as a group.
   */
  public void addGroup(String groupKey, String filter) {
    lock.writeLock().lock();
    try {
      if (groups.add(groupKey)) {
        trie.add(filter, groupKey);
        FilterListener l = listener;
        if (l != null) {
          l.groupAdded(groupKey);
        }
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  public void removeGroup(String groupKey, String filter) {
    lock.writeLock().lock();
    try {
      if (groups.remove(groupKey)) {
        trie.remove(filter, groupKey);
        FilterListener l = listener;
        if (l != null) {
          l.groupRemoved(groupKey);
        }
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * Sets the listener and returns the filters subscribed now, atomically: a change either is in
   * that list or reaches the listener, never both, never neither.
   */
  public Subscribed listen(FilterListener listener) {
    lock.writeLock().lock();
    try {
      this.listener = listener;
      return new Subscribed(java.util.List.copyOf(counts.keySet()), java.util.List.copyOf(groups));
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** {@code since} of a new subscription: what was stored just before it (see {@link FilterListener}). */
  public static final long RECENT = -1;
  /** {@code since} of a subscription that wants nothing stored before it. */
  public static final long NOTHING_BEFORE = Long.MAX_VALUE;

  /** A new subscription to filter. */
  public void add(String filter) {
    add(filter, RECENT);
  }

  /** A subscription to filter that wants what was stored from {@code since} (see {@link FilterListener}). */
  public void add(String filter, long since) {
    lock.writeLock().lock();
    try {
      total++;
      if (counts.merge(filter, 1, Integer::sum) == 1) {
        trie.add(filter, filter);
        FilterListener l = listener;
        if (l != null) {
          l.added(filter, since);
        }
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  public void remove(String filter) {
    lock.writeLock().lock();
    try {
      if (counts.containsKey(filter)) {
        total--;
      }
      Integer left = counts.computeIfPresent(filter, (f, c) -> c == 1 ? null : c - 1);
      if (left == null && trie.remove(filter, filter)) {
        FilterListener l = listener;
        if (l != null) {
          l.removed(filter);
        }
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Subscriptions of all sessions, connected or not (shared ones not included). */
  public int size() {
    return total;
  }

  /** Whether some session has a subscription matching topic. */
  public boolean hasSubscribers(String topic) {
    boolean[] found = new boolean[1];
    lock.readLock().lock();
    try {
      trie.match(topic, f -> found[0] = true);
    } finally {
      lock.readLock().unlock();
    }
    return found[0];
  }
}
