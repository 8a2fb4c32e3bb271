package io.tributary.router.security;

import java.util.HashMap;

/**
 * What one connection may touch, decided by its {@link Authorizer}'s rules and cached per topic
 * (a publisher sends to a few topics, a subscriber hears from a few: after the first message a
 * decision is one map lookup). The cache empties when the rules are replaced, and when it grows
 * past {@link #CACHE_MAX} topics. Not thread-safe: the connection's event loop only, where its
 * publishes are checked and its session's deliveries are filtered.
 */
public final class ClientAccess {

  /** Everything but writing to {@code $SYS}. */
  public static final ClientAccess OPEN = new ClientAccess(null, null, null);

  static final int CACHE_MAX = 4096;
  private static final int READ_KNOWN = 4;
  private static final int WRITE_KNOWN = 8;

  private final Authorizer authorizer;
  private final String clientId;
  private final String username;
  /** The rules the cached decisions came from; compared by identity to notice a reload. */
  private AccessRules rules;
  private AccessRules.ClientRules clientRules;
  /** topic -> READ/WRITE bits allowed, with READ_KNOWN/WRITE_KNOWN for what was decided. */
  private final HashMap<String, Integer> decisions;

  ClientAccess(Authorizer authorizer, String clientId, String username) {
    this.authorizer = authorizer;
    this.clientId = clientId;
    this.username = username;
    this.decisions = authorizer == null ? null : new HashMap<>();
  }

  /** Whether no rules restrict this connection (then only {@code $SYS} is closed to writes). */
  public boolean isOpen() {
    return authorizer == null;
  }

  /** May it publish to topic (a valid topic name)? Never to {@code $SYS}. */
  public boolean mayPublish(String topic) {
    if (isSys(topic)) {
      return false;
    }
    return authorizer == null || decide(topic, AccessRules.WRITE, WRITE_KNOWN);
  }

  /** May it receive a message published to topic? */
  public boolean mayRead(String topic) {
    return authorizer == null || decide(topic, AccessRules.READ, READ_KNOWN);
  }

  /** May it subscribe to filter: is there anything under it it may read? (Not cached: rare.) */
  public boolean maySubscribe(String filter) {
    return authorizer == null || current().readsUnder(filter);
  }

  private boolean decide(String topic, int access, int known) {
    AccessRules.ClientRules r = current();
    Integer cached = decisions.get(topic);
    int bits = cached == null ? 0 : cached;
    if ((bits & known) == 0) {
      if (decisions.size() >= CACHE_MAX) {
        decisions.clear();
      }
      bits |= known | (r.allows(topic, access) ? access : 0);
      decisions.put(topic, bits);
    }
    return (bits & access) != 0;
  }

  private AccessRules.ClientRules current() {
    AccessRules now = authorizer.rules();
    if (now != rules) {
      rules = now;
      clientRules = now.forClient(clientId, username);
      decisions.clear();
    }
    return clientRules;
  }

  /** {@code $SYS} or below it: the broker's own topics. */
  private static boolean isSys(String topic) {
    return topic.startsWith("$SYS") && (topic.length() == 4 || topic.charAt(4) == '/');
  }
}
