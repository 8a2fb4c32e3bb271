package io.tributary.mqtt.auth;

import io.tributary.router.security.PasswordHash;
import io.tributary.router.security.ScramServer;
import java.security.SecureRandom;
import java.util.function.Function;

/**
 * MQTT 5 enhanced authentication {@code SCRAM-SHA-256} (RFC 5802 / 7677) against the users of the
 * password file: CONNECT carries the client-first message, AUTH 0x18 the server-first one, the
 * client's AUTH 0x18 its proof, and the CONNACK the server signature. Users need a SCRAM entry
 * ({@code passwd -s}); anyone else fails as a bad user name or password (0x86), as does a wrong
 * proof; a malformed message is refused as not authorized (0x87). The user proved is who the
 * access rules see. The password hashing was done when the entry was written: an exchange costs
 * a few HMACs, so it runs on the event loop.
 */
public final class ScramSha256Authenticator implements EnhancedAuthenticator {

  private final Function<String, PasswordHash.ScramKeys> users;
  /** Made-up salts for unknown users derive from it: stable for the process, unknown outside. */
  private final byte[] decoySecret = new byte[32];

  /** {@code users}: the SCRAM keys of a user in the password file now, or null. */
  public ScramSha256Authenticator(Function<String, PasswordHash.ScramKeys> users) {
    this.users = users;
    new SecureRandom().nextBytes(decoySecret);
  }

  @Override
  public String method() {
    return ScramServer.MECHANISM;
  }

  @Override
  public AuthExchange start(AuthRequest request) {
    ScramServer server = new ScramServer(users, decoySecret);
    boolean[] first = {true};
    return data -> {
      try {
        if (first[0]) {
          first[0] = false;
          return AuthStep.challenge(server.first(data)).future();
        }
        return AuthStep.success(server.last(data), server.username()).future();
      } catch (ScramServer.ScramException e) {
        return (e.badCredentials() ? AuthStep.failure(0x86, "bad user name or password")
            : AuthStep.failure(e.getMessage())).future();
      }
    };
  }
}
