package io.tributary.mqtt.auth;

import io.vertx.core.Future;

/**
 * One authentication conversation of one connection (see {@link EnhancedAuthenticator#start}).
 * The broker calls {@link #step} with the client's Authentication Data: first with the data of the
 * CONNECT (or of the AUTH 0x19 that starts a re-authentication), then with the data of each AUTH
 * 0x18 the client sends in answer to an {@link AuthStep#challenge}. It never calls {@code step}
 * again before the previous future has completed, and stops after a success or failure.
 *
 * <p>Called on the connection's event loop. The future may complete on any thread (a blocking
 * directory lookup, say); the broker continues on the connection's event loop. A failed future
 * fails the authentication with reason code 0x80 (unspecified error).
 */
@FunctionalInterface
public interface AuthExchange {

  /**
   * The next step of the conversation.
   *
   * @param clientData the client's Authentication Data, or null when the packet had none
   */
  Future<AuthStep> step(byte[] clientData);
}
