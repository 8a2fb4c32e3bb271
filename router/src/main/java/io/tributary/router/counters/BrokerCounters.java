package io.tributary.router.counters;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * Everything one broker counts, in one place: two brokers in one JVM count apart. The router and
 * the adapters add to them from any thread (a {@link LongAdder} per counter, so event loops do not
 * contend); tests and, later, metrics read them.
 */
public final class BrokerCounters {

  /** One counter per event the broker counts. */
  public enum Counter {
    /** Messages stored in the log (publishes, wills, device frames). */
    MESSAGES_PUBLISHED,
    /** Messages this node sent to other cluster nodes, one per node (a forward batch holds many). */
    CLUSTER_MESSAGES_FORWARDED_OUT,
    /** Messages other cluster nodes forwarded to this one, stored in its log. */
    CLUSTER_MESSAGES_FORWARDED_IN,
    /** Forward batches this node sent and another acknowledged. */
    CLUSTER_FORWARD_BATCHES,
    /** Forward batches that failed (node gone, timeout) and were sent again. */
    CLUSTER_FORWARD_RETRIES,
    /** Messages bridges sent to their remote brokers (acknowledged there at QoS 1/2). */
    BRIDGE_MESSAGES_OUT,
    /** Messages bridges received from their remote brokers and stored here. */
    BRIDGE_MESSAGES_IN,
    /** Bridge connections a remote broker accepted (the first one and each reconnect). */
    BRIDGE_CONNECTS,
    /** Bridge connection attempts that failed (unreachable, refused, TLS) or connections lost. */
    BRIDGE_CONNECTION_FAILURES,
    /** Sessions bound to a connection (a CONNECT accepted, a device identified). */
    CONNECTS_ACCEPTED,
    /** Connections that ended with the client's own DISCONNECT (MQTT 0x00 / 0x04). */
    DISCONNECTS_BY_CLIENT,
    /** Connections of bound sessions that ended any other way (network, keep alive, violation, shutdown). */
    CONNECTIONS_LOST,
    /** Connections closed because a new connection took their session over. */
    SESSIONS_TAKEN_OVER,
    /** Connections closed by an operator through the admin API. */
    CLIENTS_EVICTED,
    /** Deliveries skipped because the message's expiry interval passed before it went out. */
    DELIVERIES_EXPIRED,
    /** Deliveries a client could not take (over its maximum packet size, or its framing), dropped for it. */
    DELIVERIES_DROPPED_TOO_LARGE,
    /** Records removed by retention before a session (or shared group) read them. */
    RECORDS_LOST_TO_RETENTION,
    /** Accepted sockets closed because the broker was at {@code limits.maxConnections}. */
    CONNECTIONS_REFUSED_BROKER_LIMIT,
    /** Accepted sockets closed because their listener was at its {@code maxConnections}. */
    CONNECTIONS_REFUSED_LISTENER_LIMIT,
    /** Accepted sockets closed because their listener's {@code connectionRate} was exceeded. */
    CONNECTIONS_REFUSED_RATE,
    /** Connections refused for a wrong user name or password (CONNACK 0x04 / 0x86). */
    LOGINS_REFUSED_BAD_CREDENTIALS,
    /** Connections refused as not authorized, e.g. anonymous where that is not allowed (0x05 / 0x87). */
    LOGINS_REFUSED_NOT_AUTHORIZED,
    /** PUBLISHes refused by the access rules (MQTT 5 0x87; MQTT 3.1.1 acknowledged and dropped). */
    PUBLISHES_DENIED,
    /** Subscription filters refused because the client may read nothing under them (0x80 / 0x87). */
    SUBSCRIPTIONS_DENIED,
    /** Connections refused because the access rules do not let them publish their will. */
    WILLS_DENIED,
    /** Connections refused because the broker holds {@code limits.maxSessions} sessions. */
    SESSIONS_REFUSED_LIMIT,
    /** Subscriptions refused past {@code limits.maxSubscriptionsPerClient} (0x97 / 0x80). */
    SUBSCRIPTIONS_REFUSED_LIMIT,
    /** Retained PUBLISHes refused past {@code limits.maxRetainedMessages} or {@code maxRetainedBytes}. */
    RETAINED_REFUSED_LIMIT,
    /** Times a connection stopped being read for publishing over {@code limits.publishRate} / {@code publishBytesRate}. */
    PUBLISHES_THROTTLED,
    /** Connections refused because their client id connected too often ({@code limits.flapping*}). */
    CONNECTS_REFUSED_FLAPPING,
    /** TLS handshakes completed on a TLS listener (MQTT, WebSocket, devices, admin). */
    TLS_HANDSHAKES,
    /** Connections that failed before the listener got them: on a TLS listener, a failed handshake. */
    TLS_HANDSHAKES_FAILED,
    /** Failed accepts (for instance, out of file descriptors); each one backs the acceptor off. */
    ACCEPT_ERRORS,
    /** HTTP connections closed for not finishing a request in time, or idle between requests. */
    HTTP_TIMEOUTS,
    /** Connections closed because their peer did not read and kept sending (write budget). */
    SLOW_CONSUMERS_CLOSED,
    /** Packets refused for too many or too large MQTT 5 user properties. */
    USER_PROPERTIES_REFUSED,
    /** WebSocket connections closed for a protocol error (RSV bits, bad frames, text frames). */
    WEBSOCKET_PROTOCOL_ERRORS,
    /** MQTT connections closed for a protocol violation (malformed or forbidden packets). */
    MQTT_PROTOCOL_VIOLATIONS,
    /** Raw-TCP devices closed for a bad id, token, frame or identification timeout. */
    DEVICES_REJECTED,
    /** Downlink messages a device's framing could not carry, dropped for it. */
    DEVICE_DOWNLINKS_DROPPED,
    /** Times a device connection stopped reading while its frames waited to be stored. */
    DEVICE_READ_PAUSES
  }

  private final Map<Counter, LongAdder> counters = new EnumMap<>(Counter.class);
  private final LongAccumulator peakDevicePendingBytes = new LongAccumulator(Math::max, 0);
  /** MQTT protocol violations by the reason code the connection was closed with (0x81, 0x82, ...). */
  private final LongAdder[] violationsByReason = new LongAdder[256];

  public BrokerCounters() {
    for (Counter c : Counter.values()) {
      counters.put(c, new LongAdder());
    }
    for (int i = 0; i < violationsByReason.length; i++) {
      violationsByReason[i] = new LongAdder();
    }
  }

  public void increment(Counter counter) {
    counters.get(counter).increment();
  }

  public void add(Counter counter, long amount) {
    counters.get(counter).add(amount);
  }

  public long get(Counter counter) {
    return counters.get(counter).sum();
  }

  /** An MQTT connection closed for a protocol violation, with this reason code. */
  public void mqttViolation(int reasonCode) {
    increment(Counter.MQTT_PROTOCOL_VIOLATIONS);
    violationsByReason[reasonCode & 0xFF].increment();
  }

  /** MQTT protocol violations closed with this reason code. */
  public long mqttViolations(int reasonCode) {
    return violationsByReason[reasonCode & 0xFF].sum();
  }

  /** A device connection holds this many bytes of frames not yet stored. */
  public void devicePendingBytes(long bytes) {
    peakDevicePendingBytes.accumulate(bytes);
  }

  /** The most bytes any device connection held unstored at once. */
  public long peakDevicePendingBytes() {
    return peakDevicePendingBytes.get();
  }
}
