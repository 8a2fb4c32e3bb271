package io.tributary.router.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Decides logins against a {@link PasswordFile} (or none) and an anonymous policy.
 *
 * <p>Without a password file every client counts as anonymous (as in Mosquitto, a user name is
 * then not checked). With one, a client that sends a user name must send that user's password;
 * an unknown user costs a hash like a known one, so timing does not tell them apart.
 *
 * <p>Verified credentials are cached (at most {@link #CACHE_ENTRIES}, each for
 * {@link #CACHE_MILLIS}) by user and a SHA-256 of the password, never the password: a reconnect
 * storm of known devices costs a digest each, not a PBKDF2. Failures are not cached. Thread-safe.
 */
public final class PasswordAuthenticator implements Authenticator {

  /** Anonymous clients (no user name, or any client when there is no password file). */
  public enum Anonymous { ALLOW, LOOPBACK, DENY }

  static final int CACHE_ENTRIES = 10_000;
  static final long CACHE_MILLIS = 10 * 60_000L;
  /** What an unknown user's password is checked against, so the refusal takes as long. */
  private static final PasswordHash DECOY = PasswordHash.create("decoy".getBytes(StandardCharsets.UTF_8),
      PasswordHash.DEFAULT_ITERATIONS);

  private volatile PasswordFile passwords;
  private final Anonymous anonymous;
  private final Map<String, Long> verified = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
      return size() > CACHE_ENTRIES;
    }
  };

  /** {@code passwords} null: no password file. */
  public PasswordAuthenticator(PasswordFile passwords, Anonymous anonymous) {
    this.passwords = passwords;
    this.anonymous = anonymous;
  }

  public Anonymous anonymous() {
    return anonymous;
  }

  /**
   * From now on logins are checked against {@code reloaded} (the file changed); credentials
   * verified against the old one are forgotten. Connections already in stay in.
   */
  public void replace(PasswordFile reloaded) {
    passwords = java.util.Objects.requireNonNull(reloaded, "reloaded");
    synchronized (verified) {
      verified.clear();
    }
  }

  /** The SCRAM-SHA-256 keys of user in the file now, or null (no such user, or a $6$/$7$ entry). */
  public PasswordHash.ScramKeys scramKeys(String user) {
    PasswordFile p = passwords;
    PasswordHash h = p == null ? null : p.hashOf(user);
    return h == null ? null : h.scramKeys();
  }

  /** Users in the file now; -1 without a password file. */
  public int users() {
    PasswordFile p = passwords;
    return p == null ? -1 : p.users().size();
  }

  @Override
  public Decision quick(Login login) {
    PasswordFile passwords = this.passwords;
    if (passwords == null || login.username() == null) {
      return anonymousDecision(login);
    }
    if (login.password() == null) {
      return Decision.BAD_CREDENTIALS;
    }
    String key = cacheKey(login);
    synchronized (verified) {
      Long until = verified.get(key);
      if (until != null && until > System.currentTimeMillis()) {
        return Decision.ALLOW;
      }
    }
    return null;
  }

  @Override
  public Decision decide(Login login) {
    Decision quick = quick(login);
    if (quick != null) {
      return quick;
    }
    PasswordHash hash = this.passwords.hashOf(login.username());
    boolean ok = (hash != null ? hash : DECOY).matches(login.password()) && hash != null;
    if (!ok) {
      return Decision.BAD_CREDENTIALS;
    }
    synchronized (verified) {
      verified.put(cacheKey(login), System.currentTimeMillis() + CACHE_MILLIS);
    }
    return Decision.ALLOW;
  }

  private Decision anonymousDecision(Login login) {
    return switch (anonymous) {
      case ALLOW -> Decision.ALLOW;
      case LOOPBACK -> login.fromLoopback() ? Decision.ALLOW : Decision.NOT_AUTHORIZED;
      case DENY -> Decision.NOT_AUTHORIZED;
    };
  }

  private static String cacheKey(Login login) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      sha256.update(login.username().getBytes(StandardCharsets.UTF_8));
      sha256.update((byte) 0);
      sha256.update(login.password());
      return Base64.getEncoder().encodeToString(sha256.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java 17", e);
    }
  }
}
