package io.tributary.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import io.tributary.mqtt.codec.MqttProperties;
import io.tributary.mqtt.codec.MqttVersion;
import io.tributary.mqtt.codec.Packet;
import io.tributary.mqtt.codec.PacketType;
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
import java.util.function.BooleanSupplier;

/**
 * A blocking raw-socket MQTT 5.0 client for the Mqtt5* session/will/expiry tests, built on the
 * project's codec: it shows every property the broker sends (or leaves out) and can send what no
 * client library sends (DISCONNECT changing the session expiry, 0 to non-zero). It acknowledges
 * nothing on its own. One thread drives it.
 */
final class V5Wire implements AutoCloseable {

  static final long T = 10_000;

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
  private final MqttDecoder decoder = MqttDecoder.forClient(16 << 20, MqttVersion.V5, ALLOC);
  private final ArrayDeque<Packet> received = new ArrayDeque<>();
  private final byte[] readBuffer = new byte[64 * 1024];
  private boolean closed;
  private int nextPacketId = 1;
  ConnAck connAck;

  private V5Wire(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  static V5Wire open(int port) throws IOException {
    Socket s = new Socket();
    s.setTcpNoDelay(true);
    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    return new V5Wire(s);
  }

  /** Opens, sends an MQTT 5 CONNECT and asserts CONNACK 0x00; the CONNACK is in {@link #connAck}. */
  static V5Wire connect(int port, String clientId, boolean cleanStart, int keepAlive, Will will,
      MqttProperties props) throws IOException {
    V5Wire c = open(port);
    ConnAck ack = c.connect(clientId, cleanStart, keepAlive, will, props);
    assertEquals(0, ack.reasonCode(), "CONNACK reason for '" + clientId + "': " + ack);
    return c;
  }

  /** Clean start or not, with a session expiry interval (null: property absent), keep alive 60. */
  static V5Wire connect(int port, String clientId, boolean cleanStart, Long sessionExpiry) throws IOException {
    return connect(port, clientId, cleanStart, 60, null, expiry(sessionExpiry));
  }

  static MqttProperties expiry(Long sessionExpiry) {
    MqttProperties p = new MqttProperties();
    if (sessionExpiry != null) {
      p.sessionExpiryInterval(sessionExpiry);
    }
    return p;
  }

  static Will will(String topic, String payload, int qos, boolean retain, MqttProperties props) {
    return new Will(topic, payload.getBytes(StandardCharsets.UTF_8), qos, retain, props);
  }

  ConnAck connect(String clientId, boolean cleanStart, int keepAlive, Will will, MqttProperties props)
      throws IOException {
    send(new Connect(MqttVersion.V5, clientId, cleanStart, keepAlive, null, null, will, props));
    connAck = expect(ConnAck.class, T);
    return connAck;
  }

  boolean sessionPresent() {
    return connAck.sessionPresent();
  }

  // ---- writing -----------------------------------------------------------------------------

  void send(Packet p) throws IOException {
    ByteBuf buf = MqttEncoder.encode(p, MqttVersion.V5, ALLOC);
    try {
      out.write(ByteBufUtil.getBytes(buf));
      out.flush();
    } finally {
      buf.release();
    }
  }

  private int packetId() {
    int id = nextPacketId;
    nextPacketId = id == 65535 ? 1 : id + 1;
    return id;
  }

  /** SUBSCRIBE one filter (optional subscription identifier) and return the SUBACK reason code. */
  int subscribe(String filter, int qos, Integer subscriptionId) throws IOException {
    int id = packetId();
    MqttProperties p = new MqttProperties();
    if (subscriptionId != null) {
      p.subscriptionIdentifier(subscriptionId);
    }
    send(new Subscribe(id, List.of(new TopicSubscription(filter, qos)), p));
    SubAck ack = expect(SubAck.class, T);
    assertEquals(id, ack.packetId(), "SUBACK packet id");
    return ack.returnCodes().get(0);
  }

  int subscribe(String filter, int qos) throws IOException {
    return subscribe(filter, qos, null);
  }

  /** PUBLISH without waiting; returns the packet id (0 for QoS 0). */
  int publish(String topic, int qos, boolean retain, String payload, MqttProperties props) throws IOException {
    int id = qos == 0 ? 0 : packetId();
    send(new Publish(topic, qos, retain, false, id,
        Unpooled.wrappedBuffer(payload.getBytes(StandardCharsets.UTF_8)), props));
    return id;
  }

  /**
   * PUBLISH and complete its QoS flow; returns the PUBACK/PUBREC reason code (0 for QoS 0). For a
   * client that does not subscribe to what it publishes.
   */
  int publishAndComplete(String topic, int qos, boolean retain, String payload, MqttProperties props)
      throws IOException {
    int id = publish(topic, qos, retain, payload, props);
    if (qos == 1) {
      Ack a = expectAck(PacketType.PUBACK, T);
      assertEquals(id, a.packetId(), "PUBACK id");
      return a.reasonCode();
    }
    if (qos == 2) {
      Ack a = expectAck(PacketType.PUBREC, T);
      assertEquals(id, a.packetId(), "PUBREC id");
      send(new Ack(PacketType.PUBREL, id));
      assertEquals(id, expectAck(PacketType.PUBCOMP, T).packetId(), "PUBCOMP id");
      return a.reasonCode();
    }
    return 0;
  }

  void ack(PacketType type, int packetId) throws IOException {
    send(new Ack(type, packetId));
  }

  /** The next PUBLISH, acknowledged (PUBACK / PUBREC) as a well-behaved client would. */
  Publish nextPublishAcking(long timeoutMs) throws IOException {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
    while (true) {
      long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000L);
      Packet p = read(left);
      assertNotNull(p, "expected a PUBLISH within " + timeoutMs + " ms");
      if (p instanceof Publish pub) {
        if (pub.qos() == 1) {
          ack(PacketType.PUBACK, pub.packetId());
        } else if (pub.qos() == 2) {
          ack(PacketType.PUBREC, pub.packetId());
        }
        return pub;
      }
      if (p instanceof Ack a && a.type() == PacketType.PUBREL) {
        ack(PacketType.PUBCOMP, a.packetId());
        continue;
      }
      fail("expected PUBLISH, got " + p);
    }
  }

