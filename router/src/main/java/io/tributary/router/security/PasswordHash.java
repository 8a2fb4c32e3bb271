package io.tributary.router.security;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * One password hash as Mosquitto 2.0's password files keep it, so files made by
 * {@code mosquitto_passwd} work here and files made here work in Mosquitto:
 * <ul>
 *   <li>{@code $7$ITERATIONS$SALT$HASH}: PBKDF2-HMAC-SHA512 (Mosquitto 2.0's default, 101
 *       iterations there; {@link #create} writes more, see {@link #DEFAULT_ITERATIONS});</li>
 *   <li>{@code $6$SALT$HASH}: SHA-512 of password then salt (Mosquitto 1.6 and earlier), read only.</li>
 *   <li>{@code $scram-sha-256$ITERATIONS$SALT$STOREDKEY$SERVERKEY}: Tributary's own, for users who
 *       also log in with MQTT 5 enhanced authentication SCRAM-SHA-256 (RFC 5802 / 7677; the keys
 *       are what a SCRAM server keeps). A plain password login works too. Mosquitto does not read
 *       this form.</li>
 * </ul>
 * Salt and hash are standard base64. Hashing uses the JDK ({@code PBKDF2WithHmacSHA512},
 * {@code SHA-512}); comparison is constant-time.
 */
public final class PasswordHash {

  /**
   * Iterations {@link #create} uses: about 10 ms per check on the CI machine (0.85 us per
   * iteration), 100x Mosquitto's 101. Slow enough to make a stolen file expensive to search,
   * fast enough that a reconnect storm is bounded by the credential cache, not by hashing.
   */
  public static final int DEFAULT_ITERATIONS = 10_000;
  private static final int SALT_BYTES = 12;
  private static final int HASH_BYTES = 64;
  private static final SecureRandom RANDOM = new SecureRandom();

  private static final String SCRAM = "scram-sha-256";

  private final int iterations; // 0 for $6$
  private final byte[] salt;
  private final byte[] hash; // the SCRAM StoredKey for a SCRAM entry
  private final byte[] serverKey; // SCRAM entries only, else null

  private PasswordHash(int iterations, byte[] salt, byte[] hash) {
    this(iterations, salt, hash, null);
  }

  private PasswordHash(int iterations, byte[] salt, byte[] hash, byte[] serverKey) {
    this.iterations = iterations;
    this.salt = salt;
    this.hash = hash;
    this.serverKey = serverKey;
  }

  /** What a SCRAM-SHA-256 server keeps of a password (RFC 5802 §3). */
  public record ScramKeys(int iterations, byte[] salt, byte[] storedKey, byte[] serverKey) {}

  /** Parses {@code $7$...} or {@code $6$...}; throws IllegalArgumentException saying what is wrong. */
  public static PasswordHash parse(String encoded) {
    String[] parts = encoded.split("\\$", -1);
    // "$7$101$salt$hash" splits to ["", "7", "101", "salt", "hash"]
    if (parts.length < 4 || !parts[0].isEmpty()) {
      throw new IllegalArgumentException("not a $6$ or $7$ password hash");
    }
    try {
      if (parts[1].equals("7") && parts.length == 5) {
        int iterations = Integer.parseInt(parts[2]);
        if (iterations < 1) {
          throw new IllegalArgumentException("iterations must be at least 1");
        }
        return new PasswordHash(iterations, decode(parts[3]), decode(parts[4]));
      }
      if (parts[1].equals("6") && parts.length == 4) {
        return new PasswordHash(0, decode(parts[2]), decode(parts[3]));
      }
      if (parts[1].equals(SCRAM) && parts.length == 6) {
        int iterations = Integer.parseInt(parts[2]);
        if (iterations < 1) {
          throw new IllegalArgumentException("iterations must be at least 1");
        }
        return new PasswordHash(iterations, decode(parts[3]), decode(parts[4]), decode(parts[5]));
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("iterations are not a number");
    }
    throw new IllegalArgumentException("unknown hash type $" + parts[1] + "$ (known: $6$, $7$, $" + SCRAM + "$)");
  }

  private static byte[] decode(String base64) {
    try {
      byte[] b = Base64.getDecoder().decode(base64);
      if (b.length == 0) {
        throw new IllegalArgumentException("empty salt or hash");
      }
      return b;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("salt or hash is not base64");
    }
  }

  /** A new {@code $7$} hash of password with a random salt. */
  public static PasswordHash create(byte[] password, int iterations) {
    if (iterations < 1) {
      throw new IllegalArgumentException("iterations must be at least 1");
    }
    byte[] salt = new byte[SALT_BYTES];
    RANDOM.nextBytes(salt);
    char[] chars = utf8(password);
    if (chars == null) {
      throw new IllegalArgumentException("the password is not UTF-8 text");
    }
    return new PasswordHash(iterations, salt, pbkdf2(chars, salt, iterations, HASH_BYTES));
  }

  /**
   * A new SCRAM-SHA-256 entry for password with a random salt: it serves SCRAM logins and plain
   * password logins alike.
   */
  public static PasswordHash createScram(byte[] password, int iterations) {
    if (iterations < 1) {
      throw new IllegalArgumentException("iterations must be at least 1");
    }
    char[] chars = utf8(password);
    if (chars == null) {
      throw new IllegalArgumentException("the password is not UTF-8 text");
    }
    byte[] salt = new byte[SALT_BYTES];
    RANDOM.nextBytes(salt);
    byte[] salted = Scram.saltedPassword(chars, salt, iterations);
    return new PasswordHash(iterations, salt, Scram.storedKey(salted), Scram.serverKey(salted));
  }

  /** The SCRAM-SHA-256 keys of a SCRAM entry; null for a $6$ or $7$ one (it cannot serve SCRAM). */
  public ScramKeys scramKeys() {
    return serverKey == null ? null : new ScramKeys(iterations, salt.clone(), hash.clone(), serverKey.clone());
  }

  /** Whether password (the bytes a client sent) is the one this hash was made from. */
  public boolean matches(byte[] password) {
    byte[] computed;
    if (serverKey != null) {
      char[] chars = utf8(password);
      if (chars == null) {
        return false;
      }
      computed = Scram.storedKey(Scram.saltedPassword(chars, salt, iterations));
    } else if (iterations == 0) {
      MessageDigest sha512 = sha512();
      sha512.update(password);
      sha512.update(salt);
      computed = sha512.digest();
    } else {
      // Files hold hashes of text; the JDK's PBKDF2 takes characters and hashes their UTF-8.
      // Bytes that are not UTF-8 cannot be the password of any entry.
      char[] chars = utf8(password);
      if (chars == null) {
        return false;
      }
      computed = pbkdf2(chars, salt, iterations, hash.length);
    }
    return MessageDigest.isEqual(computed, hash);
  }

  /** The file form: {@code $7$ITERATIONS$SALT$HASH}, {@code $6$SALT$HASH} or the SCRAM one. */
  public String encoded() {
    Base64.Encoder b64 = Base64.getEncoder();
    if (serverKey != null) {
      return "$" + SCRAM + "$" + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash) + "$"
          + b64.encodeToString(serverKey);
    }
    return iterations == 0 ? "$6$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash)
        : "$7$" + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
  }

  public int iterations() {
    return iterations;
  }

  static char[] utf8(byte[] bytes) {
    try {
      CharBuffer chars = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
      return Arrays.copyOf(chars.array(), chars.limit());
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static byte[] pbkdf2(char[] password, byte[] salt, int iterations, int bytes) {
    PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, bytes * 8);
    try {
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512").generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA512 is part of every Java 17", e);
    } finally {
      spec.clearPassword();
    }
  }

  private static MessageDigest sha512() {
    try {
      return MessageDigest.getInstance("SHA-512");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-512 is part of every Java 17", e);
    }
  }
}
