package io.tributary.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.router.RouterOptions;
import io.tributary.router.counters.BrokerCounters.Counter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What one client may keep in the broker: sessions, subscriptions, retained messages. Each limit
 * crossed with Paho v3 and v5: the refusal code, the counter, and that nothing past it was kept.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClientLimitsTest {

  private TestBroker broker;
  private final List<AutoCloseable> clients = new ArrayList<>();

  private TestBroker start(RouterOptions options) {
    broker = TestBroker.start(2, new MqttOptions(), options);
    return broker;
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : clients) {
      c.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  private MqttClient v3(String id, boolean clean) throws MqttException {
    MqttClient c = new MqttClient(broker.tcpUri(), id, new MemoryPersistence());
    MqttConnectOptions o = new MqttConnectOptions();
    o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    o.setCleanSession(clean);
    o.setConnectionTimeout(10);
    c.connect(o);
    clients.add(() -> {
      if (c.isConnected()) {
        c.disconnectForcibly(100, 1000);
      }
      c.close();
    });
    return c;
  }

  private Mqtt5Paho v5(String id) throws Exception {
    Mqtt5Paho c = Mqtt5Paho.connect(broker, id);
    clients.add(c);
    return c;
  }

  private long count(Counter c) {
    return broker.broker().counters().get(c);
  }

  @Test
  void sessionsPastMaxSessionsAreRefusedButExistingOnesComeBack() throws Exception {
    start(new RouterOptions().setMaxSessions(2));
    v3("kept-1", false).disconnect(); // persistent: stays while offline
    MqttClient second = v3("kept-2", false);
    MqttException e = assertThrows(MqttException.class, () -> v3("third", true));
    assertEquals(MqttException.REASON_CODE_BROKER_UNAVAILABLE, e.getReasonCode(), "3.1.1: 0x03");
    org.eclipse.paho.mqttv5.common.MqttException e5 = assertThrows(org.eclipse.paho.mqttv5.common.MqttException.class,
        () -> v5("third-5"));
    assertEquals(0x97, e5.getReasonCode(), "5: quota exceeded");
    assertTrue(v3("kept-1", false).isConnected(), "an existing session is not a new one");
    assertEquals(2, count(Counter.SESSIONS_REFUSED_LIMIT));
    assertEquals(2, broker.broker().sessionCount());
    second.disconnect();
  }

  @Test
  void aClientIdThatConnectsTooOftenIsRefusedForTheBanTime() throws Exception {
    start(new RouterOptions().setFlapping(3, 60, 2));
    for (int i = 0; i < 3; i++) {
      v3("flappy", true).disconnect();
    }
    MqttException e = assertThrows(MqttException.class, () -> v3("flappy", true));
    assertEquals(MqttException.REASON_CODE_BROKER_UNAVAILABLE, e.getReasonCode(), "3.1.1: 0x03, try later");
    assertTrue(v3("steady", true).isConnected(), "other ids are not touched");
    for (int i = 0; i < 3; i++) {
      v5("flappy-5").disconnect();
    }
    org.eclipse.paho.mqttv5.common.MqttException e5 = assertThrows(org.eclipse.paho.mqttv5.common.MqttException.class,
        () -> v5("flappy-5"));
    assertEquals(0x9F, e5.getReasonCode(), "5: connection rate exceeded");
    assertEquals(2, count(Counter.CONNECTS_REFUSED_FLAPPING));
    Thread.sleep(2_100); // the ban is 2 s
    assertTrue(v3("flappy", true).isConnected(), "let in once the ban is over");
  }

  @Test
  void subscriptionsPastTheLimitAreRefusedAndReplacingOneIsNot() throws Exception {
    start(new RouterOptions().setMaxSubscriptionsPerClient(2));
    MqttClient c = v3("subs", true);
    c.subscribe("a/#", 1);
    c.subscribe("b/#", 1);
    MqttException e = assertThrows(MqttException.class, () -> c.subscribe("c/#", 1));
    assertEquals(MqttException.REASON_CODE_SUBSCRIBE_FAILED, e.getReasonCode());
    c.subscribe("a/#", 0); // replaces: still two
    c.unsubscribe("b/#");
    c.subscribe("c/#", 1);
    // Paho v5 (1.2.5) takes SUBACK 0x97 for an invalid code and drops the connection, though MQTT
    // 5 lists it (3.9.3): the MQTT 5 refusal is read off the wire.
    try (MqttWire c5 = MqttWire.connect5(broker.port(), "subs-5")) {
      assertEquals(0x01, c5.subscribe("x/1", 1));
      assertEquals(0x01, c5.subscribe("$share/g/x/2", 1));
      assertEquals(0x97, c5.subscribe("x/3", 1), "shared subscriptions count too");
    }
    assertEquals(2, count(Counter.SUBSCRIPTIONS_REFUSED_LIMIT));
  }

  @Test
  void retainedMessagesPastTheLimitsAreRefusedAndClearingOneMakesRoom() throws Exception {
    start(new RouterOptions().setMaxRetainedMessages(2).setMaxRetainedBytes(200));
    Mqtt5Paho p = v5("retainer");
    // 0x10: accepted, nobody subscribes.
    assertArrayEquals(new int[] {0x10}, p.publish("r/1", "one", 1, true));
    assertArrayEquals(new int[] {0x10}, p.publish("r/2", "two", 1, true));
    assertArrayEquals(new int[] {0x97}, p.publish("r/3", "three", 1, true), "a third topic");
    assertArrayEquals(new int[] {0x10}, p.publish("r/1", "one again", 1, true), "replacing one is not more");
    assertArrayEquals(new int[] {0x97}, p.publish("r/2", "x".repeat(300), 1, true), "past the bytes");
    MqttClient v3 = v3("retainer-3", true);
    v3.publish("r/4", "four".getBytes(StandardCharsets.UTF_8), 1, true); // 3.1.1: acknowledged, dropped
    assertEquals(3, count(Counter.RETAINED_REFUSED_LIMIT));
    assertEquals(List.of("r/1 one again", "r/2 two"), retained("r/#", 2));
    p.publish("r/2", "", 1, true); // clears it
    assertTrue(p.publish("r/3", "three", 1, true)[0] < 0x80, "room again");
    assertEquals(List.of("r/1 one again", "r/3 three"), retained("r/#", 2));
  }

  /** What a new subscriber to filter gets as retained messages, sorted. */
  private List<String> retained(String filter, int expected) throws Exception {
    BlockingQueue<String> got = new LinkedBlockingQueue<>();
    MqttClient s = v3("reader-" + System.nanoTime(), true);
    s.subscribe(filter, 1, (t, m) -> got.add(t + " " + new String(m.getPayload(), StandardCharsets.UTF_8)));
    List<String> all = new ArrayList<>();
    for (int i = 0; i < expected; i++) {
      String m = got.poll(5, TimeUnit.SECONDS);
      assertTrue(m != null, "retained message " + (i + 1) + " of " + expected);
      all.add(m);
    }
    assertEquals(null, got.poll(300, TimeUnit.MILLISECONDS), "no more");
    all.sort(null);
    return all;
  }
}
