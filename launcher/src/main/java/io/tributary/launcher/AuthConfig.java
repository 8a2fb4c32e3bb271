package io.tributary.launcher;

import static io.tributary.launcher.ConfigException.check;

import io.tributary.mqtt.auth.ScramSha256Authenticator;
import io.tributary.router.security.AccessRules;
import io.tributary.router.security.AuthFileException;
import io.tributary.router.security.Authorizer;
import io.tributary.router.security.PasswordAuthenticator;
import io.tributary.router.security.PasswordAuthenticator.Anonymous;
import io.tributary.router.security.PasswordFile;
import java.nio.file.Path;

/**
 * The {@code auth} block: who may connect over MQTT (TCP, TLS, WebSocket) and raw TCP, and what
 * clients may touch. A password file in Mosquitto's format, and whether clients without a user name
 * get in. The default keeps the quick start working without opening the broker to the network:
 * with no password file, anonymous clients are let in from loopback addresses only (what Mosquitto
 * 2.0 does by listening only on loopback when nothing is configured); with one, not at all.
 * Raw-TCP devices log in the same way (user name = device id, password = the token of their first
 * frame). An ACL file in Mosquitto's format restricts what every client may read and write, on
 * every protocol; without one every topic is open (but {@code $SYS} is read-only).
 */
public final class AuthConfig {

  /** A password file (user:hash lines, see {@code passwd}); null: none. */
  public String passwordFile;
  /** {@code true}, {@code false} or {@code "loopback"}; null: loopback without a password file, false with one. */
  public Object allowAnonymous;
  /** Topic access rules (Mosquitto's acl_file format); null: none, every topic open. */
  public String aclFile;

  private PasswordAuthenticator authenticator;
  private ScramSha256Authenticator scram;
  private Authorizer authorizer;

  /** Loads the password file; throws {@link ConfigException} naming the key (and the file's line). */
  void validate() {
    check(allowAnonymous == null || allowAnonymous instanceof Boolean || "loopback".equals(allowAnonymous),
        "auth.allowAnonymous", "must be true, false or \"loopback\", was " + allowAnonymous);
    PasswordFile passwords = null;
    if (passwordFile != null) {
      check(!passwordFile.isBlank(), "auth.passwordFile", "must be a file path");
      try {
        passwords = PasswordFile.load(Path.of(passwordFile));
      } catch (AuthFileException e) {
        throw new ConfigException("configuration key 'auth.passwordFile': " + e.getMessage());
      }
    }
    authenticator = new PasswordAuthenticator(passwords, anonymous());
    PasswordAuthenticator users = authenticator;
    scram = passwordFile == null ? null : new ScramSha256Authenticator(users::scramKeys);
    authorizer = Authorizer.OPEN;
    if (aclFile != null) {
      check(!aclFile.isBlank(), "auth.aclFile", "must be a file path");
      try {
        authorizer = new Authorizer(AccessRules.load(Path.of(aclFile)));
      } catch (AuthFileException e) {
        throw new ConfigException("configuration key 'auth.aclFile': " + e.getMessage());
      }
    }
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

  /**
   * MQTT 5 enhanced authentication SCRAM-SHA-256 against the password file's SCRAM entries; null
   * without a password file (then a CONNECT naming it gets 0x8C, as any method nobody offers).
   */
  ScramSha256Authenticator scram() {
    return scram;
  }

  /** One authorizer for the broker: every protocol applies its rules. */
  Authorizer authorizer() {
    return authorizer;
  }

  /** For the start-up log line about the ACL file. */
  String describeAcl() {
    if (aclFile == null) {
      return "no ACL file: every topic open to every client ($SYS read-only)";
    }
    AccessRules rules = authorizer.rules();
    return "ACL file " + Path.of(aclFile).toAbsolutePath() + ", " + rules.ruleCount() + " rule(s) for "
        + rules.userCount() + " user(s); anything no rule allows is denied";
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
