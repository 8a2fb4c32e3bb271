package io.tributary.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.mqtt.codec.Publish;
import io.tributary.mqtt.codec.UnsubAck;
import io.tributary.mqtt.codec.Unsubscribe;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5 subscription options (No Local, Retain As Published, Retain Handling), Subscription
 * Identifiers and UNSUBACK reason codes (issue 3), with Paho v5 clients.
 */
class Mqtt5SubscriptionOptionsTest {

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

  private Mqtt5Paho client(String id) throws Exception {
    Mqtt5Paho c = Mqtt5Paho.connect(broker, id);
    open.add(c);
    return c;
  }

  private static MqttSubscription sub(String filter, int qos, boolean noLocal, boolean rap, int retainHandling) {
    MqttSubscription s = new MqttSubscription(filter, qos);
    s.setNoLocal(noLocal);
    s.setRetainAsPublished(rap);
    s.setRetainHandling(retainHandling);
    return s;
  }

  @Test
  void noLocalSuppressesOwnMessagesOnly() throws Exception {
    Mqtt5Paho a = client("nl-a");
    Mqtt5Paho b = client("nl-b");
    assertArrayEquals(new int[] {1}, a.subscribe(sub("nl/#", 1, true, false, 0), null));
    b.subscribe("nl/#", 1);

    a.publish("nl/from-a", "a1", 1, false);
    b.publish("nl/from-b", "b1", 1, false);

    Mqtt5Paho.Received atA = a.next();
    assertEquals("nl/from-b", atA.topic(), "a gets b's message");
    assertEquals("b1", atA.text());
    a.expectNothing(300); // and never its own

    // b has no No Local: it gets both, its own included.
    assertEquals("a1", b.next().text());
    assertEquals("b1", b.next().text());
  }

  @Test
  void retainAsPublishedKeepsOrClearsTheRetainFlagOnLiveDelivery() throws Exception {
    Mqtt5Paho keep = client("rap-keep");
    Mqtt5Paho clear = client("rap-clear");
    keep.subscribe(sub("rap/#", 1, false, true, 0), null);
    clear.subscribe(sub("rap/#", 1, false, false, 0), null);
    Mqtt5Paho pub = client("rap-pub");

    pub.publish("rap/r", "retained", 1, true);
    pub.publish("rap/n", "plain", 1, false);

    Mqtt5Paho.Received k1 = keep.next();
    assertEquals("retained", k1.text());
    assertTrue(k1.message().isRetained(), "RAP=1 keeps the retain flag");
    Mqtt5Paho.Received k2 = keep.next();
    assertEquals("plain", k2.text());
    assertFalse(k2.message().isRetained(), "a message published without retain is not retained");

    Mqtt5Paho.Received c1 = clear.next();
    assertEquals("retained", c1.text());
    assertFalse(c1.message().isRetained(), "RAP=0 clears the retain flag on live delivery");
    assertFalse(clear.next().message().isRetained());

    // Retained messages sent because of a subscribe always have the flag, whatever RAP says.
    Mqtt5Paho late = client("rap-late");
    late.subscribe(sub("rap/#", 1, false, false, 0), null);
    Mqtt5Paho.Received l = late.next();
    assertEquals("retained", l.text());
    assertTrue(l.message().isRetained());
  }

  private void publishRetained(String topic, String payload) throws Exception {
    try (Mqtt5Paho pub = Mqtt5Paho.connect(broker, "rh-pub-" + System.nanoTime())) {
      pub.publish(topic, payload, 1, true);
    }
  }

  @Test
  void retainHandling0SendsRetainedOnEverySubscribe() throws Exception {
    publishRetained("rh0/t", "kept");
    Mqtt5Paho c = client("rh0");
    c.subscribe(sub("rh0/#", 1, false, false, 0), null);
    Mqtt5Paho.Received first = c.next();
    assertEquals("kept", first.text());
    assertTrue(first.message().isRetained());
    c.subscribe(sub("rh0/#", 1, false, false, 0), null); // re-subscribe: sent again
    Mqtt5Paho.Received again = c.next();
    assertEquals("kept", again.text());
    assertTrue(again.message().isRetained());
    c.expectNothing(200);
  }

  @Test
  void retainHandling1SendsRetainedOnlyForANewSubscription() throws Exception {
    publishRetained("rh1/t", "kept");
    Mqtt5Paho c = client("rh1");
    c.subscribe(sub("rh1/#", 1, false, false, 1), null);
    Mqtt5Paho.Received first = c.next();
    assertEquals("kept", first.text());
    assertTrue(first.message().isRetained());
    c.subscribe(sub("rh1/#", 1, false, false, 1), null); // exists already: nothing
    c.expectNothing(300);
    // After unsubscribing, the subscription is new again.
    c.client.unsubscribe("rh1/#").waitForCompletion(5000);
    c.subscribe(sub("rh1/#", 1, false, false, 1), null);
    assertEquals("kept", c.next().text());
  }

