package io.tributary.router.session;

import io.tributary.commitlog.CommitLog;
import io.tributary.router.message.Message;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * A subscription that first delivers history from the log: {@code $replay/{from}/{filter}} from any
 * client, or an MQTT 5 SUBSCRIBE user property {@code replay} = {@code from}. {@code from} is
 * {@code earliest}, a log offset, an RFC 3339 time ({@code 2026-12-05T10:00:00Z}) or an ISO 8601
 * duration back from now ({@code PT10M}).
 *
 * @param from the start as the client wrote it (already validated)
 * @param filter the topic filter the subscription lives under
 */
public record Replay(String from, String filter) {

  public static final String PREFIX = "$replay/";

  /** Where a replay starts: the offset, and whether retention had removed records it asked for. */
  public record Start(long offset, boolean cutByRetention) {}

  /**
   * The replay a prefixed filter asks for, or null when it has no {@code $replay/} prefix.
   *
   * @throws IllegalArgumentException when the prefix is there but the start or the filter is not valid
   */
  public static Replay parsePrefixed(String filter) {
    if (!filter.startsWith(PREFIX)) {
      return null;
    }
    int slash = filter.indexOf('/', PREFIX.length());
    if (slash < 0 || slash == filter.length() - 1) {
      throw new IllegalArgumentException("expected $replay/{from}/{filter}, got " + filter);
    }
    return of(filter.substring(PREFIX.length(), slash), filter.substring(slash + 1));
  }

  /** A replay of filter from {@code from}; throws IllegalArgumentException when from is not valid. */
  public static Replay of(String from, String filter) {
    parse(from, 0); // validates
    return new Replay(from, filter);
  }

  /**
   * Resolves the start on log as it is now: the first record at or after the time, the offset
   * asked for, or the oldest retained record, whichever is later; at most the log's end.
   */
  Start start(CommitLog<Message> log, long nowMillis) {
    long oldest = log.startOffset();
    long end = log.endOffset();
    Point point = parse(from, nowMillis);
    if (point.earliest()) {
      return new Start(oldest, false); // the oldest record is what was asked for
    }
    if (point.isOffset()) {
      return new Start(Math.min(end, Math.max(oldest, point.value())), point.value() < oldest);
    }
    long time = point.value();
    long offset = log.offsetForTime(time);
    boolean cut = false;
    if (offset <= oldest && oldest > 0) {
      Message first = log.get(oldest);
      cut = first != null && first.timestamp() > time;
    }
    return new Start(Math.min(end, Math.max(oldest, offset)), cut);
  }

  /** A parsed start: the earliest record, a log offset, or a wall-clock time (ms). */
  private record Point(boolean earliest, boolean isOffset, long value) {}

  private static Point parse(String from, long nowMillis) {
    if (from.equals("earliest")) {
      return new Point(true, false, 0);
    }
    if (!from.isEmpty() && from.chars().allMatch(Character::isDigit)) {
      try {
        return new Point(false, true, Long.parseLong(from));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("replay offset out of range: " + from);
      }
    }
    try {
      if (from.startsWith("P") || from.startsWith("-P")) {
        Duration back = Duration.parse(from);
        if (back.isNegative()) {
          throw new IllegalArgumentException("replay duration must not be negative: " + from);
        }
        return new Point(false, false, nowMillis - back.toMillis());
      }
      return new Point(false, false, parseTime(from));
    } catch (DateTimeParseException | ArithmeticException e) {
      throw new IllegalArgumentException("replay start must be earliest, an offset, an RFC 3339 time or an ISO 8601"
          + " duration (PT10M), was " + from);
    }
  }

  private static long parseTime(String text) {
    try {
      return Instant.parse(text).toEpochMilli();
    } catch (DateTimeParseException e) {
      return OffsetDateTime.parse(text).toInstant().toEpochMilli();
    }
  }
}
