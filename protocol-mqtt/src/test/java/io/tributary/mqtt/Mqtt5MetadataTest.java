package io.tributary.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.mqtt.codec.Ack;
import io.tributary.mqtt.codec.MqttProperties;
import io.tributary.mqtt.codec.PacketType;
import io.tributary.mqtt.codec.Publish;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5 request/response metadata forwarded unchanged (live, from an offline queue, retained),
 * payload format validation, and PUBACK/PUBREC 0x10 "no matching subscribers" (issue 3).
 */
class Mqtt5MetadataTest {

  private static final byte[] CORRELATION = {0, 1, 2, (byte) 0xFF, (byte) 0x80, 42};
  private static final List<UserProperty> USER_PROPERTIES = List.of(
      new UserProperty("k", "1"), new UserProperty("a", "x"), new UserProperty("k", "2"),
      new UserProperty("k", "1"), new UserProperty("ü", "ñ€"));

  private TestBroker broker;
  private final List<AutoCloseable> open = new ArrayList<>();

  @BeforeEach
  void start() {
    broker = TestBroker.start();
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
    broker.close();
  }

  private <T extends AutoCloseable> T track(T c) {
    open.add(c);
    return c;
  }

  private static MqttMessage withMetadata(String payload, int qos, boolean retain) {
    MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
    m.setQos(qos);
    m.setRetained(retain);
    org.eclipse.paho.mqttv5.common.packet.MqttProperties p = new org.eclipse.paho.mqttv5.common.packet.MqttProperties();
    p.setResponseTopic("reply/to/me");
    p.setCorrelationData(CORRELATION);
    p.setContentType("application/json; charset=utf-8");
    p.setPayloadFormat(true);
    p.setUserProperties(new ArrayList<>(USER_PROPERTIES));
    m.setProperties(p);
    return m;
  }

  private static void assertMetadata(Mqtt5Paho.Received r, String payload) {
    assertEquals(payload, r.text());
    org.eclipse.paho.mqttv5.common.packet.MqttProperties p = r.message().getProperties();
    assertEquals("reply/to/me", p.getResponseTopic());
    assertArrayEquals(CORRELATION, p.getCorrelationData());
    assertEquals("application/json; charset=utf-8", p.getContentType());
    assertTrue(p.getPayloadFormat(), "Payload Format Indicator 1");
    assertEquals(USER_PROPERTIES, p.getUserProperties(), "user properties in order, duplicates kept");
  }

  private static void assertNoMetadata(Mqtt5Paho.Received r) {
    org.eclipse.paho.mqttv5.common.packet.MqttProperties p = r.message().getProperties();
    assertNull(p.getResponseTopic());
    assertNull(p.getCorrelationData());
    assertNull(p.getContentType());
    assertFalse(p.getPayloadFormat());
    assertTrue(p.getUserProperties() == null || p.getUserProperties().isEmpty());
  }

  @Test
  void metadataIsForwardedUnchangedToLiveSubscribers() throws Exception {
    Mqtt5Paho sub = track(Mqtt5Paho.connect(broker, "md-sub"));
    sub.subscribe("md/#", 2);
    Mqtt5Paho pub = track(Mqtt5Paho.connect(broker, "md-pub"));
    for (int qos = 0; qos <= 2; qos++) {
      pub.publish("md/live", withMetadata("{\"q\":" + qos + "}", qos, false));
      Mqtt5Paho.Received r = sub.next();
      assertMetadata(r, "{\"q\":" + qos + "}");
      assertEquals(qos, r.message().getQos());
    }
    // A message without metadata gets none (nothing carried over from the previous one).
    pub.publish("md/live", "plain", 1, false);
    Mqtt5Paho.Received plain = sub.next();
    assertEquals("plain", plain.text());
    assertNoMetadata(plain);
  }

  @Test
  void metadataIsForwardedFromTheOfflineQueue() throws Exception {
    Mqtt5Paho sub = Mqtt5Paho.connect(broker, "md-offline", o -> o.setSessionExpiryInterval(300L));
    sub.subscribe("md/offline", 1);
    sub.disconnect();
    sub.close();
    try (Mqtt5Paho pub = Mqtt5Paho.connect(broker, "md-offline-pub")) {
      pub.publish("md/offline", withMetadata("queued", 1, false));
    }
    Mqtt5Paho back = track(Mqtt5Paho.connect(broker, "md-offline", o -> {
      o.setCleanStart(false);
      o.setSessionExpiryInterval(300L);
    }));
    assertMetadata(back.next(), "queued");
  }

