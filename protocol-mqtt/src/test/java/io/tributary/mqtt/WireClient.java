package io.tributary.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.tributary.mqtt.codec.Ack;
import io.tributary.mqtt.codec.ConnAck;
import io.tributary.mqtt.codec.Connect;
import io.tributary.mqtt.codec.Disconnect;
import io.tributary.mqtt.codec.MqttCodecException;
import io.tributary.mqtt.codec.MqttDecoder;
import io.tributary.mqtt.codec.MqttEncoder;
import io.tributary.mqtt.codec.MqttVersion;
import io.tributary.mqtt.codec.Packet;
import io.tributary.mqtt.codec.PacketType;
import io.tributary.mqtt.codec.PingReq;
import io.tributary.mqtt.codec.Publish;
import io.tributary.mqtt.codec.SubAck;
import io.tributary.mqtt.codec.Subscribe;
import io.tributary.mqtt.codec.TopicSubscription;
import io.tributary.mqtt.codec.Will;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;

/**
 * A blocking raw-socket MQTT 3.1.1 client for tests, built on the project's codec. It reads only
 * when the test asks it to (so "stop reading the socket" is just not calling it), never
 * acknowledges anything on its own, and shows every flag the broker sent (DUP, QoS, retain).
 * Not thread-safe: one thread drives it.
 */
final class WireClient implements AutoCloseable {

  /** The broker closed the connection (EOF or reset). */
  static final class ClosedException extends RuntimeException {
    ClosedException(String message) {
      super(message);
    }
  }

  private static final UnpooledByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final MqttDecoder decoder = MqttDecoder.forClient(16 << 20, MqttVersion.V3_1_1, ALLOC);
  private final ArrayDeque<Packet> received = new ArrayDeque<>();
  private final byte[] readBuffer = new byte[64 * 1024];
  private boolean closed;
  private int nextPacketId = 1;

