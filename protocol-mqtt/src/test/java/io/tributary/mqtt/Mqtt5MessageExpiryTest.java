package io.tributary.mqtt;

import static io.tributary.mqtt.MqttWire.T;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.mqtt.codec.MqttProperties;
import io.tributary.mqtt.codec.PacketType;
import io.tributary.mqtt.codec.Publish;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Message Expiry Interval: an expired message is never delivered (online while it waits behind
 * the client's receive maximum, retained, or queued for an offline session), and the interval
 * forwarded is the original minus the time the message waited (MQTT-3.3.2-5, -6).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Mqtt5MessageExpiryTest {

  private static final long QUIET = 500;

  private static MqttProperties expiresIn(long seconds) {
    return new MqttProperties().messageExpiryInterval(seconds);
  }

  @Test
  void liveDeliveryForwardsTheIntervalAndAMessageWaitingInTheWindowExpires() throws Exception {
    try (TestBroker broker = TestBroker.start();
        MqttWire pub = MqttWire.connect5(broker.port(), "me-pub", true, (Long) null);
        // Receive Maximum 1: one unacknowledged QoS 1 message at a time; the rest wait.
        MqttWire sub = MqttWire.connect5(broker.port(), "me-sub", true, 60, null,
            new MqttProperties().receiveMaximum(1))) {
      sub.subscribe("me/t", 1);
      pub.publishAndComplete("me/t", 1, false, "first", expiresIn(60));
      Publish first = sub.expectPublish(T); // not acknowledged yet
      assertEquals("first", MqttWire.text(first));
      Long left = first.properties().messageExpiryInterval();
      assertNotNull(left, "the interval is forwarded: " + first);
      assertTrue(left >= 58 && left <= 60, "forwarded interval about 60: " + left);

      pub.publishAndComplete("me/t", 1, false, "short-lived", expiresIn(1));
      pub.publishAndComplete("me/t", 1, false, "no expiry", MqttProperties.EMPTY);
      sub.expectNothing(2000); // the window is full; meanwhile "short-lived" expires
      sub.ack(PacketType.PUBACK, first.packetId());
      Publish next = sub.nextPublishAcking(T);
      assertEquals("no expiry", MqttWire.text(next), "the expired message was skipped");
      assertNull(next.properties().messageExpiryInterval(), "no interval on a message without one");
      sub.expectNothing(QUIET);
      sub.disconnectAndWait();
    }
  }

  @Test
  void expiredMessagesAreNotDeliveredFromTheOfflineQueueAndTheIntervalIsReduced() throws Exception {
    try (TestBroker broker = TestBroker.start()) {
      MqttClient sub = new MqttClient(broker.tcpUri(), "mo-sub", new MemoryPersistence());
      try {
        MqttConnectionOptions o = Mqtt5ConnectTest.pahoOptions();
        o.setSessionExpiryInterval(300L);
        sub.connect(o);
        sub.subscribe("mo/t", 1).waitForCompletion(T);
        sub.disconnect(5000);

        try (MqttWire pub = MqttWire.connect5(broker.port(), "mo-pub", true, (Long) null)) {
          pub.publishAndComplete("mo/t", 1, false, "expires in 1", expiresIn(1));
          pub.publishAndComplete("mo/t", 1, false, "never expires", MqttProperties.EMPTY);
          pub.publishAndComplete("mo/t", 1, false, "expires in 60", expiresIn(60));
          pub.publishAndComplete("mo/t", 2, false, "qos2 expires in 1", expiresIn(1));
        }
        Thread.sleep(2100);

        LinkedBlockingQueue<Object[]> got = new LinkedBlockingQueue<>();
        sub.setCallback(new Mqtt5ConnectTest.Callback(got));
        o.setCleanStart(false);
        assertTrue(sub.connectWithResult(o).getSessionPresent());
        MqttMessage a = take(got, "never expires");
        assertNull(a.getProperties().getMessageExpiryInterval(), "no interval: " + a.getProperties());
        MqttMessage b = take(got, "expires in 60");
        Long left = b.getProperties().getMessageExpiryInterval();
        assertNotNull(left, "interval forwarded");
        assertTrue(left <= 58 && left >= 50, "interval reduced by the ~2 s the message waited: " + left);
        Object[] extra = got.poll(QUIET, TimeUnit.MILLISECONDS);
        assertNull(extra, "expired messages must not be delivered, got "
            + (extra == null ? "" : new String(((MqttMessage) extra[1]).getPayload(), StandardCharsets.UTF_8)));
      } finally {
        Mqtt5ConnectTest.closePaho(sub);
      }
    }
  }

  @Test
  void anExpiredRetainedMessageIsNotSentOnSubscribe() throws Exception {
    try (TestBroker broker = TestBroker.start();
        MqttWire pub = MqttWire.connect5(broker.port(), "mr-pub", true, (Long) null)) {
      pub.publishAndComplete("mr/short", 1, true, "short", expiresIn(1));
      pub.publishAndComplete("mr/long", 1, true, "long", expiresIn(60));
      try (MqttWire early = MqttWire.connect5(broker.port(), "mr-early", true, (Long) null)) {
        early.subscribe("mr/short", 1);
        Publish p = early.nextPublishAcking(T);
        assertEquals("short", MqttWire.text(p));
        assertTrue(p.retain());
        Long left = p.properties().messageExpiryInterval();
        assertTrue(left != null && left <= 1, "retained interval forwarded and not above 1: " + left);
        early.disconnectAndWait();
      }
      Thread.sleep(2100);
      try (MqttWire late = MqttWire.connect5(broker.port(), "mr-late", true, (Long) null)) {
        late.subscribe("mr/#", 1);
        Publish p = late.nextPublishAcking(T);
        assertEquals("long", MqttWire.text(p), "only the unexpired retained message");
        Long left = p.properties().messageExpiryInterval();
        assertTrue(left != null && left <= 58, "retained interval reduced by the time it waited: " + left);
        late.expectNothing(QUIET);
        late.disconnectAndWait();
      }
    }
  }

  private static MqttMessage take(LinkedBlockingQueue<Object[]> q, String payload) throws InterruptedException {
    Object[] m = q.poll(T, TimeUnit.MILLISECONDS);
    assertNotNull(m, "expected '" + payload + "'");
    MqttMessage mm = (MqttMessage) m[1];
    assertEquals(payload, new String(mm.getPayload(), StandardCharsets.UTF_8));
    return mm;
  }
}
