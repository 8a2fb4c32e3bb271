package io.tributary.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBufUtil;
import io.tributary.mqtt.codec.Connect;
import io.tributary.mqtt.codec.MqttEncoder;
import io.tributary.mqtt.codec.MqttVersion;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.mqtt.MqttClientOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.eclipse.paho.client.mqttv3.IMqttMessageListener;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * Shared helpers of the flow tests (ConnectFlowTest, PublishFlowTest, SubscribeFlowTest,
 * RetainedTest): real clients (Paho v3, the Vert.x MQTT client, a raw socket), a message
 * collector and bounded waits.
 */
final class FlowSupport {

  /** Bound of every positive wait. */
  static final long TIMEOUT_MS = 10_000;
  /** Bound of a negative wait ("nothing else arrives"). */
  static final long QUIET_MS = 500;

  private FlowSupport() {}

  // ---- resources ---------------------------------------------------------------------------

  /** Closes everything registered with it, last first; never throws. */
  static final class Closer implements AutoCloseable {
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();

    <T extends AutoCloseable> T add(T resource) {
      resources.push(resource);
      return resource;
    }

    void onClose(AutoCloseable action) {
      resources.push(action);
    }

    MqttClient add(MqttClient paho) {
      resources.push(() -> closePaho(paho));
      return paho;
    }

    io.vertx.mqtt.MqttClient add(io.vertx.mqtt.MqttClient client) {
      resources.push(() -> {
        if (client.isConnected()) {
          client.disconnect().await(5, TimeUnit.SECONDS);
        }
      });
      return client;
    }

    @Override
    public void close() {
      while (!resources.isEmpty()) {
        try {
          resources.pop().close();
        } catch (Exception e) {
          // best effort: the broker going away closes the rest
        }
      }
    }
  }

  static void closePaho(MqttClient c) {
    try {
      if (c.isConnected()) {
        c.disconnect(1000);
      }
    } catch (Exception e) {
      try {
        c.disconnectForcibly(100, 100);
      } catch (Exception ignored) {
        // already gone
      }
    }
    try {
      c.close();
    } catch (Exception ignored) {
      // already closed
    }
  }

  // ---- Paho --------------------------------------------------------------------------------

  static MqttConnectOptions pahoOptions() {
    MqttConnectOptions o = new MqttConnectOptions();
    o.setCleanSession(true);
    o.setAutomaticReconnect(false);
    o.setConnectionTimeout(10);
    o.setKeepAliveInterval(60);
    o.setMaxInflight(1000);
    return o;
  }

  /** A connected clean-session Paho client, closed by closer. */
  static MqttClient paho(Closer closer, TestBroker broker, String clientId) throws Exception {
    MqttClient c = new MqttClient(broker.tcpUri(), clientId, new MemoryPersistence());
    closer.add(c);
    c.setTimeToWait(TIMEOUT_MS);
    c.connect(pahoOptions());
    return c;
  }

  /** One received message as a client saw it. */
  static final class Received {
    final String topic;
    final byte[] payload;
    final int qos;
    final boolean retained;
    final boolean dup;

