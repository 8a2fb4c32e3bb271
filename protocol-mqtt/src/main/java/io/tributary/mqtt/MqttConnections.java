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

  /** Runs the MQTT engine on a new transport of this listener. Call on the core's event loop. */
  public void accept(io.vertx.core.Vertx vertx, io.tributary.router.Broker broker, io.tributary.router.Core core,
      MqttOptions options, MqttTransport transport) {
    new MqttConnection(vertx, broker, core, options, this, transport).start();
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
