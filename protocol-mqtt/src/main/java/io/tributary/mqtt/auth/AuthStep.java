package io.tributary.mqtt.auth;

import io.vertx.core.Future;

/**
 * The outcome of one {@link AuthExchange#step}:
 *
 * <ul>
 *   <li>{@link #challenge}: the broker sends AUTH 0x18 (continue authentication) with the
 *       Authentication Method and this data, and waits for the client's AUTH 0x18;
 *   <li>{@link #success}: the client is authenticated: CONNACK 0x00 (or AUTH 0x00 after a
 *       re-authentication) with the Authentication Method and, when given, this data;
 *   <li>{@link #failure}: CONNACK with the reason code (or, after a re-authentication, DISCONNECT
 *       with it), then the connection closes. A code the packet cannot carry is sent as 0x87.
 * </ul>
 */
public final class AuthStep {

  /** Which of the three outcomes a step is. */
  public enum Kind { CONTINUE, SUCCESS, FAILURE }

  /** 0x87, the reason code of a plain refusal. */
  public static final int NOT_AUTHORIZED = 0x87;

  private final Kind kind;
  private final byte[] data;
  private final int reasonCode;
  private final String reason;
  private final String username;

  private AuthStep(Kind kind, byte[] data, int reasonCode, String reason) {
    this(kind, data, reasonCode, reason, null);
  }

  private AuthStep(Kind kind, byte[] data, int reasonCode, String reason, String username) {
    this.kind = kind;
    this.data = data;
    this.reasonCode = reasonCode;
    this.reason = reason;
    this.username = username;
  }

  /** Continue: send the client this Authentication Data (may be null) and wait for its answer. */
  public static AuthStep challenge(byte[] serverData) {
    return new AuthStep(Kind.CONTINUE, serverData, 0x18, null);
  }

  /** Authenticated, with final Authentication Data for the client (may be null). */
  public static AuthStep success(byte[] serverData) {
    return new AuthStep(Kind.SUCCESS, serverData, 0x00, null);
  }

  /**
   * Authenticated as {@code username} (the user the method proved, e.g. SCRAM's): the access
   * rules know the connection by it, whatever the CONNECT's User Name said.
   */
  public static AuthStep success(byte[] serverData, String username) {
    return new AuthStep(Kind.SUCCESS, serverData, 0x00, null, username);
  }

  /** The user a successful step proved, or null (the CONNECT's User Name stands). */
  public String username() {
    return username;
  }

  /** Authenticated, no final data. */
  public static AuthStep success() {
    return success(null);
  }

  /**
   * Refused with {@code reasonCode} (0x80..0xFF, usually 0x87 not authorized or 0x8C bad
   * authentication method) and a Reason String for the client (may be null).
   */
  public static AuthStep failure(int reasonCode, String reason) {
    if (reasonCode < 0x80 || reasonCode > 0xFF) {
      throw new IllegalArgumentException("failure reason code must be 0x80..0xFF: " + reasonCode);
    }
    return new AuthStep(Kind.FAILURE, null, reasonCode, reason);
  }

  /** Refused: 0x87 not authorized. */
  public static AuthStep failure(String reason) {
    return failure(NOT_AUTHORIZED, reason);
  }

  /** This step as an already completed future, for exchanges that answer synchronously. */
  public Future<AuthStep> future() {
    return Future.succeededFuture(this);
  }

  public Kind kind() {
    return kind;
  }

  /** The Authentication Data for the client (CONTINUE, SUCCESS), or null. */
  public byte[] data() {
    return data;
  }

  /** The reason code: 0x18 for CONTINUE, 0x00 for SUCCESS, 0x80.. for FAILURE. */
  public int reasonCode() {
    return reasonCode;
  }

  /** The Reason String of a FAILURE, or null. */
  public String reason() {
    return reason;
  }

  @Override
  public String toString() {
    return "AuthStep{" + kind + (kind == Kind.FAILURE ? " 0x" + Integer.toHexString(reasonCode) : "")
        + (data == null ? "" : ", " + data.length + " bytes") + (reason == null ? "" : ", " + reason) + "}";
  }
}
