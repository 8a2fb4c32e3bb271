package io.tributary.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.tributary.mqtt.codec.Will;
import io.tributary.mqtt.codec.ConnAck;
import io.tributary.mqtt.codec.Disconnect;
import io.tributary.mqtt.codec.MqttProperties;
import io.tributary.mqtt.codec.Packet;
import io.tributary.mqtt.codec.PacketType;
import io.tributary.mqtt.codec.Subscribe;
import io.tributary.mqtt.codec.SubAck;
import io.tributary.mqtt.codec.TopicSubscription;
import io.tributary.router.RouterOptions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The broker tells an MQTT 5 client why it closes the connection: DISCONNECT with the right reason
 * code, then the close (issue 3). 0x93 is proven in {@link Mqtt5FlowControlTest}, 0x94 in
 * {@link Mqtt5TopicAliasTest}, 0x95 in {@link Mqtt5PacketSizeTest}, 0x99 in {@link Mqtt5MetadataTest}.
 */
class Mqtt5DisconnectReasonTest {

  private static final int MAX_LEVELS = 3;

  private TestBroker broker;
  private final List<AutoCloseable> open = new ArrayList<>();

  @BeforeEach
  void start() {
    broker = TestBroker.start(2, new MqttOptions().setMaxTopicLevels(MAX_LEVELS), new RouterOptions());
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

  private MqttWire connected(String id) throws Exception {
    return track(MqttWire.connect5(broker.port(), id));
  }

  @Test
  void malformedPacket0x81() throws Exception {
    MqttWire c = connected("dr-malformed");
    // PUBLISH QoS 0, topic of 2 bytes C3 28 (not UTF-8), no properties, payload "x".
    c.sendBytes(new byte[] {0x30, 6, 0, 2, (byte) 0xC3, 0x28, 0, 'x'});
    Disconnect d = c.expectDisconnect(0x81, 5000);
    assertNotNull(d.properties().reasonString(), "a reason string says what was wrong");
  }

  @Test
  void unknownPropertyIsMalformed0x81() throws Exception {
    MqttWire c = connected("dr-unknown-prop");
    // PUBLISH QoS 0 "t", properties: 2 bytes, id 0x7F (no such property) with one byte.
    c.sendBytes(new byte[] {0x30, 7, 0, 1, 't', 2, 0x7F, 0, 'x'});
    c.expectDisconnect(0x81, 5000);
  }

  @Test
  void secondConnectIsProtocolError0x82() throws Exception {
    MqttWire c = connected("dr-second");
    c.send(MqttWire.connectPacket5("dr-second", true, 0, MqttProperties.EMPTY));
    c.expectDisconnect(0x82, 5000);
  }

  @Test
  void keepAliveTimeout0x8D() throws Exception {
    MqttWire c = track(MqttWire.open5(broker.port()));
    ConnAck ack = c.connect("dr-keepalive", true, 1, MqttProperties.EMPTY);
    assertEquals(0, ack.reasonCode());
    long t0 = System.nanoTime();
    c.expectDisconnect(0x8D, 5000); // silent: 1.5 keep alive periods later it ends
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(ms >= 1000, "closed after " + ms + " ms, before the keep alive allows");
  }

  @Test
  void sessionTakenOver0x8E() throws Exception {
    MqttWire first = connected("dr-takeover");
    MqttWire second = connected("dr-takeover");
    first.expectDisconnect(0x8E, 5000);
    second.expectNothing(200); // the new connection stays
    assertEquals(1, second.subscribe("t/#", 1), "granted QoS 1");
  }

  @Test
  void pahoSeesSessionTakenOver() throws Exception {
    Mqtt5Paho first = track(Mqtt5Paho.connect(broker, "dr-paho-takeover"));
    Mqtt5Paho second = track(Mqtt5Paho.connect(broker, "dr-paho-takeover"));
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (first.disconnected == null && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertNotNull(first.disconnected, "the first Paho client was told it was disconnected");
    assertEquals(0x8E, first.disconnected.getReturnCode());
    assertTrue(second.client.isConnected());
  }

  @Test
  void topicDeeperThanTheLimitIsQuotaExceeded0x97() throws Exception {
    MqttWire c = connected("dr-levels");
    // A filter too deep is refused in the SUBACK (the connection stays).
    c.send(new Subscribe(1, List.of(new TopicSubscription("a/b/c/d", 0), new TopicSubscription("a/b/c", 0))));
    SubAck ack = c.expect(SubAck.class, 5000);
    assertEquals(List.of(0x97, 0x00), ack.reasonCodes());
    // A topic at the limit is fine; one level deeper ends the connection.
    c.publish("a/b/c", 1, "ok");
    c.expectAck(PacketType.PUBACK, 5000);
    c.expectPublish(5000);
    c.publish("a/b/c/d", 0, "too deep");
    c.expectDisconnect(0x97, 5000);
  }

  @Test
  void reasonStringIsLeftOutWhenItWouldExceedTheClientsMaximumPacketSize() throws Exception {
    // MQTT-3.14.2-3: the DISCONNECT still goes out, but without a reason string that does not fit.
    // 30 bytes take the CONNACK but not a DISCONNECT with "topic deeper than 3 levels".
    MqttWire c = track(MqttWire.connect5(broker.port(), "dr-tiny", true, new MqttProperties().maximumPacketSize(30L)));
    c.publish("a/b/c/d", 0, "too deep");
    Disconnect d = c.expectDisconnect(0x97, 5000); // MqttWire's decoder refuses anything over 30 bytes
    assertEquals(null, d.properties().reasonString());
  }

  /** Reads until EOF, failing on any packet: a 3.1.1 client is never sent DISCONNECT. */
  private static void assertClosedWithoutPacket(MqttWire c, long timeoutMs) throws Exception {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
    try {
      while (true) {
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        if (left <= 0) {
          fail("not closed within " + timeoutMs + " ms");
        }
        Packet p = c.read(left);
        if (p != null) {
          fail("a 3.1.1 client got " + p + " instead of EOF");
        }
      }
    } catch (MqttWire.ClosedException e) {
      // EOF, nothing before it
    }
  }

  @Test
  void mqtt311ClientGetsNoDisconnectJustEof() throws Exception {
    MqttWire second = track(MqttWire.connect311(broker.port(), "dr-311-second", true));
    second.send(new io.tributary.mqtt.codec.Connect(4, "dr-311-second", true, 0, null, null, null));
    assertClosedWithoutPacket(second, 5000);

    MqttWire deep = track(MqttWire.connect311(broker.port(), "dr-311-deep", true));
    deep.publish("a/b/c/d", 0, "too deep");
    assertClosedWithoutPacket(deep, 5000);

    MqttWire first = track(MqttWire.connect311(broker.port(), "dr-311-takeover", true));
    track(MqttWire.connect311(broker.port(), "dr-311-takeover", true));
    assertClosedWithoutPacket(first, 5000);

    MqttWire idle = track(MqttWire.open311(broker.port()));
    assertEquals(0, idle.connect("dr-311-keepalive", true, 1, (Will) null).returnCode());
    assertClosedWithoutPacket(idle, 5000);
  }
}