  @Test
  void metadataIsKeptWithARetainedMessage() throws Exception {
    try (Mqtt5Paho pub = Mqtt5Paho.connect(broker, "md-ret-pub")) {
      pub.publish("md/retained", withMetadata("kept", 1, true));
    }
    Mqtt5Paho sub = track(Mqtt5Paho.connect(broker, "md-ret-sub"));
    sub.subscribe("md/retained", 1);
    Mqtt5Paho.Received r = sub.next();
    assertTrue(r.message().isRetained());
    assertMetadata(r, "kept");
  }

  @Test
  void invalidUtf8WithPayloadFormatIndicator1IsDisconnected0x99() throws Exception {
    Mqtt5Paho sub = track(Mqtt5Paho.connect(broker, "md-pfi-sub"));
    sub.subscribe("pfi/#", 1);
    MqttWire pub = track(MqttWire.connect5(broker.port(), "md-pfi"));
    // Binary (not UTF-8) data is fine when the payload is not declared UTF-8.
    pub.publish("pfi/a", 1, false, new byte[] {(byte) 0xC3, 0x28}, new MqttProperties().payloadFormatIndicator(0));
    pub.expectAck(PacketType.PUBACK, 5000);
    assertEquals(2, sub.next().message().getPayload().length);
    // 0xC3 0x28 is not well-formed UTF-8.
    pub.publish("pfi/a", 1, false, new byte[] {'o', 'k', (byte) 0xC3, 0x28},
        new MqttProperties().payloadFormatIndicator(1));
    pub.expectDisconnect(0x99, 5000);
    sub.expectNothing(300);
  }

  private static int ackReason(MqttWire c, String topic, int qos) throws Exception {
    int id = c.publish(topic, qos, "x");
    Ack ack = c.expectAck(qos == 1 ? PacketType.PUBACK : PacketType.PUBREC, 5000);
    assertEquals(id, ack.packetId());
    if (qos == 2) {
      c.ack(PacketType.PUBREL, id);
      c.expectAck(PacketType.PUBCOMP, 5000);
    }
    return ack.reasonCode();
  }

  @Test
  void noMatchingSubscribersIs0x10ForPubackAndPubrec() throws Exception {
    MqttWire pub = track(MqttWire.connect5(broker.port(), "nms-pub"));
    assertEquals(0x10, ackReason(pub, "nms/a", 1), "PUBACK with nobody subscribed");
    assertEquals(0x10, ackReason(pub, "nms/a", 2), "PUBREC with nobody subscribed");

    Mqtt5Paho sub = track(Mqtt5Paho.connect(broker, "nms-sub"));
    sub.subscribe("nms/+", 1);
    assertEquals(0x00, ackReason(pub, "nms/a", 1));
    assertEquals(0x00, ackReason(pub, "nms/a", 2));
    assertEquals(0x10, ackReason(pub, "nms/a/deeper", 1), "a filter that does not match");

    sub.client.unsubscribe("nms/+").waitForCompletion(5000);
    assertEquals(0x10, ackReason(pub, "nms/a", 1), "after the only subscription is gone");

    // Paho sees the same reason code on its publish token.
    try (Mqtt5Paho paho = Mqtt5Paho.connect(broker, "nms-paho")) {
      assertArrayEquals(new int[] {0x10}, paho.publish("nms/b", "y", 1, false));
    }
  }

  @Test
  void offlinePersistentSubscriberCountsAsAMatch() throws Exception {
    Mqtt5Paho sub = Mqtt5Paho.connect(broker, "nms-offline", o -> o.setSessionExpiryInterval(300L));
    sub.subscribe("off/#", 1);
    sub.disconnect();
    sub.close();
    MqttWire pub = track(MqttWire.connect5(broker.port(), "nms-pub2"));
    assertEquals(0x00, ackReason(pub, "off/x", 1));
    assertEquals(0x00, ackReason(pub, "off/x", 2));

    // A clean-start reconnect ends the old session and its subscriptions: nobody matches now.
    Mqtt5Paho fresh = track(Mqtt5Paho.connect(broker, "nms-offline"));
    assertTrue(fresh.client.isConnected());
    assertEquals(0x10, ackReason(pub, "off/x", 1));
  }
}
