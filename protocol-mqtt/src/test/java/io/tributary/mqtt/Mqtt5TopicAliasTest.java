package io.tributary.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.mqtt.codec.ConnAck;
import io.tributary.mqtt.codec.MqttProperties;
import io.tributary.mqtt.codec.PacketType;
import io.tributary.mqtt.codec.Publish;
import io.tributary.router.RouterOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** MQTT 5 topic aliases in both directions (issue 3). */
class Mqtt5TopicAliasTest {

  private static final int ALIAS_MAX = 4;

  private TestBroker broker;
  private final List<AutoCloseable> open = new ArrayList<>();

  @BeforeEach
  void start() {
    broker = TestBroker.start(2, new MqttOptions().setTopicAliasMaximum(ALIAS_MAX), new RouterOptions());
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

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Raw QoS 1 PUBLISH with a topic alias; asserts PUBACK. */
  private static void publishAliased(MqttWire c, String topic, int alias, String payload) throws Exception {
    int id = c.publish(topic, 1, false, utf8(payload), new MqttProperties().topicAlias(alias));
    assertEquals(id, c.expectAck(PacketType.PUBACK, 5000).packetId());
  }

  @Test
  void inboundAliasSetThenUsedWithEmptyTopicDeliversOnTheAliasedTopic() throws Exception {
    Mqtt5Paho sub = track(Mqtt5Paho.connect(broker, "ta-sub"));
    sub.subscribe("ta/#", 1);
    MqttWire pub = track(MqttWire.open5(broker.port()));
    ConnAck ack = pub.connect("ta-pub", true, 0, MqttProperties.EMPTY);
    assertEquals(0, ack.reasonCode());
    assertEquals(ALIAS_MAX, ack.properties().topicAliasMaximum(), "CONNACK Topic Alias Maximum");

    publishAliased(pub, "ta/one", 1, "a");
    publishAliased(pub, "", 1, "b");
    publishAliased(pub, "ta/two", ALIAS_MAX, "c");
    publishAliased(pub, "", ALIAS_MAX, "d");
    publishAliased(pub, "ta/three", 1, "e"); // an alias may be re-bound to another topic
    publishAliased(pub, "", 1, "f");
    publishAliased(pub, "", ALIAS_MAX, "g");

    String[][] expected = {
        {"ta/one", "a"}, {"ta/one", "b"}, {"ta/two", "c"}, {"ta/two", "d"},
        {"ta/three", "e"}, {"ta/three", "f"}, {"ta/two", "g"}};
    for (String[] e : expected) {
      Mqtt5Paho.Received r = sub.next();
      assertEquals(e[0], r.topic(), "topic of " + r.text());
      assertEquals(e[1], r.text());
      assertNull(r.message().getProperties().getTopicAlias(), "the publisher's alias is not forwarded");
    }
    sub.expectNothing(200);
  }

  @Test
  void pahoPublisherUsingAliasesIsDeliveredOnTheRightTopics() throws Exception {
    MqttWire sub = track(MqttWire.connect5(broker.port(), "ta-sub-raw"));
    sub.subscribe("pa/#", 0);
    Mqtt5Paho pub = track(Mqtt5Paho.connect(broker, "ta-paho-pub"));
    String[] topics = {"pa/x", "pa/y", "pa/x", "pa/x", "pa/y", "pa/z"};
    for (int i = 0; i < topics.length; i++) {
      pub.publish(topics[i], "m" + i, 1, false);
    }
    for (int i = 0; i < topics.length; i++) {
      Publish p = sub.expectPublish(5000);
      // The raw subscriber advertised no Topic Alias Maximum, so every topic arrives in full.
      assertEquals(topics[i], p.topic());
      assertEquals("m" + i, MqttWire.text(p));
      assertNull(p.properties().topicAlias());
    }
  }

  @Test
  void aliasZeroIsTopicAliasInvalid() throws Exception {
    MqttWire pub = track(MqttWire.connect5(broker.port(), "ta-zero"));
    pub.publish("t/zero", 0, false, utf8("x"), new MqttProperties().topicAlias(0));
    pub.expectDisconnect(0x94, 5000);
  }

  @Test
  void aliasOverTheMaximumIsTopicAliasInvalid() throws Exception {
    MqttWire pub = track(MqttWire.connect5(broker.port(), "ta-over"));
    publishAliased(pub, "t/ok", ALIAS_MAX, "fine"); // the maximum itself is allowed
    pub.publish("t/over", 1, false, utf8("x"), new MqttProperties().topicAlias(ALIAS_MAX + 1));
    pub.expectDisconnect(0x94, 5000);
  }

  @Test
  void unknownAliasWithEmptyTopicIsProtocolError() throws Exception {
    Mqtt5Paho sub = track(Mqtt5Paho.connect(broker, "ta-sub-unknown"));
    sub.subscribe("#", 1);
    MqttWire pub = track(MqttWire.connect5(broker.port(), "ta-unknown"));
    publishAliased(pub, "t/known", 1, "k");
    pub.publish("", 1, false, utf8("x"), new MqttProperties().topicAlias(2));
    pub.expectDisconnect(0x82, 5000);
    assertEquals("t/known", sub.next().topic());
    sub.expectNothing(200);
  }

  @Test
  void aliasesAreRefusedWhenTheBrokerAdvertisesNone() throws Exception {
    try (TestBroker b = TestBroker.start(2, new MqttOptions().setTopicAliasMaximum(0), new RouterOptions());
        MqttWire pub = MqttWire.open5(b.port())) {
      ConnAck ack = pub.connect("ta-none", true, 0, MqttProperties.EMPTY);
      assertEquals(0, ack.reasonCode());
      Integer max = ack.properties().topicAliasMaximum();
      assertTrue(max == null || max == 0, "CONNACK Topic Alias Maximum " + max);
      pub.publish("t/a", 0, false, utf8("x"), new MqttProperties().topicAlias(1));
      pub.expectDisconnect(0x94, 5000);
    }
  }

  /**
   * PUBLISHes read behind a CONNECT that must first take the session over (so they wait while it
   * is claimed) keep their properties: the alias is set and then resolved.
   */
  @Test
  void aliasesInPublishesRightBehindATakeoverConnectAreResolved() throws Exception {
    Mqtt5Paho sub = track(Mqtt5Paho.connect(broker, "ta-sub-take"));
    sub.subscribe("tk/#", 1);
    MqttWire first = track(MqttWire.connect5(broker.port(), "ta-take"));
    MqttWire second = track(MqttWire.open5(broker.port()));
    MqttProperties alias = new MqttProperties().topicAlias(1);
    byte[] connect = MqttWire.bytes5(MqttWire.connectPacket5("ta-take", true, 0, MqttProperties.EMPTY));
    byte[] set = MqttWire.bytes5(new Publish("tk/one", 1, false, false, 1, io.netty.buffer.Unpooled.wrappedBuffer(utf8("a")), alias));
    byte[] use = MqttWire.bytes5(new Publish("", 1, false, false, 2, io.netty.buffer.Unpooled.wrappedBuffer(utf8("b")), alias));
    byte[] all = new byte[connect.length + set.length + use.length];
    System.arraycopy(connect, 0, all, 0, connect.length);
    System.arraycopy(set, 0, all, connect.length, set.length);
    System.arraycopy(use, 0, all, connect.length + set.length, use.length);
    second.sendBytes(all);
    first.expectDisconnect(0x8E, 5000);
    assertEquals(0, second.expect(ConnAck.class, 5000).reasonCode());
    assertEquals(1, second.expectAck(PacketType.PUBACK, 5000).packetId());
    assertEquals(2, second.expectAck(PacketType.PUBACK, 5000).packetId());
    for (String payload : new String[] {"a", "b"}) {
      Mqtt5Paho.Received r = sub.next();
      assertEquals("tk/one", r.topic());
      assertEquals(payload, r.text());
    }
    sub.expectNothing(200);
  }

  // ---- outbound ------------------------------------------------------------------------------

  /** Publishes topics in order with QoS 1 (each acknowledged before the next). */
  private void publishAll(String clientId, String... topics) throws Exception {
    try (MqttWire pub = MqttWire.connect5(broker.port(), clientId)) {
      for (int i = 0; i < topics.length; i++) {
        int id = pub.publish(topics[i], 1, "p" + i);
        assertEquals(id, pub.expectAck(PacketType.PUBACK, 5000).packetId());
      }
    }
  }

  @Test
  void repeatedTopicsAreSentAliasOnlyWithinTheClientsMaximum() throws Exception {
    int clientMax = 2;
    MqttWire sub = track(MqttWire.connect5(broker.port(), "ta-out", true,
        new MqttProperties().topicAliasMaximum(clientMax)));
    sub.subscribe("o/#", 0);
    String[] topics = {"o/a", "o/a", "o/b", "o/a", "o/b", "o/c", "o/c", "o/d", "o/a", "o/c"};
    publishAll("ta-out-pub", topics);

    Map<Integer, String> aliases = new HashMap<>(); // as the client resolves them
    Set<String> seenTopics = new HashSet<>();
    int aliasOnly = 0;
    for (int i = 0; i < topics.length; i++) {
      Publish p = sub.expectPublish(5000);
      assertEquals("p" + i, MqttWire.text(p));
      Integer alias = p.properties().topicAlias();
      String resolved;
      if (alias == null) {
        resolved = p.topic();
        assertFalse(resolved.isEmpty(), "empty topic without alias: " + p);
      } else {
        assertTrue(alias >= 1 && alias <= clientMax, "alias " + alias + " outside 1.." + clientMax);
        if (p.topic().isEmpty()) {
          resolved = aliases.get(alias);
          assertNotNull(resolved, "alias " + alias + " used before it was set");
          aliasOnly++;
        } else {
          resolved = p.topic();
          aliases.put(alias, resolved);
        }
      }
      assertEquals(topics[i], resolved, "topic of message " + i);
      if (seenTopics.contains(topics[i]) && aliases.containsValue(topics[i])) {
        // A topic sent before and bound to an alias goes out as alias only.
        assertTrue(p.topic().isEmpty(), "repeated topic " + topics[i] + " sent in full: " + p);
      }
      seenTopics.add(topics[i]);
    }
    // o/a and o/b get the two aliases; o/c, o/d never do.
    assertEquals(Map.of(1, "o/a", 2, "o/b"), aliases);
    assertEquals(4, aliasOnly); // messages 1, 3, 4 and 8
    sub.expectNothing(200);
  }

  @Test
  void clientWithoutTopicAliasMaximumNeverGetsAliases() throws Exception {
    MqttWire none = track(MqttWire.connect5(broker.port(), "ta-out-none"));
    MqttWire zero = track(MqttWire.connect5(broker.port(), "ta-out-zero", true,
        new MqttProperties().topicAliasMaximum(0)));
    none.subscribe("z/#", 0);
    zero.subscribe("z/#", 0);
    String[] topics = {"z/a", "z/a", "z/a", "z/b", "z/b"};
    publishAll("ta-out-pub2", topics);
    for (MqttWire c : List.of(none, zero)) {
      for (int i = 0; i < topics.length; i++) {
        Publish p = c.expectPublish(5000);
        assertEquals(topics[i], p.topic());
        assertNull(p.properties().topicAlias(), "alias sent to a client that allows none: " + p);
      }
    }
  }

  /**
   * Paho v5 1.2.5 cannot resolve an alias-only PUBLISH (it maps the alias to the empty topic:
   * eclipse-paho/paho.mqtt.java#866), so with Paho only the alias-setting PUBLISHes are checked:
   * each carries the full topic and an alias within the maximum Paho advertised (Paho disconnects
   * on an alias over it), also past the maximum. Alias-only resends are proven on the wire above.
   */
  @Test
  void pahoSubscriberWithTopicAliasMaximumReceivesCorrectTopics() throws Exception {
    Mqtt5Paho sub = track(Mqtt5Paho.connect(broker, "ta-paho-sub", o -> o.setTopicAliasMaximum(2)));
    sub.subscribe("pt/#", 1);
    String[] topics = {"pt/a", "pt/b", "pt/c", "pt/d", "pt/e"};
    try (Mqtt5Paho pub = Mqtt5Paho.connect(broker, "ta-paho-pub2")) {
      for (int i = 0; i < topics.length; i++) {
        MqttMessage m = new MqttMessage(utf8("v" + i));
        m.setQos(1);
        pub.publish(topics[i], m);
      }
    }
    for (int i = 0; i < topics.length; i++) {
      Mqtt5Paho.Received r = sub.next();
      assertEquals(topics[i], r.topic(), "topic of message " + i);
      assertEquals("v" + i, r.text());
      Integer alias = r.message().getProperties().getTopicAlias();
      if (i < 2) {
        assertEquals(i + 1, alias, "alias set on first use of " + topics[i]);
      } else {
        assertNull(alias, "no alias left for " + topics[i]);
      }
    }
    sub.expectNothing(200);
    assertTrue(sub.client.isConnected(), "Paho disconnected: " + sub.disconnected);
  }
}
