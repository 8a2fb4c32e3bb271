package io.tributary.mqtt;

import static io.tributary.mqtt.FlowSupport.bytes;
import static io.tributary.mqtt.FlowSupport.paho;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.mqtt.FlowSupport.Closer;
import io.tributary.mqtt.FlowSupport.Collector;
import io.tributary.mqtt.FlowSupport.Received;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Retained messages end to end with Paho: store, replace, clear, retain flag on subscribe and
 * not on live delivery, wildcard subscribe, and QoS downgrade. Retained publishes use QoS 1 or 2
 * (or are followed by one from the same client) so they are stored before the test subscribes.
 */
class RetainedTest {

  private TestBroker broker;
  private final Closer closer = new Closer();
  private MqttClient pub;

  @BeforeEach
  void start() throws Exception {
    broker = TestBroker.start();
    pub = paho(closer, broker, "retain-pub");
  }

  @AfterEach
  void stop() {
    closer.close();
    broker.close();
  }

  /** A fresh subscriber with one global callback. */
  private Collector subscribe(String clientId, String filter, int qos) throws Exception {
    Collector got = new Collector();
    MqttClient sub = paho(closer, broker, clientId);
    sub.setCallback(got.asCallback());
    sub.subscribe(filter, qos);
    return got;
  }

  @Test
  void retainedMessageIsSentOnSubscribeWithRetainFlag() throws Exception {
    pub.publish("r/1", bytes("v1"), 1, true);
    Collector got = subscribe("late-sub", "r/1", 1);
    Received r = got.take();
    assertEquals("r/1", r.topic);
    assertEquals("v1", r.text());
    assertTrue(r.retained, "sent because of a new subscription: retain set");
    assertEquals(1, r.qos);
    got.assertQuiet();
  }

  @Test
  void newerRetainedMessageReplacesTheOlder() throws Exception {
    pub.publish("r/2", bytes("v1"), 1, true);
    pub.publish("r/2", bytes("v2"), 1, true);
    pub.publish("r/2", bytes("v3"), 1, true);
    Collector got = subscribe("replace-sub", "r/2", 1);
    // A live publish after subscribing: retained messages are sent before anything newer.
    pub.publish("r/2", bytes("live"), 1, false);
    List<Received> r = got.take(2);
    assertEquals("v3", r.get(0).text());
    assertTrue(r.get(0).retained);
    assertEquals("live", r.get(1).text());
    assertFalse(r.get(1).retained);
    got.assertQuiet();
  }

  @Test
  void emptyRetainedPayloadClearsTheTopic() throws Exception {
    pub.publish("r/3", bytes("v1"), 1, true);
    Collector before = subscribe("before-clear", "r/3", 1);
    assertEquals("v1", before.take().text());

    pub.publish("r/3", new byte[0], 1, true);
    // Existing subscribers get the clearing message like any other (retain 0, empty payload).
    Received clear = before.take();
    assertEquals(0, clear.payload.length);
    assertFalse(clear.retained);
    assertEquals(0, broker.broker().retained().size());

    Collector after = subscribe("after-clear", "r/3", 1);
    pub.publish("r/3", bytes("marker"), 1, false);
    Received first = after.take();
    assertEquals("marker", first.text(), "no retained message may come before the marker");
    assertFalse(first.retained);
    after.assertQuiet();
  }

  @Test
  void liveDeliveryOfARetainedPublishHasRetainZero() throws Exception {
    Collector existing = subscribe("existing-sub", "r/4", 2);
    pub.publish("r/4", bytes("live"), 2, true);
    Received live = existing.take();
    assertEquals("live", live.text());
    assertFalse(live.retained, "live delivery to an existing subscriber: retain 0");
    assertEquals(2, live.qos);

    // ... while it was stored, and a new subscriber gets it with retain 1.
    Collector late = subscribe("late-sub-4", "r/4", 2);
    Received stored = late.take();
    assertEquals("live", stored.text());
    assertTrue(stored.retained);
    Collector.assertAllQuiet(existing, late);
  }

