package io.tributary.router.security;

/**
 * What clients may touch: the broker's topic access rules ({@link AccessRules}), replaced whole
 * on reload. Every protocol asks it through a per-connection {@link ClientAccess}. {@link #OPEN}
 * (no ACL file) lets everyone read and write everything, except that {@code $SYS} topics are
 * read-only for clients whatever the rules say.
 */
public final class Authorizer {

  /** No rules: every topic but {@code $SYS} is open to everyone. */
  public static final Authorizer OPEN = new Authorizer(null);

  private volatile AccessRules rules;

  public Authorizer(AccessRules rules) {
    this.rules = rules;
  }

  /** The view of one connection (caches its decisions; use it on the connection's thread). */
  public ClientAccess access(String clientId, String username) {
    return rules == null ? ClientAccess.OPEN : new ClientAccess(this, clientId, username);
  }

  /** Reload: connections decide by the new rules from their next check on. */
  public void replace(AccessRules newRules) {
    if (rules == null) {
      throw new IllegalStateException("an open authorizer has no rules to replace");
    }
    rules = newRules;
  }

  /** The rules in force, or null when open. */
  public AccessRules rules() {
    return rules;
  }
}
