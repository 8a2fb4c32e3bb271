package io.tributary.router.security;

/**
 * Who may connect: one decision per connection attempt, the same for every protocol. A decision
 * may need a password hash (milliseconds of CPU), so it comes in two steps: {@link #quick}, on the
 * connection's event loop, answers what needs no hashing (anonymous clients, a credential verified
 * recently); {@link #decide}, off the event loop, answers the rest.
 */
public interface Authenticator {

  /** What a connection attempt gets. Refusals do not say whether the user exists. */
  enum Decision { ALLOW, BAD_CREDENTIALS, NOT_AUTHORIZED }

  /** What a client presented: user name and password as sent (null when absent). */
  record Login(String clientId, String username, byte[] password, boolean fromLoopback) {}

  /** Lets everyone in (an embedded broker that configured nothing). */
  Authenticator ALLOW_ALL = new Authenticator() {
    @Override
    public Decision quick(Login login) {
      return Decision.ALLOW;
    }

    @Override
    public Decision decide(Login login) {
      return Decision.ALLOW;
    }
  };

  /**
   * Whether a peer's address, as its socket reports it (a literal: no name lookup happens), is a
   * loopback address; false for null or anything unparsable.
   */
  static boolean isLoopback(String hostAddress) {
    if (hostAddress == null || hostAddress.isEmpty()) {
      return false;
    }
    try {
      return java.net.InetAddress.getByName(hostAddress).isLoopbackAddress();
    } catch (java.net.UnknownHostException | SecurityException e) {
      return false;
    }
  }

  /** The decision when it needs no hashing, else null (then call {@link #decide} off the event loop). */
  Decision quick(Login login);

  /** The decision; may hash. Any thread but an event loop. */
  Decision decide(Login login);
}
