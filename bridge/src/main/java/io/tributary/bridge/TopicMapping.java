package io.tributary.bridge;

import io.tributary.router.topic.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One line of a bridge's topics, in Mosquitto's form: {@code PATTERN [out|in|both [QOS [LOCAL-PREFIX
 * REMOTE-PREFIX]]]} ({@code ""} is an empty prefix). The local topic is the local prefix plus the
 * pattern, the remote topic the remote prefix plus the pattern; a message crossing swaps one prefix
 * for the other. QoS is the most a message crosses with (a QoS 2 publish over a QoS 1 mapping goes
 * at QoS 1), and the QoS of the remote subscription for {@code in}.
 */
public record TopicMapping(String pattern, Direction direction, int qos, String localPrefix, String remotePrefix) {

  /** Which way messages cross. */
  public enum Direction {
    OUT, IN, BOTH;

    boolean out() {
      return this != IN;
    }

    boolean in() {
      return this != OUT;
    }
  }

  public TopicMapping {
    if (hasWildcard(localPrefix) || hasWildcard(remotePrefix)) {
      throw new IllegalArgumentException("prefixes cannot hold wildcards: '" + localPrefix + "', '" + remotePrefix + "'");
    }
    if (!Topics.isValidFilter(localPrefix + pattern)) {
      throw new IllegalArgumentException("local topic '" + localPrefix + pattern + "' is not a valid filter");
    }
    if (!Topics.isValidFilter(remotePrefix + pattern)) {
      throw new IllegalArgumentException("remote topic '" + remotePrefix + pattern + "' is not a valid filter");
    }
    if (qos < 0 || qos > 2) {
      throw new IllegalArgumentException("QoS must be 0, 1 or 2, was " + qos);
    }
  }

  /**
   * Parses {@code sensors/# both 1 "" site-a/}.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static TopicMapping parse(String line) {
    List<String> words = words(line);
    if (words.isEmpty() || words.size() > 5 || words.size() == 4) {
      throw new IllegalArgumentException("expected PATTERN [out|in|both [QOS [LOCAL-PREFIX REMOTE-PREFIX]]], was '"
          + line + "'");
    }
    Direction direction = Direction.OUT;
    if (words.size() > 1) {
      try {
        direction = Direction.valueOf(words.get(1).toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("direction must be out, in or both, was '" + words.get(1) + "'");
      }
    }
    int qos = 0;
    if (words.size() > 2) {
      if (!words.get(2).matches("[012]")) {
        throw new IllegalArgumentException("QoS must be 0, 1 or 2, was '" + words.get(2) + "'");
      }
      qos = Integer.parseInt(words.get(2));
    }
    String local = words.size() == 5 ? words.get(3) : "";
    String remote = words.size() == 5 ? words.get(4) : "";
    if (words.get(0).isEmpty() && (local.isEmpty() || remote.isEmpty())) {
      throw new IllegalArgumentException("an empty pattern needs both prefixes (the topic itself)");
    }
    return new TopicMapping(words.get(0), direction, qos, local, remote);
  }

  /** Words split on spaces; {@code ""} is an empty word. */
  private static List<String> words(String line) {
    List<String> words = new ArrayList<>();
    for (String w : line.trim().split("\\s+")) {
      if (!w.isEmpty()) {
        words.add(w.equals("\"\"") ? "" : w);
      }
    }
    return words;
  }

  /** What local topics this mapping sends out (out, both). */
  public String localFilter() {
    return localPrefix + pattern;
  }

  /** What this mapping subscribes to on the remote (in, both). */
  public String remoteFilter() {
    return remotePrefix + pattern;
  }

  /** Whether this mapping sends the local topic out. */
  boolean sendsOut(String localTopic) {
    return direction.out() && Topics.matches(localFilter(), localTopic);
  }

  /** The remote topic for a local one {@link #sendsOut} accepted: the local prefix swapped for the remote one. */
  String remoteOf(String localTopic) {
    return remotePrefix + localTopic.substring(localPrefix.length());
  }

  /** The local topic for a remote one this mapping brings in, or null if it does not match. */
  String toLocal(String remoteTopic) {
    if (!direction.in() || !Topics.matches(remoteFilter(), remoteTopic)) {
      return null;
    }
    return localPrefix + remoteTopic.substring(remotePrefix.length());
  }

  @Override
  public String toString() {
    return (pattern.isEmpty() ? "\"\"" : pattern) + " " + direction.name().toLowerCase(Locale.ROOT) + " " + qos
        + (localPrefix.isEmpty() && remotePrefix.isEmpty() ? ""
            : " " + quoted(localPrefix) + " " + quoted(remotePrefix));
  }

  private static boolean hasWildcard(String prefix) {
    return prefix.indexOf('+') >= 0 || prefix.indexOf('#') >= 0;
  }

  private static String quoted(String prefix) {
    return prefix.isEmpty() ? "\"\"" : prefix;
  }
}
