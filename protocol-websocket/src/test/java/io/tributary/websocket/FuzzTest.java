package io.tributary.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.tributary.mqtt.codec.Ack;
import io.tributary.mqtt.codec.Auth;
import io.tributary.mqtt.codec.Connect;
import io.tributary.mqtt.codec.Disconnect;
import io.tributary.mqtt.codec.MqttEncoder;
import io.tributary.mqtt.codec.MqttProperties;
import io.tributary.mqtt.codec.MqttVersion;
import io.tributary.mqtt.codec.Packet;
import io.tributary.mqtt.codec.PacketType;
import io.tributary.mqtt.codec.PingReq;
import io.tributary.mqtt.codec.Publish;
import io.tributary.mqtt.codec.Subscribe;
import io.tributary.mqtt.codec.TopicSubscription;
import io.tributary.mqtt.codec.Unsubscribe;
import io.tributary.mqtt.codec.Will;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Malformed and mutated input at both levels, MQTT packets and WebSocket frames, over TCP and
 * WebSocket, from a fixed seed (printed on failure): the broker stays up, a control client keeps
 * exchanging QoS 1 messages throughout, and the heap stays under a bound. Bounded in connections
 * and in time (whichever ends first).
 */
// A guard against a hang (a client library waiting forever), not a performance bound.
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FuzzTest {

  private static final long SEED = Long.getLong("fuzz.seed", 20261205L);
  private static final int CONNECTIONS = Integer.getInteger("fuzz.connections", 3000);
  private static final long MAX_RUN_MS = Long.getLong("fuzz.maxRunMs", 30_000);
  /** Heap the broker may keep after the run, over what it used before it (after a GC both times). */
  private static final long HEAP_BOUND = 64L << 20;

  private final Random random = new Random(SEED);

  private static byte[] bytes(Packet p, int level) {
    ByteBuf b = MqttEncoder.encode(p, level, UnpooledByteBufAllocator.DEFAULT);
    byte[] out = new byte[b.readableBytes()];
    b.readBytes(out);
    b.release();
    return out;
  }

  /** Well-formed packets of every kind, 3.1.1 and 5.0, the seeds that mutations start from. */
  private static List<byte[]> corpus(int level) {
    MqttProperties props = level == MqttVersion.V5
        ? new MqttProperties().addUserProperty("k", "v").contentType("text/plain").messageExpiryInterval(60L)
        : MqttProperties.EMPTY;
    List<byte[]> c = new ArrayList<>();
    c.add(bytes(new Publish("fuzz/a", 0, false, false, 0, Unpooled.wrappedBuffer(new byte[] {1, 2, 3}), props), level));
    c.add(bytes(new Publish("fuzz/b/c", 1, true, false, 7, Unpooled.wrappedBuffer(new byte[40]), props), level));
    c.add(bytes(new Publish("fuzz/q2", 2, false, false, 9, Unpooled.wrappedBuffer(new byte[5]), props), level));
    c.add(bytes(new Subscribe(3, List.of(new TopicSubscription("fuzz/#", 1), new TopicSubscription("+/x", 2))), level));
    c.add(bytes(new Unsubscribe(4, List.of("fuzz/#")), level));
    c.add(bytes(new Ack(PacketType.PUBACK, 5), level));
    c.add(bytes(new Ack(PacketType.PUBREL, 9), level));
    c.add(bytes(PingReq.INSTANCE, level));
    c.add(bytes(new Disconnect(), level));
    if (level == MqttVersion.V5) {
      c.add(bytes(new Auth(0x19, new MqttProperties().authenticationMethod("m")), level));
    }
    return c;
  }

  private byte[] connect(int level) {
    Will will = random.nextBoolean() ? null
        : new Will("fuzz/will", new byte[] {1}, random.nextInt(3), random.nextBoolean(), MqttProperties.EMPTY);
    return bytes(new Connect(level, "fuzz-" + random.nextInt(50), random.nextBoolean(), 30, null, null, will,
        MqttProperties.EMPTY), level);
  }

  private byte[] mutate(byte[] in) {
    byte[] b = in.clone();
    switch (random.nextInt(7)) {
      case 0 -> b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8)); // flip a bit
      case 1 -> b[random.nextInt(b.length)] = (byte) random.nextInt(256); // replace a byte
      case 2 -> { // truncate
        byte[] t = new byte[random.nextInt(b.length)];
        System.arraycopy(b, 0, t, 0, t.length);
        b = t;
      }
      case 3 -> { // insert random bytes
        int at = random.nextInt(b.length + 1);
        byte[] extra = new byte[1 + random.nextInt(8)];
        random.nextBytes(extra);
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(b, 0, at);
        o.writeBytes(extra);
        o.write(b, at, b.length - at);
        b = o.toByteArray();
      }
      case 4 -> { // a remaining length that lies (up to the 4-byte maximum)
        if (b.length > 1) {
          b[1] = (byte) (0x80 | random.nextInt(128));
        }
      }
      case 5 -> { // random garbage
        b = new byte[1 + random.nextInt(64)];
        random.nextBytes(b);
      }
      default -> { // unchanged: valid packets in unexpected places
      }
    }
    return b;
  }

  /** What one fuzz connection sends: optionally a valid CONNECT, then mutated packets. */
  private byte[] mqttStream() {
    int level = random.nextBoolean() ? MqttVersion.V5 : MqttVersion.V3_1_1;
    List<byte[]> corpus = corpus(level);
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    byte[] connect = connect(level);
    o.writeBytes(random.nextInt(4) == 0 ? mutate(connect) : connect);
    int n = 1 + random.nextInt(6);
    for (int i = 0; i < n; i++) {
      byte[] p = corpus.get(random.nextInt(corpus.size()));
      o.writeBytes(random.nextInt(3) == 0 ? p : mutate(p));
    }
    return o.toByteArray();
  }

  /** The MQTT bytes cut into WebSocket frames, some of them broken at the frame level. */
  private byte[] wsStream(byte[] mqtt) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    int pos = 0;
    while (pos < mqtt.length) {
      int len = Math.min(mqtt.length - pos, 1 + random.nextInt(40));
      byte[] part = new byte[len];
      System.arraycopy(mqtt, pos, part, 0, len);
      pos += len;
      int first = 0x82;
      switch (random.nextInt(10)) {
        case 0 -> first |= 0x10 << random.nextInt(3); // RSV bits
        case 1 -> first = 0x80 | random.nextInt(16); // any opcode, ping and close included
        case 2 -> first = 0x02; // not final: a fragmented message
        case 3 -> first = 0x80; // continuation without a start
        default -> {
        }
      }
      byte[] frame = RawSocketWs.frame(first, part);
      if (random.nextInt(20) == 0) {
        frame[1] &= 0x7F; // unmasked client frame
      }
      o.writeBytes(frame);
    }
    return o.toByteArray();
  }

  private static void drainBriefly(Socket s) {
    try {
      s.setSoTimeout(100);
      InputStream in = s.getInputStream();
      byte[] buf = new byte[4096];
      while (in.read(buf) >= 0) {
        // discard
      }
    } catch (IOException e) {
      // timeout or reset: done
    }
  }

  private static long usedHeapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  @Test
  void brokerSurvivesMutatedInputAtBothLevelsOverTcpAndWebSocket() throws Exception {
    try (WsTestBroker broker = WsTestBroker.start()) {
      BlockingQueue<String> got = new LinkedBlockingQueue<>();
      MqttClient control = new MqttClient(broker.tcpUri(), "fuzz-control", new MemoryPersistence());
      MqttConnectOptions options = new MqttConnectOptions();
      options.setCleanSession(true);
      control.connect(options);
      control.subscribe("control/#", 1, (topic, message) -> got.add(new String(message.getPayload(), StandardCharsets.UTF_8)));
      long heapBefore = usedHeapAfterGc();
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAX_RUN_MS);
      int done = 0;
      int exchanged = 0;
      for (; done < CONNECTIONS && System.nanoTime() < deadline; done++) {
        boolean ws = random.nextBoolean();
        byte[] mqtt = mqttStream();
        try (Socket s = ws ? new RawSocketWs(broker.wsPort(), 5_000).socket : new Socket("127.0.0.1", broker.tcpPort())) {
          OutputStream out = s.getOutputStream();
          out.write(ws ? wsStream(mqtt) : mqtt);
          out.flush();
          if (random.nextInt(10) == 0) {
            drainBriefly(s);
          }
        } catch (IOException e) {
          // the broker closed first: expected for much of this input
        }
        if (done % 100 == 0) {
          String marker = "m" + done;
          control.publish("control/x", marker.getBytes(StandardCharsets.UTF_8), 1, false);
          String back = got.poll(10, TimeUnit.SECONDS);
          assertEquals(marker, back, "control message lost after " + done + " fuzz connections (seed " + SEED + ")");
          exchanged++;
        }
      }
      assertTrue(exchanged > 0);
      assertTrue(control.isConnected(), "the control client was disconnected (seed " + SEED + ")");
      control.disconnect();
      control.close();
      long heapAfter = usedHeapAfterGc();
      assertTrue(heapAfter - heapBefore < HEAP_BOUND, "heap grew by " + ((heapAfter - heapBefore) >> 20)
          + " MiB over " + done + " fuzz connections (seed " + SEED + ")");
      // Still accepting: a fresh client connects and gets its CONNACK.
      MqttClient after = new MqttClient(broker.wsUri(), "fuzz-after", new MemoryPersistence());
      after.connect(options);
      after.disconnect();
      after.close();
    }
  }
}
