package io.tributary.launcher;

import static io.tributary.launcher.ConfigException.check;

import io.tributary.admin.AdminOptions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * The {@code admin} block: who may use the admin API of an {@code admin} listener. {@code users}
 * are users of {@code auth.passwordFile} given the admin role (HTTP Basic); {@code tokens} are bearer
 * tokens. With neither, the API answers loopback peers only. The {@code sys} block next to it sets
 * how often the {@code $SYS} topics are published.
 */
public final class AdminConfig {

  /** Password-file users with the admin role. */
  public List<String> users = new ArrayList<>();
  /** Bearer tokens ({@code Authorization: Bearer ...}); at least 16 characters each. */
  public List<String> tokens = new ArrayList<>();

  void validate(AuthConfig auth) {
    check(users != null, "admin.users", "must be a list of user names ([] for none)");
    check(tokens != null, "admin.tokens", "must be a list of tokens ([] for none)");
    for (int i = 0; i < users.size(); i++) {
      check(users.get(i) != null && !users.get(i).isBlank(), "admin.users[" + i + "]", "must be a user name");
    }
    check(users.isEmpty() || auth.passwordFile != null, "admin.users",
        "admin users log in with their password from auth.passwordFile, which is not set");
    HashSet<String> seen = new HashSet<>();
    for (int i = 0; i < tokens.size(); i++) {
      String t = tokens.get(i);
      check(t != null && t.length() >= 16, "admin.tokens[" + i + "]", "must be at least 16 characters");
      check(t.chars().allMatch(c -> c > 32 && c < 127), "admin.tokens[" + i + "]",
          "must be printable ASCII without spaces");
      check(seen.add(t), "admin.tokens[" + i + "]", "duplicate token");
    }
  }

  /** The admin listener's options for this listener config (bind address and TLS set by the caller). */
  AdminOptions adminOptions(AuthConfig auth) {
    AdminOptions o = new AdminOptions().setUsers(new java.util.LinkedHashSet<>(users)).setTokens(tokens);
    if (auth.passwordFile != null) {
      o.setPasswords(auth.authenticator());
    }
    return o;
  }

  /** For the start-up log line. */
  String describe() {
    if (users.isEmpty() && tokens.isEmpty()) {
      return "no credentials configured: the API answers loopback addresses only";
    }
    return users.size() + " admin user(s) from the password file, " + tokens.size() + " bearer token(s)";
  }

  /** The {@code sys} block. */
  public static final class Sys {
    /** Seconds between two publications of {@code $SYS/broker/...}; 0 = none. */
    public int intervalSeconds = 10;

    void validate() {
      check(intervalSeconds >= 0 && intervalSeconds <= 86_400, "sys.intervalSeconds",
          "must be 0 (off) to 86400, was " + intervalSeconds);
    }
  }
}
