package io.tributary.mqtt;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The open connections of one listener on one event loop (touched only on that loop). Any
 * transport (TCP, WebSocket) hands its new connections to {@link #accept}.
 */
public final class MqttConnections {

  private static final AtomicLong VIOLATIONS = new AtomicLong();

  private final Set<MqttConnection> open = new LinkedHashSet<>();
  /** Violations, timeouts and stalls of this listener's connections: bursts of 100 lines, then 10 a second. */
  private final io.tributary.router.LogThrottle warnings = new io.tributary.router.LogThrottle(100, 10);
  // A core hands one message to all its matching sessions in a row: the topic is encoded once.
  private io.tributary.router.Message lastEncoded;
  private final io.tributary.router.PayloadArena arena = new io.tributary.router.PayloadArena();
  private byte[] lastTopicUtf8;

  /** Runs the MQTT engine on a new transport of this listener. Call on the core's event loop. */
  public void accept(io.vertx.core.Vertx vertx, io.tributary.router.Broker broker, io.tributary.router.Core core,
      MqttOptions options, MqttTransport transport) {
    new MqttConnection(vertx, broker, core, options, this, transport).start();
  }

  /** The message's topic as UTF-8, encoded once for consecutive deliveries of one message. */
  byte[] topicUtf8(io.tributary.router.Message message) {
    if (message != lastEncoded) {
      lastTopicUtf8 = message.topic().getBytes(java.nio.charset.StandardCharsets.UTF_8);
      lastEncoded = message;
    }
    return lastTopicUtf8;
  }

  /** Where this loop's published payloads are kept (see {@link io.tributary.router.PayloadArena}). */
  io.tributary.router.PayloadArena arena() {
    return arena;
  }

  io.tributary.router.LogThrottle warnings() {
    return warnings;
  }

  void add(MqttConnection c) {
    open.add(c);
  }

  void remove(MqttConnection c) {
    open.remove(c);
  }

  public int size() {
    return open.size();
  }

  public void closeAll() {
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
