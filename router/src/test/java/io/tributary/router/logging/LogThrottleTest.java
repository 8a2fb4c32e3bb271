package io.tributary.router.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LogThrottleTest {

  @Test
  void aBurstPassesThenLinesAreHeldBackAndCounted() {
    LogThrottle t = new LogThrottle(3, 0.001); // a token every 1000 s: none come back during the test
    assertEquals(0, t.admit());
    assertEquals(0, t.admit());
    assertEquals(0, t.admit());
    for (int i = 0; i < 5; i++) {
      assertEquals(-1, t.admit());
    }
    assertEquals(5, t.pending());
  }

  @Test
  void theNextAdmittedLineCarriesTheCountOfTheSuppressedOnes() throws InterruptedException {
    LogThrottle t = new LogThrottle(1, 50); // a token every 20 ms
    assertEquals(0, t.admit());
    long held = 0;
    long admitted;
    while ((admitted = t.admit()) < 0) {
      held++;
      Thread.sleep(1);
    }
    assertEquals(held, admitted, "the admitted line reports how many were held back");
    assertEquals(0, t.pending());
  }
}
