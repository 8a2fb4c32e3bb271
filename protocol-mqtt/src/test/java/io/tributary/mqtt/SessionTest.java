package io.tributary.mqtt;

import static io.tributary.mqtt.MqttWire.assertPublish;
import static io.tributary.mqtt.MqttWire.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.mqtt.codec.Will;
import io.tributary.mqtt.codec.Ack;
import io.tributary.mqtt.codec.ConnAck;
import io.tributary.mqtt.codec.PacketType;
import io.tributary.mqtt.codec.Publish;
import io.tributary.router.RouterOptions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Session state over reconnects, with real clients over real sockets: clean versus persistent
 * sessions, what is queued while offline, resends of in-flight messages, the in-flight window and
 * the outbound QoS 2 flow.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SessionTest {

  private static final long T = 5000; // bound for things that must happen
  private static final long QUIET = 300; // bound for things that must not happen

  @Test
  void cleanSessionDiscardsStoredState() throws Exception {
    try (TestBroker broker = TestBroker.start();
        MqttWire pub = MqttWire.connect311(broker.port(), "cs-pub", true)) {
      try (MqttWire c = MqttWire.open311(broker.port())) {
        assertFalse(c.connect("cs", false, 0, (Will) null).sessionPresent(), "first connect has no session");
        assertEquals(1, c.subscribe("cs/#", 1));
        pub.publishAndComplete("cs/a", 1, "in-flight");
        assertPublish(c.expectPublish(T), "cs/a", "in-flight", 1); // never acknowledged
        c.disconnect();
        assertTrue(c.awaitClosed(T), "broker closes after DISCONNECT");
      }
      pub.publishAndComplete("cs/a", 1, "queued-while-offline");

      try (MqttWire c = MqttWire.open311(broker.port())) {
        ConnAck ack = c.connect("cs", true, 0, (Will) null);
        assertEquals(0, ack.returnCode());
        assertFalse(ack.sessionPresent(), "clean session 1 never reports a session present");
        c.expectNothing(QUIET); // the in-flight and queued messages went with the old session
        pub.publishAndComplete("cs/b", 1, "live");
        c.expectNothing(QUIET); // and so did the subscription
        c.disconnect();
        assertTrue(c.awaitClosed(T));
      }
      // The clean session ended with its connection: only the publisher's session remains.
      awaitSessionCount(broker, 1);

      try (MqttWire c = MqttWire.open311(broker.port())) {
        assertFalse(c.connect("cs", false, 0, (Will) null).sessionPresent(),
            "after a clean session ends nothing is stored");
        pub.publishAndComplete("cs/c", 1, "live-2");
        c.expectNothing(QUIET);
      }
    }
  }

  @Test
  void pahoPersistentSessionKeepsSubscriptionsAndReportsSessionPresent() throws Exception {
    try (TestBroker broker = TestBroker.start()) {
      MqttConnectOptions persistent = new MqttConnectOptions();
      persistent.setCleanSession(false);
      persistent.setAutomaticReconnect(false);

      MqttClient sub = new MqttClient(broker.tcpUri(), "paho-persist", new MemoryPersistence());
      try {
        IMqttToken first = sub.connectWithResult(persistent);
        assertFalse(first.getSessionPresent(), "first connect: no session");
        sub.subscribe("pp/#", 1);
        sub.disconnect();
      } finally {
        sub.close();
      }

      MqttClient pub = new MqttClient(broker.tcpUri(), "paho-persist-pub", new MemoryPersistence());
      MqttConnectOptions pubOptions = new MqttConnectOptions();
      // Paho 1.2.5 completes a QoS 1 token before it frees the in-flight slot (eclipse-paho
      // paho.mqtt.java#551), so back-to-back synchronous publishes can hit its default limit of 10.
      pubOptions.setMaxInflight(1000);
      pub.connect(pubOptions);
      try {
        for (int i = 0; i < 20; i++) {
          pub.publish("pp/x", ("m" + i).getBytes(), 1, false);
        }
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        MqttClient again = new MqttClient(broker.tcpUri(), "paho-persist", new MemoryPersistence());
        try {
          again.setCallback(collector(got));
          IMqttToken second = again.connectWithResult(persistent);
          assertTrue(second.getSessionPresent(), "reconnect with clean session 0: session present");
          // No SUBSCRIBE on this connection: the stored subscription delivers both the messages
          // queued while offline, in order, and new ones.
          for (int i = 0; i < 20; i++) {
            assertEquals("pp/x=m" + i, got.poll(T, TimeUnit.MILLISECONDS));
          }
          pub.publish("pp/y", "live".getBytes(), 1, false);
          assertEquals("pp/y=live", got.poll(T, TimeUnit.MILLISECONDS));
          again.disconnect();
        } finally {
          again.close();
        }
      } finally {
        pub.disconnect();
        pub.close();
      }
    }
  }

  @Test
  void qos1AndQos2QueuedWhileOfflineAreDeliveredInOrderButQos0IsNot() throws Exception {
    int n = 200;
    try (TestBroker broker = TestBroker.start();
        MqttWire pub = MqttWire.connect311(broker.port(), "off-pub", true)) {
      int[] base = broker.openConnections();
      try (MqttWire c = MqttWire.connect311(broker.port(), "off", false)) {
        assertEquals(2, c.subscribe("off/#", 2));
      } // socket dropped without DISCONNECT: the session stays
      // Publish only once the broker has seen the drop, so everything below is "while offline".
      MqttWire.awaitOpenConnections(broker, base);

      List<String> expected = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int qos = 1 + (i % 2);
        pub.publishAndComplete("off/" + qos, qos, "m" + i);
        expected.add("m" + i + "/q" + qos);
        if (i % 10 == 0) {
          // QoS 0 records published while the session is away are not queued (documented).
          pub.publishAndComplete("off/0", 0, "zero" + i);
        }
      }

      try (MqttWire c = MqttWire.open311(broker.port())) {
        ConnAck ack = c.connect("off", false, 0, (Will) null);
        assertTrue(ack.sessionPresent(), "session present after reconnect with clean session 0");
        List<String> got = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          Publish p = c.nextPublishAcking(T);
          assertFalse(p.dup(), "first delivery is not a duplicate: " + p);
          got.add(text(p) + "/q" + p.qos());
        }
        assertEquals(expected, got, "QoS 1/2 messages queued offline arrive once each, in publish order");

        // Live messages flow again, QoS 0 included; nothing from the offline QoS 0 shows up.
        pub.publishAndComplete("off/0", 0, "live0");
        pub.publishAndComplete("off/1", 1, "live1");
        Publish live0 = c.nextPublishAcking(T);
        assertPublish(live0, "off/0", "live0", 0);
        Publish live1 = c.nextPublishAcking(T);
        assertPublish(live1, "off/1", "live1", 1);
        // Drain a trailing PUBREL/PUBCOMP exchange if any, and check nothing else is pending.
        drainReleases(c);
      }
    }
  }

  @Test
  void persistentSessionMovesBetweenEventLoops() throws Exception {
    try (TestBroker broker = TestBroker.start();
        MqttWire pub = MqttWire.connect311(broker.port(), "ml-pub", true)) {
      int[] base = broker.openConnections();
      Set<Integer> loops = new HashSet<>();
      List<Integer> order = new ArrayList<>();
      for (int round = 0; round < 6; round++) {
        try (MqttWire c = MqttWire.open311(broker.port())) {
          ConnAck ack = c.connect("mover", false, 0, (Will) null);
          int loop = MqttWire.loopOfNewClient(broker, base);
          loops.add(loop);
          order.add(loop);
          if (round == 0) {
            assertFalse(ack.sessionPresent());
            assertEquals(1, c.subscribe("ml/#", 1));
          } else {
            assertTrue(ack.sessionPresent(), "round " + round + ": session present");
            // What was published while it was away, from whichever loop it was on before.
            assertPublish(c.nextPublishAcking(T), "ml/off", "offline-" + (round - 1), 1);
          }
          pub.publishAndComplete("ml/live", 1, "live-" + round);
          assertPublish(c.nextPublishAcking(T), "ml/live", "live-" + round, 1);
          c.expectNothing(50);
        } // drop
        MqttWire.awaitOpenConnections(broker, base);
        pub.publishAndComplete("ml/off", 1, "offline-" + round);
      }
      assertEquals(2, loops.size(), "the client landed on both event loops: " + order);
      boolean moved = false;
      for (int i = 1; i < order.size(); i++) {
        moved |= !order.get(i).equals(order.get(i - 1));
      }
      assertTrue(moved, "consecutive connections on different loops: " + order);
    }
  }

  @Test
  void unacknowledgedQos1IsResentWithDupInOrderBeforeNewMessages() throws Exception {
    try (TestBroker broker = TestBroker.start();
        MqttWire pub = MqttWire.connect311(broker.port(), "rs-pub", true)) {
      List<Integer> ids = new ArrayList<>();
      int[] base = broker.openConnections();
      try (MqttWire c = MqttWire.connect311(broker.port(), "resend", false)) {
        assertEquals(1, c.subscribe("rs/#", 1));
        for (int i = 0; i < 5; i++) {
          pub.publishAndComplete("rs/x", 1, "m" + i);
        }
        for (int i = 0; i < 5; i++) {
          Publish p = c.expectPublish(T);
          assertPublish(p, "rs/x", "m" + i, 1);
          assertFalse(p.dup());
          ids.add(p.packetId());
        }
        assertEquals(5, new HashSet<>(ids).size(), "distinct packet ids in flight: " + ids);
      } // never acknowledged; socket closed
      MqttWire.awaitOpenConnections(broker, base);
      for (int i = 5; i < 8; i++) {
        pub.publishAndComplete("rs/x", 1, "m" + i);
      }

      try (MqttWire c = MqttWire.open311(broker.port())) {
        assertTrue(c.connect("resend", false, 0, (Will) null).sessionPresent());
        for (int i = 0; i < 5; i++) {
          Publish p = c.expectPublish(T);
          assertPublish(p, "rs/x", "m" + i, 1);
          assertTrue(p.dup(), "a resend carries DUP=1: " + p);
          assertEquals(ids.get(i), p.packetId(), "a resend keeps its packet id");
        }
        List<Integer> newIds = new ArrayList<>();
        for (int i = 5; i < 8; i++) {
          Publish p = c.expectPublish(T);
          assertPublish(p, "rs/x", "m" + i, 1);
          assertFalse(p.dup(), "first delivery of a message queued offline: " + p);
          assertFalse(ids.contains(p.packetId()), "new message reuses an in-flight id: " + p);
          newIds.add(p.packetId());
        }
        c.expectNothing(QUIET);
        for (int id : ids) {
          c.ack(PacketType.PUBACK, id);
        }
        for (int id : newIds) {
          c.ack(PacketType.PUBACK, id);
        }
        c.disconnect();
        assertTrue(c.awaitClosed(T));
      }
      // All acknowledged: a further reconnect has nothing to resend.
      try (MqttWire c = MqttWire.open311(broker.port())) {
        assertTrue(c.connect("resend", false, 0, (Will) null).sessionPresent());
        c.expectNothing(QUIET);
      }
    }
  }

  @Test
  void inflightWindowLimitsUnacknowledgedQos1WithoutLoss() throws Exception {
    int n = 40;
    int window = 5;
    try (TestBroker broker = TestBroker.start(2, new MqttOptions(), new RouterOptions().setMaxInflight(window));
        MqttWire pub = MqttWire.connect311(broker.port(), "win-pub", true);
        MqttWire c = MqttWire.connect311(broker.port(), "win", true)) {
      assertEquals(1, c.subscribe("win/#", 1));
      for (int i = 0; i < n; i++) {
        pub.publishAndComplete("win/x", 1, "m" + i);
      }
      List<Publish> unacked = new ArrayList<>();
      for (int i = 0; i < window; i++) {
        Publish p = c.expectPublish(T);
        assertPublish(p, "win/x", "m" + i, 1);
        unacked.add(p);
      }
      c.expectNothing(QUIET); // the window is full

      c.ack(PacketType.PUBACK, unacked.remove(0).packetId());
      Publish sixth = c.expectPublish(T);
      assertPublish(sixth, "win/x", "m" + window, 1);
      unacked.add(sixth);
      c.expectNothing(QUIET); // exactly one more per acknowledgement

      // Acknowledge everything as it comes: all n arrive, in order, none twice.
      int next = window + 1;
      while (!unacked.isEmpty()) {
        c.ack(PacketType.PUBACK, unacked.remove(0).packetId());
        if (next < n) {
          Publish p = c.expectPublish(T);
          assertPublish(p, "win/x", "m" + next, 1);
          assertFalse(p.dup());
          unacked.add(p);
          assertTrue(unacked.size() <= window, "more than " + window + " unacknowledged");
          next++;
        }
      }
      assertEquals(n, next);
      c.expectNothing(QUIET);
      assertEquals(0, broker.broker().lostCount());
    }
  }

  @Test
  void outboundQos2FlowHoldsTheWindowUntilPubcomp() throws Exception {
    try (TestBroker broker = TestBroker.start(2, new MqttOptions(), new RouterOptions().setMaxInflight(1));
        MqttWire pub = MqttWire.connect311(broker.port(), "q2-pub", true);
        MqttWire c = MqttWire.connect311(broker.port(), "q2", true)) {
      assertEquals(2, c.subscribe("q2/#", 2));
      pub.publishAndComplete("q2/x", 2, "a");
      pub.publishAndComplete("q2/x", 2, "b");

      Publish a = c.expectPublish(T);
      assertPublish(a, "q2/x", "a", 2);
      c.expectNothing(QUIET); // window of 1
      c.ack(PacketType.PUBREC, a.packetId());
      Ack rel = c.expectAck(PacketType.PUBREL, T);
      assertEquals(a.packetId(), rel.packetId(), "PUBREL answers PUBREC with the same id");
      c.expectNothing(QUIET); // still in flight until PUBCOMP
      c.ack(PacketType.PUBCOMP, a.packetId());

      Publish b = c.expectPublish(T);
      assertPublish(b, "q2/x", "b", 2);
      assertFalse(b.dup());
      c.ack(PacketType.PUBREC, b.packetId());
      assertEquals(b.packetId(), c.expectAck(PacketType.PUBREL, T).packetId());
      c.ack(PacketType.PUBCOMP, b.packetId());
      c.expectNothing(QUIET);
    }
  }

  @Test
  void resumedSessionResendsPubrelAndUnreceivedQos2() throws Exception {
    try (TestBroker broker = TestBroker.start();
        MqttWire pub = MqttWire.connect311(broker.port(), "rr-pub", true)) {
      int idA;
      int idB;
      try (MqttWire c = MqttWire.connect311(broker.port(), "rr", false)) {
        assertEquals(2, c.subscribe("rr/#", 2));
        pub.publishAndComplete("rr/x", 2, "a");
        pub.publishAndComplete("rr/x", 2, "b");
        Publish a = c.expectPublish(T);
        assertPublish(a, "rr/x", "a", 2);
        Publish b = c.expectPublish(T);
        assertPublish(b, "rr/x", "b", 2);
        idA = a.packetId();
        idB = b.packetId();
        c.ack(PacketType.PUBREC, idA); // a: received; b: not acknowledged at all
        assertEquals(idA, c.expectAck(PacketType.PUBREL, T).packetId());
      } // dropped before PUBCOMP

      try (MqttWire c = MqttWire.open311(broker.port())) {
        assertTrue(c.connect("rr", false, 0, (Will) null).sessionPresent());
        // In the order first sent: the PUBREL of a (its PUBLISH must not come again), then b.
        Ack rel = c.expectAck(PacketType.PUBREL, T);
        assertEquals(idA, rel.packetId(), "the pending PUBREL is resent");
        Publish b = c.expectPublish(T);
        assertPublish(b, "rr/x", "b", 2);
        assertTrue(b.dup(), "an unacknowledged QoS 2 PUBLISH is resent with DUP=1");
        assertEquals(idB, b.packetId());
        c.expectNothing(QUIET);

        c.ack(PacketType.PUBCOMP, idA);
        c.ack(PacketType.PUBREC, idB);
        assertEquals(idB, c.expectAck(PacketType.PUBREL, T).packetId());
        c.ack(PacketType.PUBCOMP, idB);
        pub.publishAndComplete("rr/x", 2, "c");
        Publish next = c.expectPublish(T);
        assertPublish(next, "rr/x", "c", 2);
        assertFalse(next.dup());
        assertNotEquals(0, next.packetId());
      }
    }
  }

  @Test
  void offlineSessionPastRetentionResumesInOrderAndCountsWhatWasRemoved() throws Exception {
    int n = 400;
    int payloadSize = 16 * 1024;
    RouterOptions router = new RouterOptions().setLog(new io.tributary.commitlog.CommitLogOptions()
        .setRetentionBytes(1L << 20).setSegmentBytes(16 * (16 * 1024 + 64)));
    try (TestBroker broker = TestBroker.start(2, new MqttOptions(), router);
        MqttWire pub = MqttWire.connect311(broker.port(), "ret-pub", true)) {
      int[] base = broker.openConnections();
      try (MqttWire c = MqttWire.connect311(broker.port(), "ret", false)) {
        assertEquals(1, c.subscribe("ret/#", 1));
      }
      MqttWire.awaitOpenConnections(broker, base);
      byte[] payload = new byte[payloadSize];
      for (int i = 0; i < n; i++) {
        java.nio.ByteBuffer.wrap(payload).putInt(0, i);
        pub.publish("ret/x", 1, false, payload);
        pub.expectAck(PacketType.PUBACK, T);
      }
      assertEquals(0, broker.broker().lostCount(), "nothing is lost until the session reads");

      try (MqttWire c = MqttWire.open311(broker.port())) {
        assertTrue(c.connect("ret", false, 0, (Will) null).sessionPresent());
        List<Integer> seqs = new ArrayList<>();
        while (seqs.isEmpty() || seqs.get(seqs.size() - 1) < n - 1) {
          Publish p = c.nextPublishAcking(T);
          seqs.add(p.payload().getInt(p.payload().readerIndex()));
        }
        for (int i = 1; i < seqs.size(); i++) {
          assertEquals(seqs.get(i - 1) + 1, seqs.get(i), "a contiguous tail, in order");
        }
        c.expectNothing(QUIET);
        long missing = n - seqs.size();
        assertTrue(missing > 0, "retention of 1 MiB kept all " + n + " x 16 KiB records?");
        assertEquals(missing, broker.broker().lostCount(), "every record removed before the session read it is counted");
      }
    }
  }

  @Test
  void inboundQos2StateSurvivesReconnectSoAResendIsNotPublishedTwice() throws Exception {
    try (TestBroker broker = TestBroker.start();
        MqttWire sub = MqttWire.connect311(broker.port(), "in2-sub", true)) {
      assertEquals(2, sub.subscribe("in2/#", 2));
      int[] base = broker.openConnections();
      try (MqttWire p = MqttWire.connect311(broker.port(), "in2-pub", false)) {
        p.send(new Publish("in2/x", 2, false, false, 42, io.netty.buffer.Unpooled.wrappedBuffer("once".getBytes())));
        assertEquals(42, p.expectAck(PacketType.PUBREC, T).packetId());
      } // dropped before PUBREL
      MqttWire.awaitOpenConnections(broker, base);
      assertPublish(sub.nextPublishAcking(T), "in2/x", "once", 2);

      try (MqttWire p = MqttWire.open311(broker.port())) {
        assertTrue(p.connect("in2-pub", false, 0, (Will) null).sessionPresent());
        // The client did not see the PUBREC arrive, so it resends the PUBLISH with DUP set.
        p.send(new Publish("in2/x", 2, false, true, 42, io.netty.buffer.Unpooled.wrappedBuffer("once".getBytes())));
        assertEquals(42, p.expectAck(PacketType.PUBREC, T).packetId());
        p.ack(PacketType.PUBREL, 42);
        assertEquals(42, p.expectAck(PacketType.PUBCOMP, T).packetId());
        // Released: the id is free, and a new PUBLISH with it is a new message.
        p.send(new Publish("in2/x", 2, false, false, 42, io.netty.buffer.Unpooled.wrappedBuffer("twice".getBytes())));
        assertEquals(42, p.expectAck(PacketType.PUBREC, T).packetId());
        p.ack(PacketType.PUBREL, 42);
        assertEquals(42, p.expectAck(PacketType.PUBCOMP, T).packetId());
      }
      assertPublish(sub.nextPublishAcking(T), "in2/x", "twice", 2); // not "once" again
      drainReleases(sub);
      assertEquals(2, broker.broker().publishedCount(), "exactly once into the log");
    }
  }

  // ---- helpers -----------------------------------------------------------------------------

  static MqttCallback collector(BlockingQueue<String> into) {
    return new MqttCallback() {
      @Override
      public void connectionLost(Throwable cause) {
      }

      @Override
      public void messageArrived(String topic, MqttMessage message) {
        into.add(topic + "=" + new String(message.getPayload()));
      }

      @Override
      public void deliveryComplete(IMqttDeliveryToken token) {
      }
    };
  }

  private static void awaitSessionCount(TestBroker broker, int expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(T);
    while (broker.broker().sessionCount() != expected) {
      assertTrue(System.nanoTime() < deadline,
          "session count " + broker.broker().sessionCount() + ", expected " + expected);
      Thread.sleep(10);
    }
  }

  /** Answers trailing PUBRELs and asserts nothing else arrives. */
  private static void drainReleases(MqttWire c) throws Exception {
    while (true) {
      var p = c.read(QUIET);
      if (p == null) {
        return;
      }
      assertTrue(p instanceof Ack && ((Ack) p).type() == PacketType.PUBREL, "unexpected " + p);
      c.ack(PacketType.PUBCOMP, ((Ack) p).packetId());
    }
  }
}
