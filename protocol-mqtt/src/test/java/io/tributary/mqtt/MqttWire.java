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
import io.tributary.mqtt.codec.MqttProperties;
import io.tributary.mqtt.codec.MqttVersion;
import io.tributary.mqtt.codec.Packet;
import io.tributary.mqtt.codec.PacketType;
import io.tributary.mqtt.codec.PingReq;
import io.tributary.mqtt.codec.Publish;
import io.tributary.mqtt.codec.SubAck;
import io.tributary.mqtt.codec.Subscribe;
import io.tributary.mqtt.codec.TopicSubscription;
import io.tributary.mqtt.codec.UnsubAck;
import io.tributary.mqtt.codec.Unsubscribe;
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
 * The raw MQTT client of the tests: blocking, on a real socket, built on the project's codec, at
 * either protocol level (3.1.1 or 5.0). It shows every flag and property the broker sends (or
 * leaves out), can send what no client library sends (bytes of its own, a DISCONNECT that changes
 * the session expiry, ...), reads only when the test asks it to (so "stop reading" is just not
 * calling it) and acknowledges nothing on its own, except that {@link #expect} answers a PUBREL it
 * meets on the way with PUBCOMP. One thread drives it.
 */
public final class MqttWire implements AutoCloseable {

  /** The default wait, in ms. */
  public static final long T = 10_000;

  /** The broker closed the connection (EOF or reset). */
  public static final class ClosedException extends RuntimeException {
    ClosedException(String message) {
      super(message);
    }
  }

  private static final UnpooledByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final int level;
  private MqttDecoder decoder;
  private final ArrayDeque<Packet> received = new ArrayDeque<>();
  private final byte[] readBuffer = new byte[64 * 1024];
  private boolean closed;
  private int nextPacketId = 1;
  /** The CONNACK of the last {@link #connect}. */
  public ConnAck connAck;

  private MqttWire(Socket socket, int level) throws IOException {
    this(socket, socket.getInputStream(), socket.getOutputStream(), level);
  }

  /** Over streams of the socket (WebSocket frames, see {@link WebSocketStreams}); reads time out with it. */
  private MqttWire(Socket socket, InputStream in, OutputStream out, int level) {
    this.socket = socket;
    this.level = level;
    this.in = in;
    this.out = out;
    this.decoder = MqttDecoder.forClient(16 << 20, level, ALLOC);
  }

  // ---- opening and connecting ----------------------------------------------------------------

  /** A client at {@code level} on an already connected socket (plain TCP or TLS). */
  public static MqttWire over(Socket socket, int level) throws IOException {
    return new MqttWire(socket, level);
  }

  /**
   * MQTT over WebSocket on an already connected socket (plain for ws://, TLS for wss://): upgrades
   * at {@code path} with subprotocol {@code mqtt}, then every packet written is one binary frame.
   */
  public static MqttWire overWebSocket(Socket socket, String path, int level) throws IOException {
    socket.setSoTimeout((int) T);
    WebSocketStreams ws = WebSocketStreams.upgrade(socket, "127.0.0.1", path);
    return new MqttWire(socket, ws.in, ws.out, level);
  }

  /** ws://127.0.0.1:port/path. */
  public static MqttWire ws(int port, String path, int level) throws IOException {
    Socket s = new Socket();
    s.setTcpNoDelay(true);
    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    return overWebSocket(s, path, level);
  }

  /** A TCP connection to 127.0.0.1:port; {@code receiveBufferBytes > 0} shrinks its receive buffer. */
  public static MqttWire open(int port, int level, int receiveBufferBytes) throws IOException {
    Socket s = new Socket();
    if (receiveBufferBytes > 0) {
      s.setReceiveBufferSize(receiveBufferBytes);
    }
    s.setTcpNoDelay(true);
    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    return new MqttWire(s, level);
  }

  public static MqttWire open311(int port) throws IOException {
    return open(port, MqttVersion.V3_1_1, -1);
  }

  public static MqttWire open311(int port, int receiveBufferBytes) throws IOException {
    return open(port, MqttVersion.V3_1_1, receiveBufferBytes);
  }

  public static MqttWire open5(int port) throws IOException {
    return open(port, MqttVersion.V5, -1);
  }

  /** MQTT 3.1.1: opens, sends CONNECT and asserts an accepted CONNACK. */
  public static MqttWire connect311(int port, String clientId, boolean clean, int keepAlive, Will will) throws IOException {
    MqttWire c = open311(port);
    ConnAck ack = c.connect(clientId, clean, keepAlive, will, null);
    assertEquals(0, ack.returnCode(), "CONNACK return code for " + clientId);
    return c;
  }

  public static MqttWire connect311(int port, String clientId, boolean clean) throws IOException {
    return connect311(port, clientId, clean, 0, null);
  }

  /** MQTT 5: opens, sends CONNECT and asserts CONNACK 0x00 (it is in {@link #connAck}). */
  public static MqttWire connect5(int port, String clientId, boolean cleanStart, int keepAlive, Will will,
      MqttProperties props) throws IOException {
    MqttWire c = open5(port);
    ConnAck ack = c.connect(clientId, cleanStart, keepAlive, will, props);
    assertEquals(0, ack.reasonCode(), "CONNACK reason for '" + clientId + "': " + ack);
    return c;
  }

  /** MQTT 5, keep alive 60, with a session expiry interval (null: property absent). */
  public static MqttWire connect5(int port, String clientId, boolean cleanStart, Long sessionExpiry) throws IOException {
    return connect5(port, clientId, cleanStart, 60, null, expiry(sessionExpiry));
  }

  /** MQTT 5, keep alive 0, with these CONNECT properties. */
  public static MqttWire connect5(int port, String clientId, boolean cleanStart, MqttProperties props) throws IOException {
    return connect5(port, clientId, cleanStart, 0, null, props);
  }

  public static MqttWire connect5(int port, String clientId) throws IOException {
    return connect5(port, clientId, true, MqttProperties.EMPTY);
  }

  public static MqttProperties expiry(Long sessionExpiry) {
    MqttProperties p = new MqttProperties();
    if (sessionExpiry != null) {
      p.sessionExpiryInterval(sessionExpiry);
    }
    return p;
  }

  public static Will will(String topic, String payload, int qos, boolean retain) {
    return will(topic, payload, qos, retain, null);
  }

  public static Will will(String topic, String payload, int qos, boolean retain, MqttProperties props) {
    return new Will(topic, payload.getBytes(StandardCharsets.UTF_8), qos, retain, props);
  }

  public static Connect connectPacket5(String clientId, boolean cleanStart, int keepAlive, MqttProperties props) {
    return new Connect(MqttVersion.V5, clientId, cleanStart, keepAlive, null, null, null, props);
  }

  /**
   * Sends CONNECT and returns the CONNACK (the first packet the broker sends). {@code props} are
   * MQTT 5's (null at 3.1.1); a Maximum Packet Size among them also bounds our own decoder.
   */
  public ConnAck connect(String clientId, boolean clean, int keepAlive, Will will, MqttProperties props) throws IOException {
    Long max = props == null ? null : props.maximumPacketSize();
    if (max != null) {
      decoder.release();
      decoder = MqttDecoder.forClient((int) Math.min(Integer.MAX_VALUE, max), level, ALLOC);
    }
    send(level == MqttVersion.V5
        ? new Connect(MqttVersion.V5, clientId, clean, keepAlive, null, null, will, props)
        : new Connect(MqttVersion.V3_1_1, clientId, clean, keepAlive, null, null, will));
    connAck = expect(ConnAck.class, T);
    return connAck;
  }

  /** Sends an MQTT 5 CONNECT (clean start, keep alive 0) without waiting for anything. */
  public void sendConnect5(String clientId, MqttProperties props) throws IOException {
    send(connectPacket5(clientId, true, 0, props));
  }

  /** MQTT 3.1.1 CONNECT. */
  public ConnAck connect(String clientId, boolean clean, int keepAlive, Will will) throws IOException {
    return connect(clientId, clean, keepAlive, will, null);
  }

  /** MQTT 5 CONNECT without a will. */
  public ConnAck connect(String clientId, boolean cleanStart, int keepAlive, MqttProperties props) throws IOException {
    return connect(clientId, cleanStart, keepAlive, null, props);
  }

  public boolean sessionPresent() {
    return connAck.sessionPresent();
  }

  // ---- writing -------------------------------------------------------------------------------

  /** A packet encoded at MQTT 5 (for tests that write the bytes themselves). */
  public static byte[] bytes5(Packet p) {
    return bytes(p, MqttVersion.V5);
  }

  private static byte[] bytes(Packet p, int level) {
    ByteBuf buf = MqttEncoder.encode(p, level, ALLOC);
    try {
      return ByteBufUtil.getBytes(buf);
    } finally {
      buf.release();
    }
  }

  public void send(Packet p) throws IOException {
    sendBytes(bytes(p, level));
  }

  public void sendBytes(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  public int packetId() {
    int id = nextPacketId;
    nextPacketId = id == 65535 ? 1 : id + 1;
    return id;
  }

  /** SUBSCRIBE one subscription (subscription identifier 0: none); returns the SUBACK code. */
  public int subscribe(TopicSubscription sub, int subscriptionId) throws IOException {
    int id = packetId();
    MqttProperties props = subscriptionId == 0 ? MqttProperties.EMPTY
        : new MqttProperties().subscriptionIdentifier(subscriptionId);
    send(new Subscribe(id, List.of(sub), props));
    SubAck ack = expect(SubAck.class, T);
    assertEquals(id, ack.packetId(), "SUBACK packet id");
    return ack.returnCodes().get(0);
  }

  public int subscribe(String filter, int qos, Integer subscriptionId) throws IOException {
    return subscribe(new TopicSubscription(filter, qos), subscriptionId == null ? 0 : subscriptionId);
  }

  public int subscribe(String filter, int qos) throws IOException {
    return subscribe(new TopicSubscription(filter, qos), 0);
  }

  /** UNSUBSCRIBE one filter; returns the UNSUBACK reason code (MQTT 5). */
  public int unsubscribe(String filter) throws IOException {
    int id = packetId();
    send(new Unsubscribe(id, List.of(filter)));
    UnsubAck ack = expect(UnsubAck.class, T);
    assertEquals(id, ack.packetId(), "UNSUBACK packet id");
    return ack.reasonCodes().get(0);
  }

  /** PUBLISH without waiting for any acknowledgement; returns the packet id (0 for QoS 0). */
  public int publish(String topic, int qos, boolean retain, byte[] payload, MqttProperties props) throws IOException {
    int id = qos == 0 ? 0 : packetId();
    send(new Publish(topic, qos, retain, false, id, Unpooled.wrappedBuffer(payload),
        props == null ? MqttProperties.EMPTY : props));
    return id;
  }

  public int publish(String topic, int qos, boolean retain, String payload, MqttProperties props) throws IOException {
    return publish(topic, qos, retain, payload.getBytes(StandardCharsets.UTF_8), props);
  }

  public int publish(String topic, int qos, boolean retain, byte[] payload) throws IOException {
    return publish(topic, qos, retain, payload, null);
  }

  public int publish(String topic, int qos, String payload) throws IOException {
    return publish(topic, qos, false, payload.getBytes(StandardCharsets.UTF_8), null);
  }

  /**
   * PUBLISH and complete its flow (PUBACK, or PUBREC/PUBREL/PUBCOMP); returns the PUBACK/PUBREC
   * reason code (0 for QoS 0). For a client that does not subscribe to what it publishes.
   */
  public int publishAndComplete(String topic, int qos, boolean retain, String payload, MqttProperties props)
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

  public void publishAndComplete(String topic, int qos, String payload) throws IOException {
    publishAndComplete(topic, qos, false, payload, null);
  }

  public void ack(PacketType type, int packetId) throws IOException {
    send(new Ack(type, packetId));
  }

  public void ping() throws IOException {
    send(PingReq.INSTANCE);
  }

  /** A normal DISCONNECT. */
  public void disconnect() throws IOException {
    send(Disconnect.INSTANCE);
  }

  /** MQTT 5 DISCONNECT with a reason code and properties (null: none). */
  public void disconnect(int reasonCode, MqttProperties props) throws IOException {
    send(new Disconnect(reasonCode, props == null ? MqttProperties.EMPTY : props));
  }

  /** Normal DISCONNECT, then waits for the broker to close the socket. */
  public void disconnectAndWait() throws IOException {
    if (level == MqttVersion.V5) {
      disconnect(0x00, null);
    } else {
      disconnect();
    }
    if (!awaitClosed(T)) {
      fail("broker did not close after DISCONNECT");
    }
  }

  /** The next PUBLISH, acknowledged as a well-behaved client would; PUBRELs on the way get PUBCOMP. */
  public Publish nextPublishAcking(long timeoutMs) throws IOException {
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
      fail("expected PUBLISH or PUBREL, got " + p);
    }
  }

  // ---- reading -------------------------------------------------------------------------------

  /** The next packet, or null if none arrived within timeoutMs; ClosedException if the broker closed. */
  public Packet read(long timeoutMs) throws IOException {
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
  public int readRaw(byte[] into, long timeoutMs) throws IOException {
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

  /** Exactly {@code n} raw bytes, bypassing the decoder; fails on EOF or after timeoutMs. */
  public byte[] readExactly(int n, long timeoutMs) throws IOException {
    assertTrue(received.isEmpty() && decoder.pendingBytes() == 0, "decoded data pending");
    byte[] b = new byte[n];
    int off = 0;
    socket.setSoTimeout((int) Math.max(1, timeoutMs));
    while (off < n) {
      int r;
      try {
        r = in.read(b, off, n - off);
      } catch (SocketTimeoutException e) {
        throw new AssertionError("no " + n + " bytes within " + timeoutMs + " ms (got " + off + ")", e);
      }
      if (r < 0) {
        throw new AssertionError("connection closed after " + off + " of " + n + " bytes");
      }
      off += r;
    }
    return b;
  }

  /**
   * Reads raw bytes until the broker closes (EOF or reset) and returns what it sent before that;
   * fails if the connection is still open after timeoutMs.
   */
  public byte[] awaitCloseBytes(long timeoutMs) throws IOException {
    java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
    long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
    byte[] buf = new byte[4096];
    while (true) {
      long left = (deadline - System.nanoTime()) / 1_000_000L;
      if (left <= 0) {
        fail("broker did not close the connection within " + timeoutMs + " ms; received "
            + ByteBufUtil.hexDump(got.toByteArray()));
      }
      socket.setSoTimeout((int) Math.max(1, left));
      int r;
      try {
        r = in.read(buf);
      } catch (SocketTimeoutException e) {
        continue;
      } catch (SocketException e) {
        closed = true;
        return got.toByteArray(); // reset: the broker closed with our bytes still unread
      }
      if (r < 0) {
        closed = true;
        return got.toByteArray();
      }
      got.write(buf, 0, r);
    }
  }

  /** One packet as read off the wire, undecoded: the first byte and the rest. */
  public static final class Frame {
    public final int header;
    public final byte[] body;

    Frame(int header, byte[] body) {
      this.header = header;
      this.body = body;
    }

    public int type() {
      return header >>> 4;
    }

    public int flags() {
      return header & 0x0F;
    }

    public int packetId() {
      return ((body[0] & 0xFF) << 8) | (body[1] & 0xFF);
    }

    @Override
    public String toString() {
      return String.format("%02X %s", header, body.length > 32 ? body.length + " bytes" : ByteBufUtil.hexDump(body));
    }
  }

  /** The next packet undecoded, bypassing the decoder; fails on EOF or after {@link #T}. */
  public Frame readFrame() throws IOException {
    int header = readExactly(1, T)[0] & 0xFF;
    int remaining = 0;
    int multiplier = 1;
    for (int i = 0; ; i++) {
      int b = readExactly(1, T)[0] & 0xFF;
      remaining += (b & 0x7F) * multiplier;
      multiplier *= 128;
      if ((b & 0x80) == 0) {
        break;
      }
      if (i == 3) {
        throw new IOException("remaining length longer than 4 bytes");
      }
    }
    return new Frame(header, readExactly(remaining, T));
  }

  /** The next packet undecoded, which must be of type (upper nibble of the first byte). */
  public Frame readFrame(int type) throws IOException {
    Frame f = readFrame();
    assertEquals(type, f.type(), "packet type, got " + f);
    return f;
  }

  /** Exactly n raw bytes; fails on EOF or after {@link #T}. */
  public byte[] readBytes(int n) throws IOException {
    return readExactly(n, T);
  }

  /** Sends packets in one write, so the broker reads them together. */
  public void sendTogether(Packet... packets) throws IOException {
    java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
    for (Packet p : packets) {
      all.writeBytes(bytes(p, level));
    }
    sendBytes(all.toByteArray());
  }

  /**
   * Asserts the broker closed the connection: the next raw read ends the stream (FIN, or a reset)
   * within {@link #T}, with no more bytes before it.
   */
  public void assertClosedByBroker() throws IOException {
    socket.setSoTimeout((int) T);
    try {
      int b = in.read();
      if (b >= 0) {
        byte[] rest = new byte[in.available()];
        int n = in.read(rest);
        fail(String.format("expected the broker to close, got byte %02X and %s more", b,
            java.util.Arrays.toString(java.util.Arrays.copyOf(rest, Math.max(0, n)))));
      }
    } catch (SocketTimeoutException e) {
      fail("the broker did not close the connection within " + T + " ms");
    } catch (SocketException | java.io.EOFException e) {
      // connection reset: closed as well
    }
    closed = true;
  }

  public int localPort() {
    return socket.getLocalPort();
  }

  /** The next packet, asserted to be a {@code type}; a PUBREL on the way gets its PUBCOMP. */
  public <P extends Packet> P expect(Class<P> type, long timeoutMs) throws IOException {
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

  public <P extends Packet> P expect(Class<P> type) throws IOException {
    return expect(type, T);
  }

  public Publish expectPublish(long timeoutMs) throws IOException {
    return expect(Publish.class, timeoutMs);
  }

  /** The next packet, asserted to be an ack of {@code type}. */
  public Ack expectAck(PacketType type, long timeoutMs) throws IOException {
    Ack a = expect(Ack.class, timeoutMs);
    assertEquals(type, a.type(), "ack type: " + a);
    return a;
  }

  /** Asserts that nothing arrives for ms and that the connection stays open. */
  public void expectNothing(long ms) throws IOException {
    Packet p;
    try {
      p = read(ms);
    } catch (ClosedException e) {
      throw new AssertionError("connection closed while expecting silence", e);
    }
    assertNull(p, "expected nothing but got " + p);
  }

  /**
   * Asserts the broker sends DISCONNECT with reasonCode (skipping any PUBLISH or ack before it) and
   * then closes the connection, all within timeoutMs, with no second DISCONNECT. Returns it.
   */
  public Disconnect expectDisconnect(int reasonCode, long timeoutMs) throws IOException {
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
    assertEquals(true, awaitClosed(Math.max(500, (deadline - System.nanoTime()) / 1_000_000L), true),
        "connection not closed after DISCONNECT");
    return d;
  }

  /**
   * Reads until the broker closes; returns the DISCONNECT it sent first (null if none), or fails
   * if the connection is still open after timeoutMs.
   */
  public Disconnect expectClosed(long timeoutMs) throws IOException {
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

  /**
   * Reads (and discards) until the broker closes the connection. Returns true if it did within
   * timeoutMs, false if the connection is still open then.
   */
  public boolean awaitClosed(long timeoutMs) throws IOException {
    return awaitClosed(timeoutMs, false);
  }

  private boolean awaitClosed(long timeoutMs, boolean noDisconnect) throws IOException {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
    try {
      while (true) {
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        if (left <= 0) {
          return false;
        }
        Packet p = read(left);
        if (noDisconnect && p instanceof Disconnect) {
          fail("unexpected " + p);
        }
      }
    } catch (ClosedException e) {
      return true;
    }
  }

  /** Asserts the connection is still open now (nothing pending to say otherwise). */
  public void assertOpen() throws IOException {
    assertFalse(awaitClosed(50), "connection should still be open");
  }

  public boolean isClosed() {
    return closed;
  }

  public static String text(Publish p) {
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
  public void abort() {
    try {
      socket.setSoLinger(true, 0);
    } catch (IOException e) {
      // ignore
    }
    close();
  }

  // ---- waits and event loops -----------------------------------------------------------------

  public static void waitUntil(String what, long timeoutMs, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("timed out after " + timeoutMs + " ms waiting for " + what);
      }
      Thread.sleep(10);
    }
  }

  /**
   * Waits until the broker's open connections are {@code base} plus exactly one more on one loop,
   * and returns that loop's index: where the one client connected since {@code base} lives.
   */
  public static int loopOfNewClient(TestBroker broker, int[] base) throws InterruptedException {
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
  public static void awaitOpenConnections(TestBroker broker, int[] expected) throws InterruptedException {
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

  public static void assertPublish(Publish p, String topic, String payload, int qos) {
    assertEquals(topic, p.topic(), "topic of " + p);
    assertEquals(payload, text(p), "payload of " + p);
    assertEquals(qos, p.qos(), "qos of " + p);
    assertTrue(qos == 0 || p.packetId() > 0, "packet id of " + p);
  }
}