  void disconnect(int reasonCode, MqttProperties props) throws IOException {
    send(new Disconnect(reasonCode, props == null ? MqttProperties.EMPTY : props));
  }

  /** Normal DISCONNECT (0x00), then waits for the broker to close the socket. */
  void disconnectAndWait() throws IOException {
    disconnect(0x00, null);
    if (!awaitClosed(T)) {
      fail("broker did not close after DISCONNECT");
    }
  }

  // ---- reading -----------------------------------------------------------------------------

  /** The next packet, or null if none within timeoutMs; ClosedException if the broker closed. */
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
        closed = true;
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

  /** The next packet of type; a PUBREL on the way (an earlier QoS 2 delivery) gets its PUBCOMP. */
  <T extends Packet> T expect(Class<T> type, long timeoutMs) throws IOException {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
    Packet p;
    while (true) {
      try {
        p = read(Math.max(1, (deadline - System.nanoTime()) / 1_000_000L));
      } catch (ClosedException e) {
        throw new AssertionError("expected " + type.getSimpleName() + " but the connection closed", e);
      }
      if (type != Ack.class && p instanceof Ack a && a.type() == PacketType.PUBREL) {
        ack(PacketType.PUBCOMP, a.packetId());
        continue;
      }
      break;
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

  Ack expectAck(PacketType type, long timeoutMs) throws IOException {
    Ack a = expect(Ack.class, timeoutMs);
    assertEquals(type, a.type(), "ack type: " + a);
    return a;
  }

  /** Asserts nothing arrives for ms and the connection stays open. */
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
   * Reads until the broker closes; returns the DISCONNECT it sent first (null if none), or fails
   * if the connection is still open after timeoutMs.
   */
  Disconnect expectClosed(long timeoutMs) throws IOException {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
    Disconnect seen = null;
    try {
      while (true) {
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        if (left <= 0) {
          fail("connection still open after " + timeoutMs + " ms");
        }
        Packet p = read(left);
        if (p instanceof Disconnect d) {
          seen = d;
        }
      }
    } catch (ClosedException e) {
      return seen;
    }
  }

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

  static String text(Publish p) {
    return p.payload().toString(StandardCharsets.UTF_8);
  }

  /** Closes the socket without DISCONNECT: a network drop, as far as the broker can tell. */
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

  // ---- waits -------------------------------------------------------------------------------

  static void waitUntil(String what, long timeoutMs, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("timed out after " + timeoutMs + " ms waiting for " + what);
      }
      Thread.sleep(10);
    }
  }
}
