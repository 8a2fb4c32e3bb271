package io.tributary.router;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The last retained message per topic. Written by publishes on any core, read on subscribe; off
 * the per-message delivery path. A subscribe scans the store, which is fine while retained topics
 * number in the thousands; a trie keyed by topic is the upgrade path when that changes.
 */
public final class RetainedStore {

  private final ConcurrentHashMap<String, Message> byTopic = new ConcurrentHashMap<>();

  /** Stores, replaces, or (empty payload) clears the retained message of the message's topic. */
  public void update(Message message) {
    if (message.payloadLength() == 0) {
      byTopic.remove(message.topic());
    } else {
      byTopic.put(message.topic(), message.compact()); // kept indefinitely: no shared chunk pinned
    }
  }

  /** Calls sink for each retained message whose topic matches filter. */
  public void forEachMatching(String filter, Consumer<Message> sink) {
    long now = System.currentTimeMillis();
    for (Message m : byTopic.values()) {
      if (m.isExpired(now)) {
        // An expired retained message is never sent again (MQTT-3.3.2-5): drop it, not just skip.
        byTopic.remove(m.topic(), m);
        continue;
      }
      if (Topics.matches(filter, m.topic())) {
        sink.accept(m);
      }
    }
  }

  public int size() {
    return byTopic.size();
  }
}
