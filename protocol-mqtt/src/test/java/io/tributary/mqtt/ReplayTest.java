package io.tributary.mqtt;

import static io.tributary.mqtt.MqttWire.T;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.commitlog.CommitLogOptions;
import io.tributary.commitlog.Storage;
import io.tributary.mqtt.codec.MqttProperties;
import io.tributary.mqtt.codec.Publish;
import io.tributary.mqtt.codec.SubAck;
import io.tributary.mqtt.codec.Subscribe;
import io.tributary.mqtt.codec.TopicSubscription;
import io.tributary.mqtt.codec.UserProperty;
import io.tributary.router.RouterOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replay from the log: {@code $replay/{from}/{filter}} (any client) and the MQTT 5 user property
 * {@code replay}: history in log order with original topics and the retain flag clear, then live
 * records with no gap and no duplicate at the boundary.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReplayTest {

  @TempDir
  Path dir;

  private TestBroker start() {
    return TestBroker.start(2, new MqttOptions(), new RouterOptions()
        .setLog(new CommitLogOptions().setStorage(Storage.DISK).setDir(dir.toString())));
  }

  private static void publishAll(TestBroker broker, String prefix, int from, int to) throws Exception {
    try (MqttWire pub = MqttWire.connect311(broker.port(), "pub-" + prefix + from, true)) {
      for (int i = from; i < to; i++) {
        pub.publishAndComplete(prefix + "/" + (i % 3), 1, "m" + i);
      }
    }
  }

  private static String text(Publish p) {
    return p.payload().toString(StandardCharsets.UTF_8);
  }

  /** Reads n publishes (acknowledging) and returns "topic payload" lines. */
  private static List<String> read(MqttWire c, int n) throws Exception {
    List<String> got = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Publish p = c.nextPublishAcking(T);
      assertFalse(p.retain(), "replayed records are not flagged retained");
      got.add(p.topic() + " " + text(p));
    }
    return got;
  }

  private static List<String> expected(String prefix, int from, int to) {
    List<String> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(prefix + "/" + (i % 3) + " m" + i);
    }
    return out;
  }

  @Test
  void earliestReplaysTheHistoryThenGoesLive() throws Exception {
    try (TestBroker broker = start()) {
      publishAll(broker, "h", 0, 10);
      publishAll(broker, "other", 0, 5);
      try (MqttWire sub = MqttWire.connect5(broker.port(), "replayer")) {
        assertEquals(1, sub.subscribe("$replay/earliest/h/#", 1));
        assertEquals(expected("h", 0, 10), read(sub, 10));
        sub.expectNothing(300);
        publishAll(broker, "h", 10, 12);
        assertEquals(expected("h", 10, 12), read(sub, 2), "live after the history, under h/#");
        assertEquals(0x00, sub.unsubscribe("$replay/earliest/h/#"), "the replay filter names h/#");
        publishAll(broker, "h", 12, 13);
        sub.expectNothing(300);
      }
    }
  }

  @Test
  void anOffsetATimeAndADurationPickTheirStart() throws Exception {
    try (TestBroker broker = start()) {
      publishAll(broker, "t", 0, 6);
      Thread.sleep(50);
      Instant between = Instant.now();
      Thread.sleep(50);
      publishAll(broker, "t", 6, 9);
      try (MqttWire sub = MqttWire.connect311(broker.port(), "by-offset", true)) {
        assertEquals(1, sub.subscribe("$replay/4/t/#", 1));
        assertEquals(expected("t", 4, 9), read(sub, 5));
      }
      try (MqttWire sub = MqttWire.connect311(broker.port(), "by-time", true)) {
        assertEquals(1, sub.subscribe("$replay/" + between + "/t/#", 1));
        assertEquals(expected("t", 6, 9), read(sub, 3));
      }
      try (MqttWire sub = MqttWire.connect311(broker.port(), "by-duration", true)) {
        assertEquals(1, sub.subscribe("$replay/PT1H/t/#", 1));
        assertEquals(expected("t", 0, 9), read(sub, 9));
      }
      try (MqttWire sub = MqttWire.connect311(broker.port(), "nothing-back", true)) {
        assertEquals(1, sub.subscribe("$replay/PT0S/t/#", 1));
        sub.expectNothing(300);
      }
    }
  }

  @Test
  void mqtt5AsksWithAUserPropertyAndBadStartsAreRefused() throws Exception {
    try (TestBroker broker = start()) {
      publishAll(broker, "u", 0, 4);
      try (MqttWire sub = MqttWire.connect5(broker.port(), "v5-replayer")) {
        sub.send(new Subscribe(sub.packetId(), List.of(new TopicSubscription("u/#", 2)),
            new MqttProperties().userProperties(List.of(new UserProperty("replay", "earliest")))));
        SubAck ack = sub.expect(SubAck.class, T);
        assertEquals(List.of(2), ack.reasonCodes());
        List<String> got = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          Publish p = sub.nextPublishAcking(T);
          assertEquals(1, p.qos(), "QoS is min(stored, granted)");
          got.add(p.topic() + " " + text(p));
        }
        assertEquals(expected("u", 0, 4), got);
        assertEquals(0x8F, sub.subscribe("$replay/yesterday/u/#", 1), "a start that is not one is refused");
        sub.send(new Subscribe(sub.packetId(), List.of(new TopicSubscription("u/#", 1)),
            new MqttProperties().userProperties(List.of(new UserProperty("replay", "soon")))));
        SubAck bad = sub.expect(SubAck.class, T);
        assertEquals(List.of(0x83), bad.reasonCodes());
        assertTrue(bad.properties().reasonString().contains("soon"), bad.properties().reasonString());
      }
      try (MqttWire sub = MqttWire.connect311(broker.port(), "v3-bad", true)) {
        assertEquals(0x80, sub.subscribe("$replay/yesterday/u/#", 1));
      }
    }
  }

  @Test
  void pahoV5AsksWithTheUserProperty() throws Exception {
    try (TestBroker broker = start()) {
      publishAll(broker, "p5", 0, 5);
      org.eclipse.paho.mqttv5.client.MqttAsyncClient c = new org.eclipse.paho.mqttv5.client.MqttAsyncClient(
          broker.tcpUri(), "paho-replay", new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
      c.connect(Mqtt5ConnectTest.pahoOptions()).waitForCompletion(T);
      try {
        java.util.concurrent.BlockingQueue<String> got = new java.util.concurrent.LinkedBlockingQueue<>();
        org.eclipse.paho.mqttv5.common.packet.MqttProperties props = new org.eclipse.paho.mqttv5.common.packet.MqttProperties();
        props.setUserProperties(List.of(new org.eclipse.paho.mqttv5.common.packet.UserProperty("replay", "PT1H")));
        props.setSubscriptionIdentifiers(List.of(7)); // Paho v5 wants one when a listener comes with properties
        c.subscribe(new org.eclipse.paho.mqttv5.common.MqttSubscription("p5/#", 1), null, null,
            (topic, m) -> got.add(topic + " " + new String(m.getPayload(), StandardCharsets.UTF_8)), props)
            .waitForCompletion(T);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
          String line = got.poll(T, TimeUnit.MILLISECONDS);
          assertTrue(line != null, "history message " + i);
          lines.add(line);
        }
        assertEquals(expected("p5", 0, 5), lines);
      } finally {
        c.disconnect().waitForCompletion(T);
        c.close();
      }
    }
  }

  @Test
  void retentionCutsTheHistoryAndSubackSaysWhereItStarts() throws Exception {
    RouterOptions small = new RouterOptions().setLog(new CommitLogOptions().setStorage(Storage.DISK)
        .setDir(dir.toString()).setSegmentBytes(2048).setRetentionBytes(4096));
    try (TestBroker broker = TestBroker.start(2, new MqttOptions(), small)) {
      publishAll(broker, "r", 0, 200);
      long oldest = broker.broker().log().startOffset();
      assertTrue(oldest > 0, "retention removed the oldest records");
      try (MqttWire sub = MqttWire.connect5(broker.port(), "cut")) {
        sub.send(new Subscribe(sub.packetId(), List.of(new TopicSubscription("$replay/0/r/#", 1))));
        SubAck ack = sub.expect(SubAck.class, T);
        assertEquals(List.of(1), ack.reasonCodes());
        String why = ack.properties().reasonString();
        assertTrue(why != null && why.contains("starts at offset " + oldest), why);
        Publish first = sub.nextPublishAcking(T);
        // Offsets count every record of the log; here each publish is one record from offset 0.
        assertEquals("m" + oldest, text(first));
      }
    }
  }

  @Test
  void theLiveBoundaryUnderLoadHasNoGapAndNoDuplicate() throws Exception {
    int n = 3_000;
    try (TestBroker broker = start()) {
      AtomicReference<Throwable> failed = new AtomicReference<>();
      Thread publisher = new Thread(() -> {
        try (MqttWire pub = MqttWire.connect311(broker.port(), "steady", true)) {
          for (int i = 0; i < n; i++) {
            pub.publishAndComplete("load/x", 1, Integer.toString(i));
          }
        } catch (Throwable t) {
          failed.set(t);
        }
      });
      publisher.start();
      MqttWire.waitUntil("publishing has started", T, () -> broker.broker().log().endOffset() > n / 3);
      try (MqttWire sub = MqttWire.connect311(broker.port(), "catcher", true)) {
        assertEquals(1, sub.subscribe("$replay/earliest/load/#", 1));
        for (int i = 0; i < n; i++) {
          assertEquals(Integer.toString(i), text(sub.nextPublishAcking(T)), "record " + i);
        }
        sub.expectNothing(300);
      }
      publisher.join(60_000);
      assertEquals(null, failed.get());
    }
  }

  @Test
  void mosquittoSubPrintsTheHistoryWithThePrefix() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/mosquitto_sub")),
        "mosquitto-clients not installed");
    try (TestBroker broker = start()) {
      publishAll(broker, "cli", 0, 5);
      Process sub = new ProcessBuilder("mosquitto_sub", "-h", "127.0.0.1", "-p", "" + broker.port(),
          "-t", "$replay/earliest/cli/#", "-v", "-C", "5", "-W", "20").redirectErrorStream(true).start();
      List<String> lines = new ArrayList<>();
      try (BufferedReader r = new BufferedReader(new InputStreamReader(sub.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          lines.add(line);
        }
      }
      assertTrue(sub.waitFor(30, TimeUnit.SECONDS));
      assertEquals(expected("cli", 0, 5), lines);
    }
  }
}
