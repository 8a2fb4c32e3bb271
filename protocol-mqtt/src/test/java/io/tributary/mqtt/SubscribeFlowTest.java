package io.tributary.mqtt;

import static io.tributary.mqtt.FlowSupport.await;
import static io.tributary.mqtt.FlowSupport.bytes;
import static io.tributary.mqtt.FlowSupport.paho;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.tributary.mqtt.FlowSupport.Closer;
import io.tributary.mqtt.FlowSupport.Collector;
import io.tributary.mqtt.MqttWire.Frame;
import io.tributary.mqtt.FlowSupport.Received;
import io.tributary.mqtt.codec.Ack;
import io.tributary.mqtt.codec.PacketType;
import io.tributary.mqtt.codec.PingReq;
import io.tributary.mqtt.codec.Publish;
import io.tributary.mqtt.codec.Subscribe;
import io.tributary.mqtt.codec.TopicSubscription;
import io.tributary.mqtt.codec.Unsubscribe;
import io.tributary.router.RouterOptions;
import io.vertx.core.Vertx;
import io.vertx.mqtt.MqttClientOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** SUBSCRIBE/SUBACK, UNSUBSCRIBE/UNSUBACK and filter matching, end to end. */
class SubscribeFlowTest {

  private static Vertx clientVertx;

  private final Closer closer = new Closer();

  @BeforeAll
  static void startClientVertx() {
    clientVertx = Vertx.vertx();
  }

