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
import io.tributary.mqtt.codec.UnsubAck;
import io.tributary.mqtt.codec.Unsubscribe;
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
 * A blocking raw-socket MQTT 5.0 client for the Mqtt5*Test classes, on the project's codec. It
 * never acknowledges anything on its own and shows every packet exactly as the broker sent it
 * (empty topic + Topic Alias, reason codes, properties). Its decoder is bounded by the Maximum
 * Packet Size it advertised, so a broker packet over it fails the test. One thread drives it.
 */
final class RawV5 implements AutoCloseable {

  static final class ClosedException extends RuntimeException {
    ClosedException(String message) {
      super(message);
    }
  }

  private static final UnpooledByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;
  private static final int V5 = MqttVersion.V5;

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private MqttDecoder decoder = MqttDecoder.forClient(16 << 20, V5, ALLOC);
  private final ArrayDeque<Packet> received = new ArrayDeque<>();
  private final byte[] readBuffer = new byte[64 * 1024];
  private boolean closed;
  private int nextPacketId = 1;

  private RawV5(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  static RawV5 open(int port) throws IOException {
    Socket s = new Socket();
    s.setTcpNoDelay(true);
    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    return new RawV5(s);
  }

  /** Opens, sends a 5.0 CONNECT with these properties and asserts CONNACK 0x00. */
  static RawV5 connect(int port, String clientId, boolean cleanStart, MqttProperties props) throws IOException {
    RawV5 c = open(port);
    ConnAck ack = c.connect(clientId, cleanStart, 0, props);
    assertEquals(0, ack.reasonCode(), "CONNACK reason code for " + clientId + ": " + ack);
    return c;
  }

  static RawV5 connect(int port, String clientId) throws IOException {
    return connect(port, clientId, true, MqttProperties.EMPTY);
  }

  /** CONNECT, returns the CONNACK. A Maximum Packet Size in props also bounds our own decoder. */
  ConnAck connect(String clientId, boolean cleanStart, int keepAlive, MqttProperties props) throws IOException {
    Long max = props == null ? null : props.maximumPacketSize();
    if (max != null) {
      decoder.release();
      decoder = MqttDecoder.forClient((int) Math.min(Integer.MAX_VALUE, max), V5, ALLOC);
    }
    send(connectPacket(clientId, cleanStart, keepAlive, props));
    return expect(ConnAck.class, 5000);
  }

  static Connect connectPacket(String clientId, boolean cleanStart, int keepAlive, MqttProperties props) {
    return new Connect(V5, clientId, cleanStart, keepAlive, null, null, null, props);
  }

  static byte[] bytes(Packet p) {
    ByteBuf buf = MqttEncoder.encode(p, V5, ALLOC);
    try {
      return ByteBufUtil.getBytes(buf);
    } finally {
      buf.release();
    }
  }

  // ---- writing -----------------------------------------------------------------------------

  void send(Packet p) throws IOException {
    sendBytes(bytes(p));
  }

  void sendBytes(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  int packetId() {
    int id = nextPacketId;
    nextPacketId = id == 65535 ? 1 : id + 1;
    return id;
  }

  /** SUBSCRIBE with one subscription; returns the SUBACK reason code. subId 0 = none. */
  int subscribe(TopicSubscription sub, int subId) throws IOException {
    int id = packetId();
    MqttProperties props = subId == 0 ? MqttProperties.EMPTY : new MqttProperties().subscriptionIdentifier(subId);
    send(new Subscribe(id, List.of(sub), props));
    SubAck ack = expect(SubAck.class, 5000);
    assertEquals(id, ack.packetId(), "SUBACK packet id");
    return ack.reasonCodes().get(0);
  }

  int subscribe(String filter, int qos) throws IOException {
    return subscribe(new TopicSubscription(filter, qos), 0);
  }

  /** UNSUBSCRIBE one filter; returns the UNSUBACK reason code. */
  int unsubscribe(String filter) throws IOException {
    int id = packetId();
    send(new Unsubscribe(id, List.of(filter)));
    UnsubAck ack = expect(UnsubAck.class, 5000);
    assertEquals(id, ack.packetId(), "UNSUBACK packet id");
    return ack.reasonCodes().get(0);
  }

  /** PUBLISH without waiting; returns the packet id (0 for QoS 0). */
  int publish(String topic, int qos, boolean retain, byte[] payload, MqttProperties props) throws IOException {
    int id = qos == 0 ? 0 : packetId();
    send(new Publish(topic, qos, retain, false, id, Unpooled.wrappedBuffer(payload), props));
    return id;
  }

  int publish(String topic, int qos, String payload) throws IOException {
    return publish(topic, qos, false, payload.getBytes(StandardCharsets.UTF_8), MqttProperties.EMPTY);
  }

  void ack(PacketType type, int packetId) throws IOException {
    send(new Ack(type, packetId));
  }

  // ---- reading -----------------------------------------------------------------------------

  /** The next packet, or null if none within timeoutMs; ClosedException on EOF/reset. */
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
      socket.setSoTimeout((int) Math.max(1, left));
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
        throw new AssertionError("broker sent a bad packet: " + e.getMessage(), e);
      }
    }
    return received.poll();
  }

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
   * Asserts the broker sends DISCONNECT with reasonCode (skipping any PUBLISH/acks before it) and
   * then closes the connection, all within timeoutMs. Returns the DISCONNECT.
   */
  Disconnect expectDisconnect(int reasonCode, long timeoutMs) throws IOException {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
    Disconnect d = null;
    try {
      while (d == null) {
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        assertNotNull(left > 0 ? "" : null, "no DISCONNECT within " + timeoutMs + " ms");
        Packet p = read(left);
        if (p instanceof Disconnect) {
          d = (Disconnect) p;
        }
      }
    } catch (ClosedException e) {
      throw new AssertionError("connection closed without DISCONNECT 0x" + Integer.toHexString(reasonCode), e);
    }
    assertEquals(reasonCode, d.reasonCode(), "DISCONNECT reason code (" + d + ")");
    assertEquals(true, awaitClosed(Math.max(500, (deadline - System.nanoTime()) / 1_000_000L)),
        "connection not closed after DISCONNECT");
    return d;
  }

  /** Reads and discards until EOF; true if that happened within timeoutMs. */
  boolean awaitClosed(long timeoutMs) throws IOException {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
    try {
      while (true) {
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        if (left <= 0) {
          return false;
        }
        Packet p = read(left);
        if (p instanceof Disconnect) {
          fail("unexpected " + p);
        }
      }
    } catch (ClosedException e) {
      return true;
    }
  }

  static String text(Publish p) {
    return p.payload().toString(StandardCharsets.UTF_8);
  }

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
}
