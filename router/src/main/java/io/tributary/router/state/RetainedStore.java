package io.tributary.router.state;

import io.tributary.router.topic.Topics;
import io.tributary.router.message.Message;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.ObjLongConsumer;

/**
 * The last retained message per topic, with its log offset. Written by publishes on any core,
 * read on subscribe; off the per-message delivery path. A subscribe scans the store, which is fine
 * while retained topics number in the thousands; a trie keyed by topic is the upgrade path.
 *
 * <p>Why offsets, and why the lock: a subscription takes effect from its session's read position
 * in the log, so records at or above it arrive live. The retained messages it is sent from the
 * store must be exactly those below that position, or a retained publish racing the subscribe
 * would arrive twice (from the store and live) or not at all. {@link #appendLocked} and
 * {@link #forEachMatchingBelow} therefore share one lock: while a subscriber scans, every retained
 * record below the log's end is in the store.
 */
public final class RetainedStore {

  private final ConcurrentHashMap<String, Retained> byTopic = new ConcurrentHashMap<>();
  /** Payload and topic bytes of the retained messages (topics counted as chars: a bound, not an audit). */
  private final java.util.concurrent.atomic.AtomicLong bytes = new java.util.concurrent.atomic.AtomicLong();
  private final ReentrantLock lock = new ReentrantLock();
  private StateStore state = StateStore.none();

  /** A retained message and the offset of its record. */
  public record Retained(Message message, long offset) {}

  /** Appends a batch containing retained messages with {@code append} and records them, atomically. */
  public long appendLocked(java.util.function.LongSupplier append, java.util.List<Message> messages) {
    lock.lock();
    try {
      long first = append.getAsLong();
      for (int i = 0, n = messages.size(); i < n; i++) {
        Message m = messages.get(i);
        if (m.retain()) {
          update(m, first + i);
        }
      }
      return first;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes a retained message another cluster node holds, unless this store has one for its topic
   * that is as new: what a node that joins gets from a member. It is kept at offset -1 (it is in no
   * record of this log), so every subscription gets it from the store. Returns whether it was taken.
   */
  public boolean adoptIfNewer(Message message) {
    lock.lock();
    try {
      Retained mine = byTopic.get(message.topic());
      if (message.payloadLength() == 0 || (mine != null && mine.message().timestamp() >= message.timestamp())) {
        return false;
      }
      update(message, -1);
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Every retained message now, for a cluster node that joins. */
  public java.util.List<Message> snapshot() {
    java.util.List<Message> all = new java.util.ArrayList<>(byTopic.size());
    byTopic.values().forEach(r -> all.add(r.message()));
    return all;
  }

  /** Restores what the state log kept (before any publish). */
  public void restore(java.util.Map<String, Retained> saved) {
    byTopic.putAll(saved);
    saved.values().forEach(r -> bytes.addAndGet(weight(r.message())));
  }

  private static long weight(Message m) {
    return m.payloadLength() + m.topic().length();
  }

  /**
   * Whether a retained message of this size on topic stays within the bounds: clearing one always
   * does, replacing one counts only the difference. Checked before the publish, so concurrent
   * publishes may overshoot by a few messages.
   */
  public boolean admits(String topic, int payloadLength, int maxMessages, long maxBytes) {
    if (payloadLength == 0) {
      return true;
    }
    Retained old = byTopic.get(topic);
    long after = bytes.get() + payloadLength + topic.length() - (old == null ? 0 : weight(old.message()));
    return (old != null || byTopic.size() < maxMessages) && after <= maxBytes;
  }

  /** Payload and topic bytes of the retained messages. */
  public long bytes() {
    return bytes.get();
  }

  /** From now on every change is also written to state (a durable broker). */
  public void persistTo(StateStore state) {
    this.state = state;
  }

  /**
   * Stores, replaces, or (empty payload) clears the retained message of the message's topic, and
   * records the change in the state log (under the store's lock when it comes from a publish, so
   * the state log has retained changes in log order).
   */
  public void update(Message message, long offset) {
    state.saveRetained(message, offset);
    Retained old;
    if (message.payloadLength() == 0) {
      old = byTopic.remove(message.topic());
    } else {
      // kept indefinitely: no shared payload chunk pinned
      old = byTopic.put(message.topic(), new Retained(message.compact(), offset));
      bytes.addAndGet(weight(message));
    }
    if (old != null) {
      bytes.addAndGet(-weight(old.message()));
    }
  }

  /**
   * Calls sink for each retained message whose topic matches filter and whose record lies below
   * {@code below} (the subscriber's read position: records from there on reach it live).
   */
  public void forEachMatchingBelow(String filter, long below, ObjLongConsumer<Message> sink) {
    long now = System.currentTimeMillis();
    lock.lock();
    try {
      for (Retained r : byTopic.values()) {
        Message m = r.message();
        if (m.isExpired(now)) {
          // An expired retained message is never sent again (MQTT-3.3.2-5): drop it, not just skip.
          if (byTopic.remove(m.topic(), r)) {
            bytes.addAndGet(-weight(m));
          }
          continue;
        }
        if (r.offset() < below && Topics.matches(filter, m.topic())) {
          sink.accept(m, r.offset());
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** Every retained message matching filter, whatever its offset. */
  public void forEachMatching(String filter, java.util.function.Consumer<Message> sink) {
    forEachMatchingBelow(filter, Long.MAX_VALUE, (m, o) -> sink.accept(m));
  }

  public int size() {
    return byTopic.size();
  }
}
