package io.tributary.router.session;

import io.tributary.router.message.Message;
import io.tributary.router.security.ClientAccess;

/**
 * What a connecting client asks of its session, protocol-neutral.
 *
 * @param clientId the session's key
 * @param cleanStart discard any existing session state
 * @param expirySeconds how long the session outlives its connection: 0 ends it with the
 *     connection, {@link #NEVER_EXPIRES} keeps it until a clean start
 * @param will published when the connection ends without a normal disconnect, or null
 * @param willDelaySeconds how long after such an end the will waits (a reconnect cancels it)
 * @param receiveMaximum unacknowledged QoS 1/2 messages the client accepts at once
 * @param link the connection
 * @param access what the connection may read (its session's deliveries are filtered by it)
 */
public record SessionRequest(String clientId, boolean cleanStart, long expirySeconds, Message will,
    long willDelaySeconds, int receiveMaximum, ClientLink link, ClientAccess access) {

  public static final long NEVER_EXPIRES = 0xFFFFFFFFL;

  /**
   * The client ids of raw-TCP devices' sessions start with this; no other protocol may use such an
   * id (it would take a device's session over).
   */
  public static final String DEVICE_PREFIX = "device/";

  /** A request of a connection no access rules restrict. */
  public SessionRequest(String clientId, boolean cleanStart, long expirySeconds, Message will,
      long willDelaySeconds, int receiveMaximum, ClientLink link) {
    this(clientId, cleanStart, expirySeconds, will, willDelaySeconds, receiveMaximum, link, ClientAccess.OPEN);
  }

  /** The same request, for a connection with this access. */
  public SessionRequest withAccess(ClientAccess newAccess) {
    return new SessionRequest(clientId, cleanStart, expirySeconds, will, willDelaySeconds, receiveMaximum, link,
        newAccess);
  }
}
