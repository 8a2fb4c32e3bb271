package io.tributary.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Mosquitto's {@code topic} lines as bridges read them, and the prefixes they swap. */
class TopicMappingTest {

  @Test
  void defaultsAreOutAtQos0WithoutPrefixes() {
    TopicMapping m = TopicMapping.parse("sensors/#");
    assertEquals(new TopicMapping("sensors/#", TopicMapping.Direction.OUT, 0, "", ""), m);
    assertTrue(m.sendsOut("sensors/1"));
    assertEquals("sensors/1", m.remoteOf("sensors/1"));
    assertNull(m.toLocal("sensors/1"), "out only");
  }

  @Test
  void prefixesAreSwappedEachWay() {
    TopicMapping m = TopicMapping.parse("  chat/+  both 2 local/ \"\"  ");
    assertEquals("local/chat/+", m.localFilter());
    assertEquals("chat/+", m.remoteFilter());
    assertTrue(m.sendsOut("local/chat/x"));
    assertEquals("chat/x", m.remoteOf("local/chat/x"));
    assertEquals("local/chat/x", m.toLocal("chat/x"));
    assertTrue(!m.sendsOut("chat/x"), "not under the local prefix");
    assertNull(m.toLocal("chat/x/y"), "+ is one level");
    assertEquals("chat/+ both 2 local/ \"\"", m.toString());
  }

  @Test
  void anEmptyPatternIsTheTopicOfThePrefixes() {
    TopicMapping m = TopicMapping.parse("\"\" in 1 here/status there/status");
    assertEquals("here/status", m.toLocal("there/status"));
  }

  @Test
  void badLinesAreRefusedSayingWhy() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> TopicMapping.parse("a/# sideways 1")).getMessage()
        .contains("direction must be out, in or both"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> TopicMapping.parse("a/# in 3")).getMessage()
        .contains("QoS must be 0, 1 or 2"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> TopicMapping.parse("a/# in 1 onlyone")).getMessage()
        .contains("expected PATTERN"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> TopicMapping.parse("a/#/b")).getMessage()
        .contains("not a valid filter"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> TopicMapping.parse("a in 1 x/+/ y/")).getMessage()
        .contains("wildcards"));
    assertThrows(IllegalArgumentException.class, () -> TopicMapping.parse("   "));
  }

  @Test
  void packetIdsFollowOffsetsAndSkipZero() {
    assertEquals(1, Outbound.packetId(0));
    assertEquals(65_535, Outbound.packetId(65_534));
    assertEquals(1, Outbound.packetId(65_535));
  }
}
