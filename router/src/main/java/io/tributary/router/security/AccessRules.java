package io.tributary.router.security;

import io.tributary.router.topic.TopicTrie;
import io.tributary.router.topic.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Topic access rules in Mosquitto's {@code acl_file} format, so existing files work:
 *
 * <pre>
 * # rules before the first 'user' line are for clients without a user name
 * topic read public/#
 * user alice
 * topic readwrite alice/#
 * topic deny alice/secret
 * # patterns apply to every client, wherever they stand; %c is the client id, %u the user name
 * pattern write devices/%c/up
 * </pre>
 *
 * <p>Access is {@code read}, {@code write}, {@code readwrite} (the default when omitted) or
 * {@code deny}. A topic is allowed when a rule of the client's grants it and no {@code deny} rule
 * of the client's matches it; nothing else is allowed. A client id or user name containing '/',
 * '+' or '#' matches no pattern that uses it (it could otherwise reach into another client's
 * topics). Immutable once loaded; any thread.
 */
public final class AccessRules {

  /** What a rule grants: bits of {@link #READ} and {@link #WRITE}, or nothing for deny. */
  record Rule(int grants, String filter) {
    boolean isDeny() {
      return grants == 0;
    }
  }

  public static final int READ = 1;
  public static final int WRITE = 2;

  /** The rules of one user (or of the anonymous clients): a trie for topics, a list for filters. */
  private static final class RuleSet {
    final TopicTrie<Rule> trie = new TopicTrie<>();
    final List<Rule> list = new ArrayList<>();

    void add(Rule rule) {
      if (trie.add(rule.filter(), rule)) {
        list.add(rule);
      }
    }
  }

  private static final RuleSet NONE = new RuleSet();

  private final RuleSet anonymous;
  private final Map<String, RuleSet> users;
  private final List<Rule> patterns;
  private final int ruleCount;

  private AccessRules(RuleSet anonymous, Map<String, RuleSet> users, List<Rule> patterns, int ruleCount) {
    this.anonymous = anonymous;
    this.users = users;
    this.patterns = patterns;
    this.ruleCount = ruleCount;
  }

  /** Reads file; throws {@link AuthFileException} naming the file and line of any problem. */
  public static AccessRules load(Path file) {
    try {
      return parse(Files.readAllLines(file, StandardCharsets.UTF_8), file.toString());
    } catch (IOException e) {
      throw new AuthFileException(file + ": cannot be read: " + e);
    }
  }

