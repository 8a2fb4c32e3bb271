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
