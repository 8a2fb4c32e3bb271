package io.tributary.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.router.RouterOptions;
import io.tributary.router.counters.BrokerCounters.Counter;
import io.tributary.router.security.AccessRules;
import io.tributary.router.security.Authorizer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Topic access rules (Mosquitto's acl_file format) applied to real clients: Paho v3 and v5 and
 * mosquitto_sub. Publishes, subscriptions, retained messages, wills, shared subscriptions and
 * replay are all checked; a filter under which some topics are readable is granted and its
 * deliveries filtered topic by topic.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MqttAclTest {

  static final List<String> ACL = List.of(
      "topic read public/#",
      "user alice",
      "topic readwrite alice/#",
      "topic deny alice/secret",
      "topic write inbox/+",
      "user writer",
      "topic write #",
      "user reader",
      "topic read #",
      "pattern readwrite devices/%c/#");

  private TestBroker broker;
  private final List<AutoCloseable> clients = new ArrayList<>();

  @BeforeEach
  void start() {
    broker = TestBroker.start(2, new MqttOptions(), new RouterOptions());
    broker.broker().setAuthorizer(new Authorizer(AccessRules.parse(ACL, "test.acl")));
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : clients) {
      c.close();
    }
    broker.close();
  }

  private long count(Counter c) {
    return broker.broker().counters().get(c);
  }

  /** A Paho v3 client whose messages are queued. */
  private final class V3 implements AutoCloseable {
    final MqttClient client;
    final BlockingQueue<String> received = new LinkedBlockingQueue<>();

    V3(String clientId, String user, String willTopic) throws MqttException {
      client = new MqttClient(broker.tcpUri(), clientId, new MemoryPersistence());
      client.setCallback(new MqttCallback() {
        @Override
        public void connectionLost(Throwable cause) {
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
          received.add(topic + " " + new String(message.getPayload(), StandardCharsets.UTF_8)
              + (message.isRetained() ? " (retained)" : ""));
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
        }
      });
      MqttConnectOptions o = new MqttConnectOptions();
      o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
      o.setConnectionTimeout(10);
      if (user != null) {
        o.setUserName(user);
        o.setPassword("x".toCharArray());
      }
      if (willTopic != null) {
        o.setWill(willTopic, "gone".getBytes(StandardCharsets.UTF_8), 1, false);
      }
      client.connect(o);
      clients.add(this);
    }

    V3(String clientId, String user) throws MqttException {
      this(clientId, user, null);
    }

    void publish(String topic, String payload, int qos, boolean retain) throws MqttException {
      client.publish(topic, payload.getBytes(StandardCharsets.UTF_8), qos, retain);
    }

    String next() throws InterruptedException {
      String m = received.poll(5, TimeUnit.SECONDS);
      assertTrue(m != null, "expected a message");
      return m;
    }

    @Override
    public void close() throws MqttException {
      if (client.isConnected()) {
        client.disconnectForcibly(100, 1000);
      }
      client.close();
    }
  }

  private Mqtt5Paho v5(String clientId, String user) throws Exception {
    Mqtt5Paho c = Mqtt5Paho.connect(broker, clientId, o -> {
      if (user != null) {
        o.setUserName(user);
        o.setPassword("x".getBytes(StandardCharsets.UTF_8));
      }
    });
    clients.add(c);
    return c;
  }

  @Test
  void mqtt5PublishOutsideTheRulesGets0x87AndIsNotStored() throws Exception {
    V3 reader = new V3("r1", "reader");
    reader.client.subscribe("#", 1);
    Mqtt5Paho alice = v5("a5", "alice");
    long stored = broker.broker().publishedCount();
    assertRefused(() -> alice.publish("public/news", "no", 1, false));
    alice.publish("other/q0", "no", 0, false);
    assertRefused(() -> alice.publish("$SYS/broker/uptime", "no", 1, false));
    assertArrayEquals(new int[] {0x00}, alice.publish("alice/ok", "yes", 1, false));
    assertEquals("alice/ok yes", reader.next(), "only the allowed one reached the log and the reader");
    // Last: Paho v5 halts a QoS 2 flow refused at PUBREC by closing its connection.
    assertRefused(() -> alice.publish("alice/secret", "no", 2, false));
    assertEquals(stored + 1, broker.broker().publishedCount());
    assertEquals(4, count(Counter.PUBLISHES_DENIED));
  }

  interface Publishing {
    int[] publish() throws Exception;
  }

  /** Paho v5 returns a PUBACK's code but throws for a failing PUBREC: either way, 0x87. */
  private static void assertRefused(Publishing publish) throws Exception {
    int code;
    try {
      code = publish.publish()[0];
    } catch (org.eclipse.paho.mqttv5.common.MqttException e) {
      code = e.getReasonCode();
    }
    assertEquals(0x87, code);
  }

  @Test
  void mqtt311PublishOutsideTheRulesIsAcknowledgedAndDropped() throws Exception {
    V3 reader = new V3("r2", "reader");
    reader.client.subscribe("#", 2);
    V3 alice = new V3("a3", "alice");
    alice.publish("public/news", "q1", 1, false); // completes: 3.1.1 cannot say no
    alice.publish("alice/secret", "q2", 2, false); // PUBREC, PUBREL, PUBCOMP all the same
    alice.publish("other/x", "q0", 0, false);
    alice.publish("alice/ok", "yes", 2, false);
    assertEquals("alice/ok yes", reader.next());
    assertEquals(3, count(Counter.PUBLISHES_DENIED));
    assertTrue(alice.client.isConnected(), "a denied publish does not cost the connection");
  }

  @Test
  void subscribingWhereNothingIsReadableIsRefused() throws Exception {
    V3 alice = new V3("a3s", "alice");
    MqttException e = assertThrows(MqttException.class, () -> alice.client.subscribe("inbox/+", 1));
    assertEquals(MqttException.REASON_CODE_SUBSCRIBE_FAILED, e.getReasonCode(), "SUBACK 0x80: write-only");
    assertEquals(0x80, assertThrows(MqttException.class, () -> alice.client.subscribe("alice/secret", 0))
        .getReasonCode() & 0xFF, "denied whole");
    Mqtt5Paho alice5 = v5("a5s", "alice");
    assertArrayEquals(new int[] {0x87}, alice5.subscribe("public/#", 1));
    assertArrayEquals(new int[] {0x87}, alice5.subscribe("$share/g/public/#", 1));
    assertArrayEquals(new int[] {0x01}, alice5.subscribe("$share/g/alice/#", 1));
    assertArrayEquals(new int[] {0x01}, alice5.subscribe("#", 1), "some topics under it are readable");
    Mqtt5Paho anonymous = v5("anon5", null);
    assertArrayEquals(new int[] {0x00}, anonymous.subscribe("public/+", 0));
    assertArrayEquals(new int[] {0x87}, anonymous.subscribe("alice/#", 0));
    assertEquals(5, count(Counter.SUBSCRIPTIONS_DENIED));
  }

  @Test
  void aWideSubscriptionGetsOnlyReadableTopicsLiveRetainedAndReplayed() throws Exception {
    V3 writer = new V3("w", "writer");
    writer.publish("alice/kept", "r1", 1, true);
    writer.publish("alice/secret", "r2", 1, true);
    writer.publish("other/kept", "r3", 1, true);
    V3 alice = new V3("a-wide", "alice");
    alice.client.subscribe("#", 1);
    assertEquals("alice/kept r1 (retained)", alice.next(), "retained messages are filtered too");
    writer.publish("other/live", "x", 1, false);
    writer.publish("alice/secret", "x", 1, false);
    writer.publish("alice/live", "y", 1, false);
    writer.publish("devices/a-wide/cmd", "z", 1, false); // by the %c pattern
    assertEquals("alice/live y", alice.next());
    assertEquals("devices/a-wide/cmd z", alice.next());
    // History: "$replay/earliest/#" replays what alice may read and nothing else.
    V3 replayer = new V3("a-replay", "alice");
    replayer.client.subscribe("$replay/earliest/#", 1);
    List<String> replayed = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      replayed.add(replayer.next());
    }
    // Not devices/a-wide/cmd: the %c pattern gives that to client a-wide only.
    assertEquals(List.of("alice/kept r1", "alice/live y"), replayed.stream()
        .map(m -> m.replace(" (retained)", "")).toList());
    writer.publish("alice/end", "e", 1, false);
    assertEquals("alice/end e", alice.next(), "nothing denied came before it");
    assertEquals("alice/end e", replayer.next());
  }

  @Test
  void sharedSubscriptionsDeliverOnlyReadableTopics() throws Exception {
    Mqtt5Paho alice = v5("a-shared", "alice");
    assertArrayEquals(new int[] {0x01}, alice.subscribe("$share/g/#", 1));
    V3 writer = new V3("w2", "writer");
    writer.publish("other/x", "no", 1, false);
    writer.publish("alice/x", "yes", 1, false);
    Mqtt5Paho.Received r = alice.next();
    assertEquals("alice/x", r.topic());
    alice.expectNothing(300);
  }

  @Test
  void aWillTheRulesDoNotAllowRefusesTheConnection() throws Exception {
    MqttException e = assertThrows(MqttException.class, () -> new V3("a-will", "alice", "public/will"));
    assertEquals(MqttException.REASON_CODE_NOT_AUTHORIZED, e.getReasonCode());
    org.eclipse.paho.mqttv5.common.MqttException e5 = assertThrows(org.eclipse.paho.mqttv5.common.MqttException.class,
        () -> Mqtt5Paho.connect(broker, "a-will5", o -> {
          o.setUserName("alice");
          o.setWill("other/will", new org.eclipse.paho.mqttv5.common.MqttMessage("x".getBytes(StandardCharsets.UTF_8)));
        }));
    assertEquals(0x87, e5.getReasonCode());
    assertEquals(2, count(Counter.WILLS_DENIED));
    // An allowed will connects and is published when the connection drops.
    V3 reader = new V3("r-will", "reader");
    reader.client.subscribe("alice/#", 1);
    V3 ok = new V3("a-will-ok", "alice", "alice/will");
    ok.client.disconnectForcibly(0, 100, false); // no DISCONNECT: the will is due
    assertEquals("alice/will gone", reader.next());
  }

  @Test
  void mosquittoSubHearsOnlyWhatItMayRead() throws Exception {
    Process sub = new ProcessBuilder("/usr/bin/mosquitto_sub", "-h", "127.0.0.1", "-p", "" + broker.port(),
        "-u", "alice", "-P", "x", "-i", "mosq-alice", "-t", "#", "-C", "2", "-v").redirectErrorStream(true).start();
    V3 writer = new V3("w3", "writer");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (broker.broker().index().hasSubscribers("alice/1") == false && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    writer.publish("alice/1", "a", 1, false);
    writer.publish("other/1", "b", 1, false);
    writer.publish("alice/secret", "c", 1, false);
    writer.publish("alice/2", "d", 1, false);
    assertTrue(sub.waitFor(20, TimeUnit.SECONDS), "mosquitto_sub got its two messages");
    assertEquals("alice/1 a\nalice/2 d\n", new String(sub.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  @Test
  void rulesReplacedWhileConnectedApplyToTheNextMessage() throws Exception {
    V3 alice = new V3("a-reload", "alice");
    alice.client.subscribe("#", 1);
    V3 writer = new V3("w4", "writer");
    writer.publish("public/1", "before", 1, false);
    writer.publish("alice/1", "x", 1, false);
    assertEquals("alice/1 x", alice.next());
    List<String> wider = new ArrayList<>(ACL);
    wider.add(2, "topic read public/#"); // alice may now read public/# too
    broker.broker().authorizer().replace(AccessRules.parse(wider, "test.acl"));
    writer.publish("public/2", "after", 1, false);
    assertEquals("public/2 after", alice.next());
    assertTrue(alice.received.isEmpty());
  }
}