    Received(String topic, byte[] payload, int qos, boolean retained, boolean dup) {
      this.topic = topic;
      this.payload = payload;
      this.qos = qos;
      this.retained = retained;
      this.dup = dup;
    }

    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
      String p = payload.length > 40 ? payload.length + " bytes" : "'" + text() + "'";
      return topic + "=" + p + " qos" + qos + (retained ? " retained" : "") + (dup ? " dup" : "");
    }
  }

  /** Collects messages from any client; take() waits a bounded time. */
  static final class Collector implements IMqttMessageListener {
    private final LinkedBlockingQueue<Received> queue = new LinkedBlockingQueue<>();

    @Override
    public void messageArrived(String topic, MqttMessage m) {
      queue.add(new Received(topic, m.getPayload(), m.getQos(), m.isRetained(), m.isDuplicate()));
    }

    /**
     * As the client's global callback. Paho calls every per-subscription listener whose filter
     * matches, so a client with overlapping filters must use this to see each PUBLISH once.
     */
    org.eclipse.paho.client.mqttv3.MqttCallback asCallback() {
      return new org.eclipse.paho.client.mqttv3.MqttCallback() {
        @Override
        public void connectionLost(Throwable cause) {}

        @Override
        public void messageArrived(String topic, MqttMessage message) {
          Collector.this.messageArrived(topic, message);
        }

        @Override
        public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {}
      };
    }

    void vertx(io.vertx.mqtt.messages.MqttPublishMessage m) {
      queue.add(new Received(m.topicName(), m.payload().getBytes(), m.qosLevel().value(),
          m.isRetain(), m.isDup()));
    }

    /** The next message; fails after {@link #TIMEOUT_MS}. */
    Received take() throws InterruptedException {
      Received r = queue.poll(TIMEOUT_MS, TimeUnit.MILLISECONDS);
      assertNotNull(r, "no message within " + TIMEOUT_MS + " ms");
      return r;
    }

    /** The next n messages. */
    List<Received> take(int n) throws InterruptedException {
      List<Received> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        Received r = queue.poll(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        assertNotNull(r, "only " + i + " of " + n + " messages within " + TIMEOUT_MS + " ms: " + out);
        out.add(r);
      }
      return out;
    }

    /** Asserts nothing (more) arrives within {@link #QUIET_MS}. */
    void assertQuiet() throws InterruptedException {
      Received r = queue.poll(QUIET_MS, TimeUnit.MILLISECONDS);
      assertNull(r, "unexpected message " + r);
    }

    int size() {
      return queue.size();
    }

    /** Asserts none of collectors gets anything (more) within one {@link #QUIET_MS}. */
    static void assertAllQuiet(Collector... collectors) throws InterruptedException {
      Thread.sleep(QUIET_MS);
      for (Collector c : collectors) {
        Received r = c.queue.poll();
        assertNull(r, "unexpected message " + r);
      }
    }
  }

  // ---- Vert.x MQTT client ------------------------------------------------------------------

  static io.vertx.mqtt.MqttClient vertxClient(Closer closer, Vertx vertx, TestBroker broker,
      MqttClientOptions options) {
    io.vertx.mqtt.MqttClient c = io.vertx.mqtt.MqttClient.create(vertx, options);
    closer.add(c);
    return c;
  }

  static <T> T await(Future<T> f) {
    try {
      return f.await(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("future failed or timed out: " + e, e);
    }
  }

  // ---- waits -------------------------------------------------------------------------------

  /** Polls condition until true; fails after {@link #TIMEOUT_MS}. */
  static void waitUntil(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("timed out waiting for " + what);
      }
      Thread.sleep(10);
    }
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Payload length that makes a PUBLISH of topic at qos exactly totalSize bytes on the wire. */
  static int payloadForPacketSize(int totalSize, String topic, int qos) {
    int variable = 2 + bytes(topic).length + (qos > 0 ? 2 : 0);
    for (int rlBytes = 1; rlBytes <= 4; rlBytes++) {
      int remaining = totalSize - 1 - rlBytes;
      if (remaining >= variable && MqttEncoder.remainingLengthSize(remaining) == rlBytes) {
        return remaining - variable;
      }
    }
    throw new IllegalArgumentException("no payload gives a packet of " + totalSize + " bytes");
  }

  // ---- raw socket --------------------------------------------------------------------------

  /** Opens a raw client and completes a 3.1.1 CONNECT, asserting the CONNACK bytes 20 02 00 00. */
  static MqttWire connectRaw(Closer closer, TestBroker broker, String clientId, boolean cleanSession)
      throws IOException {
    MqttWire raw = closer.add(MqttWire.open311(broker.port()));
    raw.send(new Connect(MqttVersion.V3_1_1, clientId, cleanSession, 60, null, null, null));
    MqttWire.Frame connack = raw.readFrame();
    assertEquals(0x20, connack.header, "CONNACK expected, got " + connack);
    assertEquals("0000", ByteBufUtil.hexDump(connack.body), "CONNACK flags and return code");
    return raw;
  }
}
