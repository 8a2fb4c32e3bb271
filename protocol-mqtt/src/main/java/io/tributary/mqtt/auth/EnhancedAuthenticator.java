package io.tributary.mqtt.auth;

/**
 * One MQTT 5 enhanced authentication method (CONNECT / AUTH property Authentication Method, e.g.
 * {@code "SCRAM-SHA-256"}). Registered with {@code MqttOptions.addAuthenticator}; a CONNECT naming
 * a method nobody registered gets CONNACK 0x8C (bad authentication method).
 *
 * <p>The broker calls {@link #start} for every authentication of a connection: once for the
 * CONNECT, and again for each re-authentication the client starts with AUTH 0x19. The exchange
 * returned carries the state of that one conversation. One authenticator instance serves the
 * connections of every event loop, so it must be thread-safe; an {@link AuthExchange} is only
 * used from the event loop of its connection.
 */
public interface EnhancedAuthenticator {

  /** The Authentication Method this authenticator implements (case-sensitive, as on the wire). */
  String method();

  /** Starts one authentication conversation. Called on the connection's event loop. */
  AuthExchange start(AuthRequest request);
}
