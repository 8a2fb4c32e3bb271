package io.tributary.mqtt;

import io.tributary.router.logging.ClientMdc;
import io.tributary.router.logging.LogSafe;
import io.tributary.router.session.ConnectionDetails;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What operators see of one MQTT connection: the connect line, the disconnect line with the reason
 * the connection ended (the first reason given is the one kept), and its details for the admin
 * API. Lines go to the logger {@code io.tributary.connections}, so they can be turned down on
 * their own, with the connection as MDC fields.
 */
final class ConnectionRecord {

  static final Logger CONNECTIONS = LoggerFactory.getLogger("io.tributary.connections");
  /** Packets of the clients an operator traces (the admin API). */
  static final Logger TRACE = LoggerFactory.getLogger("io.tributary.trace");

  private final String listener;
  private final String protocol;
  private final String remote;
  private boolean cleanStart;
  private int keepAliveSeconds;
  /** Wall-clock ms the session was bound; 0 until then, and after the disconnect line. */
  private long connectedAt;
  /** Why the broker ended the connection; null while it has not (then the client's side did). */
  private String endReason;

  ConnectionRecord(String listener, String protocol, String remote) {
    this.listener = listener;
    this.protocol = protocol;
    this.remote = remote;
  }

  /** The CONNECT's own settings, before its login is decided. */
  void connect(boolean cleanStart, int keepAliveSeconds) {
    this.cleanStart = cleanStart;
    this.keepAliveSeconds = keepAliveSeconds;
  }

  /** The session is bound: the connect line. */
  void connected(String clientId, boolean v5, String username, boolean sessionPresent) {
    connectedAt = System.currentTimeMillis();
    if (CONNECTIONS.isInfoEnabled()) {
      try (ClientMdc m = ClientMdc.of(listener, remote, clientId)) {
        CONNECTIONS.info("connected: {} listener '{}' from {}, client id {}, MQTT {}, clean start {}, keep alive {} s, "
            + "user {}, session present {}", protocol, listener, remote, LogSafe.text(clientId), v5 ? "5" : "3.1.1",
            cleanStart, keepAliveSeconds, username == null ? "-" : LogSafe.text(username), sessionPresent);
      }
    }
  }

  /** Why the connection ends, if no reason was given before. */
  void endsBecause(String reason) {
    if (endReason == null) {
      endReason = reason;
    }
  }

  /** The disconnect line, once, for a connection that had connected. */
  void ended(String clientId) {
    if (connectedAt == 0) {
      return;
    }
    long since = connectedAt;
    connectedAt = 0;
    if (CONNECTIONS.isInfoEnabled()) {
      try (ClientMdc m = ClientMdc.of(listener, remote, clientId)) {
        CONNECTIONS.info("disconnected: {} listener '{}' from {}, client id {}, after {} s: {}", protocol, listener,
            remote, LogSafe.text(clientId), (System.currentTimeMillis() - since) / 1000,
            endReason == null ? "connection closed by the client" : endReason);
      }
    }
  }

  ConnectionDetails details(int protocolLevel, String username) {
    return new ConnectionDetails(listener, protocol, remote, protocolLevel, username, cleanStart, keepAliveSeconds,
        connectedAt);
  }
}