  /** Parses the lines of an ACL file; {@code source} names it in errors. */
  public static AccessRules parse(List<String> lines, String source) {
    RuleSet anonymous = new RuleSet();
    Map<String, RuleSet> users = new HashMap<>();
    List<Rule> patterns = new ArrayList<>();
    RuleSet current = anonymous;
    int count = 0;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String where = source + " line " + (i + 1);
      int space = indexOfSpace(line);
      String keyword = space < 0 ? line : line.substring(0, space);
      String rest = space < 0 ? "" : line.substring(space).strip();
      switch (keyword) {
        case "user" -> {
          if (rest.isEmpty()) {
            throw new AuthFileException(where + ": 'user' needs a user name");
          }
          current = users.computeIfAbsent(rest, u -> new RuleSet());
        }
        case "topic" -> {
          current.add(rule(rest, false, where));
          count++;
        }
        case "pattern" -> {
          patterns.add(rule(rest, true, where));
          count++;
        }
        default -> throw new AuthFileException(where + ": unknown keyword '" + keyword
            + "' (expected user, topic or pattern)");
      }
    }
    return new AccessRules(anonymous, users, List.copyOf(patterns), count);
  }

  /** "[read|write|readwrite|deny] FILTER"; a first word that is no access type is part of the filter. */
  private static Rule rule(String text, boolean pattern, String where) {
    int space = indexOfSpace(text);
    String first = space < 0 ? text : text.substring(0, space);
    int grants = switch (first) {
      case "read" -> READ;
      case "write" -> WRITE;
      case "readwrite" -> READ | WRITE;
      case "deny" -> 0;
      default -> -1;
    };
    String filter = grants >= 0 && space >= 0 ? text.substring(space).strip() : text;
    if (grants < 0) {
      grants = READ | WRITE;
    } else if (space < 0) {
      throw new AuthFileException(where + ": '" + first + "' needs a topic filter after it");
    }
    if (filter.isEmpty()) {
      throw new AuthFileException(where + ": a topic filter is missing");
    }
    String checked = pattern ? filter.replace("%c", "c").replace("%u", "u") : filter;
    if (!Topics.isValidFilter(checked)) {
      throw new AuthFileException(where + ": '" + filter + "' is not a valid topic filter");
    }
    return new Rule(grants, filter);
  }

  private static int indexOfSpace(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isWhitespace(s.charAt(i))) {
        return i;
      }
    }
    return -1;
  }

  /** Number of topic and pattern rules. */
  public int ruleCount() {
    return ruleCount;
  }

  /** Number of users with rules of their own. */
  public int userCount() {
    return users.size();
  }

  /** The rules that apply to one client: its user's (or the anonymous ones) and the patterns, filled in. */
  ClientRules forClient(String clientId, String username) {
    RuleSet own = username == null ? anonymous : users.getOrDefault(username, NONE);
    List<Rule> filled = new ArrayList<>(patterns.size());
    for (Rule p : patterns) {
      String f = fill(p.filter(), clientId, username);
      if (f != null) {
        filled.add(new Rule(p.grants(), f));
      }
    }
    return new ClientRules(own, filled);
  }

  /**
   * pattern with %c and %u filled in, in one pass (a client id of "%u" stays "%u"), or null when a
   * value it needs cannot stand in a filter.
   */
  private static String fill(String pattern, String clientId, String username) {
    StringBuilder b = new StringBuilder(pattern.length() + 16);
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '%' && i + 1 < pattern.length() && (pattern.charAt(i + 1) == 'c' || pattern.charAt(i + 1) == 'u')) {
        String value = pattern.charAt(i + 1) == 'c' ? clientId : username;
        if (value == null || value.isEmpty() || value.indexOf('/') >= 0 || value.indexOf('+') >= 0
            || value.indexOf('#') >= 0) {
          return null;
        }
        b.append(value);
        i++;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  /**
   * One client's rules. Not thread-safe (a scratch matcher): used by one {@link ClientAccess}.
   */
  static final class ClientRules {
    private final RuleSet own;
    private final List<Rule> patterns;
    private final Consumer<Rule> matcher = this::matched;
    private int wanted;
    private boolean denied;
    private boolean granted;

    ClientRules(RuleSet own, List<Rule> patterns) {
      this.own = own;
      this.patterns = patterns;
    }

    /** May the client do {@code access} ({@link #READ} or {@link #WRITE}) on topic? */
    boolean allows(String topic, int access) {
      wanted = access;
      denied = false;
      granted = false;
      own.trie.match(topic, matcher);
      for (int i = 0, n = patterns.size(); i < n && !denied; i++) {
        Rule p = patterns.get(i);
        if (Topics.matches(p.filter(), topic)) {
          matched(p);
        }
      }
      return granted && !denied;
    }

    private void matched(Rule rule) {
      if (rule.isDeny()) {
        denied = true;
      } else if ((rule.grants() & wanted) != 0) {
        granted = true;
      }
    }

    /**
     * May the client read anything under filter: some readable rule shares a topic with it, and no
     * deny rule covers it whole.
     */
    boolean readsUnder(String filter) {
      boolean some = false;
      for (List<Rule> rules : List.of(own.list, patterns)) {
        for (Rule r : rules) {
          if (r.isDeny()) {
            if (Topics.covers(r.filter(), filter)) {
              return false;
            }
          } else if ((r.grants() & READ) != 0 && !some) {
            some = Topics.overlap(r.filter(), filter);
          }
        }
      }
      return some;
    }
  }
}
