package io.tributary.router.logging;

/**
 * Client-supplied text made safe for a log line: control characters (line breaks above all) are
 * shown as escapes and the length is capped, so a client id, topic or header cannot start a forged
 * log line or fill the log with one string.
 */
public final class LogSafe {

  /** Longest client-supplied string a log line carries; the rest is summarised by its length. */
  public static final int MAX_CHARS = 128;

  private LogSafe() {
  }

  /** {@code s} with control characters escaped and at most {@link #MAX_CHARS} characters kept. */
  public static String text(CharSequence s) {
    if (s == null) {
      return "null";
    }
    int n = s.length();
    int keep = Math.min(n, MAX_CHARS);
    StringBuilder out = null;
    for (int i = 0; i < keep; i++) {
      char c = s.charAt(i);
      String escape = escape(c);
      if (escape != null && out == null) {
        out = new StringBuilder(keep + 16).append(s, 0, i);
      }
      if (out != null) {
        if (escape != null) {
          out.append(escape);
        } else {
          out.append(c);
        }
      }
    }
    if (out == null && keep == n) {
      return s.toString(); // the common case: nothing to escape, no copy
    }
    if (out == null) {
      out = new StringBuilder(keep + 16).append(s, 0, keep);
    }
    if (keep < n) {
      out.append("...(").append(n).append(" chars)");
    }
    return out.toString();
  }

  /** Null for a character that is safe as it is. */
  private static String escape(char c) {
    switch (c) {
      case '\n':
        return "\\n";
      case '\r':
        return "\\r";
      case '\t':
        return "\\t";
      case '\\':
        return "\\\\"; // so a literal "\n" typed by a client cannot pass for one of our escapes
      default:
        // C0 and C1 controls, DEL, line/paragraph separators and the bidi overrides that can make
        // a terminal show text in another order than it was written.
        if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029'
            || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069')) {
          return String.format("\\u%04x", (int) c);
        }
        return null;
    }
  }
}
