package io.tributary.router.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class TopicsTest {

  @Test
  void validNames() {
    assertTrue(Topics.isValidName("sport/tennis/player1"));
    assertTrue(Topics.isValidName("/"));
    assertTrue(Topics.isValidName("a//b"));
    assertTrue(Topics.isValidName("$SYS/monitor"));
    assertTrue(Topics.isValidName(" "));
    assertFalse(Topics.isValidName(""));
    assertFalse(Topics.isValidName(null));
    assertFalse(Topics.isValidName("sport+"));
    assertFalse(Topics.isValidName("sport/+"));
    assertFalse(Topics.isValidName("sport/#"));
    assertFalse(Topics.isValidName("#"));
    assertFalse(Topics.isValidName("a\u0000b"));
  }

  @Test
  void validFilters() {
    assertTrue(Topics.isValidFilter("#"));
    assertTrue(Topics.isValidFilter("+"));
    assertTrue(Topics.isValidFilter("a/+/b"));
    assertTrue(Topics.isValidFilter("sport/tennis/#"));
    assertTrue(Topics.isValidFilter("+/+"));
    assertTrue(Topics.isValidFilter("/+"));
    assertTrue(Topics.isValidFilter("+/"));
    assertTrue(Topics.isValidFilter("/#"));
    assertTrue(Topics.isValidFilter("+/tennis/#"));
    assertTrue(Topics.isValidFilter("a//b"));
    assertTrue(Topics.isValidFilter("/"));
    assertFalse(Topics.isValidFilter(""));
    assertFalse(Topics.isValidFilter(null));
    assertFalse(Topics.isValidFilter("sport+"));
    assertFalse(Topics.isValidFilter("sport/+tennis"));
    assertFalse(Topics.isValidFilter("++"));
    assertFalse(Topics.isValidFilter("sport/#/ranking"));
    assertFalse(Topics.isValidFilter("sport#"));
    assertFalse(Topics.isValidFilter("sport/tennis#"));
    assertFalse(Topics.isValidFilter("#/"));
    assertFalse(Topics.isValidFilter("##"));
    assertFalse(Topics.isValidFilter("a/\u0000"));
    assertFalse(Topics.isValidFilter("\u0000"));
  }

  @Test
  void specExamples() {
    // sport/tennis/player1/#
    String f = "sport/tennis/player1/#";
    assertTrue(Topics.matches(f, "sport/tennis/player1"));
    assertTrue(Topics.matches(f, "sport/tennis/player1/ranking"));
    assertTrue(Topics.matches(f, "sport/tennis/player1/score/wimbledon"));
    assertFalse(Topics.matches(f, "sport/tennis/player2"));
    assertFalse(Topics.matches(f, "sport/tennis"));
    // sport/#
    assertTrue(Topics.matches("sport/#", "sport"));
    assertTrue(Topics.matches("sport/#", "sport/"));
    assertFalse(Topics.matches("sport/#", "sports"));
    // sport/+
    assertTrue(Topics.matches("sport/+", "sport/"));
    assertTrue(Topics.matches("sport/+", "sport/tennis"));
    assertFalse(Topics.matches("sport/+", "sport"));
    assertFalse(Topics.matches("sport/+", "sport/tennis/player1"));
    assertTrue(Topics.matches("sport/tennis/+", "sport/tennis/player1"));
    assertFalse(Topics.matches("sport/tennis/+", "sport/tennis/player1/ranking"));
    // +/+ and /+
    assertTrue(Topics.matches("+/+", "/finance"));
    assertTrue(Topics.matches("/+", "/finance"));
    assertFalse(Topics.matches("+", "/finance"));
    assertTrue(Topics.matches("+/+", "/"));
    assertTrue(Topics.matches("+", "finance"));
    // +/tennis/#
    assertTrue(Topics.matches("+/tennis/#", "sport/tennis"));
    assertTrue(Topics.matches("+/tennis/#", "sport/tennis/player1"));
    assertFalse(Topics.matches("+/tennis/#", "sport/golf"));
    // '$' topics
    assertTrue(Topics.matches("#", "sport"));
    assertTrue(Topics.matches("#", "/"));
    assertFalse(Topics.matches("#", "$SYS"));
    assertFalse(Topics.matches("#", "$SYS/x"));
    assertFalse(Topics.matches("+/monitor/Clients", "$SYS/monitor/Clients"));
    assertTrue(Topics.matches("$SYS/monitor/+", "$SYS/monitor/Clients"));
    assertTrue(Topics.matches("$SYS/#", "$SYS/x"));
    assertTrue(Topics.matches("$SYS/#", "$SYS"));
    assertTrue(Topics.matches("+/$SYS", "a/$SYS"));
  }

  @Test
  void overlapAndCoverExamples() {
    assertTrue(Topics.overlap("a/+", "a/b/#"));
    assertTrue(Topics.overlap("sport/#", "sport"));
    assertTrue(Topics.overlap("+/x", "a/+"));
    assertFalse(Topics.overlap("a/+", "a/b/c"));
    assertFalse(Topics.overlap("#", "$SYS/x"));
    assertFalse(Topics.overlap("+/x", "$SYS/x"));
    assertTrue(Topics.overlap("$SYS/#", "$SYS/+"));
    assertTrue(Topics.covers("a/#", "a/+/b"));
    assertTrue(Topics.covers("a/#", "a"));
    assertTrue(Topics.covers("#", "a/#"));
    assertFalse(Topics.covers("#", "$SYS/#"));
    assertFalse(Topics.covers("a/+", "a/#"));
    assertFalse(Topics.covers("a/b", "a/+"));
    assertTrue(Topics.covers("+/+", "a/+"));
  }

  /**
   * overlap and covers agree with matches over every topic of a small universe (levels a, b, $s
   * and empty, up to five deep: deeper than any filter tried, so a '#' shows its reach).
   */
  @Test
  void overlapAndCoverAgreeWithMatching() {
    String[] levels = {"a", "b", "$s", ""};
    java.util.List<String> topics = new java.util.ArrayList<>();
    java.util.List<String> prefixes = java.util.List.of("");
    for (int depth = 1; depth <= 5; depth++) {
      java.util.List<String> next = new java.util.ArrayList<>();
      for (String p : prefixes) {
        for (String l : levels) {
          next.add(depth == 1 ? l : p + "/" + l);
        }
      }
      for (String t : next) {
        if (!t.isEmpty()) {
          topics.add(t);
        }
      }
      prefixes = next;
    }
    String[] filterLevels = {"a", "b", "$s", "+"};
    Random random = new Random(42);
    for (int n = 0; n < 3000; n++) {
      String x = randomFilter(random, filterLevels);
      String y = randomFilter(random, filterLevels);
      boolean shared = false;
      boolean all = true;
      for (String t : topics) {
        boolean mx = Topics.matches(x, t);
        boolean my = Topics.matches(y, t);
        shared |= mx && my;
        all &= !my || mx;
      }
      assertEquals(shared, Topics.overlap(x, y), () -> "overlap(" + x + ", " + y + ")");
      assertEquals(all, Topics.covers(x, y), () -> "covers(" + x + ", " + y + ")");
    }
  }

  private static String randomFilter(Random random, String[] levels) {
    int depth = 1 + random.nextInt(4);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < depth; i++) {
      if (i > 0) {
        b.append('/');
      }
      b.append(i == depth - 1 && random.nextInt(4) == 0 ? "#" : levels[random.nextInt(levels.length)]);
    }
    return b.toString();
  }

  @Test
  void emptyLevelsAndLiterals() {
    assertTrue(Topics.matches("a//b", "a//b"));
    assertFalse(Topics.matches("a/b", "a//b"));
    assertTrue(Topics.matches("a/+/b", "a//b"));
    assertTrue(Topics.matches("/", "/"));
    assertFalse(Topics.matches("/", "//"));
    assertTrue(Topics.matches("+/", "a/"));
    assertFalse(Topics.matches("+/", "a"));
    assertTrue(Topics.matches("/#", "/"));
    assertTrue(Topics.matches("/#", "/a/b"));
    assertFalse(Topics.matches("/#", "a"));
    assertTrue(Topics.matches("a", "a"));
    assertFalse(Topics.matches("a", "ab"));
    assertFalse(Topics.matches("ab", "a"));
    assertFalse(Topics.matches("a/b", "a"));
    assertFalse(Topics.matches("a", "a/b"));
    assertFalse(Topics.matches("A", "a"));
  }

  @Test
  void levels() {
    assertEquals(1, Topics.levels("a"));
    assertEquals(2, Topics.levels("a/b"));
    assertEquals(2, Topics.levels("/"));
    assertEquals(3, Topics.levels("a//b"));
    assertEquals(1, Topics.levels("#"));
  }

  /** Topics.matches against a straightforward split-based reference. */
  @Test
  void matchesAgreesWithReference() {
    Random rnd = new Random(7);
    for (int i = 0; i < 20_000; i++) {
      String filter = TopicTrieTest.randomFilter(rnd);
      String topic = TopicTrieTest.randomTopic(rnd);
      assertTrue(Topics.isValidFilter(filter), filter);
      assertTrue(Topics.isValidName(topic), topic);
      assertEquals(reference(filter, topic), Topics.matches(filter, topic), filter + " vs " + topic);
    }
  }

  static boolean reference(String filter, String topic) {
    if ((filter.startsWith("+") || filter.startsWith("#")) && topic.startsWith("$")) {
      return false;
    }
    String[] f = filter.split("/", -1);
    String[] t = topic.split("/", -1);
    for (int i = 0; i < f.length; i++) {
      if (f[i].equals("#")) {
        return true;
      }
      if (i >= t.length) {
        return false;
      }
      if (!f[i].equals("+") && !f[i].equals(t[i])) {
        return false;
      }
    }
    return f.length == t.length;
  }
}
