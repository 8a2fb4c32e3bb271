package io.tributary.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.tributary.mqtt.codec.Will;
import io.tributary.commitlog.CommitLogOptions;
import io.tributary.mqtt.codec.Ack;
import io.tributary.mqtt.codec.Packet;
import io.tributary.mqtt.codec.PacketType;
import io.tributary.mqtt.codec.Publish;
import io.tributary.router.RouterOptions;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A subscriber that does not keep up must not make the broker buffer without bound, slow the
 * broker down for others, or lose messages silently (DESIGN.md "Offsets, sessions, slow
 * consumers"). The broker runs in this JVM, so its heap is the test's heap.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BackPressureTest {

  private static final long T = 10_000;
  private static final int PAYLOAD = 64 * 1024;
  private static final long SENT_BYTES = 200L << 20;
  private static final long RETENTION = 32L << 20;

  @Test
  void stalledQos0SubscriberIsBoundedAndCatchesUpWithCountedLoss() throws Exception {
    // 4 MiB segments (64 records of 64 KiB), so byte retention can work at this payload size
    // (the log never drops its active segment).
    RouterOptions router = new RouterOptions()
        .setLog(new CommitLogOptions().setRetentionBytes(RETENTION).setSegmentBytes(4L << 20));
    int n = (int) (SENT_BYTES / PAYLOAD);
    try (TestBroker broker = TestBroker.start(2, new MqttOptions(), router);
        MqttWire slow = MqttWire.open311(broker.port(), 32 * 1024);
        MqttWire pub = MqttWire.connect311(broker.port(), "bp-pub", true)) {
      assertEquals(0, slow.connect("bp-slow", true, 0, (Will) null).returnCode());
      assertEquals(0, slow.subscribe("bp/#", 0));
      // From here on the slow subscriber does not read its socket.

      MqttClient probe = new MqttClient(broker.tcpUri(), "bp-probe", new MemoryPersistence());
      BlockingQueue<String> probeGot = new LinkedBlockingQueue<>();
      probe.setCallback(SessionTest.collector(probeGot));
      MqttConnectOptions probeOptions = new MqttConnectOptions();
      probeOptions.setKeepAliveInterval(1);
      probeOptions.setMaxInflight(1000); // see SessionTest: Paho 1.2.5 in-flight accounting
      probe.connect(probeOptions);
      probe.subscribe("probe/#", 1);
      try {
        long baseline = usedHeapAfterGc();
        byte[] payload = new byte[PAYLOAD];
        for (int i = 0; i < n; i++) {
          ByteBuffer.wrap(payload).putLong(0, i);
          pub.publish("bp/data", 0, false, payload);
          if (i % 400 == 399) {
            // Others are served while the slow subscriber is stalled.
            probeRoundTrip(probe, probeGot, "during-" + i);
          }
        }
        // The publisher's stream is in the broker once a QoS 1 publish after it is acknowledged.
        pub.publishAndComplete("bp-sync", 1, "sync");
        probeRoundTrip(probe, probeGot, "after");
        assertEquals(n + 1 + (n / 400) + 1, broker.broker().publishedCount(), "every publish reached the log");

        long grown = usedHeapAfterGc() - baseline;
        assertTrue(grown < 100L << 20,
            "heap grew by " + (grown >> 20) + " MiB while " + (SENT_BYTES >> 20)
                + " MiB went to a stalled subscriber: the broker buffers for it");
        long retained = broker.broker().log().retainedBytes();
        assertTrue(retained <= RETENTION + (8L << 20), "log retains " + (retained >> 20) + " MiB");
        assertEquals(3, java.util.Arrays.stream(broker.openConnections()).sum(),
            "the stalled subscriber is not disconnected (it, the publisher and the probe)");

        // The subscriber reads again: it gets what was already on its way, then resumes from the
        // log, past the records retention removed meanwhile, counted as lost. Order is kept.
        pub.publish("bp/end", 0, false, new byte[8]);
        List<Long> seqs = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(30_000);
        boolean end = false;
        while (!end) {
          assertTrue(System.nanoTime() < deadline, "end marker not received; got " + seqs.size() + " messages");
          Packet p = slow.read(T);
          assertNotNull(p, "the subscriber receives messages again after it reads; got " + seqs.size());
          Publish pp = (Publish) p;
          assertEquals(0, pp.qos());
          if (pp.topic().equals("bp/end")) {
            end = true;
          } else {
            seqs.add(pp.payload().getLong(pp.payload().readerIndex()));
          }
        }
        for (int i = 1; i < seqs.size(); i++) {
          assertTrue(seqs.get(i) > seqs.get(i - 1), "out of order at " + i + ": " + seqs.get(i - 1) + ", " + seqs.get(i));
        }
        assertEquals(n - 1, seqs.get(seqs.size() - 1), "catches up to the newest record");
        long missing = n - seqs.size();
        assertTrue(missing > 0, "retention (32 MiB) removed records the stalled subscriber had not read");
        assertTrue(broker.broker().lostCount() >= missing,
            "lost " + missing + " records but only " + broker.broker().lostCount() + " were counted");
        // And live again afterwards.
        probeRoundTrip(probe, probeGot, "end");
        pub.publish("bp/live", 0, false, new byte[8]);
        Publish live = slow.expectPublish(T);
        assertEquals("bp/live", live.topic());
      } finally {
        probe.disconnect();
        probe.close();
      }
    }
  }

  @Test
  void slowQos1SubscriberGetsEverythingInOrderWithinTheInflightWindow() throws Exception {
    int window = 16;
    int n = 3000;
    int payloadSize = 8 * 1024; // window x payload > the write queue bound: both limits are hit
    try (TestBroker broker = TestBroker.start(2, new MqttOptions(), new RouterOptions().setMaxInflight(window));
        MqttWire sub = MqttWire.open311(broker.port(), 16 * 1024);
        MqttWire pub = MqttWire.connect311(broker.port(), "bq-pub", true)) {
      assertEquals(0, sub.connect("bq-sub", true, 0, (Will) null).returnCode());
      assertEquals(1, sub.subscribe("bq/#", 1));

      CompletableFuture<Void> published = CompletableFuture.runAsync(() -> {
        try {
          byte[] payload = new byte[payloadSize];
          for (int i = 0; i < n; i++) {
            ByteBuffer.wrap(payload).putLong(0, i);
            int id = pub.publish("bq/data", 1, false, payload);
            Ack ack = pub.expectAck(PacketType.PUBACK, T);
            assertEquals(id, ack.packetId());
          }
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      });

      List<Integer> outstanding = new ArrayList<>();
      long next = 0;
      while (next < n) {
        Packet p = sub.read(T);
        assertNotNull(p, "delivery stalled after " + next + " of " + n + " with "
            + outstanding.size() + " unacknowledged");
        if (!(p instanceof Publish)) {
          fail("unexpected " + p);
        }
        Publish m = (Publish) p;
        assertEquals(1, m.qos());
        assertFalse(m.dup(), "no resends on a live connection: " + m);
        assertEquals(next, m.payload().getLong(m.payload().readerIndex()), "in order, none lost, none twice");
        next++;
        outstanding.add(m.packetId());
        assertTrue(outstanding.size() <= window, "more than " + window + " unacknowledged in flight");
        if (outstanding.size() == window || next == n) {
          // Acknowledge only when the window is full: the broker must wait for us in between.
          for (int id : outstanding) {
            sub.ack(PacketType.PUBACK, id);
          }
          outstanding.clear();
        }
        if (next % 100 == 0) {
          Thread.sleep(5); // a slow reader
        }
      }
      published.get(T, TimeUnit.MILLISECONDS);
      sub.expectNothing(200);
      assertEquals(0, broker.broker().lostCount());
    }
  }

  @Test
  void clientThatDoesNotReadItsRepliesStopsBeingRead() throws Exception {
    // PINGREQ in, PINGRESP out, byte for byte: a client that floods PINGREQs (or QoS 1 PUBLISHes)
    // and never reads would have the broker queue replies without bound unless it stops reading.
    // More than all socket buffers on both sides can hold (Linux may autotune a receive buffer up
    // to net.ipv4.tcp_rmem max, 32 MiB here, plus 4 MiB of send buffer), so only the broker not
    // reading stops the writer.
    long cap = 48L << 20;
    try (TestBroker broker = TestBroker.start();
        MqttWire flood = MqttWire.open311(broker.port(), 4096);
        MqttWire other = MqttWire.connect311(broker.port(), "pf-other", true)) {
      assertEquals(0, flood.connect("pf-flood", true, 0, (Will) null).returnCode());
      long baseline = usedHeapAfterGc();
      byte[] chunk = new byte[64 * 1024];
      for (int i = 0; i < chunk.length; i += 2) {
        chunk[i] = (byte) 0xC0; // PINGREQ, remaining length 0
      }
      java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
      Thread writer = new Thread(() -> {
        try {
          while (written.get() < cap) {
            flood.sendBytes(chunk);
            written.addAndGet(chunk.length);
          }
        } catch (Exception e) {
          // the socket was closed under the writer at the end of the test
        }
      }, "pingreq-flood");
      writer.setDaemon(true);
      writer.start();
      // Wait until the writer finishes or makes no progress for a second (blocked by TCP).
      long last = -1;
      while (writer.isAlive() && written.get() != last) {
        last = written.get();
        writer.join(1000);
      }
      boolean blocked = writer.isAlive();
      long sent = written.get();
      // Others are unaffected meanwhile.
      other.ping();
      other.expect(io.tributary.mqtt.codec.PingResp.class, T);
      long grown = usedHeapAfterGc() - baseline;
      System.out.println("flood: " + (sent >> 10) + " KiB of PINGREQ written, writer blocked " + blocked
          + ", heap grew " + (grown >> 20) + " MiB");
      assertTrue(grown < 64L << 20, "heap grew by " + (grown >> 20) + " MiB of queued replies to a client that does not read");
      assertTrue(blocked, "the broker kept reading " + (sent >> 20) + " MiB from a client that reads nothing");

      // Once it reads, the broker reads again: the writer gets to the end, and every PINGREQ is
      // answered, none dropped; the connection stays up.
      byte[] in = new byte[256 * 1024];
      long received = 0;
      while (received < cap) {
        int n = flood.readRaw(in, T);
        assertTrue(n > 0, "replies stopped at " + received + " of " + cap + " bytes; writer wrote "
            + written.get());
        for (int i = 0; i < n; i++) {
          int expected = (received + i) % 2 == 0 ? 0xD0 : 0x00; // PINGRESP: D0 00
          if ((in[i] & 0xFF) != expected) {
            fail("byte " + (received + i) + " is " + (in[i] & 0xFF) + ", not part of a PINGRESP");
          }
        }
        received += n;
      }
      writer.join(T);
      assertFalse(writer.isAlive());
      assertEquals(cap, written.get());
      flood.expectNothing(200);
    }
  }

  private static void probeRoundTrip(MqttClient probe, BlockingQueue<String> got, String tag) throws Exception {
    probe.publish("probe/x", tag.getBytes(), 1, false);
    assertEquals("probe/x=" + tag, got.poll(T, TimeUnit.MILLISECONDS), "probe round trip " + tag);
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(50);
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