  @AfterAll
  static void stopClientVertx() throws Exception {
    clientVertx.close().await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() {
    closer.close();
  }

  private TestBroker broker() {
    return closer.add(TestBroker.start());
  }

  @Test
  void subackEchoesTheGrantedQosOfEachFilterInOrder() throws Exception {
    TestBroker broker = broker();
    MqttWire raw = FlowSupport.connectRaw(closer, broker, "suback-raw", true);
    raw.send(new Subscribe(0x1234, List.of(
        new TopicSubscription("s/2", 2), new TopicSubscription("s/0", 0),
        new TopicSubscription("s/+/1", 1), new TopicSubscription("s/#", 2))));
    Frame suback = raw.readFrame();
    assertEquals(0x90, suback.header);
    assertEquals("123402000102", ByteBufUtil.hexDump(suback.body));

    MqttClient paho = paho(closer, broker, "suback-paho");
    IMqttToken tok = paho.subscribeWithResponse(new String[] {"p/0", "p/1", "p/2"}, new int[] {0, 1, 2});
    assertEquals(List.of(0, 1, 2), toList(tok.getGrantedQos()));
  }

  @Test
  void filterDeeperThanMaxTopicLevelsIsRefusedWith0x80() throws Exception {
    TestBroker broker = closer.add(TestBroker.start(2, new MqttOptions().setMaxTopicLevels(3),
        new RouterOptions()));
    MqttWire raw = FlowSupport.connectRaw(closer, broker, "deep-raw", true);
    raw.send(new Subscribe(9, List.of(
        new TopicSubscription("a/b/c", 1), new TopicSubscription("a/b/c/d", 1),
        new TopicSubscription("x", 2), new TopicSubscription("a/+/+/#", 0))));
    Frame suback = raw.readFrame(9);
    assertEquals("0009" + "01" + "80" + "02" + "80", ByteBufUtil.hexDump(suback.body));
    // A refusal is not a violation: the connection stays, and the accepted filters work.
    raw.send(PingReq.INSTANCE);
    assertEquals(13, raw.readFrame().type());
    MqttClient pub = paho(closer, broker, "deep-pub");
    pub.publish("a/b/c", bytes("ok"), 1, false);
    Frame delivered = raw.readFrame(3);
    assertEquals(0x32, delivered.header);

    // The Vert.x client exposes the code.
    io.vertx.mqtt.MqttClient vc = FlowSupport.vertxClient(closer, clientVertx, broker,
        new MqttClientOptions().setClientId("deep-vertx"));
    await(vc.connect(broker.port(), "127.0.0.1"));
    List<Integer> codes = new CopyOnWriteArrayList<>();
    vc.subscribeCompletionHandler(ack -> codes.addAll(ack.grantedQoSLevels()));
    Map<String, Integer> topics = new LinkedHashMap<>();
    topics.put("a/b/c/d", 1);
    topics.put("a/b", 2);
    await(vc.subscribe(topics));
    FlowSupport.waitUntil("SUBACK", () -> codes.size() == 2);
    assertEquals(List.of(0x80, 2), codes);

    // Paho v3 reports the refusal as an exception.
    MqttClient paho = paho(closer, broker, "deep-paho");
    MqttException e = assertThrows(MqttException.class, () -> paho.subscribe("a/b/c/d", 1));
    assertEquals(MqttException.REASON_CODE_SUBSCRIBE_FAILED, e.getReasonCode());
  }

  @Test
  void unsubscribeGetsUnsubackAndStopsDelivery() throws Exception {
    TestBroker broker = broker();
    MqttWire raw = FlowSupport.connectRaw(closer, broker, "unsub-raw", true);
    raw.send(new Subscribe(1, List.of(new TopicSubscription("u/t", 1), new TopicSubscription("keep/t", 1))));
    raw.readFrame(9);
    raw.send(new Unsubscribe(0x0A0B, List.of("u/t", "not/subscribed")));
    Frame unsuback = raw.readFrame();
    assertEquals(0xB0, unsuback.header);
    assertEquals("0a0b", ByteBufUtil.hexDump(unsuback.body));

    Collector got = new Collector();
    MqttClient sub = paho(closer, broker, "unsub-paho");
    sub.subscribe(new String[] {"u/t", "keep/t"}, new int[] {1, 1},
        new org.eclipse.paho.client.mqttv3.IMqttMessageListener[] {got, got});
    MqttClient pub = paho(closer, broker, "unsub-pub");
    pub.publish("u/t", bytes("before"), 1, false);
    assertEquals("before", got.take().text());
    sub.unsubscribe("u/t");

    // Same publisher, in order: anything still delivered for u/t would arrive before "after".
    pub.publish("u/t", bytes("dropped"), 1, false);
    pub.publish("keep/t", bytes("after"), 1, false);
    Received r = got.take();
    assertEquals("keep/t", r.topic);
    assertEquals("after", r.text());
    got.assertQuiet();
    // The raw client likewise sees only keep/t.
    Frame f = raw.readFrame(3);
    assertEquals("keep/t", topicOf(f), "raw subscriber got " + f);
  }

  @Test
  void hashDoesNotMatchDollarTopicsButDollarFiltersDo() throws Exception {
    TestBroker broker = broker();
    Collector all = new Collector();
    Collector plus = new Collector();
    Collector sys = new Collector();
    paho(closer, broker, "hash-sub").subscribe("#", 1, all);
    paho(closer, broker, "plus-sub").subscribe("+/x", 1, plus);
    paho(closer, broker, "sys-sub").subscribe("$app/#", 1, sys);
    MqttClient pub = paho(closer, broker, "dollar-pub");
    pub.publish("$app/x", bytes("sys"), 1, false); // not $SYS: that one is read-only for clients
    pub.publish("plain/x", bytes("plain"), 1, false);

    Received s = sys.take();
    assertEquals("$app/x", s.topic);
    // In publish order: had '#' or '+/x' matched $app/x, that delivery would come first.
    assertEquals("plain/x", all.take().topic);
    assertEquals("plain/x", plus.take().topic);
    Collector.assertAllQuiet(all, plus, sys);
  }

  @Test
  void multiLevelWildcardMatchesItsParentLevel() throws Exception {
    TestBroker broker = broker();
    Collector got = new Collector();
    paho(closer, broker, "sport-sub").subscribe("sport/#", 1, got);
    MqttClient pub = paho(closer, broker, "sport-pub");
    pub.publish("sport", bytes("1"), 1, false);
    pub.publish("sports", bytes("x"), 1, false);
    pub.publish("sport/tennis/player1", bytes("2"), 1, false);
    pub.publish("sport/", bytes("3"), 1, false);
    List<Received> r = got.take(3);
    assertEquals(List.of("sport", "sport/tennis/player1", "sport/"),
        List.of(r.get(0).topic, r.get(1).topic, r.get(2).topic));
    got.assertQuiet();
  }

  @Test
  void overlappingSubscriptionsDeliverOnceAtTheHighestQos() throws Exception {
    TestBroker broker = broker();
    // A raw subscriber sees every PUBLISH on the wire (Paho would hand one PUBLISH to each
    // matching per-filter listener, and delivers QoS 2 only at PUBREL, out of wire order).
    MqttWire sub = FlowSupport.connectRaw(closer, broker, "overlap-sub", true);
    sub.send(new Subscribe(1, List.of(new TopicSubscription("a/#", 0),
        new TopicSubscription("a/b", 2), new TopicSubscription("a/+", 1))));
    assertEquals("0001000201", ByteBufUtil.hexDump(sub.readFrame(9).body));
    MqttClient pub = paho(closer, broker, "overlap-pub");
    pub.publish("a/b", bytes("both"), 2, false);
    pub.publish("a/c/d", bytes("marker"), 2, false);

    Frame first = sub.readFrame(3);
    assertEquals(0x34, first.header, "QoS 2 (the highest granted), no DUP, no retain: " + first);
    assertEquals("a/b", topicOf(first));
    int id = ((first.body[5] & 0xFF) << 8) | (first.body[6] & 0xFF);
    sub.send(new Ack(PacketType.PUBREC, id));
    // Next: our PUBREL and the QoS 0 marker, in either order. A second copy of a/b would come
    // before the marker (same publisher, in order), so nothing else may show up.
    Frame marker = null;
    boolean released = false;
    while (marker == null || !released) {
      Frame f = sub.readFrame();
      if (f.type() == 6) {
        assertEquals(0x62, f.header);
        assertEquals(id, f.packetId());
        released = true;
      } else {
        assertEquals(0x30, f.header, "only a/# (QoS 0) matches a/c/d; got " + f);
        assertEquals("a/c/d", topicOf(f));
        assertEquals(null, marker, "marker twice");
        marker = f;
      }
    }
    sub.send(new Ack(PacketType.PUBCOMP, id));
    sub.send(PingReq.INSTANCE);
    assertEquals(0xD0, sub.readFrame().header, "nothing but PINGRESP after the marker");
  }

  @Test
  void resubscribingReplacesTheQosWithoutInterruptingTheFlow() throws Exception {
    TestBroker broker = broker();
    MqttWire raw = FlowSupport.connectRaw(closer, broker, "resub", true);
    raw.send(new Subscribe(1, List.of(new TopicSubscription("re/t", 0))));
    assertEquals("000100", ByteBufUtil.hexDump(raw.readFrame(9).body));
    // One read: a PUBLISH to the subscribed topic, then a SUBSCRIBE replacing that subscription.
    // MQTT-3.8.4-3: the replacement must not interrupt the flow, so the message still arrives.
    raw.sendTogether(
        new Publish("re/t", 0, false, false, 0, Unpooled.wrappedBuffer(bytes("m1"))),
        new Subscribe(2, List.of(new TopicSubscription("re/t", 1))));
    Frame message = null;
    Frame suback = null;
    while (message == null || suback == null) {
      Frame f = raw.readFrame();
      if (f.type() == 9) {
        assertEquals(null, suback, "SUBACK twice");
        suback = f;
      } else {
        assertEquals(3, f.type(), "PUBLISH expected, got " + f);
        assertEquals(null, message, "m1 delivered twice");
        message = f;
      }
    }
    assertEquals("000201", ByteBufUtil.hexDump(suback.body));
    assertEquals("re/t", topicOf(message));
    // Published while the QoS 0 subscription held (or after the QoS 1 one replaced it): either.
    assertTrue(message.header == 0x30 || message.header == 0x32, "got " + message);
    if (message.header == 0x32) {
      raw.send(new Ack(PacketType.PUBACK, message.packetId()));
    }

    // From now on the new QoS applies, once per message.
    MqttClient pub = paho(closer, broker, "resub-pub");
    pub.publish("re/t", bytes("m2"), 2, false);
    Frame m2 = raw.readFrame(3);
    assertEquals(0x32, m2.header, "QoS 1 after the re-subscribe: " + m2);
    int id = ((m2.body[6] & 0xFF) << 8) | (m2.body[7] & 0xFF);
    raw.send(new Ack(PacketType.PUBACK, id));
    raw.send(PingReq.INSTANCE);
    assertEquals(0xD0, raw.readFrame().header, "only one copy of m2");
  }

  @Test
  void unsubscribeOfOneSessionLeavesTheSameFilterOfOthers() throws Exception {
    TestBroker broker = broker();
    List<Collector> subs = new ArrayList<>();
    List<MqttClient> clients = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Collector c = new Collector();
      MqttClient client = paho(closer, broker, "same-filter-" + i);
      client.subscribe("same/+", 1, c);
      subs.add(c);
      clients.add(client);
    }
    clients.get(0).unsubscribe("same/+");
    clients.get(3).unsubscribe("same/+");
    MqttClient pub = paho(closer, broker, "same-pub");
    pub.publish("same/x", bytes("1"), 1, false);
    assertEquals("1", subs.get(1).take().text());
    assertEquals("1", subs.get(2).take().text());
    Collector.assertAllQuiet(subs.toArray(new Collector[0]));
  }

