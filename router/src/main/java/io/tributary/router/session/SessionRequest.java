package io.tributary.router.session;

import io.tributary.router.message.Message;

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
 */
public record SessionRequest(String clientId, boolean cleanStart, long expirySeconds, Message will,
    long willDelaySeconds, int receiveMaximum, ClientLink link) {

  public static final long NEVER_EXPIRES = 0xFFFFFFFFL;
}
