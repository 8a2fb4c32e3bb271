package io.tributary.router.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.function.Function;

/**
 * The server side of one SCRAM-SHA-256 authentication (RFC 5802, RFC 7677), without channel
 * binding: {@link #first} answers the client-first message with the server-first one, {@link #last}
 * checks the client's proof and answers with the server signature. Users come from a password
 * file's SCRAM entries ({@link PasswordHash#scramKeys}). A user the file does not have, or whose
 * entry cannot serve SCRAM, gets a salt and an iteration count made up from its name (the same
 * every time), so until the proof fails the exchange looks like one for a real user. One exchange
 * per instance; not thread-safe.
 */
public final class ScramServer {

  /** The MQTT 5 Authentication Method (and SASL mechanism) name. */
  public static final String MECHANISM = "SCRAM-SHA-256";

  /** A message that breaks the protocol, or a wrong proof ({@link #badCredentials}). */
  public static final class ScramException extends Exception {
    private final boolean badCredentials;

    ScramException(String message, boolean badCredentials) {
      super(message, null, false, false);
      this.badCredentials = badCredentials;
    }

    /** True for a wrong proof (or an unknown user): a bad user name or password. */
    public boolean badCredentials() {
      return badCredentials;
    }
  }

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Function<String, PasswordHash.ScramKeys> users;
  private final byte[] decoySecret;
  private final String serverNonce;
  private String username;
  private PasswordHash.ScramKeys keys;
  private String gs2Header;
  private String clientFirstBare;
  private String serverFirst;
  private String nonce;
  private boolean done;

  /** {@code decoySecret}: random bytes kept for the process, from which made-up salts derive. */
  public ScramServer(Function<String, PasswordHash.ScramKeys> users, byte[] decoySecret) {
    this(users, decoySecret, randomNonce());
  }

  /** With a given server nonce: RFC 7677's test vector. */
  ScramServer(Function<String, PasswordHash.ScramKeys> users, byte[] decoySecret, String serverNonce) {
    this.users = users;
    this.decoySecret = decoySecret;
    this.serverNonce = serverNonce;
  }

  private static String randomNonce() {
    byte[] b = new byte[18];
    RANDOM.nextBytes(b);
    return Base64.getEncoder().encodeToString(b);
  }

  /** client-first-message to server-first-message. */
  public byte[] first(byte[] clientFirst) throws ScramException {
    if (serverFirst != null) {
      throw new ScramException("a second client-first message", false);
    }
    String m = new String(clientFirst == null ? new byte[0] : clientFirst, StandardCharsets.UTF_8);
    // gs2-header: "n," or "y," (no channel binding), an optional "a=authzid", then ","
    if (m.startsWith("p=")) {
      throw new ScramException("channel binding is not supported", false);
    }
    if (!(m.startsWith("n,") || m.startsWith("y,"))) {
      throw new ScramException("client-first message without a gs2 header", false);
    }
    int second = m.indexOf(',', 2);
    if (second < 0) {
      throw new ScramException("client-first message without a gs2 header", false);
    }
    gs2Header = m.substring(0, second + 1);
    clientFirstBare = m.substring(second + 1);
    String[] attrs = clientFirstBare.split(",", -1);
    if (attrs.length < 2 || !attrs[0].startsWith("n=") || !attrs[1].startsWith("r=") || attrs[1].length() < 3) {
      throw new ScramException("client-first message needs n=user,r=nonce", false);
    }
    for (int i = 2; i < attrs.length; i++) {
      if (attrs[i].startsWith("m=")) {
        throw new ScramException("unsupported mandatory extension", false);
      }
    }
    username = saslName(attrs[0].substring(2));
    if (username == null || username.isEmpty()) {
      throw new ScramException("malformed user name", false);
    }
    nonce = attrs[1].substring(2) + serverNonce;
    keys = users.apply(username);
    byte[] salt;
    int iterations;
    if (keys != null) {
      salt = keys.salt();
      iterations = keys.iterations();
    } else {
      salt = Arrays.copyOf(Scram.hmac(decoySecret, ("salt:" + username).getBytes(StandardCharsets.UTF_8)), 12);
      iterations = PasswordHash.DEFAULT_ITERATIONS;
    }
    serverFirst = "r=" + nonce + ",s=" + Base64.getEncoder().encodeToString(salt) + ",i=" + iterations;
    return serverFirst.getBytes(StandardCharsets.UTF_8);
  }

  /** client-final-message to server-final-message ("v=" the server signature). */
  public byte[] last(byte[] clientFinal) throws ScramException {
    if (serverFirst == null || done) {
      throw new ScramException("client-final message out of turn", false);
    }
    done = true;
    String m = new String(clientFinal == null ? new byte[0] : clientFinal, StandardCharsets.UTF_8);
    int p = m.lastIndexOf(",p=");
    if (p < 0 || !m.startsWith("c=")) {
      throw new ScramException("client-final message needs c=...,r=...,p=proof", false);
    }
    String withoutProof = m.substring(0, p);
    String[] attrs = withoutProof.split(",", -1);
    if (attrs.length < 2 || !attrs[1].startsWith("r=")) {
      throw new ScramException("client-final message needs c=...,r=...,p=proof", false);
    }
    byte[] binding;
    byte[] proof;
    try {
      binding = Base64.getDecoder().decode(attrs[0].substring(2));
      proof = Base64.getDecoder().decode(m.substring(p + 3));
    } catch (IllegalArgumentException e) {
      throw new ScramException("client-final message: bad base64", false);
    }
    if (!Arrays.equals(binding, gs2Header.getBytes(StandardCharsets.UTF_8))) {
      throw new ScramException("channel binding data does not match the gs2 header", false);
    }
    if (!attrs[1].substring(2).equals(nonce)) {
      throw new ScramException("the nonce is not the one of this exchange", false);
    }
    byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + withoutProof).getBytes(StandardCharsets.UTF_8);
    if (keys == null || proof.length != keys.storedKey().length) {
      throw new ScramException("bad user name or password", true);
    }
    byte[] clientSignature = Scram.hmac(keys.storedKey(), authMessage);
    byte[] clientKey = new byte[proof.length];
    for (int i = 0; i < proof.length; i++) {
      clientKey[i] = (byte) (proof[i] ^ clientSignature[i]);
    }
    if (!MessageDigest.isEqual(Scram.sha256(clientKey), keys.storedKey())) {
      throw new ScramException("bad user name or password", true);
    }
    return ("v=" + Base64.getEncoder().encodeToString(Scram.hmac(keys.serverKey(), authMessage)))
        .getBytes(StandardCharsets.UTF_8);
  }

  /** The user the client-first message named (null before it, or for a malformed name). */
  public String username() {
    return username;
  }

  /** RFC 5802 saslname: "=2C" is ',' and "=3D" is '='; any other '=' is malformed (null). */
  private static String saslName(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '=') {
        if (s.startsWith("=2C", i)) {
          b.append(',');
        } else if (s.startsWith("=3D", i)) {
          b.append('=');
        } else {
          return null;
        }
        i += 2;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