  @Test
  void singleLevelWildcardMatchesExactlyOneLevelIncludingEmptyOnes() throws Exception {
    TestBroker broker = broker();
    String[] filters = {"sport/+", "+/+", "+", "/+", "a/+/b", "#"};
    Map<String, Collector> byFilter = new LinkedHashMap<>();
    int i = 0;
    for (String f : filters) {
      Collector c = new Collector();
      MqttClient client = paho(closer, broker, "plus-" + i++);
      client.setCallback(c.asCallback());
      client.subscribe(f, 1);
      byFilter.put(f, c);
    }
    String[] topics = {"sport", "sport/", "sport/a", "sport/a/b", "/finance", "a//b", "a/x/b", "x"};
    MqttClient pub = paho(closer, broker, "plus-pub");
    for (String t : topics) {
      pub.publish(t, bytes(t), 1, false);
    }
    Map<String, List<String>> expected = new LinkedHashMap<>();
    expected.put("sport/+", List.of("sport/", "sport/a"));
    expected.put("+/+", List.of("sport/", "sport/a", "/finance"));
    expected.put("+", List.of("sport", "x"));
    expected.put("/+", List.of("/finance"));
    expected.put("a/+/b", List.of("a//b", "a/x/b"));
    expected.put("#", List.of(topics));
    for (Map.Entry<String, List<String>> e : expected.entrySet()) {
      Collector c = byFilter.get(e.getKey());
      List<String> got = new ArrayList<>();
      for (Received r : c.take(e.getValue().size())) {
        got.add(r.topic);
      }
      assertEquals(e.getValue(), got, "filter " + e.getKey());
    }
    Collector.assertAllQuiet(byFilter.values().toArray(new Collector[0]));
  }

