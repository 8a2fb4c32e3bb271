package io.tributary.launcher;

import static io.tributary.launcher.ConfigException.check;

import io.tributary.router.security.PasswordAuthenticator;
import io.tributary.router.security.PasswordAuthenticator.Anonymous;
import io.tributary.router.security.PasswordFile;
import io.tributary.router.security.PasswordFileException;
import java.nio.file.Path;

/**
 * The {@code auth} block: who may connect over MQTT (TCP, TLS, WebSocket). A password file in
 * Mosquitto's format, and whether clients without a user name get in. The default keeps the quick
 * start working without opening the broker to the network: with no password file, anonymous
 * clients are let in from loopback addresses only (what Mosquitto 2.0 does by listening only on
 * loopback when nothing is configured); with one, not at all. Raw-TCP devices are not covered yet.
 */
public final class AuthConfig {

  /** A password file (user:hash lines, see {@code passwd}); null: none. */
  public String passwordFile;
  /** {@code true}, {@code false} or {@code "loopback"}; null: loopback without a password file, false with one. */
  public Object allowAnonymous;

  private PasswordAuthenticator authenticator;

  /** Loads the password file; throws {@link ConfigException} naming the key (and the file's line). */
  void validate() {
    check(allowAnonymous == null || allowAnonymous instanceof Boolean || "loopback".equals(allowAnonymous),
        "auth.allowAnonymous", "must be true, false or \"loopback\", was " + allowAnonymous);
    PasswordFile passwords = null;
    if (passwordFile != null) {
      check(!passwordFile.isBlank(), "auth.passwordFile", "must be a file path");
      try {
        passwords = PasswordFile.load(Path.of(passwordFile));
      } catch (PasswordFileException e) {
        throw new ConfigException("configuration key 'auth.passwordFile': " + e.getMessage());
      }
    }
    authenticator = new PasswordAuthenticator(passwords, anonymous());
  }

  private Anonymous anonymous() {
    if (allowAnonymous == null) {
      return passwordFile == null ? Anonymous.LOOPBACK : Anonymous.DENY;
    }
    if (allowAnonymous instanceof Boolean b) {
      return b ? Anonymous.ALLOW : Anonymous.DENY;
    }
    return Anonymous.LOOPBACK;
  }

  /** One authenticator for every listener and event loop (its credential cache is shared). */
  PasswordAuthenticator authenticator() {
    return authenticator;
  }

  /** For the start-up log line. */
  String describe() {
    String anonymous = switch (anonymous()) {
      case ALLOW -> "allowed from anywhere";
      case LOOPBACK -> "allowed from loopback addresses only";
      case DENY -> "refused";
    };
    return (passwordFile == null ? "no password file" : "password file " + Path.of(passwordFile).toAbsolutePath())
        + "; clients without a user name " + anonymous
        + (passwordFile == null ? " (any user name is accepted without a check)" : "");
  }
}
