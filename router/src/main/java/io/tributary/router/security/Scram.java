package io.tributary.router.security;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/** The SCRAM-SHA-256 functions of RFC 5802 §3 (Hi, HMAC, H), with the JDK's crypto. */
final class Scram {

  private Scram() {
  }

  /** SaltedPassword := Hi(Normalize(password), salt, i): PBKDF2-HMAC-SHA-256, 32 bytes. */
  static byte[] saltedPassword(char[] password, byte[] salt, int iterations) {
    PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, 256);
    try {
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every Java 17", e);
    } finally {
      spec.clearPassword();
    }
  }

  /** ClientKey := HMAC(SaltedPassword, "Client Key"). */
  static byte[] clientKey(byte[] saltedPassword) {
    return hmac(saltedPassword, "Client Key".getBytes(StandardCharsets.US_ASCII));
  }

  /** StoredKey := H(ClientKey). */
  static byte[] storedKey(byte[] saltedPassword) {
    return sha256(clientKey(saltedPassword));
  }

  /** ServerKey := HMAC(SaltedPassword, "Server Key"). */
  static byte[] serverKey(byte[] saltedPassword) {
    return hmac(saltedPassword, "Server Key".getBytes(StandardCharsets.US_ASCII));
  }

  static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every Java 17", e);
    }
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is part of every Java 17", e);
    }
  }
}
