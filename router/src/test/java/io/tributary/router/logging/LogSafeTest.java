package io.tributary.router.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LogSafeTest {

  @Test
  void plainTextIsReturnedAsItIs() {
    String s = "sensor-42/temp";
    assertSame(s, LogSafe.text(s));
  }

  @Test
  void lineBreaksAndControlCharactersAreEscaped() {
    String forged = "x\n01:02:03.456 ERROR [main] TributaryMain - forged\r\u0000\u001b[31m";
    String safe = LogSafe.text(forged);
    assertFalse(safe.contains("\n") || safe.contains("\r") || safe.contains("\u0000") || safe.contains("\u001b"), safe);
    assertEquals("x\\n01:02:03.456 ERROR [main] TributaryMain - forged\\r\\u0000\\u001b[31m", safe);
  }

  @Test
  void aBackslashCannotImitateAnEscape() {
    assertEquals("a\\\\nb", LogSafe.text("a\\nb"));
  }

  @Test
  void unicodeLineSeparatorsAndBidiOverridesAreEscaped() {
    assertEquals("a\\u2028b\\u202ec", LogSafe.text("a\u2028b\u202ec"));
  }

  @Test
  void longTextIsCappedWithItsLength() {
    String safe = LogSafe.text("y".repeat(10_000));
    assertTrue(safe.startsWith("y".repeat(LogSafe.MAX_CHARS) + "...(10000 chars)"), safe);
    assertEquals(LogSafe.MAX_CHARS + "...(10000 chars)".length(), safe.length());
  }

  @Test
  void nullIsShownAsNull() {
    assertEquals("null", LogSafe.text(null));
  }
}