  @Test
  void wildcardSubscribeGetsEveryMatchingRetainedMessage() throws Exception {
    pub.publish("w/a", bytes("a"), 1, true);
    pub.publish("w/b", bytes("b"), 1, true);
    pub.publish("w/c/d", bytes("cd"), 1, true);
    pub.publish("w", bytes("parent"), 1, true);
    pub.publish("x/y", bytes("other"), 1, true);
    pub.publish("w/e", bytes("not retained"), 1, false);

    Collector all = subscribe("wild-sub", "w/#", 1);
    Map<String, String> got = new TreeMap<>();
    for (Received r : all.take(4)) {
      assertTrue(r.retained, "retained flag on " + r);
      got.put(r.topic, r.text());
    }
    assertEquals(Map.of("w", "parent", "w/a", "a", "w/b", "b", "w/c/d", "cd"), got);
    all.assertQuiet();

    Collector plus = subscribe("plus-sub", "w/+", 1);
    Map<String, String> gotPlus = new TreeMap<>();
    for (Received r : plus.take(2)) {
      gotPlus.put(r.topic, r.text());
    }
    assertEquals(Map.of("w/a", "a", "w/b", "b"), gotPlus);
    plus.assertQuiet();
  }

  @Test
  void resubscribingTheSameFilterResendsTheRetainedMessage() throws Exception {
    pub.publish("r/5", bytes("kept"), 1, true);
    Collector got = new Collector();
    MqttClient sub = paho(closer, broker, "resub-retained");
    sub.setCallback(got.asCallback());
    sub.subscribe("r/5", 1);
    Received first = got.take();
    assertEquals("kept", first.text());
    assertEquals(1, first.qos);
    // MQTT-3.8.4-3: a SUBSCRIBE replacing an existing subscription re-sends retained messages.
    sub.subscribe("r/5", 0);
    Received again = got.take();
    assertEquals("kept", again.text());
    assertTrue(again.retained);
    assertEquals(0, again.qos, "at the new subscription's QoS");
    got.assertQuiet();
  }

  @Test
  void manyRetainedMessagesPassThroughASmallInflightWindow() throws Exception {
    TestBroker small = closer.add(TestBroker.start(2, new MqttOptions(),
        new io.tributary.router.RouterOptions().setMaxInflight(2)));
    MqttClient p = paho(closer, small, "window-pub");
    int n = 20;
    for (int i = 0; i < n; i++) {
      p.publish("many/" + i, bytes("v" + i), 1 + i % 2, true);
    }
    Collector got = new Collector();
    MqttClient sub = paho(closer, small, "window-sub");
    sub.setCallback(got.asCallback());
    sub.subscribe("many/#", 2);
    p.publish("many/live", bytes("live"), 1, false);
    Map<String, String> retained = new TreeMap<>();
    Received live = null;
    for (Received r : got.take(n + 1)) {
      if (r.retained) {
        retained.put(r.topic, r.text());
      } else {
        assertEquals(null, live, "one live message only");
        live = r;
      }
    }
    assertEquals(n, retained.size(), "every retained message once: " + retained);
    for (int i = 0; i < n; i++) {
      assertEquals("v" + i, retained.get("many/" + i));
    }
    assertEquals("live", live.text());
    got.assertQuiet();
  }

  @Test
  void retainedMessageQosIsTheMinimumOfStoredAndGranted() throws Exception {
    pub.publish("q/0", bytes("0"), 0, true);
    pub.publish("q/1", bytes("1"), 1, true);
    pub.publish("q/2", bytes("2"), 2, true); // acknowledged: q/0 and q/1 are stored too
    for (int granted = 0; granted <= 2; granted++) {
      Collector sub = subscribe("qos-sub-" + granted, "q/+", granted);
      List<Received> got = new ArrayList<>(sub.take(3));
      Map<String, Integer> qosByTopic = new TreeMap<>();
      for (Received r : got) {
        assertTrue(r.retained, "retained flag on " + r);
        qosByTopic.put(r.topic, r.qos);
      }
      assertEquals(Map.of("q/0", 0, "q/1", Math.min(1, granted), "q/2", Math.min(2, granted)),
          qosByTopic, "granted " + granted + ": " + got);
      sub.assertQuiet();
    }
  }
}
