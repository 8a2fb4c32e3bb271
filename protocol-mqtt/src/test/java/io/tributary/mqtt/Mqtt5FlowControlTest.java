package io.tributary.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.mqtt.codec.Ack;
import io.tributary.mqtt.codec.ConnAck;
import io.tributary.mqtt.codec.MqttProperties;
import io.tributary.mqtt.codec.PacketType;
import io.tributary.mqtt.codec.Publish;
import io.tributary.router.RouterOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** MQTT 5 Receive Maximum in both directions (issue 3). */
class Mqtt5FlowControlTest {

  private TestBroker broker;
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  private <T extends AutoCloseable> T track(T c) {
    open.add(c);
    return c;
  }

  /** Publishes n messages "m0".."m{n-1}" at qos, each flow completed before the next. */
  private void publishN(String topic, int n, int qos) throws Exception {
    try (Mqtt5Paho pub = Mqtt5Paho.connect(broker, "fc-pub-" + System.nanoTime())) {
      for (int i = 0; i < n; i++) {
        pub.publish(topic, "m" + i, qos, false);
      }
    }
  }

  /** Reads PUBLISHes for up to ms (at most max of them), acknowledging none. */
  private static List<Publish> drainUnacked(MqttWire c, int max, long ms) throws Exception {
    List<Publish> got = new ArrayList<>();
    long deadline = System.nanoTime() + ms * 1_000_000L;
    while (got.size() < max) {
      long left = (deadline - System.nanoTime()) / 1_000_000L;
      if (left <= 0) {
        break;
      }
      var p = c.read(left);
      if (p == null) {
        break;
      }
      assertTrue(p instanceof Publish, "unexpected " + p);
      got.add((Publish) p);
    }
    return got;
  }

  @Test
  void clientReceiveMaximumBoundsUnacknowledgedQos1() throws Exception {
    broker = TestBroker.start();
    MqttWire sub = track(MqttWire.connect5(broker.port(), "fc-rm3", true, new MqttProperties().receiveMaximum(3)));
    sub.subscribe("fc/q1", 1);
    int n = 10;
    publishN("fc/q1", n, 1);

    List<Publish> first = drainUnacked(sub, 3, 5000);
    assertEquals(3, first.size());
    sub.expectNothing(300); // exactly 3 in flight: the 4th waits
    for (int i = 0; i < 3; i++) {
      assertEquals("m" + i, MqttWire.text(first.get(i)));
      assertEquals(1, first.get(i).qos());
    }

    sub.ack(PacketType.PUBACK, first.get(0).packetId()); // one acknowledged releases one
    Publish fourth = sub.expectPublish(5000);
    assertEquals("m3", MqttWire.text(fourth));
    sub.expectNothing(300);

    // Acknowledge everything from here on: all messages arrive, in order, none twice.
    List<Publish> inFlight = new ArrayList<>(first.subList(1, 3));
    inFlight.add(fourth);
    for (Publish p : inFlight) {
      sub.ack(PacketType.PUBACK, p.packetId());
    }
    for (int i = 4; i < n; i++) {
      Publish p = sub.expectPublish(5000);
      assertEquals("m" + i, MqttWire.text(p));
      assertEquals(false, p.dup());
      sub.ack(PacketType.PUBACK, p.packetId());
    }
    sub.expectNothing(200);
  }

  @Test
  void clientReceiveMaximumCountsQos2UntilPubcomp() throws Exception {
    broker = TestBroker.start();
    MqttWire sub = track(MqttWire.connect5(broker.port(), "fc-rm2", true, new MqttProperties().receiveMaximum(2)));
    sub.subscribe("fc/q2", 2);
    publishN("fc/q2", 4, 2);

    List<Publish> first = drainUnacked(sub, 2, 5000);
    assertEquals(2, first.size());
    sub.expectNothing(300);
    Set<Integer> ids = new HashSet<>();
    for (Publish p : first) {
      ids.add(p.packetId());
    }
    assertEquals(2, ids.size(), "distinct packet ids in flight");

    // PUBREC does not end the flow: the message is still unacknowledged until PUBCOMP.
    sub.ack(PacketType.PUBREC, first.get(0).packetId());
    Ack rel = sub.expectAck(PacketType.PUBREL, 5000);
    assertEquals(first.get(0).packetId(), rel.packetId());
    sub.expectNothing(300);
    sub.ack(PacketType.PUBCOMP, rel.packetId());
    Publish third = sub.expectPublish(5000);
    assertEquals("m2", MqttWire.text(third));
    sub.expectNothing(300);
  }

