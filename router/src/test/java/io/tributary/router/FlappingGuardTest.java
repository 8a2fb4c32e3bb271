package io.tributary.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FlappingGuardTest {

  @Test
  void moreThanTheConnectsInTheWindowBanForTheBanTime() {
    FlappingGuard g = new FlappingGuard(3, 10_000, 60_000);
    assertTrue(g.admit("a", 0));
    assertTrue(g.admit("a", 1_000));
    assertTrue(g.admit("a", 2_000));
    assertFalse(g.admit("a", 3_000), "the fourth within 10 s");
    assertTrue(g.isBanned("a", 3_000));
    assertTrue(g.admit("b", 3_000), "other ids are not touched");
    assertFalse(g.admit("a", 62_999), "still banned; retries do not count");
    assertTrue(g.admit("a", 63_000), "the ban is over");
    assertTrue(g.admit("a", 64_000));
    assertTrue(g.admit("a", 65_000));
    assertFalse(g.admit("a", 66_000), "a new window after the ban: flapping again");
  }

  @Test
  void connectsSpreadOverWindowsAreFine() {
    FlappingGuard g = new FlappingGuard(3, 10_000, 60_000);
    for (int i = 0; i < 100; i++) {
      assertTrue(g.admit("steady", i * 4_000L), "one connect every 4 s");
    }
  }

  @Test
  void offAdmitsEverythingAndStaleIdsAreForgotten() {
    FlappingGuard off = new FlappingGuard(0, 10_000, 60_000);
    for (int i = 0; i < 1_000; i++) {
      assertTrue(off.admit("x", i));
    }
    FlappingGuard g = new FlappingGuard(3, 1_000, 1_000);
    for (int i = 0; i < 10_000; i++) {
      g.admit("id-" + i, i * 10L);
    }
    assertTrue(g.size() < 3_000, "ids older than a window are swept: " + g.size());
    assertEquals(0, new FlappingGuard(3, 1, 1).size());
  }
}
