package io.tributary.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.mqtt.codec.ConnAck;
import io.tributary.mqtt.codec.MqttProperties;
import io.tributary.mqtt.codec.Packet;
import io.tributary.mqtt.codec.PacketType;
import io.tributary.mqtt.codec.Publish;
import io.tributary.mqtt.codec.TopicSubscription;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * MQTT 5 shared subscriptions ({@code $share/{group}/{filter}}), issue 3: each message to exactly
 * one member of a group, members on both event loops, hand-back of unacknowledged messages when a
 * member disconnects, no retained messages, No Local refused, share names validated.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Mqtt5SharedSubscriptionTest {

  private TestBroker broker;
  private final List<AutoCloseable> clients = new ArrayList<>();

  @BeforeEach
  void start() {
    broker = TestBroker.start();
  }

  @AfterEach
  void stop() {
    for (AutoCloseable c : clients) {
      try {
        c.close();
      } catch (Exception e) {
        // ignore
      }
    }
    broker.close();
  }

  private Mqtt5Paho paho(String id) throws Exception {
    Mqtt5Paho p = Mqtt5Paho.connect(broker, id);
    clients.add(p);
    return p;
  }

  private MqttWire raw(String id) throws Exception {
    MqttWire r = MqttWire.connect5(broker.port(), id);
    clients.add(r);
    return r;
  }

  /** Connects members until both event loops hold at least one of them (connections alternate). */
  private List<Mqtt5Paho> membersOnBothLoops(String prefix, String sharedFilter, int qos, int atLeast)
      throws Exception {
    List<Mqtt5Paho> members = new ArrayList<>();
    int[] before = broker.openConnections();
    while (true) {
      Mqtt5Paho m = paho(prefix + members.size());
      assertEquals(qos, m.subscribe(sharedFilter, qos)[0], "SUBACK for " + sharedFilter);
      members.add(m);
      int[] now = broker.openConnections();
      boolean both = true;
      for (int i = 0; i < now.length; i++) {
        both &= now[i] > before[i];
      }
      if (both && members.size() >= atLeast) {
        return members;
      }
      assertTrue(members.size() < 16, "members never landed on both event loops");
    }
  }

  /** Takes every message the members got within a quiet period; payload -> how many copies. */
  private static Map<String, Integer> collect(List<Mqtt5Paho> members, int expected, int[] perMember)
      throws InterruptedException {
    Map<String, Integer> seen = new HashMap<>();
    long deadline = System.currentTimeMillis() + 15_000;
    int total = 0;
    while (total < expected && System.currentTimeMillis() < deadline) {
      for (int i = 0; i < members.size(); i++) {
        Mqtt5Paho.Received r;
        while ((r = members.get(i).messages.poll()) != null) {
          seen.merge(r.text(), 1, Integer::sum);
          perMember[i]++;
          total++;
        }
      }
      Thread.sleep(10);
    }
    Thread.sleep(300); // anything extra (a duplicate) would arrive now
    for (int i = 0; i < members.size(); i++) {
      Mqtt5Paho.Received r;
      while ((r = members.get(i).messages.poll()) != null) {
        seen.merge(r.text(), 1, Integer::sum);
        perMember[i]++;
      }
    }
    return seen;
  }

  private static void assertExactlyOnce(Map<String, Integer> seen, String prefix, int n) {
    assertEquals(n, seen.size(), "distinct messages received");
    for (int i = 0; i < n; i++) {
      assertEquals(1, seen.getOrDefault(prefix + i, 0), "copies of " + prefix + i);
    }
  }

  @Test
  void connackAdvertisesSharedSubscriptions() throws Exception {
    MqttWire c = MqttWire.open5(broker.port());
    clients.add(c);
    ConnAck ack = c.connect("adv", true, 0, MqttProperties.EMPTY);
    assertEquals(0, ack.reasonCode());
    assertEquals(Boolean.TRUE, ack.properties().sharedSubscriptionAvailable());
  }

  @Test
  void qos1EachMessageToExactlyOneMemberAcrossEventLoops() throws Exception {
    List<Mqtt5Paho> members = membersOnBothLoops("m", "$share/workers/jobs/#", 1, 4);
    Mqtt5Paho plain = paho("plain");
    plain.subscribe("jobs/#", 1);
    Mqtt5Paho pub = paho("pub");
    int n = 400;
    for (int i = 0; i < n; i++) {
      pub.publish("jobs/" + (i % 7), "job-" + i, 1, false);
    }
    int[] perMember = new int[members.size()];
    Map<String, Integer> seen = collect(members, n, perMember);
    assertExactlyOnce(seen, "job-", n);
    for (int i = 0; i < perMember.length; i++) {
      assertTrue(perMember[i] > 0, "member " + i + " got none: " + java.util.Arrays.toString(perMember));
    }
    // A non-shared subscriber of the same filter still gets every message.
    Map<String, Integer> plainSeen = collect(List.of(plain), n, new int[1]);
    assertExactlyOnce(plainSeen, "job-", n);
  }

  @Test
  void qos0EachMessageToExactlyOneMember() throws Exception {
    List<Mqtt5Paho> members = membersOnBothLoops("q0-", "$share/g0/t0", 0, 3);
    Mqtt5Paho pub = paho("pub0");
    int n = 300;
    for (int i = 0; i < n; i++) {
      pub.publish("t0", "m-" + i, 0, false);
    }
    int[] perMember = new int[members.size()];
    Map<String, Integer> seen = collect(members, n, perMember);
    assertExactlyOnce(seen, "m-", n);
    for (int i = 0; i < perMember.length; i++) {
      assertTrue(perMember[i] > 0, "member " + i + " got none: " + java.util.Arrays.toString(perMember));
    }
  }

  @Test
  void grantedQosOfTheMemberApplies() throws Exception {
    Mqtt5Paho m = paho("qos0member");
    assertEquals(0, m.subscribe("$share/g/qos/x", 0)[0]);
    Mqtt5Paho pub = paho("pubq");
    pub.publish("qos/x", "hello", 1, false);
    assertEquals(0, m.next().message().getQos());
  }

  @Test
  void twoGroupsOnOneFilterEachGetEveryMessageOnce() throws Exception {
    List<Mqtt5Paho> a = List.of(paho("a0"), paho("a1"));
    List<Mqtt5Paho> b = List.of(paho("b0"), paho("b1"), paho("b2"));
    for (Mqtt5Paho m : a) {
      m.subscribe("$share/A/both/+", 1);
    }
    for (Mqtt5Paho m : b) {
      m.subscribe("$share/B/both/+", 1);
    }
    Mqtt5Paho pub = paho("pub2");
    int n = 100;
    for (int i = 0; i < n; i++) {
      pub.publish("both/x", "x-" + i, 1, false);
    }
    assertExactlyOnce(collect(a, n, new int[a.size()]), "x-", n);
    assertExactlyOnce(collect(b, n, new int[b.size()]), "x-", n);
  }

  @Test
  void unacknowledgedMessagesOfADisconnectedMemberGoToTheOthers() throws Exception {
    MqttWire lazy = raw("lazy"); // receives QoS 1 messages and never acknowledges them
    assertEquals(1, lazy.subscribe("$share/g/orders", 1));
    Mqtt5Paho good = paho("good");
    assertEquals(1, good.subscribe("$share/g/orders", 1)[0]);
    Mqtt5Paho pub = paho("pub3");
    int n = 40;
    for (int i = 0; i < n; i++) {
      pub.publish("orders", "o-" + i, 1, false);
    }
    Set<String> atLazy = new HashSet<>();
    Packet p;
    while ((p = lazy.read(500)) != null) {
      if (p instanceof Publish) {
        atLazy.add(MqttWire.text((Publish) p));
      }
    }
    assertTrue(!atLazy.isEmpty(), "the lazy member got nothing: round robin should give it some");
    lazy.close(); // gone without acknowledging: its messages go to the remaining member
    Map<String, Integer> seen = collect(List.of(good), n, new int[1]);
    assertEquals(n, seen.size(), "every message reached the remaining member; lazy had " + atLazy.size());
    for (String s : atLazy) {
      assertNotNull(seen.get(s), s + " was lost with the lazy member");
    }
  }

  @Test
  void aLateMemberTakesWhatWaitedWhileNoMemberHadRoom() throws Exception {
    // Receive Maximum 1 and no acknowledgements: the group stops, records stay in the log.
    MqttWire slow = MqttWire.open5(broker.port());
    clients.add(slow);
    assertEquals(0, slow.connect("slow", true, 0, new MqttProperties().receiveMaximum(1)).reasonCode());
    assertEquals(1, slow.subscribe("$share/g/backlog", 1));
    Mqtt5Paho pub = paho("pub4");
    int n = 30;
    for (int i = 0; i < n; i++) {
      pub.publish("backlog", "b-" + i, 1, false);
    }
    Publish first = slow.expectPublish(5000);
    slow.expectNothing(300); // window of 1: nothing more until it acknowledges
    Mqtt5Paho late = paho("late");
    late.subscribe("$share/g/backlog", 1);
    Map<String, Integer> seen = collect(List.of(late), n - 1, new int[1]);
    assertEquals(n - 1, seen.size());
    assertNull(seen.get(MqttWire.text(first)), "the slow member's message went to it only");
    slow.ack(PacketType.PUBACK, first.packetId());
  }

  @Test
  void persistentMemberKeepsItsSharedSubscriptionWhileOffline() throws Exception {
    Mqtt5Paho m = Mqtt5Paho.connect(broker, "persist", o -> {
      o.setCleanStart(false);
      o.setSessionExpiryInterval(300L);
    });
    clients.add(m);
    m.subscribe("$share/p/keep", 1);
    m.disconnect();
    Mqtt5Paho pub = paho("pub5");
    pub.publish("keep", "while-away", 1, false);
    Mqtt5Paho back = Mqtt5Paho.connect(broker, "persist", o -> {
      o.setCleanStart(false);
      o.setSessionExpiryInterval(300L);
    });
    clients.add(back);
    assertEquals("while-away", back.next().text());
  }

  @Test
  void noRetainedMessagesOnASharedSubscribe() throws Exception {
    Mqtt5Paho pub = paho("pub6");
    pub.publish("ret/x", "retained", 1, true);
    MqttWire m = raw("r1");
    assertEquals(1, m.subscribe("$share/g/ret/#", 1));
    m.expectNothing(500);
    pub.publish("ret/x", "live", 1, false);
    Publish p = m.expectPublish(5000);
    assertEquals("live", MqttWire.text(p));
  }

  @Test
  void noLocalOnASharedSubscriptionIsAProtocolError() throws Exception {
    MqttWire m = raw("nl");
    int id = m.packetId();
    m.send(new io.tributary.mqtt.codec.Subscribe(id,
        List.of(new TopicSubscription("$share/g/nl", 1, true, false, 0)), MqttProperties.EMPTY));
    m.expectDisconnect(0x82, 5000);
  }

  @Test
  void invalidShareNamesAreRefused() throws Exception {
    MqttWire m = raw("names");
    // Well-formed topic filters that break MQTT-4.8.2-1/2: SUBACK 0x8F, the connection stays.
    for (String bad : new String[] {"$share//a", "$share/+/a", "$share/#", "$share/g", "$share/g/"}) {
      assertEquals(0x8F, m.subscribe(bad, 1), bad);
    }
    assertEquals(1, m.subscribe("$share/ok/a", 1));
    // Not a topic filter at all ('+' inside a level): malformed packet.
    MqttWire m2 = raw("names2");
    int id = m2.packetId();
    m2.send(new io.tributary.mqtt.codec.Subscribe(id, List.of(new TopicSubscription("$share/a+b/x", 1)),
        MqttProperties.EMPTY));
    m2.expectDisconnect(0x81, 5000);
  }

  @Test
  void unsubscribeRemovesTheMember() throws Exception {
    Mqtt5Paho a = paho("ua");
    Mqtt5Paho b = paho("ub");
    a.subscribe("$share/u/un", 1);
    b.subscribe("$share/u/un", 1);
    assertEquals(2, broker.broker().sharedGroup("$share/u/un").memberCount());
    a.client.unsubscribe("$share/u/un").waitForCompletion(5000);
    assertEquals(1, broker.broker().sharedGroup("$share/u/un").memberCount());
    Mqtt5Paho pub = paho("pub7");
    int n = 20;
    for (int i = 0; i < n; i++) {
      pub.publish("un", "u-" + i, 1, false);
    }
    assertExactlyOnce(collect(List.of(b), n, new int[1]), "u-", n);
    a.expectNothing(200);
    b.client.unsubscribe("$share/u/un").waitForCompletion(5000);
    assertNull(broker.broker().sharedGroup("$share/u/un"), "the last member's unsubscribe ends the group");
  }
}
