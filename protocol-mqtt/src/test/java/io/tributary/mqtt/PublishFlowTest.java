package io.tributary.mqtt;

import static io.tributary.mqtt.FlowSupport.await;
import static io.tributary.mqtt.FlowSupport.bytes;
import static io.tributary.mqtt.FlowSupport.paho;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.tributary.mqtt.FlowSupport.Closer;
import io.tributary.mqtt.FlowSupport.Collector;
import io.tributary.mqtt.MqttWire.Frame;
import io.tributary.mqtt.FlowSupport.Received;
import io.tributary.mqtt.codec.Ack;
import io.tributary.mqtt.codec.MqttEncoder;
import io.tributary.mqtt.codec.MqttVersion;
import io.tributary.mqtt.codec.PacketType;
import io.tributary.mqtt.codec.Publish;
import io.tributary.router.RouterOptions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClientOptions;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** PUBLISH flows at QoS 0/1/2 between real clients, exactly once, order and size limits. */
class PublishFlowTest {

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

  /** Payload "q<publish qos>" so each delivery names the QoS it was published at. */
  private static void assertDeliveredAtMin(List<Received> got, int grantedQos) {
    Map<String, Integer> qosByPayload = new HashMap<>();
    for (Received r : got) {
      assertFalse(r.retained, "live delivery with retain set: " + r);
      assertFalse(r.dup, "first delivery with DUP set: " + r);
      Integer before = qosByPayload.put(r.text(), r.qos);
      assertEquals(null, before, "delivered twice: " + r.text() + " in " + got);
    }
    for (int pubQos = 0; pubQos <= 2; pubQos++) {
      assertEquals(Math.min(pubQos, grantedQos), qosByPayload.get("q" + pubQos),
          "subscriber granted " + grantedQos + ", message published at " + pubQos + ": " + got);
    }
  }

  @Test
  void pahoToPahoAtEveryQosDeliversAtMinOfPublishAndGranted() throws Exception {
    TestBroker broker = broker();
    Collector[] subs = new Collector[3];
    for (int q = 0; q <= 2; q++) {
      subs[q] = new Collector();
      MqttClient sub = paho(closer, broker, "sub-q" + q);
      sub.subscribe("pp/t", q, subs[q]);
    }
    MqttClient pub = paho(closer, broker, "pub");
    for (int q = 0; q <= 2; q++) {
      pub.publish("pp/t", bytes("q" + q), q, false);
    }
    for (int q = 0; q <= 2; q++) {
      assertDeliveredAtMin(subs[q].take(3), q);
    }
    Collector.assertAllQuiet(subs);
  }

  @Test
  void vertxClientToPahoAtEveryQos() throws Exception {
    TestBroker broker = broker();
    Collector[] subs = new Collector[3];
    for (int q = 0; q <= 2; q++) {
      subs[q] = new Collector();
      MqttClient sub = paho(closer, broker, "paho-sub-q" + q);
      sub.subscribe("vp/t", q, subs[q]);
    }
    io.vertx.mqtt.MqttClient pub = FlowSupport.vertxClient(closer, clientVertx, broker,
        new MqttClientOptions().setClientId("vertx-pub"));
    await(pub.connect(broker.port(), "127.0.0.1"));
    for (int q = 0; q <= 2; q++) {
      await(pub.publish("vp/t", Buffer.buffer("q" + q), MqttQoS.valueOf(q), false, false));
    }
    for (int q = 0; q <= 2; q++) {
      assertDeliveredAtMin(subs[q].take(3), q);
    }
    Collector.assertAllQuiet(subs);
  }

  @Test
  void pahoToVertxClientAtEveryQos() throws Exception {
    TestBroker broker = broker();
    Collector[] subs = new Collector[3];
    for (int q = 0; q <= 2; q++) {
      Collector c = new Collector();
      subs[q] = c;
      io.vertx.mqtt.MqttClient sub = FlowSupport.vertxClient(closer, clientVertx, broker,
          new MqttClientOptions().setClientId("vertx-sub-q" + q));
      sub.publishHandler(c::vertx);
      await(sub.connect(broker.port(), "127.0.0.1"));
      List<Integer> granted = new ArrayList<>();
      sub.subscribeCompletionHandler(ack -> granted.addAll(ack.grantedQoSLevels()));
      await(sub.subscribe("pv/t", q));
      FlowSupport.waitUntil("SUBACK", () -> !granted.isEmpty());
      assertEquals(List.of(q), granted);
    }
    MqttClient pub = paho(closer, broker, "paho-pub");
    for (int q = 0; q <= 2; q++) {
      pub.publish("pv/t", bytes("q" + q), q, false);
    }
    for (int q = 0; q <= 2; q++) {
      assertDeliveredAtMin(subs[q].take(3), q);
    }
    Collector.assertAllQuiet(subs);
  }

