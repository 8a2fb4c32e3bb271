package io.tributary.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.mqtt.codec.ConnAck;
import io.tributary.mqtt.codec.MqttEncoder;
import io.tributary.mqtt.codec.MqttProperties;
import io.tributary.mqtt.codec.MqttVersion;
import io.tributary.mqtt.codec.PacketType;
import io.tributary.mqtt.codec.Publish;
import io.tributary.router.RouterOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** MQTT 5 Maximum Packet Size in both directions (issue 3). */
class Mqtt5PacketSizeTest {

  private static final long CLIENT_MAX = 100;

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

  private static byte[] bytes(int n, char fill) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) fill);
    return b;
  }

  /** A MqttWire advertising CLIENT_MAX: its decoder rejects (fails the test on) anything larger. */
  private MqttWire smallClient(String id, MqttProperties extra) throws Exception {
    MqttProperties p = extra == null ? new MqttProperties() : extra;
    return track(MqttWire.connect5(broker.port(), id, true, p.maximumPacketSize(CLIENT_MAX)));
  }

  @Test
  void messageOverTheClientsMaximumIsDiscardedForThatClientOnly() throws Exception {
    broker = TestBroker.start();
    MqttWire small = smallClient("ps-small", null);
    small.subscribe("ps/#", 0);
    Mqtt5Paho big = track(Mqtt5Paho.connect(broker, "ps-big"));
    big.subscribe("ps/#", 0);
    try (MqttWire pub = MqttWire.connect5(broker.port(), "ps-pub")) {
      pub.publish("ps/a", 1, false, bytes(500, 'b'), MqttProperties.EMPTY);
      pub.expectAck(PacketType.PUBACK, 5000);
      pub.publish("ps/a", 1, "small");
      pub.expectAck(PacketType.PUBACK, 5000);
    }
    Publish p = small.expectPublish(5000);
    assertEquals("small", MqttWire.text(p), "the 500-byte message was not sent to the 100-byte client");
    small.expectNothing(200);

    Mqtt5Paho.Received r1 = big.next();
    assertEquals(500, r1.message().getPayload().length, "a client without the limit gets the big one");
    assertEquals("small", big.next().text());
  }

  @Test
  void theLimitIsTheWholePacketToTheByte() throws Exception {
    broker = TestBroker.start();
    MqttWire small = smallClient("ps-edge", null);
    small.subscribe("ps/b", 0);
    // QoS 0 PUBLISH "ps/b" with no properties: 1 + 1 + (2 + 4) + 1 + payload bytes.
    int fits = (int) CLIENT_MAX - 9;
    assertEquals(CLIENT_MAX, MqttEncoder.publishSize(MqttVersion.V5, "ps/b", 0, MqttProperties.EMPTY, fits));
    try (MqttWire pub = MqttWire.connect5(broker.port(), "ps-edge-pub")) {
      pub.publish("ps/b", 1, false, bytes(fits + 1, 'x'), MqttProperties.EMPTY); // 101 bytes
      pub.expectAck(PacketType.PUBACK, 5000);
      pub.publish("ps/b", 1, false, bytes(fits, 'y'), MqttProperties.EMPTY); // 100 bytes
      pub.expectAck(PacketType.PUBACK, 5000);
    }
    Publish p = small.expectPublish(5000);
    assertEquals(fits, p.payload().readableBytes());
    assertEquals('y', p.payload().getByte(0));
    small.expectNothing(200);
  }

  @Test
  void discardedQos1MessageDoesNotUseAnInflightSlot() throws Exception {
    broker = TestBroker.start();
    // Receive Maximum 1: a single unacknowledged message blocks the rest.
    MqttWire small = smallClient("ps-q1", new MqttProperties().receiveMaximum(1));
    small.subscribe("ps/q", 1);
    try (Mqtt5Paho pub = Mqtt5Paho.connect(broker, "ps-q1-pub")) {
      pub.publish("ps/q", new String(bytes(500, 'b')), 1, false);
      pub.publish("ps/q", "after-big", 1, false);
      pub.publish("ps/q", "third", 1, false);
    }
    Publish p = small.expectPublish(5000); // not acknowledging the big one: it was never sent
    assertEquals("after-big", MqttWire.text(p));
    small.expectNothing(300); // the one slot is taken by "after-big"
    small.ack(PacketType.PUBACK, p.packetId());
    Publish third = small.expectPublish(5000);
    assertEquals("third", MqttWire.text(third));
    small.ack(PacketType.PUBACK, third.packetId());
    small.expectNothing(200);
  }

  @Test
  void retainedMessageOverTheClientsMaximumIsNotSentOnSubscribe() throws Exception {
    broker = TestBroker.start();
    try (MqttWire pub = MqttWire.connect5(broker.port(), "ps-ret-pub")) {
      pub.publish("ps/r/big", 1, true, bytes(500, 'b'), MqttProperties.EMPTY);
      pub.expectAck(PacketType.PUBACK, 5000);
      pub.publish("ps/r/small", 1, true, "kept".getBytes(), MqttProperties.EMPTY);
      pub.expectAck(PacketType.PUBACK, 5000);
    }
    MqttWire small = smallClient("ps-ret", null);
    small.subscribe("ps/r/#", 1);
    Publish p = small.expectPublish(5000);
    assertEquals("ps/r/small", p.topic());
    assertTrue(p.retain());
    small.ack(PacketType.PUBACK, p.packetId());
    small.expectNothing(200);
  }

  @Test
  void pahoWithMaximumPacketSizeGetsOnlyWhatFits() throws Exception {
    broker = TestBroker.start();
    Mqtt5Paho sub = track(Mqtt5Paho.connect(broker, "ps-paho", o -> o.setMaximumPacketSize(CLIENT_MAX)));
    sub.subscribe("ps/p", 1);
    try (Mqtt5Paho pub = Mqtt5Paho.connect(broker, "ps-paho-pub")) {
      pub.publish("ps/p", new String(bytes(500, 'b')), 1, false);
      pub.publish("ps/p", "fits", 1, false);
    }
    assertEquals("fits", sub.next().text());
    sub.expectNothing(200);
    assertTrue(sub.client.isConnected());
  }

  @Test
  void inboundPacketOverTheBrokersMaximumGetsDisconnect0x95() throws Exception {
    broker = TestBroker.start(2, new MqttOptions().setMaxPacketSize(1024), new RouterOptions());
    Mqtt5Paho sub = track(Mqtt5Paho.connect(broker, "ps-in-watch"));
    sub.subscribe("in/#", 1);
    MqttWire pub = track(MqttWire.open5(broker.port()));
    ConnAck ack = pub.connect("ps-in", true, 0, MqttProperties.EMPTY);
    assertEquals(0, ack.reasonCode());
    assertEquals(1024L, ack.properties().maximumPacketSize(), "CONNACK Maximum Packet Size");

    // Exactly 1024 bytes is accepted: 1 + 2 + (2 + 4) + 2 + 1 + payload.
    int fits = 1024 - 12;
    assertEquals(1024, MqttEncoder.publishSize(MqttVersion.V5, "in/a", 1, MqttProperties.EMPTY, fits));
    pub.publish("in/a", 1, false, bytes(fits, 'x'), MqttProperties.EMPTY);
    pub.expectAck(PacketType.PUBACK, 5000);
    assertEquals(fits, sub.next().message().getPayload().length);

    pub.publish("in/a", 1, false, bytes(fits + 1, 'y'), MqttProperties.EMPTY); // 1025 bytes
    pub.expectDisconnect(0x95, 5000);
    sub.expectNothing(300);
  }
}
