package io.tributary.tcp;

import io.tributary.router.counters.BrokerCounters;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttMessageListener;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

/** Real sockets: a device simulator on the raw-tcp listener, a Paho client on the MQTT one. */
class RawTcpListenerTest {

  record Received(String topic, String payload, byte[] bytes) {}

  static final class Sub implements AutoCloseable {
    final MqttClient client;
    final BlockingQueue<Received> queue = new LinkedBlockingQueue<>();

    Sub(DeviceFixture f, String filter) throws Exception {
      client = new MqttClient(f.mqttUri(), "sub-" + System.nanoTime(), new MemoryPersistence());
      MqttConnectOptions o = new MqttConnectOptions();
      o.setCleanSession(true);
      client.connect(o);
      IMqttMessageListener l = (t, m) -> queue.add(new Received(t, new String(m.getPayload(), StandardCharsets.UTF_8),
          m.getPayload()));
      client.subscribe(filter, 1, l);
    }

    Received next() throws InterruptedException {
      Received r = queue.poll(10, TimeUnit.SECONDS);
      assertNotNull(r, "no message within 10 s");
      return r;
    }

    void publish(String topic, byte[] payload) throws Exception {
      client.publish(topic, payload, 1, false);
    }

    @Override
    public void close() throws Exception {
      client.disconnect();
      client.close();
    }
  }

  static Socket device(DeviceFixture f) throws IOException {
    Socket s = new Socket("127.0.0.1", f.devicePort);
    s.setSoTimeout(10_000);
    return s;
  }

  static void send(Socket s, String text) throws IOException {
    s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
    s.getOutputStream().flush();
  }