  @Test
  void qos2ResentBeforePubrelIsDeliveredExactlyOnce() throws Exception {
    TestBroker broker = broker();
    Collector got = new Collector();
    MqttClient sub = paho(closer, broker, "eo-sub");
    sub.subscribe("eo/t", 2, got);

    MqttWire raw = FlowSupport.connectRaw(closer, broker, "eo-pub", true);
    raw.send(new Publish("eo/t", 2, false, false, 7, Unpooled.wrappedBuffer(bytes("once"))));
    Frame rec1 = raw.readFrame(5);
    assertEquals(0x50, rec1.header);
    assertEquals(7, rec1.packetId());
    // The client did not see the PUBREC (say) and resends with DUP before any PUBREL.
    raw.send(new Publish("eo/t", 2, false, true, 7, Unpooled.wrappedBuffer(bytes("once"))));
    Frame rec2 = raw.readFrame(5);
    assertEquals(7, rec2.packetId());
    raw.send(new Ack(PacketType.PUBREL, 7));
    Frame comp = raw.readFrame(7);
    assertEquals(0x70, comp.header);
    assertEquals(7, comp.packetId());

    // The PUBCOMP was lost (say): a resent PUBREL is answered again, nothing is delivered.
    raw.send(new Ack(PacketType.PUBREL, 7));
    assertEquals(7, raw.readFrame(7).packetId());

    Received r = got.take();
    assertEquals("once", r.text());
    assertEquals(2, r.qos);
    got.assertQuiet();

    // After PUBREL the id is free again: a new message with id 7 is a new message.
    raw.send(new Publish("eo/t", 2, false, false, 7, Unpooled.wrappedBuffer(bytes("again"))));
    assertEquals(7, raw.readFrame(5).packetId());
    raw.send(new Ack(PacketType.PUBREL, 7));
    assertEquals(7, raw.readFrame(7).packetId());
    assertEquals("again", got.take().text());
    got.assertQuiet();
  }

  @Test
  void thousandQos1MessagesFromOnePublisherArriveInOrderOnBothEventLoops() throws Exception {
    assertPublisherOrderKept(broker(), new int[] {1, 1, 1, 1});
  }

  @Test
  void publisherOrderIsKeptThroughTinyWindowsAndEveryGrantedQos() throws Exception {
    // An in-flight window of 3, a 7-record drain batch and a 1 KiB write queue make sessions fall
    // off the live dispatch and catch up from the log over and over.
    TestBroker broker = closer.add(TestBroker.start(2, new MqttOptions().setWriteQueueBytes(1024),
        new RouterOptions().setMaxInflight(3).setDrainBatch(7)));
    assertPublisherOrderKept(broker, new int[] {0, 1, 2, 1, 2, 0});
  }