  @Test
  void retainHandling2NeverSendsRetained() throws Exception {
    publishRetained("rh2/t", "kept");
    Mqtt5Paho c = client("rh2");
    c.subscribe(sub("rh2/#", 1, false, false, 2), null);
    c.expectNothing(300);
    // Live messages still flow.
    try (Mqtt5Paho pub = Mqtt5Paho.connect(broker, "rh2-pub")) {
      pub.publish("rh2/t", "live", 1, false);
    }
    assertEquals("live", c.next().text());
  }

  private static Set<Integer> ids(Mqtt5Paho.Received r) {
    return new TreeSet<>(r.message().getProperties().getSubscriptionIdentifiers());
  }

  @Test
  void subscriptionIdentifiersAreDeliveredAllInOnePublish() throws Exception {
    Mqtt5Paho c = client("sid");
    c.subscribe(new MqttSubscription("sid/#", 1), 7);
    c.subscribe(new MqttSubscription("sid/+/x", 0), 300_000); // a multi-byte identifier
    c.subscribe(new MqttSubscription("other/#", 1), null);
    Mqtt5Paho pub = client("sid-pub");

    pub.publish("sid/a/x", "both", 1, false);
    Mqtt5Paho.Received both = c.next();
    assertEquals("both", both.text());
    assertEquals(Set.of(7, 300_000), ids(both), "one PUBLISH carries every matching identifier");
    assertEquals(1, both.message().getQos(), "the highest QoS of the matching subscriptions");

    pub.publish("sid/b", "one", 1, false);
    Mqtt5Paho.Received one = c.next();
    assertEquals("one", one.text());
    assertEquals(Set.of(7), ids(one));

    pub.publish("other/z", "none", 1, false);
    Mqtt5Paho.Received none = c.next();
    assertEquals("none", none.text());
    assertTrue(none.message().getProperties().getSubscriptionIdentifiers().isEmpty(),
        "no identifier for a subscription made without one");
    c.expectNothing(200); // and no second copy of "both"
  }

  @Test
  void subscriptionIdentifierComesWithRetainedAndFollowsAReplacedSubscription() throws Exception {
    publishRetained("sidr/t", "kept");
    Mqtt5Paho c = client("sidr");
    c.subscribe(new MqttSubscription("sidr/#", 1), 11);
    Mqtt5Paho.Received r = c.next();
    assertEquals("kept", r.text());
    assertEquals(Set.of(11), ids(r));
    // Subscribing again to the same filter replaces the subscription and its identifier.
    c.subscribe(sub("sidr/#", 1, false, false, 2), 12);
    try (Mqtt5Paho pub = Mqtt5Paho.connect(broker, "sidr-pub")) {
      pub.publish("sidr/t", "live", 1, false);
    }
    Mqtt5Paho.Received live = c.next();
    assertEquals("live", live.text());
    assertEquals(Set.of(12), ids(live));
  }

  @Test
  void subscriptionIdentifiersOnTheWire() throws Exception {
    // The raw client sees packets, not merged callbacks: exactly one PUBLISH with both ids.
    MqttWire c = MqttWire.connect5(broker.port(), "sid-raw");
    open.add(c);
    c.subscribe(new io.tributary.mqtt.codec.TopicSubscription("w/#", 0), 5);
    c.subscribe(new io.tributary.mqtt.codec.TopicSubscription("w/+", 0), 6);
    try (Mqtt5Paho pub = Mqtt5Paho.connect(broker, "sid-raw-pub")) {
      pub.publish("w/x", "m", 1, false);
    }
    Publish p = c.expectPublish(5000);
    assertEquals("w/x", p.topic());
    assertEquals(Set.of(5, 6), new TreeSet<>(p.properties().subscriptionIdentifiers()));
    c.expectNothing(200);
  }

  @Test
  void unsubackReasonCodes() throws Exception {
    Mqtt5Paho c = client("unsub");
    c.subscribe("u/a", 1);
    IMqttToken t = c.client.unsubscribe("u/a");
    t.waitForCompletion(5000);
    assertArrayEquals(new int[] {0x00}, t.getReasonCodes(), "existing subscription: success");
    t = c.client.unsubscribe("u/a");
    t.waitForCompletion(5000);
    assertArrayEquals(new int[] {0x11}, t.getReasonCodes(), "no subscription existed");

    // One UNSUBSCRIBE with several filters gets one code per filter, in order.
    MqttWire raw = MqttWire.connect5(broker.port(), "unsub-raw");
    open.add(raw);
    raw.subscribe("u/x", 1);
    raw.subscribe("u/z", 0);
    raw.send(new Unsubscribe(99, List.of("u/x", "u/y", "u/z")));
    UnsubAck ack = raw.expect(UnsubAck.class, 5000);
    assertEquals(99, ack.packetId());
    assertEquals(List.of(0x00, 0x11, 0x00), ack.reasonCodes());
  }
}