  /** True when the broker closed the socket within 10 s. */
  static boolean closedByBroker(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    try {
      while (true) {
        if (in.read() < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset
    }
  }

  static void awaitPublished(DeviceFixture f, long n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (f.broker.publishedCount() < n && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertEquals(n, f.broker.publishedCount());
  }

  @Test
  void linesWithLfAndCrlfArriveInOrder() throws Exception {
    try (DeviceFixture f = new DeviceFixture(new RawTcpOptions()); Sub sub = new Sub(f, "devices/+/up");
        Socket d = device(f)) {
      send(d, "dev1\nhello\r\nwor");
      send(d, "ld\n\nthird\r\n");
      assertEquals(new Received("devices/dev1/up", "hello", null).topic(), sub.next().topic());
      Received r = sub.next();
      assertEquals("world", r.payload());
      assertEquals("devices/dev1/up", r.topic());
      assertEquals("third", sub.next().payload());
      assertEquals(3, f.broker.publishedCount()); // the empty line is a keep-alive
    }
  }

  @Test
  void deviceThatSendsAndHangsUpAtOnceLosesNothing() throws Exception {
    try (DeviceFixture f = new DeviceFixture(new RawTcpOptions()); Sub sub = new Sub(f, "devices/+/up")) {
      for (int i = 0; i < 20; i++) {
        try (Socket d = device(f)) {
          send(d, "quick" + i + "\nhello " + i + "\nbye " + i + "\n");
        }
        Received r = sub.next();
        assertEquals("devices/quick" + i + "/up", r.topic());
        assertEquals("hello " + i, r.payload());
        assertEquals("bye " + i, sub.next().payload());
      }
    }
  }

  @Test
  void lengthPrefixedU16AndU32() throws Exception {
    for (RawTcpOptions.Prefix prefix : RawTcpOptions.Prefix.values()) {
      RawTcpOptions o = new RawTcpOptions().setFraming(RawTcpOptions.Framing.LENGTH_PREFIXED).setPrefix(prefix);
      try (DeviceFixture f = new DeviceFixture(o); Sub sub = new Sub(f, "devices/+/up"); Socket d = device(f)) {
        DataOutputStream out = new DataOutputStream(d.getOutputStream());
        for (String s : new String[] {"sensor-" + prefix, "a", "bb\nwith newline", ""}) {
          byte[] b = s.getBytes(StandardCharsets.UTF_8);
          if (prefix == RawTcpOptions.Prefix.U16) {
            out.writeShort(b.length);
          } else {
            out.writeInt(b.length);
          }
          out.write(b);
        }
        out.flush();
        Received r = sub.next();
        assertEquals("devices/sensor-" + prefix + "/up", r.topic());
        assertEquals("a", r.payload());
        assertEquals("bb\nwith newline", sub.next().payload());
        // downlink, framed with the same prefix
        sub.publish("devices/sensor-" + prefix + "/down", "cmd".getBytes(StandardCharsets.UTF_8));
        java.io.DataInputStream in = new java.io.DataInputStream(d.getInputStream());
        int len = prefix == RawTcpOptions.Prefix.U16 ? in.readUnsignedShort() : in.readInt();
        assertEquals(3, len);
        byte[] b = new byte[3];
        in.readFully(b);
        assertEquals("cmd", new String(b, StandardCharsets.UTF_8));
      }
    }
  }

  @Test
  void fixedFramesAndDownlink() throws Exception {
    RawTcpOptions o = new RawTcpOptions().setFraming(RawTcpOptions.Framing.FIXED).setFrameSize(4);
    try (DeviceFixture f = new DeviceFixture(o); Sub sub = new Sub(f, "devices/+/up"); Socket d = device(f)) {
      send(d, "dev4abcdef");
      send(d, "ghXY");
      assertEquals("abcd", sub.next().payload());
      Received r = sub.next();
      assertEquals("efgh", r.payload());
      assertEquals("devices/dev4/up", r.topic());
      long dropped = f.broker.counters().get(BrokerCounters.Counter.DEVICE_DOWNLINKS_DROPPED);
      sub.publish("devices/dev4/down", "toolong".getBytes(StandardCharsets.UTF_8));
      sub.publish("devices/dev4/down", "1234".getBytes(StandardCharsets.UTF_8));
      byte[] b = new byte[4];
      new java.io.DataInputStream(d.getInputStream()).readFully(b);
      assertEquals("1234", new String(b, StandardCharsets.UTF_8));
      assertEquals(dropped + 1, f.broker.counters().get(BrokerCounters.Counter.DEVICE_DOWNLINKS_DROPPED));
      // "XY" is an incomplete frame: never published (2 uplink frames + the 2 downlink publishes)
      assertEquals(4, f.broker.publishedCount());
    }
  }

  @Test
  void lineDownlinkReachesDevice() throws Exception {
    try (DeviceFixture f = new DeviceFixture(new RawTcpOptions()); Sub sub = new Sub(f, "devices/+/up");
        Socket d = device(f)) {
      send(d, "dev1\nup\n");
      assertEquals("up", sub.next().payload());
      sub.publish("devices/dev1/down", "reboot".getBytes(StandardCharsets.UTF_8));
      byte[] b = new byte[7];
      new java.io.DataInputStream(d.getInputStream()).readFully(b);
      assertEquals("reboot\n", new String(b, StandardCharsets.UTF_8));
    }
  }

  @Test
  void lineOverMaximumClosesWithoutPublishing() throws Exception {
    try (DeviceFixture f = new DeviceFixture(new RawTcpOptions().setMaxLineLength(10))) {
      long rejected = f.broker.counters().get(BrokerCounters.Counter.DEVICES_REJECTED);
      try (Socket d = device(f)) {
        send(d, "dev1\nok\n0123456789A");
        assertTrue(closedByBroker(d));
      }
      awaitPublished(f, 1);
      Thread.sleep(100);
      assertEquals(1, f.broker.publishedCount());
      assertEquals(rejected + 1, f.broker.counters().get(BrokerCounters.Counter.DEVICES_REJECTED));
      // exactly the maximum passes, with \r\n too
      try (Sub sub = new Sub(f, "devices/+/up"); Socket d = device(f)) {
        send(d, "dev2\n0123456789\r\n");
        assertEquals("0123456789", sub.next().payload());
      }
    }
  }

  @Test
  void impossibleLengthPrefixClosesWithoutPublishing() throws Exception {
    RawTcpOptions o = new RawTcpOptions().setFraming(RawTcpOptions.Framing.LENGTH_PREFIXED)
        .setPrefix(RawTcpOptions.Prefix.U32).setMaxFrameSize(100);
    try (DeviceFixture f = new DeviceFixture(o); Socket d = device(f)) {
      long rejected = f.broker.counters().get(BrokerCounters.Counter.DEVICES_REJECTED);
      DataOutputStream out = new DataOutputStream(d.getOutputStream());
      out.writeInt(2);
      out.write("d1".getBytes(StandardCharsets.UTF_8));
      out.writeInt(101);
      out.write(new byte[101]);
      out.flush();
      assertTrue(closedByBroker(d));
      Thread.sleep(100);
      assertEquals(0, f.broker.publishedCount());
      assertEquals(rejected + 1, f.broker.counters().get(BrokerCounters.Counter.DEVICES_REJECTED));
    }
  }

  @Test
  void noIdentificationWithinTimeoutCloses() throws Exception {
    try (DeviceFixture f = new DeviceFixture(new RawTcpOptions().setIdentifyTimeoutMs(300)); Socket d = device(f)) {
      long rejected = f.broker.counters().get(BrokerCounters.Counter.DEVICES_REJECTED);
      send(d, "partial-id-without-newline");
      long t0 = System.nanoTime();
      assertTrue(closedByBroker(d));
      assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5));
      assertEquals(rejected + 1, f.broker.counters().get(BrokerCounters.Counter.DEVICES_REJECTED));
      assertEquals(0, f.broker.publishedCount());
    }
  }

  @Test
  void remoteAddressIdentifies() throws Exception {
    RawTcpOptions o = new RawTcpOptions().setIdentify(RawTcpOptions.Identify.REMOTE_ADDRESS);
    try (DeviceFixture f = new DeviceFixture(o); Sub sub = new Sub(f, "devices/+/up"); Socket d = device(f)) {
      send(d, "first\nsecond\n");
      Received r = sub.next();
      assertEquals("devices/127.0.0.1/up", r.topic());
      assertEquals("first", r.payload());
      assertEquals("second", sub.next().payload());
    }
  }

  @Test
  void newerDeviceWithSameIdTakesOver() throws Exception {
    try (DeviceFixture f = new DeviceFixture(new RawTcpOptions()); Sub sub = new Sub(f, "devices/+/up");
        Socket older = device(f)) {
      send(older, "twin\nfrom-older\n");
      assertEquals("from-older", sub.next().payload());
      try (Socket newer = device(f)) {
        send(newer, "twin\nfrom-newer\n");
        assertEquals("from-newer", sub.next().payload());
        assertTrue(closedByBroker(older));
        sub.publish("devices/twin/down", "hi".getBytes(StandardCharsets.UTF_8));
        byte[] b = new byte[3];
        new java.io.DataInputStream(newer.getInputStream()).readFully(b);
        assertEquals("hi\n", new String(b, StandardCharsets.UTF_8));
      }
    }
  }

  @Test
  void fastDeviceIsPausedAndBounded() throws Exception {
    int maxLine = 1024;
    try (DeviceFixture f = new DeviceFixture(new RawTcpOptions().setMaxLineLength(maxLine)); Socket d = device(f)) {
      long pauses = f.broker.counters().get(BrokerCounters.Counter.DEVICE_READ_PAUSES);
      byte[] line = new byte[100];
      java.util.Arrays.fill(line, (byte) 'x');
      line[99] = '\n';
      int lines = 200_000; // 20 MB
      OutputStream out = d.getOutputStream();
      out.write("fast\n".getBytes(StandardCharsets.UTF_8));
      byte[] chunk = new byte[line.length * 1000];
      for (int i = 0; i < 1000; i++) {
        System.arraycopy(line, 0, chunk, i * line.length, line.length);
      }
      for (int i = 0; i < lines / 1000; i++) {
        out.write(chunk);
      }
      out.flush();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (f.broker.publishedCount() < lines && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertEquals(lines, f.broker.publishedCount());
      assertTrue(f.broker.counters().get(BrokerCounters.Counter.DEVICE_READ_PAUSES) > pauses, "the socket was paused while batches were stored");
      assertTrue(f.broker.counters().peakDevicePendingBytes() <= maxLine + 1,
          "pending bytes bounded by the largest frame: " + f.broker.counters().peakDevicePendingBytes());
    }
  }

  @Test
  void decoderHoldsAtMostOneFrame() {
    FrameDecoder dec = new FrameDecoder(new RawTcpOptions().setMaxLineLength(8));
    java.util.List<byte[]> out = new java.util.ArrayList<>();
    assertNull(dec.decode(io.netty.buffer.Unpooled.wrappedBuffer("12345678\r".getBytes()), out));
    assertEquals(9, dec.pendingBytes());
    assertNull(dec.decode(io.netty.buffer.Unpooled.wrappedBuffer("\nab".getBytes()), out));
    assertArrayEquals("12345678".getBytes(), out.get(0));
    assertEquals(2, dec.pendingBytes());
    assertNotNull(dec.decode(io.netty.buffer.Unpooled.wrappedBuffer("cdefghi".getBytes()), out));
    assertEquals(1, out.size());
  }
}
