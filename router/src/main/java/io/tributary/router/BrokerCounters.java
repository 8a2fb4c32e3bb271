package io.tributary.router;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the broker refused or cut off to protect itself, per broker (two brokers in one JVM count
 * apart). Adapters add to them; tests and, later, metrics read them.
 */
public final class BrokerCounters {

  /** One counter per bound the broker enforces. */
  public enum Counter {
    /** Accepted sockets closed because the broker was at {@code limits.maxConnections}. */
    CONNECTIONS_REFUSED_BROKER_LIMIT,
    /** Accepted sockets closed because their listener was at its {@code maxConnections}. */
    CONNECTIONS_REFUSED_LISTENER_LIMIT,
    /** Accepted sockets closed because their listener's {@code connectionRate} was exceeded. */
    CONNECTIONS_REFUSED_RATE,
    /** Failed accepts (for instance, out of file descriptors); each one backs the acceptor off. */
    ACCEPT_ERRORS,
    /** HTTP connections closed for not finishing a request in time, or idle between requests. */
    HTTP_TIMEOUTS,
    /** Connections closed because their peer did not read and kept sending (write budget). */
    SLOW_CONSUMERS_CLOSED,
    /** Packets refused for too many or too large MQTT 5 user properties. */
    USER_PROPERTIES_REFUSED,
    /** WebSocket connections closed for a protocol error (RSV bits, bad frames, text frames). */
    WEBSOCKET_PROTOCOL_ERRORS
  }

  private final Map<Counter, LongAdder> counters = new EnumMap<>(Counter.class);

  public BrokerCounters() {
    for (Counter c : Counter.values()) {
      counters.put(c, new LongAdder());
    }
  }

  public void increment(Counter counter) {
    counters.get(counter).increment();
  }

  public long get(Counter counter) {
    return counters.get(counter).sum();
  }
}