  /**
   * Unacknowledged messages survive a reconnect and are resent first (DUP), within the Receive
   * Maximum of the new connection, which may be smaller than the old one's; the rest follow.
   */
  @Test
  void receiveMaximumHoldsAcrossAReconnectAndNothingIsLost() throws Exception {
    broker = TestBroker.start();
    MqttProperties persistent = new MqttProperties().receiveMaximum(3).sessionExpiryInterval(300L);
    MqttWire sub = MqttWire.connect5(broker.port(), "fc-resume", true, persistent);
    sub.subscribe("fc/resume", 1);
    int n = 8;
    publishN("fc/resume", n, 1);
    List<Publish> first = drainUnacked(sub, 3, 5000);
    assertEquals(3, first.size());
    sub.expectNothing(200);
    sub.close(); // drop the connection with 3 in flight

    MqttWire back = track(MqttWire.open5(broker.port()));
    ConnAck ack = back.connect("fc-resume", false, 0,
        new MqttProperties().receiveMaximum(2).sessionExpiryInterval(300L));
    assertTrue(ack.sessionPresent());
    List<Publish> resent = drainUnacked(back, 3, 2000);
    assertEquals(2, resent.size(), "resends are bounded by the new Receive Maximum");
    for (int i = 0; i < 2; i++) {
      assertEquals("m" + i, MqttWire.text(resent.get(i)));
      assertTrue(resent.get(i).dup(), "a resend has DUP set");
    }
    List<String> got = new ArrayList<>();
    for (Publish p : resent) {
      got.add(MqttWire.text(p));
      back.ack(PacketType.PUBACK, p.packetId());
    }
    while (got.size() < n) {
      Publish p = back.expectPublish(5000);
      got.add(MqttWire.text(p));
      back.ack(PacketType.PUBACK, p.packetId());
    }
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      expected.add("m" + i);
    }
    assertEquals(expected, got, "every message once, in order");
    back.expectNothing(200);
  }

  /**
   * A PUBREC with a reason code of 0x80 or more ends that QoS 2 delivery (MQTT 5 4.3.3): no
   * PUBREL follows and the message no longer counts against the client's Receive Maximum.
   */
  @Test
  void pubrecWithAnErrorCodeEndsTheDeliveryAndFreesTheSlot() throws Exception {
    broker = TestBroker.start();
    MqttWire sub = track(MqttWire.connect5(broker.port(), "fc-pubrec-err", true, new MqttProperties().receiveMaximum(1)));
    sub.subscribe("fc/err", 2);
    publishN("fc/err", 2, 2);
    Publish first = sub.expectPublish(5000);
    assertEquals("m0", MqttWire.text(first));
    sub.expectNothing(200);
    sub.send(new Ack(PacketType.PUBREC, first.packetId(), 0x80)); // unspecified error
    Publish second = sub.expectPublish(5000); // no PUBREL before it
    assertEquals("m1", MqttWire.text(second));
    sub.ack(PacketType.PUBREC, second.packetId());
    assertEquals(second.packetId(), sub.expectAck(PacketType.PUBREL, 5000).packetId());
    sub.ack(PacketType.PUBCOMP, second.packetId());
    sub.expectNothing(200);
  }

  @Test
  void pahoWithSmallReceiveMaximumGetsEverythingInOrder() throws Exception {
    broker = TestBroker.start();
    Mqtt5Paho sub = track(Mqtt5Paho.connect(broker, "fc-paho", o -> o.setReceiveMaximum(2)));
    sub.subscribe("fc/paho", 1);
    int n = 30;
    publishN("fc/paho", n, 1);
    for (int i = 0; i < n; i++) {
      assertEquals("m" + i, sub.next().text());
    }
    sub.expectNothing(200);
  }

  private static int publishQos2(MqttWire c, String topic, int id, String payload) throws Exception {
    c.send(new Publish(topic, 2, false, false, id, io.netty.buffer.Unpooled.wrappedBuffer(
        payload.getBytes(StandardCharsets.UTF_8))));
    return id;
  }

  @Test
  void exceedingTheBrokersReceiveMaximumIsDisconnected0x93() throws Exception {
    broker = TestBroker.start(2, new MqttOptions().setReceiveMaximum(2), new RouterOptions());
    Mqtt5Paho sub = track(Mqtt5Paho.connect(broker, "fc-watch"));
    sub.subscribe("rm/#", 2);
    MqttWire pub = track(MqttWire.open5(broker.port()));
    ConnAck ack = pub.connect("fc-over", true, 0, MqttProperties.EMPTY);
    assertEquals(0, ack.reasonCode());
    assertEquals(2, ack.properties().receiveMaximum(), "CONNACK Receive Maximum");

    publishQos2(pub, "rm/a", 1, "1");
    assertEquals(1, pub.expectAck(PacketType.PUBREC, 5000).packetId());
    publishQos2(pub, "rm/a", 2, "2");
    assertEquals(2, pub.expectAck(PacketType.PUBREC, 5000).packetId());
    // A resend of an unreleased one is not a new message: still within the maximum.
    pub.send(new Publish("rm/a", 2, false, true, 2, io.netty.buffer.Unpooled.wrappedBuffer(new byte[] {'2'})));
    assertEquals(2, pub.expectAck(PacketType.PUBREC, 5000).packetId());
    publishQos2(pub, "rm/a", 3, "3"); // third unreleased QoS 2 message
    pub.expectDisconnect(0x93, 5000);

    // The two accepted messages were delivered once each; the third was not.
    assertEquals("1", sub.next().text());
    assertEquals("2", sub.next().text());
    sub.expectNothing(300);
  }

  @Test
  void releasingKeepsAClientWithinTheBrokersReceiveMaximum() throws Exception {
    broker = TestBroker.start(2, new MqttOptions().setReceiveMaximum(2), new RouterOptions());
    MqttWire pub = track(MqttWire.connect5(broker.port(), "fc-ok"));
    for (int id = 1; id <= 6; id++) {
      publishQos2(pub, "rm/ok", id, "x");
      assertEquals(id, pub.expectAck(PacketType.PUBREC, 5000).packetId());
      if (id % 2 == 0) { // two outstanding, then release both
        for (int r = id - 1; r <= id; r++) {
          pub.ack(PacketType.PUBREL, r);
          assertEquals(r, pub.expectAck(PacketType.PUBCOMP, 5000).packetId());
        }
      }
    }
    pub.expectNothing(200); // still connected
    // A Paho publisher honours the maximum the broker announced.
    try (Mqtt5Paho paho = Mqtt5Paho.connect(broker, "fc-paho-pub")) {
      for (int i = 0; i < 10; i++) {
        publishWhenPahoHasRoom(paho, "rm/paho", "p" + i);
      }
      assertTrue(paho.client.isConnected());
    }
  }

  /**
   * Paho v5 1.2.5 completes a QoS 2 token before it takes the message off its in-flight count, so
   * the next publish right after can be refused on the client side ("Too many publishes in
   * progress", 32202) although the broker has answered. That is Paho's race, not the broker's
   * limit: wait a moment and publish again.
   */
  private static void publishWhenPahoHasRoom(Mqtt5Paho paho, String topic, String payload) throws Exception {
    for (int attempt = 0; ; attempt++) {
      try {
        paho.publish(topic, payload, 2, false);
        return;
      } catch (org.eclipse.paho.mqttv5.common.MqttException e) {
        if (e.getReasonCode() != 32202 || attempt == 50) {
          throw e;
        }
        Thread.sleep(20);
      }
    }
  }
}
