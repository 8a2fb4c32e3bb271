package io.tributary.mqtt;

import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keep alive of one connection (MQTT-3.1.2-24): one and a half keep-alive periods without a
 * packet from the client closes the connection. One timer, re-armed for what is left of the period
 * rather than on every read.
 */
final class KeepAlive {

  private static final Logger log = LoggerFactory.getLogger(KeepAlive.class);

  private final Vertx vertx;
  private final MqttConnection connection;
  private final MqttOutbound outbound;
  private long periodMs;
  private long timer = -1;
  private long lastReadNanos = System.nanoTime();

  KeepAlive(Vertx vertx, MqttConnection connection, MqttOutbound outbound) {
    this.vertx = vertx;
    this.connection = connection;
    this.outbound = outbound;
  }

  /** Starts watching: {@code periodMs} is already one and a half times the keep alive. */
  void start(long periodMs) {
    this.periodMs = periodMs;
    schedule(periodMs);
  }

  /** A packet (or any bytes) arrived, or reading resumed after a write stall. */
  void readNow() {
    lastReadNanos = System.nanoTime();
  }

  void cancel() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  private void schedule(long delayMs) {
    timer = vertx.setTimer(Math.max(1, delayMs), id -> {
      timer = -1;
      if (!connection.isOpen()) {
        return;
      }
      if (connection.readingStopped()) {
        // We are not reading (the client does not read us, or is over its rate): its silence is
        // not measurable.
        schedule(periodMs);
        return;
      }
      long idleMs = (System.nanoTime() - lastReadNanos) / 1_000_000;
      if (idleMs >= periodMs) {
        log.info("{}: keep alive expired ({} ms without a packet), closing", connection.describe(), idleMs);
        connection.closeWithReason(0x8D, "keep alive timeout");
      } else {
        schedule(periodMs - idleMs);
      }
    });
  }
}
