package io.tributary.mqtt;

import io.tributary.mqtt.codec.Packet;
import io.tributary.mqtt.codec.Publish;
import io.tributary.router.counters.BrokerCounters;
import io.tributary.router.logging.LogThrottle;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code limits.publishRate} and {@code limits.publishBytesRate} of one connection: a token bucket
 * each, holding a second's worth. A PUBLISH is never dropped for them: the first one the buckets
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
  private final int messagesPerSecond;
  private final long bytesPerSecond;
  private double messages;
  private double bytes;
  private long refilledAt = System.nanoTime();
  /** Packets waiting for the rate; null while none wait (and reading goes on). */
  private HeldPackets held;

  private PublishThrottle(MqttConnection connection, Vertx vertx, MqttTransport socket, MqttOutbound outbound,
      BrokerCounters counters, int messagesPerSecond, long bytesPerSecond) {
    this.connection = connection;
    this.vertx = vertx;
    this.socket = socket;
    this.outbound = outbound;
    this.counters = counters;
    this.messagesPerSecond = messagesPerSecond;
    this.bytesPerSecond = bytesPerSecond;
    this.messages = messagesPerSecond;
    this.bytes = bytesPerSecond;
  }

  /** The throttle the options ask for, or null when both rates are 0 (unlimited). */
  static PublishThrottle of(MqttConnection connection, Vertx vertx, MqttTransport socket, MqttOutbound outbound,
      BrokerCounters counters, MqttOptions options) {
    if (options.getPublishRate() == 0 && options.getPublishBytesRate() == 0) {
      return null;
    }
    return new PublishThrottle(connection, vertx, socket, outbound, counters, options.getPublishRate(),
        options.getPublishBytesRate());
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
    refill();
    int size = publish.payload().readableBytes();
    if (fits(size)) {
      take(size);
      return false;
    }
    held = new HeldPackets();
    held.add(publish);
    socket.pause();
    counters.increment(BrokerCounters.Counter.PUBLISHES_THROTTLED);
    LINES.info(log, "{}: publishing faster than limits.publishRate {} msg/s / publishBytesRate {} B/s: reading "
        + "stops until it is back under", connection.describe(), messagesPerSecond, bytesPerSecond);
    scheduleRelease(size);
    return true;
  }

  /** Reading is stopped for the rate. */
  boolean pausing() {
    return held != null;
  }

  private void release() {
    refill();
    Packet next;
    while (connection.isOpen() && (next = held.peek()) != null) {
      if (next instanceof Publish publish) {
        int size = publish.payload().readableBytes();
        if (!fits(size)) {
          scheduleRelease(size);
          return;
        }
        take(size);
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

  /** A message larger than a second's worth of bytes goes once the bucket is full. */
  private boolean fits(int size) {
    return (messagesPerSecond == 0 || messages >= 1) && (bytesPerSecond == 0 || bytes >= Math.min(size, bytesPerSecond));
  }

  private void take(int size) {
    messages -= 1;
    bytes -= size;
  }

  private void scheduleRelease(int size) {
    double seconds = Math.max(messagesPerSecond == 0 ? 0 : (1 - messages) / messagesPerSecond,
        bytesPerSecond == 0 ? 0 : (Math.min(size, bytesPerSecond) - bytes) / bytesPerSecond);
    vertx.setTimer(Math.max(1, (long) Math.ceil(seconds * 1000)), id -> release());
  }

  private void refill() {
    long now = System.nanoTime();
    double seconds = (now - refilledAt) / 1e9;
    refilledAt = now;
    messages = Math.min(messagesPerSecond, messages + seconds * messagesPerSecond);
    bytes = Math.min(bytesPerSecond, bytes + seconds * bytesPerSecond);
  }
}
