package io.tributary.mqtt;

import static io.tributary.mqtt.MqttWire.assertPublish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.mqtt.codec.Publish;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The will message (MQTT-3.1.2-8): published when the network connection closes without a
 * DISCONNECT, whatever the cause (socket drop, keep-alive expiry, protocol violation), and never
 * after DISCONNECT; its retain flag and QoS are honoured.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WillTest {

  private static final long T = 5000;
  private static final long QUIET = 500;

  @Test
  void willIsPublishedWhenTheSocketDrops() throws Exception {
    try (TestBroker broker = TestBroker.start();
        MqttWire watcher = watcher(broker)) {
      MqttWire c = MqttWire.connect311(broker.port(), "w-drop", true, 0,
          MqttWire.will("will/drop", "dropped", 1, false));
      c.close(); // FIN, no DISCONNECT
      assertPublish(watcher.nextPublishAcking(T), "will/drop", "dropped", 1);
      watcher.expectNothing(QUIET); // once

      MqttWire reset = MqttWire.connect311(broker.port(), "w-reset", true, 0,
          MqttWire.will("will/reset", "reset", 1, false));
      reset.abort(); // RST
      assertPublish(watcher.nextPublishAcking(T), "will/reset", "reset", 1);
      watcher.expectNothing(QUIET);
    }
  }

  @Test
  void willIsPublishedWhenKeepAliveExpiresAndTheConnectionIsClosed() throws Exception {
    try (TestBroker broker = TestBroker.start();
        MqttWire watcher = watcher(broker);
        MqttWire silent = MqttWire.connect311(broker.port(), "w-ka", true, 1,
            MqttWire.will("will/ka", "timed-out", 1, false))) {
      long start = System.nanoTime();
      // Sends nothing more: 1.5 x 1 s without a packet closes the connection, will included.
      Publish will = watcher.nextPublishAcking(T);
      long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertPublish(will, "will/ka", "timed-out", 1);
      assertTrue(elapsedMs >= 1000, "will published only after the keep-alive grace: " + elapsedMs + " ms");
      assertTrue(silent.awaitClosed(T), "the silent connection is closed");
    }
  }

  @Test
  void willIsPublishedOnProtocolViolation() throws Exception {
    try (TestBroker broker = TestBroker.start();
        MqttWire watcher = watcher(broker)) {
      try (MqttWire c = MqttWire.connect311(broker.port(), "w-bad", true, 0,
          MqttWire.will("will/bad", "malformed", 1, false))) {
        // PUBLISH with QoS 3 (both QoS bits set): malformed (MQTT-3.3.1-4).
        c.sendBytes(new byte[] {0x36, 0x05, 0x00, 0x01, 'a', 0x00, 0x01});
        assertTrue(c.awaitClosed(T), "the broker closes a connection that sends a malformed packet");
        assertPublish(watcher.nextPublishAcking(T), "will/bad", "malformed", 1);
      }
      try (MqttWire c = MqttWire.connect311(broker.port(), "w-second", true, 0,
          MqttWire.will("will/second", "second-connect", 1, false))) {
        // A second CONNECT on one connection is a protocol violation (MQTT-3.1.0-2).
        c.send(new io.tributary.mqtt.codec.Connect(4, "w-second", true, 0, null, null, null));
        assertTrue(c.awaitClosed(T), "the broker closes a connection that sends CONNECT twice");
        assertPublish(watcher.nextPublishAcking(T), "will/second", "second-connect", 1);
      }
      watcher.expectNothing(QUIET / 2);
    }
  }

  @Test
  void willIsNotPublishedAfterDisconnect() throws Exception {
    try (TestBroker broker = TestBroker.start();
        MqttWire watcher = watcher(broker)) {
      try (MqttWire c = MqttWire.connect311(broker.port(), "w-clean", true, 0,
          MqttWire.will("will/clean", "should-not-appear", 1, false))) {
        c.disconnect();
        assertTrue(c.awaitClosed(T), "the broker closes after DISCONNECT");
      }
      try (MqttWire c = MqttWire.connect311(broker.port(), "w-clean-persist", false, 1,
          MqttWire.will("will/clean", "should-not-appear-either", 1, false))) {
        c.disconnect();
        assertTrue(c.awaitClosed(T));
      }
      // Longer than the second client's keep-alive grace: no timer fires a will later either.
      watcher.expectNothing(2000);
      assertEquals(0, broker.broker().retained().size(), "nothing retained");
    }
  }

  @Test
  void disconnectPipelinedBehindConnectDuringATakeoverStillDiscardsTheWill() throws Exception {
    try (TestBroker broker = TestBroker.start();
        MqttWire watcher = watcher(broker)) {
      assertEquals(0, watcher.subscribe("pd/#", 0));
      int[] base = broker.openConnections();
      for (int round = 0; round < 4; round++) {
        // The client id is connected elsewhere, so the new CONNECT waits for a takeover while
        // PUBLISH and DISCONNECT arrive behind it, and the client closes its socket at once.
        MqttWire old = MqttWire.connect311(broker.port(), "pd", true);
        java.io.ByteArrayOutputStream burst = new java.io.ByteArrayOutputStream();
        burst.write(bytes(new io.tributary.mqtt.codec.Connect(4, "pd", true, 0, null, null,
            MqttWire.will("will/pd", "should-not-appear", 1, false))));
        burst.write(bytes(new Publish("pd/x", 0, false, false, 0,
            io.netty.buffer.Unpooled.wrappedBuffer(("sent-" + round).getBytes()))));
        burst.write(bytes(io.tributary.mqtt.codec.Disconnect.INSTANCE));
        try (MqttWire c = MqttWire.open311(broker.port())) {
          c.sendBytes(burst.toByteArray());
        } // closed right away, before the CONNACK
        assertTrue(old.awaitClosed(T), "the old connection is taken over");
        old.close();
        // The PUBLISH the broker received is delivered; the DISCONNECT it received means no will.
        Publish p = watcher.nextPublishAcking(T);
        assertEquals("pd/x", p.topic(), "round " + round + ": got " + p + " " + MqttWire.text(p));
        assertEquals("sent-" + round, MqttWire.text(p));
        watcher.expectNothing(200);
        MqttWire.awaitOpenConnections(broker, base);
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

  @Test
  void willRetainFlagStoresItAsRetained() throws Exception {
    try (TestBroker broker = TestBroker.start()) {
      MqttWire c = MqttWire.connect311(broker.port(), "w-ret", true, 0,
          MqttWire.will("will/retained", "last-words", 1, true));
      c.close();
      // A subscriber that arrives afterwards gets it as a retained message. The broker publishes
      // the will when it sees the close, which can come after a subscribe here: that subscriber
      // gets it live (retain 0), and the next one must get it from the retained store.
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(T);
      Publish p = null;
      while ((p == null || !p.retain()) && System.nanoTime() < deadline) {
        try (MqttWire late = MqttWire.connect311(broker.port(), "w-late", true)) {
          assertEquals(1, late.subscribe("will/#", 1));
          var packet = late.read(200);
          if (packet instanceof Publish) {
            p = (Publish) packet;
          }
        }
      }
      assertTrue(p != null, "the will was stored as retained");
      assertPublish(p, "will/retained", "last-words", 1);
      assertTrue(p.retain(), "delivered from the retained store: retain flag set");
    }
  }

  @Test
  void willQosIsHonoured() throws Exception {
    try (TestBroker broker = TestBroker.start();
        MqttWire watcher = MqttWire.connect311(broker.port(), "w-qos-watch", true)) {
      assertEquals(2, watcher.subscribe("will/#", 2));
      for (int qos = 0; qos <= 2; qos++) {
        MqttWire c = MqttWire.connect311(broker.port(), "w-qos" + qos, true, 0,
            MqttWire.will("will/q" + qos, "q" + qos, qos, false));
        c.close();
        Publish p = watcher.nextPublishAcking(T);
        assertPublish(p, "will/q" + qos, "q" + qos, qos);
        assertFalse(p.retain(), "a non-retained will is delivered with retain 0");
      }
      // Complete the QoS 2 flow and make sure nothing else is pending.
      var rel = watcher.read(T);
      assertTrue(rel instanceof io.tributary.mqtt.codec.Ack, "PUBREL for the QoS 2 will, got " + rel);
      watcher.ack(io.tributary.mqtt.codec.PacketType.PUBCOMP, ((io.tributary.mqtt.codec.Ack) rel).packetId());
      watcher.expectNothing(QUIET / 2);
    }
  }

  private static MqttWire watcher(TestBroker broker) throws Exception {
    MqttWire w = MqttWire.connect311(broker.port(), "will-watcher", true);
    assertEquals(1, w.subscribe("will/#", 1));
    return w;
  }
}
