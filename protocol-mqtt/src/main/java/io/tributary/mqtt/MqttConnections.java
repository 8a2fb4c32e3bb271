package io.tributary.mqtt;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/** The open connections of one listener on one event loop (touched only on that loop). */
final class MqttConnections {

  private static final AtomicLong VIOLATIONS = new AtomicLong();

  private final Set<MqttConnection> open = new LinkedHashSet<>();

  void add(MqttConnection c) {
    open.add(c);
  }

  void remove(MqttConnection c) {
    open.remove(c);
  }

  int size() {
    return open.size();
  }

  void closeAll() {
    for (MqttConnection c : new ArrayList<>(open)) {
      c.close();
    }
  }

  void countViolation() {
    VIOLATIONS.incrementAndGet();
  }

  /** Connections closed for a protocol violation since start, all listeners. */
  static long violations() {
    return VIOLATIONS.get();
  }
}
