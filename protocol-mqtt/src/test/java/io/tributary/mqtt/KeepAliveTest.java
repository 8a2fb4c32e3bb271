package io.tributary.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.mqtt.codec.Will;
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
        MqttWire c = MqttWire.connect311(broker.port(), "ka-ping", true, 2, null)) {
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
  void clientThatStopsPingingIsClosedAfterOneAndAHalfPeriodsNotBeforeOne() throws Exception {
    try (TestBroker broker = TestBroker.start();
        MqttWire c = MqttWire.connect311(broker.port(), "ka-silent", true, 2, null)) {
      // Active for a while first, so the broker's check has been pushed back by traffic.
      for (int i = 0; i < 2; i++) {
        c.expectNothing(900);
        c.ping();
        c.expect(PingResp.class, 1000);
      }
      long start = System.nanoTime(); // the last packet from the client
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
        MqttWire c = MqttWire.connect311(broker.port(), "ka-zero", true, 0, null)) {
      // Well past what any small keep-alive grace would be; a short bounded negative wait.
      c.expectNothing(3500);
      c.ping();
      c.expect(PingResp.class, 5000);
    }
  }

  @Test
  void pingsFromAClientTheBrokerStoppedReadingDoNotExpireItsKeepAlive() throws Exception {
    try (TestBroker broker = TestBroker.start();
        MqttWire pub = MqttWire.connect311(broker.port(), "kp-pub", true);
        MqttWire sub = MqttWire.open311(broker.port(), 4096)) {
      assertEquals(0, sub.connect("kp-sub", true, 1, (Will) null).returnCode());
      assertEquals(0, sub.subscribe("kp/#", 0));
      // The subscriber stops reading and its socket fills: the broker stops reading it in turn
      // (back-pressure), so it cannot see the PINGREQs that keep the connection alive.
      byte[] payload = new byte[64 * 1024];
      for (int i = 0; i < 320; i++) { // 20 MiB: more than any socket buffers hold
        pub.publish("kp/data", 0, false, payload);
      }
      pub.publishAndComplete("kp-sync", 1, "sync");
      int[] open = broker.openConnections();
      for (int i = 0; i < 7; i++) {
        sub.ping(); // sent, never read back while stalled
        Thread.sleep(500);
      }
      // 3.5 s > 1.5 x 1 s: silence the broker could not hear is not held against the client.
      MqttWire.awaitOpenConnections(broker, open);
      pub.publish("kp/end", 0, false, new byte[1]);
      int pongs = 0;
      boolean end = false;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!end || pongs < 7) {
        assertTrue(System.nanoTime() < deadline, "end " + end + ", pongs " + pongs);
        var p = sub.read(5000);
        if (p == null) {
          sub.ping(); // keep the connection alive while waiting
          continue;
        }
        if (p instanceof PingResp) {
          pongs++;
        } else if (p instanceof io.tributary.mqtt.codec.Publish m && m.topic().equals("kp/end")) {
          end = true;
        }
      }
    }
  }

  private static void awaitNoConnections(TestBroker broker) throws InterruptedException {
    MqttWire.awaitOpenConnections(broker, new int[broker.openConnections().length]);
    assertEquals(0, broker.broker().sessionCount(), "the clean session ended with the connection");
  }
}
