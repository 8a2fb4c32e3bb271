package io.tributary.admin;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tributary.router.Broker;
import io.tributary.router.delivery.Dispatcher;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How long a task waits before its event loop runs it: once a second a probe is handed to every
 * loop's dispatcher and times its wait. A loop busy with one long task (a blocking call where there
 * should be none, a huge batch) shows here before clients notice. Published as
 * {@code tributary_event_loop_lag_seconds{loop}}: the largest wait since the last scrape.
 */
final class EventLoopLag implements AutoCloseable {

  private static final long PERIOD_MS = 1000;

  private final Vertx vertx;
  private final Broker broker;
  private final MeterRegistry registry;
  private final Map<Dispatcher, AtomicLong> worstNanos = new ConcurrentHashMap<>();
  private final long timer;

  EventLoopLag(Vertx vertx, Broker broker, MeterRegistry registry) {
    this.vertx = vertx;
    this.broker = broker;
    this.registry = registry;
    probe();
    this.timer = vertx.setPeriodic(PERIOD_MS, id -> probe());
  }

  private void probe() {
    for (Dispatcher d : broker.dispatchers()) {
      AtomicLong worst = worstNanos.computeIfAbsent(d, this::gauge);
      long sent = System.nanoTime();
      d.execute(() -> worst.accumulateAndGet(System.nanoTime() - sent, Math::max));
    }
  }

  private AtomicLong gauge(Dispatcher d) {
    AtomicLong worst = new AtomicLong();
    Gauge.builder("tributary.event.loop.lag", worst, w -> w.getAndSet(0) / 1e9)
        .tag("loop", d.name()).baseUnit("seconds")
        .description("Largest wait of a task for its event loop since the last scrape").register(registry);
    return worst;
  }

  @Override
  public void close() {
    vertx.cancelTimer(timer);
  }
}
