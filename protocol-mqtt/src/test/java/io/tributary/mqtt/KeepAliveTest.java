package io.tributary.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.mqtt.codec.PingResp;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Keep alive (MQTT-3.1.2-24): a connection with no packet from the client for one and a half
 * keep-alive periods is closed; any packet (PINGREQ here) keeps it open; 0 turns the check off.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KeepAliveTest {

  @Test
  void clientThatPingsEverySecondStaysConnectedPastSeveralPeriods() throws Exception {
    try (TestBroker broker = TestBroker.start();
        WireClient c = WireClient.connect(broker.port(), "ka-ping", true, 2, null)) {
      long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(6000);
      int pongs = 0;
      while (System.nanoTime() < end) {
        c.ping();
        c.expect(PingResp.class, 1000); // fails if the broker closed instead
        pongs++;
        c.expectNothing(1000); // a second between pings, and still open
      }
      assertTrue(pongs >= 3, "pinged " + pongs + " times");
      c.publishAndComplete("ka/x", 1, "still-here");
    }
  }

  @Test
  void silentClientIsClosedAfterOneAndAHalfPeriodsNotBeforeOne() throws Exception {
    try (TestBroker broker = TestBroker.start();
        WireClient c = WireClient.connect(broker.port(), "ka-silent", true, 2, null)) {
      long start = System.nanoTime();
      // Lower bound: not closed within the keep-alive period itself.
      assertFalse(c.awaitClosed(2000), "closed before the keep-alive period (2 s) had passed");
      // Upper bound: closed after 3 s (1.5 x 2 s); allow generous scheduling slack.
      assertTrue(c.awaitClosed(5000), "not closed within 7 s of silence with keep alive 2 s");
      long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertTrue(elapsedMs >= 2000 && elapsedMs < 7000, "closed after " + elapsedMs + " ms");
      awaitNoConnections(broker);
    }
  }

  @Test
  void keepAliveZeroDisablesTheCheck() throws Exception {
    try (TestBroker broker = TestBroker.start();
        WireClient c = WireClient.connect(broker.port(), "ka-zero", true, 0, null)) {
      // Well past what any small keep-alive grace would be; a short bounded negative wait.
      c.expectNothing(3500);
      c.ping();
      c.expect(PingResp.class, 5000);
    }
  }

  private static void awaitNoConnections(TestBroker broker) throws InterruptedException {
    WireClient.awaitOpenConnections(broker, new int[broker.openConnections().length]);
    assertEquals(0, broker.broker().sessionCount(), "the clean session ended with the connection");
  }
}
