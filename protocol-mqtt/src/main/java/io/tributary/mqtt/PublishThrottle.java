package io.tributary.mqtt;

import io.tributary.mqtt.codec.Packet;
import io.tributary.mqtt.codec.Publish;
import io.tributary.router.PublishBudget;
import io.tributary.router.counters.BrokerCounters;
import io.tributary.router.logging.LogThrottle;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code limits.publishRate} and {@code limits.publishBytesRate} of one MQTT connection (a
 * {@link PublishBudget}). A PUBLISH is never dropped for them: the first one the buckets
 * cannot pay for stops the connection's reading, and it and every packet behind it (in order; the
 * rest of the read they came in, at most) wait here until the buckets have refilled enough for
 * each; then reading resumes. TCP flow control slows the client down meanwhile, and the broker's
 * keep alive does not count the wait. Connection's thread only.
 */
final class PublishThrottle {

  private static final Logger log = LoggerFactory.getLogger(PublishThrottle.class);
  /** A client over its rate is stopped again and again: its lines are throttled too. */
  private static final LogThrottle LINES = new LogThrottle(20, 1);

  private final MqttConnection connection;
  private final Vertx vertx;
  private final MqttTransport socket;
  private final MqttOutbound outbound;
  private final BrokerCounters counters;
  private final PublishBudget budget;
  /** Packets waiting for the rate; null while none wait (and reading goes on). */
  private HeldPackets held;

  private PublishThrottle(MqttConnection connection, Vertx vertx, MqttTransport socket, MqttOutbound outbound,
      BrokerCounters counters, PublishBudget budget) {
    this.connection = connection;
    this.vertx = vertx;
    this.socket = socket;
    this.outbound = outbound;
    this.counters = counters;
    this.budget = budget;
  }

  /** The throttle the options ask for, or null when both rates are 0 (unlimited). */
  static PublishThrottle of(MqttConnection connection, Vertx vertx, MqttTransport socket, MqttOutbound outbound,
      BrokerCounters counters, MqttOptions options) {
    PublishBudget budget = PublishBudget.of(options.getPublishRate(), options.getPublishBytesRate());
    return budget == null ? null : new PublishThrottle(connection, vertx, socket, outbound, counters, budget);
  }

  /**
   * Whether packet must wait (it is kept, a PUBLISH copied out of the read buffer): it is a PUBLISH
   * the buckets cannot pay for now, or packets already wait. Otherwise a PUBLISH is paid for here.
   */
  boolean holds(Packet packet) {
    if (held != null) {
      held.add(packet);
      return true;
    }
    if (!(packet instanceof Publish publish)) {
      return false;
    }
    int size = publish.payload().readableBytes();
    if (budget.fits(size)) {
      budget.take(size);
      return false;
    }
    held = new HeldPackets();
    held.add(publish);
    socket.pause();
    counters.increment(BrokerCounters.Counter.PUBLISHES_THROTTLED);
    LINES.info(log, "{}: publishing faster than limits.publishRate {} msg/s / publishBytesRate {} B/s: reading "
        + "stops until it is back under", connection.describe(), budget.messagesPerSecond(), budget.bytesPerSecond());
    scheduleRelease(size);
    return true;
  }

  /** Reading is stopped for the rate. */
  boolean pausing() {
    return held != null;
  }

  private void release() {
    Packet next;
    while (connection.isOpen() && (next = held.peek()) != null) {
      if (next instanceof Publish publish) {
        int size = publish.payload().readableBytes();
        if (!budget.fits(size)) {
          scheduleRelease(size);
          return;
        }
        budget.take(size);
      }
      held.handleNext(connection::handleHeld);
    }
    held.drop(); // the connection closed: what is left goes nowhere
    held = null;
    if (!connection.isOpen()) {
      return;
    }
    connection.readingAgain();
    if (!outbound.readPaused()) {
      socket.resume();
    }
  }

  private void scheduleRelease(int size) {
    vertx.setTimer(Math.max(1, budget.waitMs(size)), id -> release());
  }
}
