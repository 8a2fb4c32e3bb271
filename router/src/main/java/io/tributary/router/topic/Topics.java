package io.tributary.router.topic;

/**
 * MQTT topic-name and topic-filter rules, protocol-neutral (MQTT 3.1.1 §4.7 / 5.0 §4.7).
 * No regex; no allocation in {@link #isValidName}, {@link #isValidFilter} or {@link #matches}.
 */
public final class Topics {

  private Topics() {}

  /**
   * Valid PUBLISH topic name: length >= 1, no '+' or '#', no U+0000.
   * (Max length is checked by codecs via 65535 bytes.)
   */
  public static boolean isValidName(String topic) {
    if (topic == null) {
      return false;
    }
    int len = topic.length();
    if (len == 0) {
      return false;
    }
    for (int i = 0; i < len; i++) {
      char c = topic.charAt(i);
      if (c == '+' || c == '#' || c == '\u0000') {
        return false;
      }
    }
    return true;
  }

  /**
   * Valid subscription filter: length >= 1; '#' only as the whole last level; '+' only as a
   * whole level; no U+0000.
   */
  public static boolean isValidFilter(String filter) {
    if (filter == null) {
      return false;
    }
    int len = filter.length();
    if (len == 0) {
      return false;
    }
    for (int i = 0; i < len; i++) {
      char c = filter.charAt(i);
      if (c == '\u0000') {
        return false;
      }
      if (c == '+') {
        if ((i > 0 && filter.charAt(i - 1) != '/') || (i + 1 < len && filter.charAt(i + 1) != '/')) {
          return false;
        }
      } else if (c == '#') {
        if ((i > 0 && filter.charAt(i - 1) != '/') || i != len - 1) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Does filter match topic? Wildcard-first filters ('+' or '#' as first char) never match
   * topics starting with '$'. 'sport/#' matches 'sport'. Empty levels are levels ('a//b', '/a').
   * Both arguments are assumed valid (see {@link #isValidFilter}, {@link #isValidName}).
   */
  public static boolean matches(String filter, String topic) {
    int flen = filter.length();
    int tlen = topic.length();
    if (flen == 0 || tlen == 0) {
      return false;
    }
    char f0 = filter.charAt(0);
    if ((f0 == '+' || f0 == '#') && topic.charAt(0) == '$') {
      return false;
    }
    int fi = 0; // start of the current filter level
    int ti = 0; // start of the current topic level; ti > tlen means the topic has no more levels
    while (true) {
      int fEnd = filter.indexOf('/', fi);
      if (fEnd < 0) {
        fEnd = flen;
      }
      int fLevelLen = fEnd - fi;
      if (fLevelLen == 1 && filter.charAt(fi) == '#') {
        return true; // multi-level wildcard: matches the parent level and everything below
      }
      if (ti > tlen) {
        return false; // filter has a non-'#' level the topic lacks
      }
      int tEnd = topic.indexOf('/', ti);
      if (tEnd < 0) {
        tEnd = tlen;
      }
      boolean plus = fLevelLen == 1 && filter.charAt(fi) == '+';
      if (!plus) {
        if (fLevelLen != tEnd - ti || !filter.regionMatches(fi, topic, ti, fLevelLen)) {
          return false;
        }
      }
      if (fEnd == flen) {
        return tEnd == tlen; // filter finished: topic must be finished too
      }
      fi = fEnd + 1;
      ti = tEnd + 1;
    }
  }

  /**
   * Is there a topic both filters match? ('a/+' and 'a/b/#' share 'a/b'; 'sport/#' and 'sport'
   * share 'sport'; '#' and '$SYS/x' share nothing, as '#' matches no '$' topic.) Both valid.
   */
  public static boolean overlap(String a, String b) {
    if (dollarMismatch(a, b) || dollarMismatch(b, a)) {
      return false;
    }
    String[] x = a.split("/", -1);
    String[] y = b.split("/", -1);
    int i = 0;
    for (; i < x.length && i < y.length; i++) {
      if (x[i].equals("#") || y[i].equals("#")) {
        return true;
      }
      if (!x[i].equals("+") && !y[i].equals("+") && !x[i].equals(y[i])) {
        return false;
      }
    }
    // One ran out: the other must end too, or end in '#' (which matches its parent level).
    return (x.length == y.length) || isHashAt(x, i) || isHashAt(y, i);
  }

  /**
   * Does {@code outer} match every topic {@code inner} matches? ('a/#' covers 'a/+/b' and 'a';
   * '+/x' does not cover '$SYS/x'.) Both valid.
   */
  public static boolean covers(String outer, String inner) {
    if (dollarMismatch(outer, inner)) {
      return false;
    }
    String[] o = outer.split("/", -1);
    String[] n = inner.split("/", -1);
    for (int i = 0; i < n.length; i++) {
      if (i >= o.length) {
        return false;
      }
      if (o[i].equals("#")) {
        return true;
      }
      if (i == 0 && n[0].equals("#") && o[0].equals("+") && isHashAt(o, 1)) {
        return true; // '+/#' matches every topic '#' does (a topic has at least one level)
      }
      if (n[i].equals("#") || (!o[i].equals("+") && (n[i].equals("+") || !o[i].equals(n[i])))) {
        return false;
      }
    }
    return o.length == n.length || isHashAt(o, n.length);
  }

  /** wild starts with a wildcard and literal with '$': wild matches none of literal's topics. */
  private static boolean dollarMismatch(String wild, String literal) {
    char w = wild.charAt(0);
    return (w == '+' || w == '#') && literal.charAt(0) == '$';
  }

  /** levels has exactly one more level at i, and it is '#'. */
  private static boolean isHashAt(String[] levels, int i) {
    return levels.length == i + 1 && levels[i].equals("#");
  }

  /** Number of levels in a topic or filter ('a/b' -> 2, '/' -> 2). */
  public static int levels(String topicOrFilter) {
    int n = 1;
    int len = topicOrFilter.length();
    for (int i = 0; i < len; i++) {
      if (topicOrFilter.charAt(i) == '/') {
        n++;
      }
    }
    return n;
  }
}