  private void assertPublisherOrderKept(TestBroker broker, int[] subscriberQos) throws Exception {
    int n = 1000;
    // Vert.x spreads accepted sockets round-robin over the two listeners (one per event loop), so
    // subscribers connected one after the other land on both loops.
    List<List<Integer>> received = new ArrayList<>();
    List<String> wrongQos = new java.util.concurrent.CopyOnWriteArrayList<>();
    for (int s = 0; s < subscriberQos.length; s++) {
      List<Integer> list = java.util.Collections.synchronizedList(new ArrayList<>());
      received.add(list);
      MqttClient sub = paho(closer, broker, "order-sub-" + s);
      int granted = subscriberQos[s];
      sub.subscribe("order/t", granted, (t, m) -> {
        list.add(ByteBuffer.wrap(m.getPayload()).getInt());
        if (m.getQos() != Math.min(1, granted)) {
          wrongQos.add("QoS " + m.getQos() + " to a subscriber granted " + granted);
        }
      });
    }
    MqttAsyncClient pub = new MqttAsyncClient(broker.tcpUri(), "order-pub", new MemoryPersistence());
    closer.onClose(() -> {
      try {
        pub.disconnect().waitForCompletion(2000);
      } finally {
        pub.close();
      }
    });
    pub.connect(FlowSupport.pahoOptions()).waitForCompletion(FlowSupport.TIMEOUT_MS);
    // Up to 100 publishes in flight at once, so the broker sees them back to back.
    ArrayDeque<IMqttDeliveryToken> window = new ArrayDeque<>();
    for (int i = 0; i < n; i++) {
      if (window.size() >= 100) {
        window.poll().waitForCompletion(FlowSupport.TIMEOUT_MS);
      }
      MqttMessage m = new MqttMessage(ByteBuffer.allocate(4).putInt(i).array());
      m.setQos(1);
      window.add(pub.publish("order/t", m));
    }
    for (IMqttDeliveryToken t : window) {
      t.waitForCompletion(FlowSupport.TIMEOUT_MS);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    for (int s = 0; s < received.size(); s++) {
      List<Integer> list = received.get(s);
      while (list.size() < n && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      List<Integer> copy;
      synchronized (list) {
        copy = new ArrayList<>(list);
      }
      assertEquals(List.of(), wrongQos.subList(0, Math.min(5, wrongQos.size())));
      assertEquals(n, copy.size(), "subscriber " + s + " (QoS " + subscriberQos[s] + ") got "
          + copy.size() + " of " + n);
      for (int i = 0; i < n; i++) {
        if (copy.get(i) != i) {
          throw new AssertionError("subscriber " + s + ": position " + i + " holds " + copy.get(i)
              + " (around: " + copy.subList(Math.max(0, i - 3), Math.min(n, i + 4)) + ")");
        }
      }
    }
  }

  @Test
  void payloadOfExactlyTheMaxPacketSizeIsDeliveredIntact() throws Exception {
    int max = 64 * 1024;
    TestBroker broker = closer.add(TestBroker.start(2, new MqttOptions().setMaxPacketSize(max),
        new RouterOptions()));
    assertLargePublishIntact(broker, max);
  }

  @Test
  void payloadOfTheDefaultMaxPacketSizeIsDeliveredIntact() throws Exception {
    TestBroker broker = broker();
    assertLargePublishIntact(broker, MqttOptions.DEFAULT_MAX_PACKET_SIZE);
  }

  @Test
  void maxSizePayloadsBackToBackAllArriveIntactAndInOrder() throws Exception {
    TestBroker broker = broker();
    String topic = "big/many";
    int payloadLength = FlowSupport.payloadForPacketSize(MqttOptions.DEFAULT_MAX_PACKET_SIZE, topic, 1);
    Collector got = new Collector();
    MqttClient sub = paho(closer, broker, "big-many-sub");
    sub.subscribe(topic, 1, got);
    MqttAsyncClient pub = new MqttAsyncClient(broker.tcpUri(), "big-many-pub", new MemoryPersistence());
    closer.onClose(() -> {
      try {
        pub.disconnect().waitForCompletion(2000);
      } finally {
        pub.close();
      }
    });
    pub.connect(FlowSupport.pahoOptions()).waitForCompletion(FlowSupport.TIMEOUT_MS);
    int n = 8;
    byte[][] payloads = new byte[n][];
    List<IMqttDeliveryToken> tokens = new ArrayList<>();
    Random random = new Random(7);
    for (int i = 0; i < n; i++) {
      payloads[i] = new byte[payloadLength];
      random.nextBytes(payloads[i]);
      payloads[i][0] = (byte) i;
      MqttMessage m = new MqttMessage(payloads[i]);
      m.setQos(1);
      tokens.add(pub.publish(topic, m)); // all in flight at once: several MiB queued to sub
    }
    for (IMqttDeliveryToken t : tokens) {
      t.waitForCompletion(FlowSupport.TIMEOUT_MS);
    }
    for (int i = 0; i < n; i++) {
      Received r = got.take();
      assertEquals(i, r.payload[0], "order");
      assertArrayEquals(payloads[i], r.payload, "message " + i + " intact");
    }
    got.assertQuiet();
  }

  private void assertLargePublishIntact(TestBroker broker, int packetSize) throws Exception {
    String topic = "big/exact";
    int payloadLength = FlowSupport.payloadForPacketSize(packetSize, topic, 1);
    byte[] payload = new byte[payloadLength];
    new Random(42).nextBytes(payload);
    ByteBuf encoded = MqttEncoder.encodePublish(MqttVersion.V3_1_1, topic, 1, false, false, 1,
        Unpooled.wrappedBuffer(payload), UnpooledByteBufAllocator.DEFAULT);
    try {
      assertEquals(packetSize, encoded.readableBytes(), "the PUBLISH must be exactly the max size");
    } finally {
      encoded.release();
    }

    Collector got = new Collector();
    MqttClient sub = paho(closer, broker, "big-sub");
    sub.subscribe(topic, 1, got);
    MqttClient pub = paho(closer, broker, "big-pub");
    pub.publish(topic, payload, 1, false);
    Received r = got.take();
    assertEquals(1, r.qos);
    assertEquals(payload.length, r.payload.length);
    assertArrayEquals(payload, r.payload);
    assertTrue(pub.isConnected(), "the publisher must not be closed for a packet at the limit");
    got.assertQuiet();
  }
}
