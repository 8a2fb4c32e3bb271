package io.tributary.mqtt;

import static io.tributary.mqtt.MqttWire.T;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.commitlog.CommitLogOptions;
import io.tributary.commitlog.FlushPolicy;
import io.tributary.commitlog.Storage;
import io.tributary.mqtt.codec.Ack;
import io.tributary.mqtt.codec.MqttProperties;
import io.tributary.mqtt.codec.PacketType;
import io.tributary.mqtt.codec.Publish;
import io.tributary.mqtt.codec.UserProperty;
import io.tributary.router.RouterOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Broker state that outlives the broker: each test stops a broker with a log on disk and starts a
 * new one on the same directory, then checks what a client finds. (The SIGKILL variant, a real
 * process killed mid-stream, is in the launcher's LauncherIT.)
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DurableStateTest {

  @TempDir
  Path dir;

  private TestBroker start() {
    return start(FlushPolicy.NONE);
  }

  private TestBroker start(FlushPolicy flush) {
    return TestBroker.start(2, new MqttOptions(), new RouterOptions()
        .setLog(new CommitLogOptions().setStorage(Storage.DISK).setDir(dir.toString()).setFlush(flush)));
  }

  private static String text(Publish p) {
    return p.payload().toString(StandardCharsets.UTF_8);
  }

  @Test
  void anOfflinePersistentSessionAndItsQueuedMessagesSurviveARestart() throws Exception {
    try (TestBroker broker = start()) {
      try (MqttWire sub = MqttWire.connect311(broker.port(), "durable-311", false)) {
        assertEquals(1, sub.subscribe("d/#", 1));
        sub.disconnectAndWait();
      }
      try (MqttWire pub = MqttWire.connect311(broker.port(), "d-pub", true)) {
        for (int i = 0; i < 20; i++) {
          pub.publishAndComplete("d/" + i, 1, "m" + i);
        }
      }
    }
    try (TestBroker broker = start(); MqttWire sub = MqttWire.connect311(broker.port(), "durable-311", false)) {
      assertTrue(sub.sessionPresent(), "the session came back with the broker");
      for (int i = 0; i < 20; i++) {
        Publish p = sub.nextPublishAcking(T);
        assertEquals("d/" + i, p.topic());
        assertEquals("m" + i, text(p));
      }
      sub.expectNothing(300);
      try (MqttWire pub = MqttWire.connect311(broker.port(), "d-pub", true)) {
        pub.publishAndComplete("d/live", 1, "after");
      }
      assertEquals("after", text(sub.nextPublishAcking(T)), "its subscription is live again");
    }
  }

  @Test
  void retainedMessagesWithTheirPropertiesSurviveARestartAndAClearDoesToo() throws Exception {
    try (TestBroker broker = start(); MqttWire pub = MqttWire.connect5(broker.port(), "r-pub")) {
      MqttProperties props = new MqttProperties().contentType("application/json")
          .userProperties(List.of(new UserProperty("unit", "°C")));
      pub.publish("status/a", 1, true, "{\"t\":21}".getBytes(StandardCharsets.UTF_8), props);
      pub.expectAck(PacketType.PUBACK, T);
      pub.publish("status/b", 1, true, "gone soon".getBytes(StandardCharsets.UTF_8), MqttProperties.EMPTY);
      pub.expectAck(PacketType.PUBACK, T);
      pub.publish("status/b", 1, true, new byte[0], MqttProperties.EMPTY); // clears it
      pub.expectAck(PacketType.PUBACK, T);
    }
    try (TestBroker broker = start(); MqttWire sub = MqttWire.connect5(broker.port(), "r-sub")) {
      assertEquals(1, sub.subscribe("status/#", 1));
      Publish p = sub.nextPublishAcking(T);
      assertEquals("status/a", p.topic());
      assertTrue(p.retain());
      assertEquals("{\"t\":21}", text(p));
      assertEquals("application/json", p.properties().contentType());
      assertEquals(List.of(new UserProperty("unit", "°C")), p.properties().userProperties());
      sub.expectNothing(500);
    }
  }

  @Test
  void unacknowledgedDeliveriesAreResentWithDupAfterARestartInOrder() throws Exception {
    try (TestBroker broker = start()) {
      try (MqttWire sub = MqttWire.connect5(broker.port(), "inflight", true, 3600L)) {
        assertEquals(1, sub.subscribe("q/#", 1));
        try (MqttWire pub = MqttWire.connect5(broker.port(), "q-pub")) {
          for (int i = 0; i < 5; i++) {
            pub.publishAndComplete("q/" + i, 1, false, "m" + i, MqttProperties.EMPTY);
          }
        }
        for (int i = 0; i < 5; i++) {
          Publish p = sub.expectPublish(T); // read, never acknowledged
          assertEquals("m" + i, text(p));
        }
      }
    }
    try (TestBroker broker = start(); MqttWire sub = MqttWire.connect5(broker.port(), "inflight", false, 3600L)) {
      assertTrue(sub.sessionPresent());
      for (int i = 0; i < 5; i++) {
        Publish p = sub.nextPublishAcking(T);
        assertEquals("m" + i, text(p));
        assertTrue(p.dup(), "a resend carries DUP");
      }
      sub.expectNothing(300);
    }
  }

  @Test
  void anExactlyOnceDeliveryTheClientReceivedIsReleasedNotResentAfterARestart() throws Exception {
    int packetId;
    try (TestBroker broker = start()) {
      try (MqttWire sub = MqttWire.connect5(broker.port(), "qos2", true, 3600L)) {
        assertEquals(2, sub.subscribe("x/#", 2));
        try (MqttWire pub = MqttWire.connect5(broker.port(), "x-pub")) {
          pub.publish("x/1", 2, false, "once".getBytes(StandardCharsets.UTF_8), MqttProperties.EMPTY);
          pub.expectAck(PacketType.PUBREC, T);
        }
        Publish p = sub.expectPublish(T);
        packetId = p.packetId();
        sub.ack(PacketType.PUBREC, packetId);
        Ack rel = sub.expectAck(PacketType.PUBREL, T);
        assertEquals(packetId, rel.packetId());
        // no PUBCOMP: the broker goes down with the release outstanding
      }
    }
    try (TestBroker broker = start(); MqttWire sub = MqttWire.connect5(broker.port(), "qos2", false, 3600L)) {
      assertTrue(sub.sessionPresent());
      Ack rel = sub.expectAck(PacketType.PUBREL, T);
      assertEquals(packetId, rel.packetId(), "the release is resent, not the message");
      sub.ack(PacketType.PUBCOMP, packetId);
      sub.expectNothing(500);
    }
  }

  @Test
  void aSessionExpiryRunsWhileTheBrokerIsDown() throws Exception {
    try (TestBroker broker = start()) {
      try (MqttWire sub = MqttWire.connect5(broker.port(), "short", true, 1L)) {
        sub.subscribe("s/#", 1);
        sub.disconnectAndWait();
      }
      try (MqttWire sub = MqttWire.connect5(broker.port(), "long", true, 3600L)) {
        sub.subscribe("s/#", 1);
        sub.disconnectAndWait();
      }
    }
    Thread.sleep(1500);
    try (TestBroker broker = start()) {
      try (MqttWire c = MqttWire.connect5(broker.port(), "short", false, 1L)) {
        assertFalse(c.sessionPresent(), "expired during the downtime");
      }
      try (MqttWire c = MqttWire.connect5(broker.port(), "long", false, 3600L)) {
        assertTrue(c.sessionPresent());
      }
    }
  }

  @Test
  void aDelayedWillStillGoesOutAfterARestartAndAReconnectStillCancelsIt() throws Exception {
    try (TestBroker broker = start()) {
      for (String id : new String[] {"will-due", "will-cancelled"}) {
        MqttWire c = MqttWire.connect5(broker.port(), id, true, 60,
            MqttWire.will("wills/" + id, "gone", 1, false, new MqttProperties().willDelayInterval(2L)),
            new MqttProperties().sessionExpiryInterval(3600L));
        // Dropped without DISCONNECT: the will waits out its 2 s delay. Whether the broker sees
        // the close first or closes the connection itself as it stops, the will is then pending.
        c.close();
      }
    }
    try (TestBroker broker = start(); MqttWire sub = MqttWire.connect5(broker.port(), "will-watcher")) {
      assertEquals(1, sub.subscribe("wills/#", 1));
      try (MqttWire back = MqttWire.connect5(broker.port(), "will-cancelled", false, 3600L)) {
        assertTrue(back.sessionPresent());
        Publish p = sub.nextPublishAcking(5_000);
        assertEquals("wills/will-due", p.topic(), "the pending will survived the restart");
        assertEquals("gone", text(p));
        sub.expectNothing(2_500); // the reconnected one's will was cancelled
      }
    }
  }

  @Test
  void aSharedSubscriptionAndWhatItsGroupHadNotDeliveredSurviveARestart() throws Exception {
    try (TestBroker broker = start()) {
      try (MqttWire sub = MqttWire.connect5(broker.port(), "shared-member", false, 3600L)) {
        assertEquals(1, sub.subscribe("$share/g/s/#", 1));
        sub.disconnectAndWait();
      }
      // Nobody of the group online: the group keeps its place in the log.
      try (MqttWire pub = MqttWire.connect5(broker.port(), "s-pub")) {
        for (int i = 0; i < 10; i++) {
          pub.publishAndComplete("s/" + i, 1, false, "m" + i, MqttProperties.EMPTY);
        }
      }
    }
    try (TestBroker broker = start(); MqttWire sub = MqttWire.connect5(broker.port(), "shared-member", false, 3600L)) {
      assertTrue(sub.sessionPresent());
      java.util.Set<String> got = new java.util.TreeSet<>();
      for (int i = 0; i < 10; i++) {
        got.add(text(sub.nextPublishAcking(T)));
      }
      assertEquals(10, got.size(), "every message the group held, once: " + got);
      sub.expectNothing(300);
      try (MqttWire pub = MqttWire.connect5(broker.port(), "s-pub")) {
        pub.publishAndComplete("s/live", 1, false, "after", MqttProperties.EMPTY);
      }
      assertEquals("after", text(sub.nextPublishAcking(T)), "the shared subscription is live again");
    }
  }

  @Test
  void aSharedGroupResumesAfterWhatItsMembersAcknowledged() throws Exception {
    try (TestBroker broker = start();
        MqttWire sub = MqttWire.connect5(broker.port(), "shared-acker", false, 3600L);
        MqttWire pub = MqttWire.connect5(broker.port(), "s-pub")) {
      assertEquals(1, sub.subscribe("$share/g/s/#", 1));
      for (int i = 0; i < 5; i++) {
        pub.publishAndComplete("s/" + i, 1, false, "acked" + i, MqttProperties.EMPTY);
        assertEquals("acked" + i, text(sub.nextPublishAcking(T)));
      }
      Thread.sleep(1_200); // the group saves its position at most once a second
      for (int i = 0; i < 3; i++) {
        pub.publishAndComplete("s/" + i, 1, false, "unacked" + i, MqttProperties.EMPTY);
        assertEquals("unacked" + i, text(sub.expectPublish(T))); // read, never acknowledged
      }
    }
    try (TestBroker broker = start(); MqttWire sub = MqttWire.connect5(broker.port(), "shared-acker", false, 3600L)) {
      assertTrue(sub.sessionPresent());
      for (int i = 0; i < 3; i++) {
        assertEquals("unacked" + i, text(sub.nextPublishAcking(T)), "not acknowledged: delivered again, in order");
      }
      sub.expectNothing(500); // what was acknowledged before the save does not come again
    }
  }

  @Test
  void underFlushAlwaysAcknowledgementsWaitForBothLogsAndTheStateComesBack() throws Exception {
    int[] openId = new int[1];
    try (TestBroker broker = start(FlushPolicy.ALWAYS)) {
      try (MqttWire sub = MqttWire.connect5(broker.port(), "always-sub", false, 3600L)) {
        assertEquals(2, sub.subscribe("a/#", 2));
        sub.disconnectAndWait();
      }
      try (MqttWire pub = MqttWire.connect5(broker.port(), "always-pub", false, 3600L)) {
        pub.publish("a/retained", 1, true, "kept".getBytes(StandardCharsets.UTF_8), MqttProperties.EMPTY);
        pub.expectAck(PacketType.PUBACK, T);
        for (int i = 0; i < 20; i++) {
          pub.publishAndComplete("a/" + i, 2, false, "m" + i, MqttProperties.EMPTY);
        }
        // A QoS 2 PUBLISH whose PUBREC came but whose PUBREL the broker never got.
        openId[0] = pub.publish("a/open", 2, false, "once".getBytes(StandardCharsets.UTF_8), MqttProperties.EMPTY);
        pub.expectAck(PacketType.PUBREC, T);
      }
    }
    try (TestBroker broker = start(FlushPolicy.ALWAYS);
        MqttWire sub = MqttWire.connect5(broker.port(), "always-sub", false, 3600L)) {
      assertTrue(sub.sessionPresent());
      assertEquals("kept", text(sub.nextPublishAcking(T)));
      for (int i = 0; i < 20; i++) {
        assertEquals("m" + i, text(sub.nextPublishAcking(T)));
      }
      assertEquals("once", text(sub.nextPublishAcking(T)));
      // The PUBRELs of the last exactly-once deliveries, then nothing more.
      for (io.tributary.mqtt.codec.Packet p; (p = sub.read(300)) != null; ) {
        assertTrue(p instanceof Ack a && a.type() == PacketType.PUBREL, "only PUBRELs are left: " + p);
        sub.ack(PacketType.PUBCOMP, ((Ack) p).packetId());
      }
      try (MqttWire pub = MqttWire.connect5(broker.port(), "always-pub", false, 3600L)) {
        assertTrue(pub.sessionPresent(), "the publisher's session, with its open QoS 2 id, came back");
        pub.ack(PacketType.PUBREL, openId[0]);
        assertEquals(openId[0], pub.expectAck(PacketType.PUBCOMP, T).packetId());
      }
    }
  }

  @Test
  void aCleanStartEndsTheSavedSessionForGood() throws Exception {
    try (TestBroker broker = start()) {
      try (MqttWire sub = MqttWire.connect311(broker.port(), "ended", false)) {
        sub.subscribe("e/#", 1);
      }
      try (MqttWire sub = MqttWire.connect311(broker.port(), "ended", true)) {
        assertFalse(sub.sessionPresent());
      }
    }
    try (TestBroker broker = start(); MqttWire sub = MqttWire.connect311(broker.port(), "ended", false)) {
      assertFalse(sub.sessionPresent(), "the clean start ended it before the restart");
    }
  }

  @Test
  void memoryStorageKeepsNothingAcrossBrokers() throws Exception {
    RouterOptions memory = new RouterOptions();
    try (TestBroker broker = TestBroker.start(2, new MqttOptions(), memory)) {
      try (MqttWire sub = MqttWire.connect311(broker.port(), "mem", false)) {
        sub.subscribe("m/#", 1);
      }
    }
    try (TestBroker broker = TestBroker.start(2, new MqttOptions(), memory);
        MqttWire sub = MqttWire.connect311(broker.port(), "mem", false)) {
      assertFalse(sub.sessionPresent());
    }
  }
}