  private static String topicOf(Frame publish) {
    int len = ((publish.body[0] & 0xFF) << 8) | (publish.body[1] & 0xFF);
    return new String(publish.body, 2, len, java.nio.charset.StandardCharsets.UTF_8);
  }

  @Test
  void overlappingSubscriptionsDeliverOnceWhileCatchingUp() throws Exception {
    // With an in-flight window of 1 the session falls behind and reads the log itself (the
    // catch-up path, not the core's dispatch); overlap must still give one copy at the max QoS.
    TestBroker broker = closer.add(TestBroker.start(2, new MqttOptions(),
        new RouterOptions().setMaxInflight(1)));
    Collector got = new Collector();
    MqttClient sub = paho(closer, broker, "overlap-slow-sub");
    sub.setCallback(got.asCallback());
    sub.subscribe("c/#", 1);
    sub.subscribe("c/b", 2);
    MqttClient pub = paho(closer, broker, "overlap-slow-pub");
    int n = 20;
    for (int i = 0; i < n; i++) {
      pub.publish("c/b", bytes("m" + i), 2, false);
    }
    pub.publish("c/end", bytes("end"), 1, false);
    List<Received> r = got.take(n + 1);
    for (int i = 0; i < n; i++) {
      assertEquals("m" + i, r.get(i).text(), "in order, once each: " + r);
      assertEquals(2, r.get(i).qos);
    }
    assertEquals("c/end", r.get(n).topic);
    assertEquals(1, r.get(n).qos);
    got.assertQuiet();
  }

  private static List<Integer> toList(int[] a) {
    List<Integer> l = new ArrayList<>();
    for (int v : a) {
      l.add(v);
    }
    return l;
  }
}
