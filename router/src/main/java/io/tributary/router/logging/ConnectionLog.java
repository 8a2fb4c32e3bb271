package io.tributary.router.logging;

import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two lines every protocol writes about one connection: when its session is bound, and when
 * it ends, with the reason it ended (the first one given; none means the peer closed it). Both go
 * to the logger {@code io.tributary.connections}, so operators can turn them down on their own,
 * with the connection as MDC fields ({@link ClientMdc}). Owned by the connection's event loop.
 */
public final class ConnectionLog {

  /** Connects and disconnects, one line each. */
  public static final Logger CONNECTIONS = LoggerFactory.getLogger("io.tributary.connections");
  /** Packets of the clients an operator traces (the admin API). */
  public static final Logger TRACE = LoggerFactory.getLogger("io.tributary.trace");

  private final String listener;
  private final String protocol;
  private final String remote;
  /** Wall-clock ms the session was bound; 0 until then, and after the disconnect line. */
  private long connectedAt;
  /** Why the broker ended the connection; null while it has not (then the peer's side did). */
  private String endReason;

  /** @param protocol the listener's protocol: mqtt, mqtt-ws, raw-tcp */
  public ConnectionLog(String listener, String protocol, String remote) {
    this.listener = listener;
    this.protocol = protocol;
    this.remote = remote;
  }

  /**
   * The session is bound: {@code connected: <protocol> listener '<name>' from <remote>, <who>,
   * <details>}; {@code who} names the client (already made safe for a log line), {@code details}
   * is only built when the line is written.
   */
  public void connected(String clientId, String who, Supplier<String> details) {
    connectedAt = System.currentTimeMillis();
    if (CONNECTIONS.isInfoEnabled()) {
      try (ClientMdc m = ClientMdc.of(listener, remote, clientId)) {
        CONNECTIONS.info("connected: {} listener '{}' from {}, {}, {}", protocol, listener, remote, who, details.get());
      }
    }
  }

  /** Why the connection ends, if no reason was given before. */
  public void endsBecause(String reason) {
    if (endReason == null) {
      endReason = reason;
    }
  }

  /** The disconnect line, once, for a connection whose session was bound; {@code byPeer} when no reason was given. */
  public void ended(String clientId, String who, String byPeer) {
    if (connectedAt == 0) {
      return;
    }
    long since = connectedAt;
    connectedAt = 0;
    if (CONNECTIONS.isInfoEnabled()) {
      try (ClientMdc m = ClientMdc.of(listener, remote, clientId)) {
        CONNECTIONS.info("disconnected: {} listener '{}' from {}, {}, after {} s: {}", protocol, listener, remote, who,
            (System.currentTimeMillis() - since) / 1000, endReason == null ? byPeer : endReason);
      }
    }
  }

  /** Wall-clock ms the session was bound, 0 while it is not. */
  public long connectedAt() {
    return connectedAt;
  }

  public String listener() {
    return listener;
  }

  public String protocol() {
    return protocol;
  }

  public String remote() {
    return remote;
  }
}
