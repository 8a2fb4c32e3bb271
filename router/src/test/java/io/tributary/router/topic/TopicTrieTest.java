package io.tributary.router.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TopicTrieTest {

  private static List<String> match(TopicTrie<String> trie, String topic) {
    List<String> out = new ArrayList<>();
    trie.match(topic, out::add);
    Collections.sort(out);
    return out;
  }

  @Test
  void specExamples() {
    TopicTrie<String> t = new TopicTrie<>();
    String[] filters = {
      "sport/tennis/player1/#", "sport/#", "sport/+", "+/+", "/+", "+", "+/tennis/#", "#",
      "+/monitor/Clients", "$SYS/#", "$SYS/monitor/+", "sport/tennis/+"
    };
    for (String f : filters) {
      assertTrue(t.add(f, f));
    }
    assertEquals(
        List.of("#", "+/tennis/#", "sport/#", "sport/tennis/+", "sport/tennis/player1/#"),
        match(t, "sport/tennis/player1"));
    assertEquals(List.of("#", "+/tennis/#", "sport/#", "sport/tennis/player1/#"),
        match(t, "sport/tennis/player1/ranking"));
    assertEquals(List.of("#", "+/tennis/#", "sport/#", "sport/tennis/+"),
        match(t, "sport/tennis/player2"));
    assertEquals(List.of("#", "+", "sport/#"), match(t, "sport"));
    assertEquals(List.of("#", "+/+", "sport/#", "sport/+"), match(t, "sport/"));
    assertEquals(List.of("#", "+/+", "/+"), match(t, "/finance"));
    assertEquals(List.of("#", "+/+", "/+"), match(t, "/"));
    assertEquals(List.of("#", "+/+", "+/tennis/#"), match(t, "x/tennis"));
    assertEquals(List.of("$SYS/#", "$SYS/monitor/+"), match(t, "$SYS/monitor/Clients"));
    assertEquals(List.of("$SYS/#"), match(t, "$SYS"));
    assertEquals(List.of("$SYS/#"), match(t, "$SYS/x"));
    assertEquals(List.of(), match(t, "$other/x"));
    assertEquals(List.of("#", "+/monitor/Clients"), match(t, "a/monitor/Clients"));
  }

  @Test
  void emptyLevels() {
    TopicTrie<String> t = new TopicTrie<>();
    t.add("a//b", "lit");
    t.add("a/+/b", "plus");
    t.add("/", "slash");
    t.add("+/", "plusSlash");
    t.add("/#", "slashHash");
    assertEquals(List.of("lit", "plus"), match(t, "a//b"));
    assertEquals(List.of("plus"), match(t, "a/x/b"));
    assertEquals(List.of("plusSlash", "slash", "slashHash"), match(t, "/"));
    assertEquals(List.of("slashHash"), match(t, "/a/b"));
    assertEquals(List.of("plusSlash"), match(t, "a/"));
    assertEquals(List.of(), match(t, "a"));
  }

  @Test
  void addRemoveDedupe() {
    TopicTrie<String> t = new TopicTrie<>();
    assertTrue(t.isEmpty());
    assertTrue(t.add("a/b", "s1"));
    assertFalse(t.add("a/b", "s1"));
    assertTrue(t.add("a/b", "s2"));
    assertTrue(t.add("a/+", "s1"));
    assertEquals(3, t.size());
    // the same subscriber under two matching filters is reported twice
    assertEquals(List.of("s1", "s1", "s2"), match(t, "a/b"));
    assertFalse(t.remove("a/b", "s3"));
    assertFalse(t.remove("a/c", "s1"));
    assertFalse(t.remove("a/b/c", "s1"));
    assertFalse(t.remove("a", "s1"));
    assertTrue(t.remove("a/b", "s1"));
    assertFalse(t.remove("a/b", "s1"));
    assertEquals(2, t.size());
    assertEquals(List.of("s1", "s2"), match(t, "a/b"));
    assertTrue(t.remove("a/b", "s2"));
    assertTrue(t.remove("a/+", "s1"));
    assertTrue(t.isEmpty());
    assertEquals(0, t.nodeCount());
    assertEquals(List.of(), match(t, "a/b"));
  }

  @Test
  void manySubscribersOnOneFilter() {
    TopicTrie<Integer> t = new TopicTrie<>();
    for (int i = 0; i < 100; i++) {
      assertTrue(t.add("x/#", i));
      assertFalse(t.add("x/#", i));
    }
    assertEquals(100, t.size());
    List<Integer> got = new ArrayList<>();
    t.match("x/y", got::add);
    assertEquals(100, got.size());
    for (int i = 0; i < 100; i += 2) {
      assertTrue(t.remove("x/#", i));
    }
    got.clear();
    t.match("x", got::add);
    assertEquals(50, got.size());
    for (int i = 1; i < 100; i += 2) {
      assertTrue(t.remove("x/#", i));
    }
    assertEquals(0, t.nodeCount());
  }

  @Test
  void pruningKeepsSharedPrefixes() {
    TopicTrie<String> t = new TopicTrie<>();
    t.add("a/b/c", "s");
    t.add("a/b", "s");
    t.add("a/+/#", "s");
    t.add("a/b/c/d/e", "s");
    assertEquals(7, t.nodeCount()); // a, b, c, +, #, d, e
    t.remove("a/b/c/d/e", "s");
    assertEquals(5, t.nodeCount());
    t.remove("a/b", "s");
    assertEquals(5, t.nodeCount()); // b still holds c
    assertEquals(List.of("s", "s"), match(t, "a/b/c"));
    t.remove("a/b/c", "s");
    assertEquals(3, t.nodeCount());
    t.remove("a/+/#", "s");
    assertEquals(0, t.nodeCount());
    // churn does not grow memory
    for (int i = 0; i < 1000; i++) {
      t.add("churn/" + i + "/+", "s" + i);
      t.remove("churn/" + i + "/+", "s" + i);
    }
    assertEquals(0, t.nodeCount());
    assertTrue(t.isEmpty());
  }

  private static final String[] TOPIC_LEVELS = {"a", "b", "c", "", "$S", "ab"};

  /** A valid topic name: 1-4 levels over a small alphabet, including empty and '$' levels. */
  static String randomTopic(Random rnd) {
    String s;
    do {
      s = randomTopic0(rnd);
    } while (s.isEmpty());
    return s;
  }

  private static String randomTopic0(Random rnd) {
    int n = 1 + rnd.nextInt(4);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        sb.append('/');
      }
      sb.append(TOPIC_LEVELS[rnd.nextInt(TOPIC_LEVELS.length)]);
    }
    return sb.toString();
  }

  /** A valid filter: like {@link #randomTopic} plus '+' at any level and '#' as last level. */
  static String randomFilter(Random rnd) {
    String s;
    do {
      s = randomFilter0(rnd);
    } while (s.isEmpty());
    return s;
  }

  private static String randomFilter0(Random rnd) {
    int n = 1 + rnd.nextInt(4);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        sb.append('/');
      }
      boolean last = i == n - 1;
      int r = rnd.nextInt(10);
      if (r < 3) {
        sb.append('+');
      } else if (last && r < 5) {
        sb.append('#');
      } else {
        sb.append(TOPIC_LEVELS[rnd.nextInt(TOPIC_LEVELS.length)]);
      }
    }
    return sb.toString();
  }

  @Test
  void randomizedCrossCheckAgainstMatches() {
    Random rnd = new Random(42);
    int nf = 2000;
    String[] filters = new String[nf];
    TopicTrie<Integer> trie = new TopicTrie<>();
    for (int i = 0; i < nf; i++) {
      filters[i] = randomFilter(rnd);
      assertTrue(Topics.isValidFilter(filters[i]), filters[i]);
      assertTrue(trie.add(filters[i], i));
    }
    String[] topics = new String[2000];
    for (int i = 0; i < topics.length; i++) {
      topics[i] = randomTopic(rnd);
      assertTrue(Topics.isValidName(topics[i]), topics[i]);
    }
    crossCheck(trie, filters, topics);

    // remove a random half and check again
    for (int i = 0; i < nf; i++) {
      if (rnd.nextBoolean()) {
        assertTrue(trie.remove(filters[i], i));
        assertFalse(trie.remove(filters[i], i));
        filters[i] = null;
      }
    }
    crossCheck(trie, filters, topics);

    for (int i = 0; i < nf; i++) {
      if (filters[i] != null) {
        assertTrue(trie.remove(filters[i], i));
      }
    }
    assertTrue(trie.isEmpty());
    assertEquals(0, trie.nodeCount());
  }

  private static void crossCheck(TopicTrie<Integer> trie, String[] filters, String[] topics) {
    int live = 0;
    for (String f : filters) {
      if (f != null) {
        live++;
      }
    }
    assertEquals(live, trie.size());
    long total = 0;
    List<Integer> got = new ArrayList<>();
    List<Integer> want = new ArrayList<>();
    for (String topic : topics) {
      got.clear();
      want.clear();
      trie.match(topic, got::add);
      for (int i = 0; i < filters.length; i++) {
        if (filters[i] != null && Topics.matches(filters[i], topic)) {
          want.add(i);
        }
      }
      Collections.sort(got);
      assertEquals(want, got, topic);
      total += want.size();
    }
    assertTrue(total > 0);
  }
}
