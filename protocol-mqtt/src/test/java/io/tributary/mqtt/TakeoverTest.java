package io.tributary.mqtt;

import static io.tributary.mqtt.MqttWire.assertPublish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.mqtt.codec.Will;
import io.tributary.mqtt.codec.ConnAck;
import io.tributary.mqtt.codec.PacketType;
import io.tributary.mqtt.codec.Publish;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A second connection with a client id already connected takes the session over: the first
 * connection is closed (MQTT-3.1.4-2) wherever it lives, its will is published, and the session
 * continues on the new connection without loss or duplicates.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TakeoverTest {

  private static final long T = 5000;
  private static final long QUIET = 300;

  @Test
  void sameClientIdClosesThePreviousConnectionOnEitherLoopAndKeepsTheSession() throws Exception {
    try (TestBroker broker = TestBroker.start();
        MqttWire pub = MqttWire.connect311(broker.port(), "tk-pub", true)) {
      int[] base = broker.openConnections();
      List<Integer> loops = new ArrayList<>();
      MqttWire prev = null;
      int prevLoop = -1;
      int unackedId = -1;
      String unackedPayload = null;
      try {
        for (int round = 0; round < 7; round++) {
          if (round == 3 || round == 5) {
            // Shift Vert.x's round robin by one accepted socket so that the next takeover also
            // happens on the same loop as the connection it replaces.
            int[] withPrev = base.clone();
            withPrev[prevLoop]++;
            MqttWire.open311(broker.port()).close();
            MqttWire.awaitOpenConnections(broker, withPrev);
          }
          MqttWire c = MqttWire.open311(broker.port());
          ConnAck ack = c.connect("tk", false, 0, (Will) null);
          assertEquals(0, ack.returnCode());
          assertEquals(round > 0, ack.sessionPresent(), "round " + round + ": session present");
          if (prev != null) {
            assertTrue(prev.awaitClosed(T), "round " + round + ": the previous connection is closed");
          }
          prev = c;
          prevLoop = MqttWire.loopOfNewClient(broker, base);
          loops.add(prevLoop);
          if (round == 0) {
            assertEquals(1, c.subscribe("tk/#", 1));
          }
          if (unackedId > 0) {
            // Left unacknowledged by the connection taken over: resent once, DUP set.
            Publish again = c.expectPublish(T);
            assertPublish(again, "tk/x", unackedPayload, 1);
            assertTrue(again.dup(), "resend after takeover: " + again);
            assertEquals(unackedId, again.packetId());
            c.ack(PacketType.PUBACK, unackedId);
            unackedId = -1;
          }
          // The subscription survived the takeover; exactly one copy arrives.
          pub.publishAndComplete("tk/x", 1, "m" + round);
          Publish p = c.expectPublish(T);
          assertPublish(p, "tk/x", "m" + round, 1);
          assertFalse(p.dup());
          if (round % 2 == 0) {
            c.ack(PacketType.PUBACK, p.packetId());
          } else {
            unackedId = p.packetId();
            unackedPayload = "m" + round;
          }
          c.expectNothing(QUIET / 3);
        }
      } finally {
        if (prev != null) {
          prev.close();
        }
      }
      boolean cross = false;
      boolean same = false;
      for (int i = 1; i < loops.size(); i++) {
        cross |= !loops.get(i).equals(loops.get(i - 1));
        same |= loops.get(i).equals(loops.get(i - 1));
      }
      assertTrue(cross, "a takeover across event loops happened: " + loops);
      assertTrue(same, "a takeover on the same event loop happened: " + loops);
      assertEquals(2, broker.broker().sessionCount(), "one session per client id");
    }
  }

  @Test
  void takeoverWithCleanSessionStartsAfresh() throws Exception {
    try (TestBroker broker = TestBroker.start();
        MqttWire pub = MqttWire.connect311(broker.port(), "tc-pub", true);
        MqttWire first = MqttWire.connect311(broker.port(), "tc", false)) {
      assertEquals(1, first.subscribe("tc/#", 1));
      try (MqttWire second = MqttWire.open311(broker.port())) {
        ConnAck ack = second.connect("tc", true, 0, (Will) null);
        assertEquals(0, ack.returnCode());
        assertFalse(ack.sessionPresent(), "clean session 1 discards the taken-over session");
        assertTrue(first.awaitClosed(T), "the first connection is closed");
        pub.publishAndComplete("tc/x", 1, "after");
        second.expectNothing(QUIET); // the old subscription is gone
      }
    }
  }

  @Test
  void takeoverPublishesTheOldConnectionsWillOnly() throws Exception {
    try (TestBroker broker = TestBroker.start();
        MqttWire watcher = MqttWire.connect311(broker.port(), "tw-watch", true)) {
      assertEquals(1, watcher.subscribe("will/#", 1));
      MqttWire first = MqttWire.connect311(broker.port(), "tw", false, 0,
          MqttWire.will("will/tw", "first-gone", 1, false));
      try (MqttWire second = MqttWire.connect311(broker.port(), "tw", false, 0,
          MqttWire.will("will/tw", "second-gone", 1, false))) {
        assertTrue(first.awaitClosed(T), "the first connection is closed");
        // 3.1.1 closes the old network connection without a DISCONNECT of its own: its will is due.
        assertPublish(watcher.nextPublishAcking(T), "will/tw", "first-gone", 1);
        // Closing the old socket must not fire the new connection's will, nor the old one twice.
        watcher.expectNothing(QUIET);
        second.disconnect();
        assertTrue(second.awaitClosed(T));
        watcher.expectNothing(QUIET); // graceful: no will
      } finally {
        first.close();
      }
    }
  }

  @Test
  void pahoClientSeesConnectionLostWhenTakenOver() throws Exception {
    try (TestBroker broker = TestBroker.start()) {
      MqttConnectOptions opts = new MqttConnectOptions();
      opts.setCleanSession(false);
      opts.setAutomaticReconnect(false);
      CountDownLatch lost = new CountDownLatch(1);
      BlockingQueue<String> firstGot = new LinkedBlockingQueue<>();
      MqttClient first = new MqttClient(broker.tcpUri(), "tp", new MemoryPersistence());
      first.setCallback(callback(firstGot, lost));
      first.connect(opts);
      first.subscribe("tp/#", 1);

      BlockingQueue<String> secondGot = new LinkedBlockingQueue<>();
      MqttClient second = new MqttClient(broker.tcpUri(), "tp", new MemoryPersistence());
      second.setCallback(callback(secondGot, new CountDownLatch(1)));
      MqttClient pub = new MqttClient(broker.tcpUri(), "tp-pub", new MemoryPersistence());
      try {
        assertTrue(second.connectWithResult(opts).getSessionPresent());
        assertTrue(lost.await(T, TimeUnit.MILLISECONDS), "the first client is told its connection was lost");
        assertFalse(first.isConnected());
        pub.connect();
        pub.publish("tp/x", "hello".getBytes(), 1, false);
        assertEquals("tp/x=hello", secondGot.poll(T, TimeUnit.MILLISECONDS));
        assertEquals(null, secondGot.poll(QUIET, TimeUnit.MILLISECONDS), "delivered once");
        assertTrue(firstGot.isEmpty(), "nothing for the closed connection: " + firstGot);
      } finally {
        if (pub.isConnected()) {
          pub.disconnect();
        }
        pub.close();
        second.disconnect();
        second.close();
        first.close(true);
      }
    }
  }

  @Test
  void packetsPipelinedBehindConnectDuringACrossLoopTakeoverAreHandledInOrder() throws Exception {
    try (TestBroker broker = TestBroker.start()) {
      int[] base = broker.openConnections();
      MqttWire old = MqttWire.connect311(broker.port(), "pl", false);
      assertEquals(1, old.subscribe("pl/#", 1));
      int oldLoop = MqttWire.loopOfNewClient(broker, base);
      try (MqttWire c = MqttWire.open311(broker.port())) {
        // CONNECT, SUBSCRIBE, PUBLISH and PINGREQ in one write: the session is still being taken
        // over (on the other loop) while the rest arrives, so they wait behind the CONNECT.
        java.io.ByteArrayOutputStream burst = new java.io.ByteArrayOutputStream();
        burst.write(bytes(new io.tributary.mqtt.codec.Connect(4, "pl", false, 0, null, null, null)));
        burst.write(bytes(new io.tributary.mqtt.codec.Subscribe(3,
            List.of(new io.tributary.mqtt.codec.TopicSubscription("pl2/#", 1)))));
        burst.write(bytes(new Publish("pl/x", 1, false, false, 7,
            io.netty.buffer.Unpooled.wrappedBuffer("piped".getBytes()))));
        burst.write(bytes(io.tributary.mqtt.codec.PingReq.INSTANCE));
        c.sendBytes(burst.toByteArray());

        ConnAck ack = c.expect(ConnAck.class, T);
        assertEquals(0, ack.returnCode());
        assertTrue(ack.sessionPresent(), "CONNACK first, with the session taken over");
        assertTrue(old.awaitClosed(T), "the old connection is closed");
        int newLoop = MqttWire.loopOfNewClient(broker, base);
        assertTrue(oldLoop != newLoop, "the takeover crossed event loops: " + oldLoop + " -> " + newLoop);

        io.tributary.mqtt.codec.SubAck subAck = c.expect(io.tributary.mqtt.codec.SubAck.class, T);
        assertEquals(3, subAck.packetId());
        // Then, in some order: PUBACK 7, PINGRESP, and the message itself through the kept
        // subscription pl/#.
        boolean puback = false;
        boolean pong = false;
        Publish delivered = null;
        for (int i = 0; i < 3; i++) {
          var p = c.read(T);
          assertNotNull(p, "missing packets after SUBACK: puback " + puback + ", pong " + pong
              + ", delivered " + delivered);
          if (p instanceof io.tributary.mqtt.codec.Ack a && a.type() == PacketType.PUBACK) {
            assertEquals(7, a.packetId());
            puback = true;
          } else if (p instanceof io.tributary.mqtt.codec.PingResp) {
            assertTrue(puback, "PINGRESP after the PUBACK of the PUBLISH before it");
            pong = true;
          } else if (p instanceof Publish pub) {
            delivered = pub;
          } else {
            throw new AssertionError("unexpected " + p);
          }
        }
        assertPublish(delivered, "pl/x", "piped", 1);
        c.ack(PacketType.PUBACK, delivered.packetId());
        c.expectNothing(QUIET);
      } finally {
        old.close();
      }
    }
  }

  @Test
  void repeatedTakeoversUnderLoadLoseNothingAndRedeliverOnlyWithDup() throws Exception {
    int n = 1500;
    // Flapping detection off: this client id is taken over a hundred times in seconds on purpose.
    try (TestBroker broker = TestBroker.start(2, new MqttOptions(),
            new io.tributary.router.RouterOptions().setMaxInflight(4).setFlapping(0, 60, 60));
        MqttWire pub = MqttWire.connect311(broker.port(), "ld-pub", true)) {
      MqttWire current = MqttWire.connect311(broker.port(), "ld", false);
      assertEquals(1, current.subscribe("ld/#", 1));
      java.util.concurrent.CompletableFuture<Void> publishing =
          java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
              for (int i = 0; i < n; i++) {
                pub.publishAndComplete("ld/x", 1, Integer.toString(i));
              }
            } catch (Exception e) {
              throw new RuntimeException(e);
            }
          });
      java.util.BitSet seen = new java.util.BitSet(n);
      int lastFirstDelivery = -1;
      int takeovers = 0;
      int dups = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
      try {
        while (seen.cardinality() < n) {
          assertTrue(System.nanoTime() < deadline, "only " + seen.cardinality() + " of " + n + " arrived");
          // Read and acknowledge a handful, then take the session over mid-stream: the last
          // PUBACKs race with the takeover, and up to 4 messages are in flight.
          for (int k = 0; k < 20 && seen.cardinality() < n; k++) {
            var p = current.read(T);
            assertNotNull(p, "stalled at " + seen.cardinality() + " of " + n + " after " + takeovers + " takeovers");
            Publish m = (Publish) p;
            int seq = Integer.parseInt(MqttWire.text(m));
            if (m.dup()) {
              dups++;
            } else {
              assertFalse(seen.get(seq), "message " + seq + " delivered again without DUP");
              assertTrue(seq > lastFirstDelivery, "out of order: " + seq + " after " + lastFirstDelivery);
              lastFirstDelivery = seq;
            }
            seen.set(seq);
            current.ack(PacketType.PUBACK, m.packetId());
          }
          if (seen.cardinality() < n) {
            MqttWire next = MqttWire.open311(broker.port());
            ConnAck ack = next.connect("ld", false, 0, (Will) null);
            assertTrue(ack.sessionPresent());
            assertTrue(current.awaitClosed(T), "the taken-over connection is closed");
            current.close();
            current = next;
            takeovers++;
          }
        }
        publishing.get(T, TimeUnit.MILLISECONDS);
        current.expectNothing(QUIET);
      } finally {
        current.close();
      }
      assertTrue(takeovers >= 20, "takeovers: " + takeovers);
      assertEquals(0, broker.broker().lostCount());
      System.out.println("takeovers " + takeovers + ", DUP resends " + dups);
    }
  }

  @Test
  void concurrentConnectsWithOneClientIdLeaveExactlyOneConnection() throws Exception {
    try (TestBroker broker = TestBroker.start();
        MqttWire pub = MqttWire.connect311(broker.port(), "cc-pub", true)) {
      int[] base = broker.openConnections();
      boolean stored = false; // a persistent session with the subscription exists
      for (int round = 0; round < 6; round++) {
        boolean clean = round % 3 == 2;
        int k = 4;
        List<MqttWire> sockets = new ArrayList<>();
        for (int i = 0; i < k; i++) {
          sockets.add(MqttWire.open311(broker.port()));
        }
        byte[] connect = bytes(new io.tributary.mqtt.codec.Connect(4, "cc", clean, 0, null, null, null));
        // All CONNECTs at once, from k threads, landing on both loops.
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.CompletableFuture<Void>> sends = new ArrayList<>();
        for (MqttWire s : sockets) {
          sends.add(java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
              go.await();
              s.sendBytes(connect);
            } catch (Exception e) {
              throw new RuntimeException(e);
            }
          }));
        }
        go.countDown();
        for (var f : sends) {
          f.get(T, TimeUnit.MILLISECONDS);
        }
        // Every CONNECT is accepted; each later one closes the one before, so one survives.
        int present = 0;
        for (MqttWire s : sockets) {
          ConnAck ack = s.expect(ConnAck.class, T);
          assertEquals(0, ack.returnCode());
          present += ack.sessionPresent() ? 1 : 0;
        }
        // Clean: never present. Persistent: all but possibly the first to attach see the state.
        int expectedPresent = clean ? 0 : stored ? k : k - 1;
        assertEquals(expectedPresent, present, "round " + round + ": CONNACKs with session present");
        MqttWire survivor = null;
        for (MqttWire s : sockets) {
          if (!s.awaitClosed(QUIET)) {
            assertTrue(survivor == null, "round " + round + ": more than one connection for one client id");
            survivor = s;
          }
        }
        assertNotNull(survivor, "round " + round + ": every connection was closed");
        int loop = MqttWire.loopOfNewClient(broker, base); // and the broker agrees: one left
        assertTrue(loop >= 0);
        if (clean || !stored) {
          assertEquals(1, survivor.subscribe("cc/#", 1));
        }
        stored = !clean;
        pub.publishAndComplete("cc/x", 1, "r" + round);
        Publish p = survivor.nextPublishAcking(T);
        assertEquals("r" + round, MqttWire.text(p));
        survivor.expectNothing(100);
        if (clean) {
          survivor.disconnect();
        }
        for (MqttWire s : sockets) {
          s.close();
        }
        MqttWire.awaitOpenConnections(broker, base);
      }
    }
  }

  @Test
  void takeoverClosesAConnectionThatHasStoppedReading() throws Exception {
    try (TestBroker broker = TestBroker.start();
        MqttWire pub = MqttWire.connect311(broker.port(), "ts-pub", true)) {
      int[] base = broker.openConnections();
      MqttWire stalled = MqttWire.open311(broker.port(), 4096);
      try {
        assertEquals(0, stalled.connect("ts", false, 0, (Will) null).returnCode());
        assertEquals(0, stalled.subscribe("ts/#", 0));
        // It stops reading; its socket and the broker's queue for it fill up.
        byte[] payload = new byte[64 * 1024];
        for (int i = 0; i < 320; i++) {
          pub.publish("ts/data", 0, false, payload);
        }
        pub.publishAndComplete("ts-sync", 1, "sync");
        try (MqttWire next = MqttWire.open311(broker.port())) {
          ConnAck ack = next.connect("ts", false, 0, (Will) null);
          assertTrue(ack.sessionPresent());
          // The broker lets go of the old connection even though its queued data cannot be sent.
          MqttWire.loopOfNewClient(broker, base);
          pub.publishAndComplete("ts/x", 0, "after");
          Publish p = next.expectPublish(T);
          assertEquals("after", MqttWire.text(p));
          // And the old client, once it reads, finds the connection closed.
          assertTrue(stalled.awaitClosed(T), "the stalled connection was closed");
        }
      } finally {
        stalled.close();
      }
    }
  }

  private static byte[] bytes(io.tributary.mqtt.codec.Packet p) {
    io.netty.buffer.ByteBuf b = io.tributary.mqtt.codec.MqttEncoder.encode(p, 4,
        io.netty.buffer.UnpooledByteBufAllocator.DEFAULT);
    try {
      return io.netty.buffer.ByteBufUtil.getBytes(b);
    } finally {
      b.release();
    }
  }

  static MqttCallback callback(BlockingQueue<String> got, CountDownLatch lost) {
    return new MqttCallback() {
      @Override
      public void connectionLost(Throwable cause) {
        lost.countDown();
      }

      @Override
      public void messageArrived(String topic, MqttMessage message) {
        got.add(topic + "=" + new String(message.getPayload()));
      }

      @Override
      public void deliveryComplete(IMqttDeliveryToken token) {
      }
    };
  }
}
