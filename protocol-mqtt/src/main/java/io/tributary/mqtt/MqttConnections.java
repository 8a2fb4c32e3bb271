package io.tributary.mqtt;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The open connections of one listener on one event loop (touched only on that loop). Any
 * transport (TCP, WebSocket) hands its new connections to {@link #accept}.
 */
public final class MqttConnections {

  private final Set<MqttConnection> open = new LinkedHashSet<>();
  /** Violations, timeouts and stalls of this listener's connections: bursts of 100 lines, then 10 a second. */
  private final io.tributary.router.logging.LogThrottle warnings = new io.tributary.router.logging.LogThrottle(100, 10);
  // A core hands one message to all its matching sessions in a row: the topic is encoded once.
  private io.tributary.router.message.Message lastEncoded;
  private final io.tributary.router.message.PayloadArena arena = new io.tributary.router.message.PayloadArena();
  private byte[] lastTopicUtf8;
  private final String protocol;
  /** This listener's traffic on this loop, registered with the broker at the first connection. */
  private io.tributary.router.counters.Traffic traffic;

  /** @param protocol the listener's protocol as operators see it: mqtt, mqtt-ws */
  public MqttConnections(String protocol) {
    this.protocol = protocol;
  }

  /** Runs the MQTT engine on a new transport of this listener. Call on the core's event loop. */
  public void accept(io.vertx.core.Vertx vertx, io.tributary.router.Broker broker, io.tributary.router.delivery.Dispatcher core,
      MqttOptions options, MqttTransport transport) {
    if (traffic == null) {
      traffic = broker.traffic(options.getListenerName(), protocol);
    }
    new MqttConnection(vertx, broker, core, options, this, transport).start();
  }

  io.tributary.router.counters.Traffic traffic() {
    return traffic;
  }

  String protocol() {
    return protocol;
  }

  /** The message's topic as UTF-8, encoded once for consecutive deliveries of one message. */
  byte[] topicUtf8(io.tributary.router.message.Message message) {
    if (message != lastEncoded) {
      lastTopicUtf8 = message.topic().getBytes(java.nio.charset.StandardCharsets.UTF_8);
      lastEncoded = message;
    }
    return lastTopicUtf8;
  }

  /** Where this loop's published payloads are kept (see {@link io.tributary.router.message.PayloadArena}). */
  io.tributary.router.message.PayloadArena arena() {
    return arena;
  }

  io.tributary.router.logging.LogThrottle warnings() {
    return warnings;
  }

  void add(MqttConnection c) {
    open.add(c);
  }

  /** False when it was removed already (a close handler that runs twice counts once). */
  boolean remove(MqttConnection c) {
    return open.remove(c);
  }

  public int size() {
    return open.size();
  }

  /**
   * The listener is closing (the broker stops): each connection stops being read, gets the
   * acknowledgements still owed to it (PUBACK/PUBREC waiting for the log's fsync) within
   * {@code drainMs}, then is closed, MQTT 5 clients told why (DISCONNECT 0x8B). Completes when all
   * are closed. Call on this listener's event loop.
   */
  public io.vertx.core.Future<Void> closeAll(io.vertx.core.Vertx vertx, long drainMs) {
    java.util.List<MqttConnection> draining = new ArrayList<>(open);
    draining.forEach(MqttConnection::stopReading);
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    drain(vertx, draining, System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(drainMs), done);
    return done.future();
  }

  /** Closes each connection once it owes nothing (or at the deadline); polled every few ms. */
  private void drain(io.vertx.core.Vertx vertx, java.util.List<MqttConnection> draining, long deadline,
      io.vertx.core.Promise<Void> done) {
    boolean late = System.nanoTime() >= deadline;
    draining.removeIf(c -> {
      if (c.owesAcknowledgements() && !late) {
        return false;
      }
      if (c.owesAcknowledgements()) {
        warnings.info(org.slf4j.LoggerFactory.getLogger(MqttConnections.class),
            "{}: closed at the shutdown deadline with acknowledgements still waiting for the log's flush", c.describe());
      }
      c.closeWithReason(0x8B, "server shutting down");
      return true;
    });
    if (draining.isEmpty()) {
      done.complete();
    } else {
      vertx.setTimer(5, t -> drain(vertx, draining, deadline, done));
    }
  }
}
