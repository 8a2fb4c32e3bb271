package io.tributary.mqtt;

import static io.tributary.mqtt.WireClient.assertPublish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.mqtt.codec.ConnAck;
import io.tributary.mqtt.codec.PacketType;
import io.tributary.mqtt.codec.Publish;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
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
        WireClient pub = WireClient.connect(broker.port(), "tk-pub", true)) {
      int[] base = broker.openConnections();
      List<Integer> loops = new ArrayList<>();
      WireClient prev = null;
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
            WireClient.open(broker.port()).close();
            WireClient.awaitOpenConnections(broker, withPrev);
          }
          WireClient c = WireClient.open(broker.port());
          ConnAck ack = c.connect("tk", false, 0, null);
          assertEquals(0, ack.returnCode());
          assertEquals(round > 0, ack.sessionPresent(), "round " + round + ": session present");
          if (prev != null) {
            assertTrue(prev.awaitClosed(T), "round " + round + ": the previous connection is closed");
          }
          prev = c;
          prevLoop = WireClient.loopOfNewClient(broker, base);
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
        WireClient pub = WireClient.connect(broker.port(), "tc-pub", true);
        WireClient first = WireClient.connect(broker.port(), "tc", false)) {
      assertEquals(1, first.subscribe("tc/#", 1));
      try (WireClient second = WireClient.open(broker.port())) {
        ConnAck ack = second.connect("tc", true, 0, null);
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
        WireClient watcher = WireClient.connect(broker.port(), "tw-watch", true)) {
      assertEquals(1, watcher.subscribe("will/#", 1));
      WireClient first = WireClient.connect(broker.port(), "tw", false, 0,
          WireClient.will("will/tw", "first-gone", 1, false));
      try (WireClient second = WireClient.connect(broker.port(), "tw", false, 0,
          WireClient.will("will/tw", "second-gone", 1, false))) {
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
