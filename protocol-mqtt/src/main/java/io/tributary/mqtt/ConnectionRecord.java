package io.tributary.mqtt;

import io.tributary.router.logging.ConnectionLog;
import io.tributary.router.logging.LogSafe;
import io.tributary.router.session.ConnectionDetails;

/**
 * What operators see of one MQTT connection: the connect and disconnect lines ({@link
 * ConnectionLog}) with MQTT's own details (protocol level, clean start, keep alive, user, session
 * present), and its details for the admin API.
 */
final class ConnectionRecord {

  private final ConnectionLog log;
  private boolean cleanStart;
  private int keepAliveSeconds;

  ConnectionRecord(String listener, String protocol, String remote) {
    this.log = new ConnectionLog(listener, protocol, remote);
  }

  /** The CONNECT's own settings, before its login is decided. */
  void connect(boolean cleanStart, int keepAliveSeconds) {
    this.cleanStart = cleanStart;
    this.keepAliveSeconds = keepAliveSeconds;
  }

  /** The session is bound: the connect line. */
  void connected(String clientId, boolean v5, String username, boolean sessionPresent) {
    log.connected(clientId, "client id " + LogSafe.text(clientId), () -> "MQTT " + (v5 ? "5" : "3.1.1")
        + ", clean start " + cleanStart + ", keep alive " + keepAliveSeconds + " s, user "
        + (username == null ? "-" : LogSafe.text(username)) + ", session present " + sessionPresent);
  }

  /** Why the connection ends, if no reason was given before. */
  void endsBecause(String reason) {
    log.endsBecause(reason);
  }

  /** The disconnect line, once, for a connection that had connected. */
  void ended(String clientId) {
    log.ended(clientId, "client id " + LogSafe.text(clientId), "connection closed by the client");
  }

  ConnectionDetails details(int protocolLevel, String username) {
    return new ConnectionDetails(log.listener(), log.protocol(), log.remote(), protocolLevel, username, cleanStart,
        keepAliveSeconds, log.connectedAt());
  }
}
