package io.tributary.mqtt;

import static io.tributary.mqtt.MqttWire.T;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.mqtt.codec.MqttProperties;
import io.tributary.mqtt.codec.Publish;
import io.tributary.mqtt.codec.Will;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * MQTT 5 wills: will properties forwarded, Will Delay Interval, a reconnect within the delay
 * cancels the will, DISCONNECT 0x04 sends it and 0x00 does not, and it is sent at the latest when
 * the session ends.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Mqtt5WillTest {

  private static final long QUIET = 500;

  /** A subscriber to will/#, for the will messages. */
  private static MqttWire watcher(TestBroker broker) throws Exception {
    MqttWire w = MqttWire.connect5(broker.port(), "watcher", true, (Long) null);
    w.subscribe("will/#", 1);
    return w;
  }

  private static MqttWire connectWithWill(TestBroker broker, String id, boolean cleanStart, long sessionExpiry,
      String topic, long willDelay) throws Exception {
    MqttProperties wp = new MqttProperties();
    if (willDelay > 0) {
      wp.willDelayInterval(willDelay);
    }
    Will will = MqttWire.will(topic, "gone:" + id, 1, false, wp);
    return MqttWire.connect5(broker.port(), id, cleanStart, 60, will,
        new MqttProperties().sessionExpiryInterval(sessionExpiry));
  }

  @Test
  void willPropertiesAreForwardedWhenTheSocketDrops() throws Exception {
    try (TestBroker broker = TestBroker.start()) {
      MqttClient sub = new MqttClient(broker.tcpUri(), "wp-sub", new MemoryPersistence());
      try {
        LinkedBlockingQueue<Object[]> got = new LinkedBlockingQueue<>();
        sub.setCallback(new Mqtt5ConnectTest.Callback(got));
        sub.connect(Mqtt5ConnectTest.pahoOptions());
        sub.subscribe("will/props", 1).waitForCompletion(T);

        MqttProperties wp = new MqttProperties()
            .payloadFormatIndicator(1)
            .contentType("application/json")
            .responseTopic("will/reply")
            .correlationData(new byte[] {1, 2, 3, 0, (byte) 0xFF})
            .messageExpiryInterval(60L)
            .addUserProperty("k", "1")
            .addUserProperty("other", "x")
            .addUserProperty("k", "2");
        MqttWire c = MqttWire.connect5(broker.port(), "wp", true, 60,
            MqttWire.will("will/props", "{\"gone\":true}", 1, false, wp), new MqttProperties());
        c.close(); // network drop, no DISCONNECT

        Object[] m = got.poll(T, TimeUnit.MILLISECONDS);
        assertNotNull(m, "will published on socket drop");
        MqttMessage mm = (MqttMessage) m[1];
        assertEquals("will/props", m[0]);
        assertEquals("{\"gone\":true}", new String(mm.getPayload(), StandardCharsets.UTF_8));
        org.eclipse.paho.mqttv5.common.packet.MqttProperties p = mm.getProperties();
        assertTrue(p.getPayloadFormat(), "payload format indicator");
        assertEquals("application/json", p.getContentType());
        assertEquals("will/reply", p.getResponseTopic());
        assertArrayEquals(new byte[] {1, 2, 3, 0, (byte) 0xFF}, p.getCorrelationData());
        assertEquals(List.of(new UserProperty("k", "1"), new UserProperty("other", "x"), new UserProperty("k", "2")),
            p.getUserProperties(), "user properties in order, duplicates kept");
        Long left = p.getMessageExpiryInterval();
        assertTrue(left != null && left <= 60 && left >= 55, "will message expiry forwarded: " + left);
        assertNull(got.poll(QUIET, TimeUnit.MILLISECONDS), "one will only");
      } finally {
        Mqtt5ConnectTest.closePaho(sub);
      }
    }
  }

  @Test
  void willMessageExpiryCountsFromWhenTheWillIsPublished() throws Exception {
    try (TestBroker broker = TestBroker.start();
        MqttWire watcher = watcher(broker)) {
      // The will's Message Expiry Interval is its lifetime once published (MQTT 5 3.1.3.2.4), so a
      // connection that lived longer than that still leaves a deliverable will.
      MqttProperties wp = new MqttProperties().messageExpiryInterval(1L);
      MqttWire c = MqttWire.connect5(broker.port(), "wx", true, 60, MqttWire.will("will/exp", "late", 1, false, wp),
          new MqttProperties());
      Thread.sleep(1500);
      c.close();
      Publish will = watcher.nextPublishAcking(T);
      assertEquals("will/exp", will.topic());
      assertEquals(1L, will.properties().messageExpiryInterval(), "full interval from publication");

      // With a will delay too: the lifetime starts after the delay.
      wp = new MqttProperties().messageExpiryInterval(1L).willDelayInterval(2L);
      MqttWire d = MqttWire.connect5(broker.port(), "wxd", true, 60, MqttWire.will("will/expd", "later", 1, false, wp),
          new MqttProperties().sessionExpiryInterval(60L));
      d.close();
      will = watcher.nextPublishAcking(T);
      assertEquals("will/expd", will.topic());
      assertEquals(1L, will.properties().messageExpiryInterval(), "full interval after the delay");
      watcher.expectNothing(QUIET);
    }
  }

  @Test
  void willDelayIntervalDelaysTheWill() throws Exception {
    try (TestBroker broker = TestBroker.start();
        MqttWire watcher = watcher(broker)) {
      MqttWire c = connectWithWill(broker, "wd", true, 60, "will/delay", 2);
      long start = System.nanoTime();
      c.close();
      watcher.expectNothing(1500); // not before the delay
      Publish will = watcher.nextPublishAcking(T);
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertEquals("will/delay", will.topic());
      assertTrue(ms >= 1900, "will after its 2 s delay: " + ms + " ms");
      watcher.expectNothing(QUIET);
    }
  }

  @Test
  void reconnectWithinTheDelayCancelsTheWill() throws Exception {
    try (TestBroker broker = TestBroker.start();
        MqttWire watcher = watcher(broker)) {
      MqttWire c = connectWithWill(broker, "wc", true, 60, "will/cancel", 2);
      c.close();
      Thread.sleep(500);
      try (MqttWire again = MqttWire.connect5(broker.port(), "wc", false, 60L)) {
        assertTrue(again.sessionPresent());
        watcher.expectNothing(2500); // the delay passes: no will
        again.disconnectAndWait();
      }
      watcher.expectNothing(QUIET); // the new connection had no will, and left normally
    }
  }

  @Test
  void reconnectWithCleanStartWithinTheDelayEndsTheSessionAndSendsTheWill() throws Exception {
    try (TestBroker broker = TestBroker.start();
        MqttWire watcher = watcher(broker)) {
      MqttWire c = connectWithWill(broker, "wcs", true, 60, "will/clean", 30);
      c.close();
      Thread.sleep(300);
      long start = System.nanoTime();
      // Clean Start 1 ends the old session, and a will is sent at the latest when its session ends
      // (MQTT-3.1.2-8 / 3.1.3.2.2: only a Clean Start 0 reconnect cancels a delayed will).
      try (MqttWire again = MqttWire.connect5(broker.port(), "wcs", true, 60L)) {
        Publish will = watcher.nextPublishAcking(T);
        assertEquals("will/clean", will.topic());
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(ms < 10_000, "will when the session ended, not after its 30 s delay: " + ms + " ms");
        again.disconnectAndWait();
      }
      watcher.expectNothing(QUIET);
    }
  }

  @Test
  void disconnectWithWillMessageSendsItAndNormalDisconnectDoesNot() throws Exception {
    try (TestBroker broker = TestBroker.start();
        MqttWire watcher = watcher(broker)) {
      // Paho v5, DISCONNECT 0x04 "disconnect with will message".
      MqttAsyncClient a = new MqttAsyncClient(broker.tcpUri(), "w04", new MemoryPersistence());
      try {
        MqttConnectionOptions o = Mqtt5ConnectTest.pahoOptions();
        MqttMessage will = new MqttMessage("bye04".getBytes(StandardCharsets.UTF_8));
        will.setQos(1);
        o.setWill("will/04", will);
        a.connect(o).waitForCompletion(T);
        a.disconnect(5000, null, null, 0x04, new org.eclipse.paho.mqttv5.common.packet.MqttProperties())
            .waitForCompletion(T);
        Publish p = watcher.nextPublishAcking(T);
        assertEquals("will/04", p.topic());
        assertEquals("bye04", MqttWire.text(p));
        watcher.expectNothing(QUIET);
      } finally {
        a.close();
      }
      // Paho v5, normal DISCONNECT (0x00): no will.
      MqttClient n = new MqttClient(broker.tcpUri(), "w00", new MemoryPersistence());
      try {
        MqttConnectionOptions o = Mqtt5ConnectTest.pahoOptions();
        MqttMessage will = new MqttMessage("bye00".getBytes(StandardCharsets.UTF_8));
        will.setQos(1);
        o.setWill("will/00", will);
        n.connect(o);
        n.disconnect(5000);
      } finally {
        Mqtt5ConnectTest.closePaho(n);
      }
      // Raw, 0x00 with a will delay and a session that stays: still no will, ever.
      try (MqttWire c = connectWithWill(broker, "w00raw", true, 60, "will/00raw", 1)) {
        c.disconnectAndWait();
      }
      watcher.expectNothing(1500);
    }
  }

  @Test
  void willIsSentAtTheLatestWhenTheSessionEnds() throws Exception {
    try (TestBroker broker = TestBroker.start();
        MqttWire watcher = watcher(broker)) {
      // Will delay 60 s, session expiry 2 s: the will goes when the session expires.
      MqttWire c = connectWithWill(broker, "we", true, 2, "will/expiry", 60);
      long start = System.nanoTime();
      c.close();
      watcher.expectNothing(1500);
      Publish will = watcher.nextPublishAcking(T);
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertEquals("will/expiry", will.topic());
      assertTrue(ms >= 1900 && ms < 10_000, "will at session expiry (~2 s), not after 60 s: " + ms + " ms");

      // Will delay 60 s, session expiry 0: the session ends with the connection, the will now.
      MqttWire z = connectWithWill(broker, "wz", true, 0, "will/zero", 60);
      start = System.nanoTime();
      z.close();
      will = watcher.nextPublishAcking(T);
      ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertEquals("will/zero", will.topic());
      assertTrue(ms < 5000, "will when the session ends with the connection: " + ms + " ms");
      watcher.expectNothing(QUIET);
    }
  }
}