  private WireClient(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  static WireClient open(int port) throws IOException {
    return open(port, -1);
  }

  /** {@code receiveBufferBytes > 0} shrinks the socket receive buffer (set before connecting). */
  static WireClient open(int port, int receiveBufferBytes) throws IOException {
    Socket s = new Socket();
    if (receiveBufferBytes > 0) {
      s.setReceiveBufferSize(receiveBufferBytes);
    }
    s.setTcpNoDelay(true);
    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    return new WireClient(s);
  }

  /** Opens a socket, sends CONNECT and asserts an accepted CONNACK. */
  static WireClient connect(int port, String clientId, boolean clean, int keepAlive, Will will)
      throws IOException {
    WireClient c = open(port);
    ConnAck ack = c.connect(clientId, clean, keepAlive, will);
    assertEquals(0, ack.returnCode(), "CONNACK return code for " + clientId);
    return c;
  }

  static WireClient connect(int port, String clientId, boolean clean) throws IOException {
    return connect(port, clientId, clean, 0, null);
  }

  static Will will(String topic, String payload, int qos, boolean retain) {
    return new Will(topic, payload.getBytes(StandardCharsets.UTF_8), qos, retain, null);
  }

  /** Sends CONNECT and returns the CONNACK (the first packet the broker sends). */
  ConnAck connect(String clientId, boolean clean, int keepAlive, Will will) throws IOException {
    send(new Connect(MqttVersion.V3_1_1, clientId, clean, keepAlive, null, null, will));
    return expect(ConnAck.class, 5000);
  }

  // ---- writing -----------------------------------------------------------------------------

  void send(Packet p) throws IOException {
    ByteBuf buf = MqttEncoder.encode(p, MqttVersion.V3_1_1, ALLOC);
    try {
      sendBytes(ByteBufUtil.getBytes(buf));
    } finally {
      buf.release();
    }
  }

  void sendBytes(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** SUBSCRIBE one filter and return the granted code from the SUBACK. */
  int subscribe(String filter, int qos) throws IOException {
    int id = packetId();
    send(new Subscribe(id, List.of(new TopicSubscription(filter, qos))));
    SubAck ack = expect(SubAck.class, 5000);
    assertEquals(id, ack.packetId(), "SUBACK packet id");
    return ack.returnCodes().get(0);
  }

  /** PUBLISH without waiting for any acknowledgement; returns the packet id used (0 for QoS 0). */
  int publish(String topic, int qos, boolean retain, byte[] payload) throws IOException {
    int id = qos == 0 ? 0 : packetId();
    send(new Publish(topic, qos, retain, false, id, Unpooled.wrappedBuffer(payload)));
    return id;
  }

  int publish(String topic, int qos, String payload) throws IOException {
    return publish(topic, qos, false, payload.getBytes(StandardCharsets.UTF_8));
  }

  void ack(PacketType type, int packetId) throws IOException {
    send(new Ack(type, packetId));
  }

  void ping() throws IOException {
    send(PingReq.INSTANCE);
  }

  void disconnect() throws IOException {
    send(Disconnect.INSTANCE);
  }

  private int packetId() {
    int id = nextPacketId;
    nextPacketId = id == 65535 ? 1 : id + 1;
    return id;
  }

  /**
   * PUBLISH and complete its flow (PUBACK, or PUBREC/PUBREL/PUBCOMP) before returning. For a
   * client that subscribes to nothing it publishes to, so nothing else arrives in between.
   */
  void publishAndComplete(String topic, int qos, String payload) throws IOException {
    int id = publish(topic, qos, payload);
    if (qos == 1) {
      assertEquals(id, expectAck(PacketType.PUBACK, 5000).packetId(), "PUBACK id");
    } else if (qos == 2) {
      assertEquals(id, expectAck(PacketType.PUBREC, 5000).packetId(), "PUBREC id");
      ack(PacketType.PUBREL, id);
      assertEquals(id, expectAck(PacketType.PUBCOMP, 5000).packetId(), "PUBCOMP id");
    }
  }

  /**
   * The next PUBLISH, acknowledged as a well-behaved client would (PUBACK, or PUBREC); PUBRELs read
   * on the way are answered with PUBCOMP.
   */
  Publish nextPublishAcking(long timeoutMs) throws IOException {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
    while (true) {
      long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000L);
      Packet p = read(left);
      assertNotNull(p, "expected a PUBLISH within " + timeoutMs + " ms");
      if (p instanceof Publish) {
        Publish pub = (Publish) p;
        if (pub.qos() == 1) {
          ack(PacketType.PUBACK, pub.packetId());
        } else if (pub.qos() == 2) {
          ack(PacketType.PUBREC, pub.packetId());
        }
        return pub;
      }
      if (p instanceof Ack && ((Ack) p).type() == PacketType.PUBREL) {
        ack(PacketType.PUBCOMP, ((Ack) p).packetId());
        continue;
      }
      fail("expected PUBLISH or PUBREL, got " + p);
    }
  }

  // ---- reading -----------------------------------------------------------------------------

  /**
   * The next packet from the broker, or null if none arrived within timeoutMs.
   *
   * @throws ClosedException if the broker closed the connection first
   */
  Packet read(long timeoutMs) throws IOException {
    if (!received.isEmpty()) {
      return received.poll();
    }
    if (closed) {
      throw new ClosedException("connection already closed");
    }
    long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
    while (received.isEmpty()) {
      long left = (deadline - System.nanoTime()) / 1_000_000L;
      if (left <= 0) {
        return null;
      }
      socket.setSoTimeout((int) Math.max(1, Math.min(left, Integer.MAX_VALUE)));
      int n;
      try {
        n = in.read(readBuffer);
      } catch (SocketTimeoutException e) {
        continue;
      } catch (SocketException e) {
        closed = true; // reset by the peer
        throw new ClosedException("connection reset: " + e.getMessage());
      }
      if (n < 0) {
        closed = true;
        throw new ClosedException("EOF");
      }
      try {
        decoder.feed(Unpooled.wrappedBuffer(readBuffer, 0, n), p -> received.add(
            p instanceof Publish ? ((Publish) p).copy() : p));
      } catch (MqttCodecException e) {
        throw new AssertionError("broker sent a malformed packet: " + e.getMessage(), e);
      }
    }
    return received.poll();
  }

  /**
   * Reads raw bytes, bypassing the decoder (only between packets: nothing may be half-decoded).
   * Returns the count read, 0 if nothing arrived within timeoutMs.
   */
  int readRaw(byte[] into, long timeoutMs) throws IOException {
    assertTrue(received.isEmpty() && decoder.pendingBytes() == 0, "decoded data pending");
    socket.setSoTimeout((int) Math.max(1, timeoutMs));
    int n;
    try {
      n = in.read(into);
    } catch (SocketTimeoutException e) {
      return 0;
    }
    if (n < 0) {
      closed = true;
      throw new ClosedException("EOF");
    }
    return n;
  }

  /** The next packet, asserted to be of type {@code type}. */
  <T extends Packet> T expect(Class<T> type, long timeoutMs) throws IOException {
    Packet p;
    try {
      p = read(timeoutMs);
    } catch (ClosedException e) {
      throw new AssertionError("expected " + type.getSimpleName() + " but the connection closed", e);
    }
    assertNotNull(p, "expected " + type.getSimpleName() + " within " + timeoutMs + " ms");
    if (!type.isInstance(p)) {
      fail("expected " + type.getSimpleName() + " but got " + p);
    }
    return type.cast(p);
  }

  Publish expectPublish(long timeoutMs) throws IOException {
    return expect(Publish.class, timeoutMs);
  }

  /** The next packet, asserted to be an ack of {@code type}. */
  Ack expectAck(PacketType type, long timeoutMs) throws IOException {
    Ack a = expect(Ack.class, timeoutMs);
    assertEquals(type, a.type(), "ack type: " + a);
    return a;
  }

  /** Asserts that nothing arrives for ms and that the connection stays open. */
  void expectNothing(long ms) throws IOException {
    Packet p;
    try {
      p = read(ms);
    } catch (ClosedException e) {
      throw new AssertionError("connection closed while expecting silence", e);
    }
    assertNull(p, "expected nothing but got " + p);
  }

  /**
   * Reads (and discards) until the broker closes the connection. Returns true if it did within
   * timeoutMs, false if the connection is still open then.
   */
  boolean awaitClosed(long timeoutMs) throws IOException {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
    try {
      while (true) {
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        if (left <= 0) {
          return false;
        }
        read(left);
      }
    } catch (ClosedException e) {
      return true;
    }
  }

  /** Asserts the connection is still open now (nothing pending to say otherwise). */
  void assertOpen() throws IOException {
    assertFalse(awaitClosed(50), "connection should still be open");
  }

  boolean isClosed() {
    return closed;
  }

  static String text(Publish p) {
    return p.payload().toString(StandardCharsets.UTF_8);
  }

  /** Closes the socket without DISCONNECT (a network drop, as far as the broker can tell). */
  @Override
  public void close() {
    closed = true;
    decoder.release();
    try {
      socket.close();
    } catch (IOException e) {
      // ignore
    }
  }

  /** Closes with an RST instead of a FIN. */
  void abort() {
    try {
      socket.setSoLinger(true, 0);
    } catch (IOException e) {
      // ignore
    }
    close();
  }

  // ---- event loops ---------------------------------------------------------------------------

  /**
   * Waits until the broker's open connections are {@code base} plus exactly one more on one loop,
   * and returns that loop's index: where the one client connected since {@code base} lives.
   */
  static int loopOfNewClient(TestBroker broker, int[] base) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    int[] now = broker.openConnections();
    while (System.nanoTime() < deadline) {
      now = broker.openConnections();
      int found = -1;
      int extra = 0;
      for (int i = 0; i < now.length; i++) {
        extra += now[i] - base[i];
        if (now[i] == base[i] + 1) {
          found = i;
        }
      }
      if (extra == 1 && found >= 0) {
        return found;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("open connections did not settle to base+1: base "
        + java.util.Arrays.toString(base) + ", now " + java.util.Arrays.toString(now));
  }

  /** Waits until the broker's open connections per loop equal {@code expected}. */
  static void awaitOpenConnections(TestBroker broker, int[] expected) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    int[] now = broker.openConnections();
    while (!java.util.Arrays.equals(now, expected)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("open connections " + java.util.Arrays.toString(now)
            + ", expected " + java.util.Arrays.toString(expected));
      }
      Thread.sleep(10);
      now = broker.openConnections();
    }
  }

  static void assertPublish(Publish p, String topic, String payload, int qos) {
    assertEquals(topic, p.topic(), "topic of " + p);
    assertEquals(payload, text(p), "payload of " + p);
    assertEquals(qos, p.qos(), "qos of " + p);
    assertTrue(qos == 0 || p.packetId() > 0, "packet id of " + p);
  }
}
