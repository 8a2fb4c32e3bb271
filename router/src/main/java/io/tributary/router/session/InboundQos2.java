package io.tributary.router.session;

import java.util.HashSet;
import java.util.Set;

/**
 * Exactly-once messages a client published and has not released yet, by packet id: a resend of
 * one of them is not published again. Kept with the session across reconnects.
 */
final class InboundQos2 {

  private final Set<Integer> received = new HashSet<>();

  /** True if the id is new (publish it), false for a resend of one not yet released. */
  boolean receive(int packetId) {
    return received.add(packetId);
  }

  boolean contains(int packetId) {
    return received.contains(packetId);
  }

  void release(int packetId) {
    received.remove(packetId);
  }

  int count() {
    return received.size();
  }

  /** The ids held, for a session snapshot. */
  int[] ids() {
    return received.stream().mapToInt(Integer::intValue).toArray();
  }

  void restore(int[] ids) {
    for (int id : ids) {
      received.add(id);
    }
  }

  void clear() {
    received.clear();
  }
}
