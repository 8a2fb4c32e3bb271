package io.tributary.mqtt;

import static io.tributary.mqtt.MqttWire.T;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.mqtt.codec.Disconnect;
import io.tributary.mqtt.codec.MqttProperties;
import io.tributary.mqtt.codec.Publish;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * MQTT 5 sessions: Session Expiry Interval (0, never, a few seconds, changed on DISCONNECT),
 * Clean Start and Session Present. "Subscriptions gone" is observed twice: the subscriber gets
 * nothing, and a publisher's PUBACK says 0x10 (no matching subscribers).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Mqtt5SessionTest {

  private static final long QUIET = 500;

  @Test
  void expiryZeroEndsTheSessionWithTheConnection() throws Exception {
    try (TestBroker broker = TestBroker.start();
        MqttWire pub = MqttWire.connect5(broker.port(), "s0-pub", true, (Long) null)) {
      // Session Expiry absent (= 0), normal DISCONNECT.
      try (MqttWire c = MqttWire.connect5(broker.port(), "s0", false, (Long) null)) {
        assertFalse(c.sessionPresent(), "a new session is not present");
        c.subscribe("s0/t", 1);
        c.disconnectAndWait();
      }
      MqttWire.waitUntil("the session is gone", T, () -> broker.broker().sessionCount() == 1);
      assertEquals(0x10, pub.publishAndComplete("s0/t", 1, false, "nobody", MqttProperties.EMPTY),
          "the ended session's subscription is gone: PUBACK 0x10");
      // Session Expiry 0 given explicitly, socket dropped.
      try (MqttWire c = MqttWire.connect5(broker.port(), "s0", false, 0L)) {
        assertFalse(c.sessionPresent(), "session ended with the earlier connection");
        c.subscribe("s0/t", 1);
      } // dropped without DISCONNECT
      MqttWire.waitUntil("the session is gone", T, () -> broker.broker().sessionCount() == 1);
      try (MqttWire c = MqttWire.connect5(broker.port(), "s0", false, 60L)) {
        assertFalse(c.sessionPresent(), "session ended with the dropped connection");
        c.expectNothing(QUIET);
        c.disconnectAndWait();
      }
    }
  }

  @Test
  void neverExpiringSessionKeepsOfflineMessages() throws Exception {
    try (TestBroker broker = TestBroker.start()) {
      MqttClient sub = new MqttClient(broker.tcpUri(), "never", new MemoryPersistence());
      try {
        MqttConnectionOptions o = Mqtt5ConnectTest.pahoOptions();
        o.setCleanStart(true);
        o.setSessionExpiryInterval(0xFFFFFFFFL);
        sub.connect(o);
        sub.subscribe("never/t", 1).waitForCompletion(T);
        sub.disconnect(5000);

        MqttClient pub = new MqttClient(broker.tcpUri(), "never-pub", new MemoryPersistence());
        try {
          pub.connect(Mqtt5ConnectTest.pahoOptions());
          for (int i = 0; i < 3; i++) {
            pub.publish("never/t", ("m" + i).getBytes(StandardCharsets.UTF_8), 1, false);
          }
        } finally {
          Mqtt5ConnectTest.closePaho(pub);
        }

        LinkedBlockingQueue<Object[]> got = new LinkedBlockingQueue<>();
        sub.setCallback(new Mqtt5ConnectTest.Callback(got));
        o.setCleanStart(false);
        IMqttToken tok = sub.connectWithResult(o);
        assertTrue(tok.getSessionPresent(), "never-expiring session present");
        for (int i = 0; i < 3; i++) {
          Object[] m = got.poll(T, TimeUnit.MILLISECONDS);
          assertNotNull(m, "offline message " + i + " delivered after reconnect");
          assertEquals("m" + i, new String(((MqttMessage) m[1]).getPayload(), StandardCharsets.UTF_8));
        }
      } finally {
        Mqtt5ConnectTest.closePaho(sub);
      }
    }
  }

  @Test
  void shortExpiryRunsOnTimeWhileTheClientIsAway() throws Exception {
    try (TestBroker broker = TestBroker.start();
        MqttWire pub = MqttWire.connect5(broker.port(), "s2-pub", true, (Long) null)) {
      try (MqttWire c = MqttWire.connect5(broker.port(), "s2", true, 2L)) {
        c.subscribe("s2/t", 1);
        c.disconnectAndWait();
      }
      // Back within the interval: present, subscription intact.
      Thread.sleep(500);
      try (MqttWire c = MqttWire.connect5(broker.port(), "s2", false, 2L)) {
        assertTrue(c.sessionPresent(), "reconnected within 2 s: session present");
        assertEquals(0x00, pub.publishAndComplete("s2/t", 1, false, "still here", MqttProperties.EMPTY));
        assertEquals("still here", MqttWire.text(c.nextPublishAcking(T)));
        c.disconnectAndWait();
      }
      long away = System.nanoTime();
      // The expiry runs while nobody connects: still there after 1 s, gone soon after 2 s.
      Thread.sleep(1000);
      assertEquals(2, broker.broker().sessionCount(), "session kept within its expiry");
      MqttWire.waitUntil("the session expires", 5000, () -> broker.broker().sessionCount() == 1);
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - away);
      assertTrue(ms >= 1900, "expired after its 2 s, not before: " + ms + " ms");
      assertEquals(0x10, pub.publishAndComplete("s2/t", 1, false, "gone", MqttProperties.EMPTY),
          "the expired session's subscription is gone: PUBACK 0x10");
      Thread.sleep(Math.max(0, 3000 - ms));
      try (MqttWire c = MqttWire.connect5(broker.port(), "s2", false, 2L)) {
        assertFalse(c.sessionPresent(), "reconnected after 3 s: session expired");
        c.expectNothing(QUIET); // neither the message published before nor after expiry
        assertEquals(0x10, pub.publishAndComplete("s2/t", 1, false, "no sub", MqttProperties.EMPTY));
        c.expectNothing(QUIET);
        c.disconnect(0x00, new MqttProperties().sessionExpiryInterval(0L));
      }
    }
  }

  @Test
  void disconnectMayShortenTheExpiryToZeroOrLengthenANonZeroOne() throws Exception {
    try (TestBroker broker = TestBroker.start();
        MqttWire pub = MqttWire.connect5(broker.port(), "sd-pub", true, (Long) null)) {
      // 10 -> 0 on DISCONNECT: the session ends now.
      try (MqttWire c = MqttWire.connect5(broker.port(), "sd", true, 10L)) {
        c.subscribe("sd/t", 1);
        c.disconnect(0x00, new MqttProperties().sessionExpiryInterval(0L));
        assertTrue(c.awaitClosed(T));
      }
      MqttWire.waitUntil("the session ends", T, () -> broker.broker().sessionCount() == 1);
      try (MqttWire c = MqttWire.connect5(broker.port(), "sd", false, 10L)) {
        assertFalse(c.sessionPresent(), "DISCONNECT with expiry 0 ended the session");
        c.disconnect(0x00, new MqttProperties().sessionExpiryInterval(0L));
        assertTrue(c.awaitClosed(T));
      }
      // 1 -> 60 on DISCONNECT: the session outlives its original second.
      try (MqttWire c = MqttWire.connect5(broker.port(), "sd", true, 1L)) {
        c.subscribe("sd/t", 1);
        c.disconnect(0x00, new MqttProperties().sessionExpiryInterval(60L));
        assertTrue(c.awaitClosed(T));
      }
      Thread.sleep(2000);
      assertEquals(0x00, pub.publishAndComplete("sd/t", 1, false, "kept", MqttProperties.EMPTY));
      try (MqttWire c = MqttWire.connect5(broker.port(), "sd", false, 0L)) {
        assertTrue(c.sessionPresent(), "the expiry set on DISCONNECT (60 s) applied, not the 1 s");
        assertEquals("kept", MqttWire.text(c.nextPublishAcking(T)));
        // 0 at CONNECT -> non-zero on DISCONNECT is a protocol error (MQTT-3.14.2-2).
        c.disconnect(0x00, new MqttProperties().sessionExpiryInterval(30L));
        Disconnect d = c.expectClosed(T);
        assertNotNull(d, "the broker says why it closes");
        assertEquals(0x82, d.reasonCode(), "protocol error: " + d);
      }
      // ... and the session still ends with that connection (its expiry stayed 0).
      MqttWire.waitUntil("the session ends", T, () -> broker.broker().sessionCount() == 1);
      try (MqttWire c = MqttWire.connect5(broker.port(), "sd", false, 0L)) {
        assertFalse(c.sessionPresent(), "the refused change did not keep the session");
        c.disconnectAndWait();
      }
    }
  }

  @Test
  void cleanStartDiscardsStateAndSessionPresentSaysSo() throws Exception {
    try (TestBroker broker = TestBroker.start();
        MqttWire pub = MqttWire.connect5(broker.port(), "cs-pub", true, (Long) null)) {
      try (MqttWire c = MqttWire.connect5(broker.port(), "cs", false, 300L)) {
        assertFalse(c.sessionPresent(), "clean start 0 on an unknown id: no session present");
        c.subscribe("cs/t", 1);
        c.disconnectAndWait();
      }
      pub.publishAndComplete("cs/t", 1, false, "queued", MqttProperties.EMPTY);
      try (MqttWire c = MqttWire.connect5(broker.port(), "cs", false, 300L)) {
        assertTrue(c.sessionPresent(), "clean start 0: session present");
        assertEquals("queued", MqttWire.text(c.nextPublishAcking(T)));
        c.disconnectAndWait();
      }
      pub.publishAndComplete("cs/t", 1, false, "discarded", MqttProperties.EMPTY);
      try (MqttWire c = MqttWire.connect5(broker.port(), "cs", true, 300L)) {
        assertFalse(c.sessionPresent(), "clean start 1: no session present");
        c.expectNothing(QUIET); // queued message discarded with the state
        assertEquals(0x10, pub.publishAndComplete("cs/t", 1, false, "no sub", MqttProperties.EMPTY),
            "subscription discarded");
        c.expectNothing(QUIET);
        c.disconnectAndWait();
      }
      try (MqttWire c = MqttWire.connect5(broker.port(), "cs", false, 0L)) {
        assertTrue(c.sessionPresent(), "the clean session started with expiry 300 persists");
        c.expectNothing(QUIET);
        c.disconnectAndWait();
      }
    }
  }
}
