package io.tributary.router;

import io.tributary.router.counters.BrokerCounters;

import io.tributary.router.counters.BrokerCounters.Counter;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admission of new connections, decided when a socket is accepted and before anything is read from
 * it (no TLS handshake, no parsing): a broker-wide cap, a cap per listener, and a connection rate
 * per listener (a token bucket). Caps are kept below the process's file-descriptor limit, so
 * descriptors never run out and the other listeners keep accepting.
 *
 * <p>Thread-safe: every acceptor thread calls it. Every {@link #admit} that returned
 * {@link Admission#ADMITTED} must be matched by one {@link #release} when the socket closes.
 */
public final class ConnectionGate {

  /** The answer to one accepted socket. */
  public enum Admission { ADMITTED, BROKER_FULL, LISTENER_FULL, RATE_EXCEEDED }

  /** One listener's bounds: {@code maxConnections} 0 = only the broker's; {@code rate} 0 = none. */
  public record ListenerLimits(int maxConnections, int connectionRate, int connectionBurst) {
  }

  private final int maxConnections;
  private final BrokerCounters counters;
  private final AtomicInteger open = new AtomicInteger();
  private final Map<String, ListenerState> listeners = new ConcurrentHashMap<>();

  public ConnectionGate(int maxConnections, BrokerCounters counters) {
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections must be >= 1, got " + maxConnections);
    }
    this.maxConnections = maxConnections;
    this.counters = Objects.requireNonNull(counters, "counters");
  }

  /** Declares a listener's bounds; sockets of an undeclared listener meet only the broker's. */
  public void listener(String name, ListenerLimits limits) {
    listeners.put(name, new ListenerState(limits));
  }

  public Admission admit(String listener) {
    ListenerState l = listener == null ? null : listeners.get(listener);
    if (l != null && !l.takeToken()) {
      counters.increment(Counter.CONNECTIONS_REFUSED_RATE);
      return Admission.RATE_EXCEEDED;
    }
    if (open.incrementAndGet() > maxConnections) {
      open.decrementAndGet();
      counters.increment(Counter.CONNECTIONS_REFUSED_BROKER_LIMIT);
      return Admission.BROKER_FULL;
    }
    if (l != null && l.open.incrementAndGet() > l.limits.maxConnections() && l.limits.maxConnections() > 0) {
      l.open.decrementAndGet();
      open.decrementAndGet();
      counters.increment(Counter.CONNECTIONS_REFUSED_LISTENER_LIMIT);
      return Admission.LISTENER_FULL;
    }
    return Admission.ADMITTED;
  }

  /** A socket that was admitted has closed. */
  public void release(String listener) {
    open.decrementAndGet();
    ListenerState l = listener == null ? null : listeners.get(listener);
    if (l != null) {
      l.open.decrementAndGet();
    }
  }

  public int maxConnections() {
    return maxConnections;
  }

  /** Sockets admitted and not yet closed, all listeners. */
  public int openConnections() {
    return open.get();
  }

  public int openConnections(String listener) {
    ListenerState l = listeners.get(listener);
    return l == null ? 0 : l.open.get();
  }

  private static final class ListenerState {
    final ListenerLimits limits;
    final AtomicInteger open = new AtomicInteger();
    // Token bucket, refilled continuously at `rate` per second up to `burst`.
    private double tokens;
    private long lastNanos = System.nanoTime();

    ListenerState(ListenerLimits limits) {
      this.limits = limits;
      this.tokens = Math.max(1, limits.connectionBurst());
    }

    synchronized boolean takeToken() {
      int rate = limits.connectionRate();
      if (rate <= 0) {
        return true;
      }
      long now = System.nanoTime();
      double burst = Math.max(1, limits.connectionBurst());
      tokens = Math.min(burst, tokens + (now - lastNanos) * (rate / 1e9));
      lastNanos = now;
      if (tokens < 1) {
        return false;
      }
      tokens -= 1;
      return true;
    }
  }
}
