package io.tributary.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetClient;
import java.nio.charset.StandardCharsets;

/**
 * A lean, wire-level MQTT 3.1.1 / 5.0 client connection for load generation. It speaks only what
 * the generator needs (CONNECT, SUBSCRIBE, PUBLISH QoS 0/1, PUBACK, PINGREQ, DISCONNECT) and
 * treats anything else from the broker as a failure of the run.
 *
 * <p>Everything runs on the connection's event loop (its {@link #context()}), except
 * {@link #open}, {@link #subscribe} and {@link #disconnect}, which may be called from any thread.
 * Incoming PUBLISH payloads are handed to the {@link Listener} as a region of the read buffer (no
 * copy); the PUBACKs for one read are gathered into one buffer and written once when the read
 * completes, then {@link Listener#onReadComplete} is called.
 */
final class BenchConnection implements MqttPacketReader.Sink {

  /** What the owner hears from a connection; all calls on the connection's event loop. */
  interface Listener {
    /** A PUBLISH arrived; its payload is {@code buf[index, index + length)}, valid only during the call. */
    void onPublish(BenchConnection c, ByteBuf buf, int index, int length) throws MqttProtocolException;

    /** A PUBACK for one of this connection's QoS 1 PUBLISHes arrived. */
    void onPubAck(BenchConnection c) throws MqttProtocolException;

    /** The broker's bytes of one read have all been handled. */
    void onReadComplete(BenchConnection c);

    /** The connection failed after it was set up; {@code message} names the client and the reason. */
    void onFailure(BenchConnection c, String message);
  }

  /** Setup steps (TCP connect, CONNACK, SUBACK) that take longer than this fail the run. */
  static final long SETUP_TIMEOUT_MS = 10_000;

  private final ContextInternal context;
  private final NetSocketInternal socket;
  private final String clientId;
  private final boolean v5;
  private final Listener listener;
  private final ByteBufAllocator alloc;
  private final MqttPacketReader reader;

  private Promise<BenchConnection> connecting;
  private Promise<Void> subscribing;
  private String subscribeFilter;
  private int subscribeQos;
  private long setupTimer = -1;
  private boolean connected;
  private boolean closing;
  private boolean failed;
  private ByteBuf acks;
  private int serverReceiveMaximum = 65_535;
  private int keepAliveSeconds;

  private BenchConnection(ContextInternal context, NetSocketInternal socket, String clientId, int version,
      Listener listener) {
    this.context = context;
    this.socket = socket;
    this.clientId = clientId;
    this.v5 = version == 5;
    this.listener = listener;
    this.alloc = socket.channelHandlerContext().alloc();
    this.reader = new MqttPacketReader(alloc);
  }

  /**
   * Opens a TCP connection on {@code context}'s event loop, sends CONNECT (clean session / clean
   * start) and completes when the broker accepts it with CONNACK. Fails with a {@link LoadException}
   * if the connection is refused or closed, CONNACK refuses, or it takes longer than
   * {@link #SETUP_TIMEOUT_MS}.
   *
   * @param receiveMaximum MQTT 5 Receive Maximum to announce, 0 to send no properties
   */
  static Future<BenchConnection> open(NetClient client, ContextInternal context, String host, int port,
      String clientId, int version, int keepAliveSeconds, int receiveMaximum, Listener listener) {
    return open(client, context, host, port, clientId, version, keepAliveSeconds, receiveMaximum, listener, null,
        null);
  }

  /** As {@link #open(NetClient, ContextInternal, String, int, String, int, int, int, Listener)}, logging in. */
  static Future<BenchConnection> open(NetClient client, ContextInternal context, String host, int port,
      String clientId, int version, int keepAliveSeconds, int receiveMaximum, Listener listener, String username,
      String password) {
    Promise<BenchConnection> promise = context.promise();
    context.runOnContext(v -> client.connect(port, host).onComplete(ar -> {
      if (ar.failed()) {
        promise.tryFail(new LoadException(clientId + ": cannot connect to " + host + ":" + port + ": "
            + describe(ar.cause()), ar.cause()));
        return;
      }
      new BenchConnection(context, (NetSocketInternal) ar.result(), clientId, version, listener)
          .start(keepAliveSeconds, receiveMaximum, username, password, promise);
    }));
    return promise.future();
  }

  private void start(int keepAliveSeconds, int receiveMaximum, String username, String password,
      Promise<BenchConnection> promise) {
    connecting = promise;
    this.keepAliveSeconds = keepAliveSeconds;
    socket.messageHandler(msg -> {
      if (msg instanceof ByteBuf) {
        onData((ByteBuf) msg);
      } else {
        ReferenceCountUtil.release(msg);
      }
    });
    socket.readCompletionHandler(v -> onReadComplete());
    socket.exceptionHandler(t -> fail("connection error: " + describe(t)));
    socket.closeHandler(v -> fail("the broker closed the connection"
        + (connected ? "" : " before CONNACK")));
    setupTimer = context.owner().setTimer(SETUP_TIMEOUT_MS, id -> {
      setupTimer = -1;
      fail("no " + (connecting != null ? "CONNACK" : "SUBACK") + " within " + SETUP_TIMEOUT_MS + " ms");
    });
    socket.writeMessage(encodeConnect(alloc, v5 ? 5 : 4, clientId, keepAliveSeconds, receiveMaximum, username,
        password));
  }

  /** Subscribes to one filter at {@code qos}; completes on a SUBACK granting exactly that QoS. */
  Future<Void> subscribe(String filter, int qos) {
    Promise<Void> promise = context.promise();
    context.runOnContext(v -> {
      if (failed || closing) {
        promise.tryFail(new LoadException(clientId + ": cannot subscribe, the connection is closed"));
        return;
      }
      subscribing = promise;
      subscribeFilter = filter;
      subscribeQos = qos;
      setupTimer = context.owner().setTimer(SETUP_TIMEOUT_MS, id -> {
        setupTimer = -1;
        fail("no SUBACK for " + filter + " within " + SETUP_TIMEOUT_MS + " ms");
      });
      socket.writeMessage(encodeSubscribe(alloc, v5, 1, filter, qos));
    });
    return promise.future();
  }

  /**
   * Sends DISCONNECT (if still connected) and closes; completes when the socket is closed. Nothing
   * the broker does after this is a failure.
   */
  Future<Void> disconnect() {
    Promise<Void> promise = context.promise();
    context.runOnContext(v -> {
      boolean wasClosing = closing;
      closing = true;
      cancelSetupTimer();
      if (failed || wasClosing) {
        socket.close().onComplete(ar -> promise.tryComplete());
        return;
      }
      ByteBuf d = alloc.buffer(2);
      d.writeByte(0xE0).writeByte(0);
      socket.writeMessage(d);
      socket.close().onComplete(ar -> {
        release();
        promise.tryComplete();
      });
    });
    return promise.future();
  }

  /** Sends PINGREQ (keep-alive); call on the event loop. */
  void ping() {
    if (connected && !closing && !failed) {
      ByteBuf p = alloc.buffer(2);
      p.writeByte(0xC0).writeByte(0);
      socket.writeMessage(p);
    }
  }

  /** Writes (and flushes, unless inside a read of this connection) bytes built by the owner. */
  void write(ByteBuf bytes) {
    if (closing || failed) {
      bytes.release();
      return;
    }
    socket.writeMessage(bytes);
  }

  boolean writeQueueFull() {
    return socket.writeQueueFull();
  }

  /** Called on the event loop when a full write queue has drained. */
  void drainHandler(Handler<Void> handler) {
    socket.drainHandler(handler);
  }

  ByteBufAllocator alloc() {
    return alloc;
  }

  ContextInternal context() {
    return context;
  }

  String clientId() {
    return clientId;
  }

  /** The broker's MQTT 5 Receive Maximum (65535 when it sent none, and for 3.1.1). */
  int serverReceiveMaximum() {
    return serverReceiveMaximum;
  }

  /** The keep alive in force: the one sent in CONNECT, or the broker's Server Keep Alive (MQTT 5). */
  int keepAliveSeconds() {
    return keepAliveSeconds;
  }

  boolean isFailed() {
    return failed;
  }

  // ---------------------------------------------------------------------------------------------
  // input

  private void onData(ByteBuf in) {
    if (failed || closing) {
      in.release();
      return;
    }
    try {
      reader.read(in, this);
    } catch (MqttProtocolException e) {
      fail(e.getMessage());
    } catch (RuntimeException e) {
      fail("cannot handle a packet from the broker: " + describe(e));
    }
  }

  private void onReadComplete() {
    if (failed || closing) {
      return;
    }
    ByteBuf a = acks;
    if (a != null) {
      acks = null;
      socket.writeMessage(a);
    }
    listener.onReadComplete(this);
  }

  @Override
  public boolean packet(int header, ByteBuf buf, int index, int length) throws MqttProtocolException {
    int type = header >>> 4;
    int end = index + length;
    switch (type) {
      case 3:
        publish(header, buf, index, end);
        break;
      case 4:
        if (!connected || length < 2) {
          throw new MqttProtocolException("unexpected PUBACK" + (connected ? " of " + length + " bytes" : " before CONNACK"));
        }
        if (v5 && length >= 3) {
          int reason = buf.getUnsignedByte(index + 2);
          if (reason >= 0x80) {
            throw new MqttProtocolException(String.format("the broker refused a QoS 1 PUBLISH: PUBACK reason 0x%02x%s",
                reason, reasonString(buf, index + 3, end)));
          }
        }
        listener.onPubAck(this);
        break;
      case 2:
        connack(buf, index, end);
        break;
      case 9:
        suback(buf, index, end);
        break;
      case 13:
        break;
      case 14:
        int reason = v5 && length >= 1 ? buf.getUnsignedByte(index) : -1;
        throw new MqttProtocolException("the broker sent DISCONNECT"
            + (reason >= 0 ? String.format(" with reason 0x%02x%s", reason, reasonString(buf, index + 1, end)) : ""));
      default:
        throw new MqttProtocolException(String.format("unexpected packet from the broker: type %d (first byte 0x%02x)",
            type, header));
    }
    return !failed;
  }

  private void publish(int header, ByteBuf buf, int index, int end) throws MqttProtocolException {
    if (!connected) {
      throw new MqttProtocolException("PUBLISH before CONNACK");
    }
    int qos = (header >>> 1) & 3;
    if (qos > 1) {
      throw new MqttProtocolException("PUBLISH with QoS " + qos + " (the generator subscribes at QoS 0 or 1)");
    }
    if (end - index < 2) {
      throw new MqttProtocolException("PUBLISH too short for its topic");
    }
    int p = index + 2 + buf.getUnsignedShort(index);
    int packetId = 0;
    if (qos == 1) {
      if (p + 2 > end) {
        throw new MqttProtocolException("PUBLISH too short for its packet id");
      }
      packetId = buf.getUnsignedShort(p);
      p += 2;
    }
    if (v5) {
      int n = MqttPacketReader.vbiSize(buf, p, end);
      if (n < 0) {
        throw new MqttProtocolException("PUBLISH with a malformed properties length");
      }
      p += n + MqttPacketReader.vbiValue(buf, p);
    }
    if (p > end) {
      throw new MqttProtocolException("PUBLISH shorter than its header");
    }
    listener.onPublish(this, buf, p, end - p);
    if (qos == 1 && !failed) {
      ByteBuf a = acks;
      if (a == null) {
        a = acks = alloc.buffer(256);
      }
      a.writeByte(0x40).writeByte(2).writeShort(packetId);
    }
  }

  private void connack(ByteBuf buf, int index, int end) throws MqttProtocolException {
    if (connected || connecting == null) {
      throw new MqttProtocolException("unexpected CONNACK");
    }
    if (end - index < 2) {
      throw new MqttProtocolException("CONNACK too short");
    }
    int code = buf.getUnsignedByte(index + 1);
    if (code != 0) {
      throw new MqttProtocolException(String.format("the broker refused the connection: CONNACK %s 0x%02x%s",
          v5 ? "reason" : "return code", code, v5 ? reasonString(buf, index + 2, end) : ""));
    }
    if (v5 && end > index + 2) {
      int rm = twoByteProperty(buf, index + 2, end, 0x21);
      if (rm > 0) {
        serverReceiveMaximum = rm;
      }
      int ka = twoByteProperty(buf, index + 2, end, 0x13);
      if (ka >= 0) {
        keepAliveSeconds = ka; // Server Keep Alive: the broker's value replaces ours
      }
    }
    connected = true;
    cancelSetupTimer();
    Promise<BenchConnection> p = connecting;
    connecting = null;
    p.tryComplete(this);
  }

  private void suback(ByteBuf buf, int index, int end) throws MqttProtocolException {
    if (subscribing == null || end - index < 3) {
      throw new MqttProtocolException(subscribing == null ? "unexpected SUBACK" : "SUBACK too short");
    }
    int p = index + 2;
    if (v5) {
      int n = MqttPacketReader.vbiSize(buf, p, end);
      if (n < 0) {
        throw new MqttProtocolException("SUBACK with a malformed properties length");
      }
      p += n + MqttPacketReader.vbiValue(buf, p);
    }
    if (p >= end) {
      throw new MqttProtocolException("SUBACK without a reason code");
    }
    int code = buf.getUnsignedByte(p);
    if (code >= 0x80) {
      throw new MqttProtocolException(String.format("the broker refused the subscription to %s: SUBACK code 0x%02x%s",
          subscribeFilter, code, v5 ? reasonString(buf, index + 2, end) : ""));
    }
    if (code != subscribeQos) {
      throw new MqttProtocolException("the broker granted QoS " + code + " for " + subscribeFilter + ", not the "
          + subscribeQos + " asked");
    }
    cancelSetupTimer();
    Promise<Void> s = subscribing;
    subscribing = null;
    s.tryComplete();
  }

  private void fail(String message) {
    if (failed || closing) {
      return;
    }
    failed = true;
    cancelSetupTimer();
    release();
    String full = clientId + ": " + message;
    LoadException e = new LoadException(full);
    if (connecting != null) {
      Promise<BenchConnection> p = connecting;
      connecting = null;
      p.tryFail(e);
    } else if (subscribing != null) {
      Promise<Void> p = subscribing;
      subscribing = null;
      p.tryFail(e);
    } else {
      listener.onFailure(this, full);
    }
    socket.close();
  }

  private void release() {
    reader.release();
    if (acks != null) {
      acks.release();
      acks = null;
    }
  }

  private void cancelSetupTimer() {
    if (setupTimer >= 0) {
      context.owner().cancelTimer(setupTimer);
      setupTimer = -1;
    }
  }

  static String describe(Throwable t) {
    String m = t.getMessage();
    return m == null || m.isEmpty() ? t.getClass().getSimpleName() : m;
  }

  // ---------------------------------------------------------------------------------------------
  // MQTT 5 properties (only read on setup and error paths)

  /** The value of a two-byte property in the property list starting (with its length) at {@code p}, or -1. */
  static int twoByteProperty(ByteBuf buf, int p, int end, int id) throws MqttProtocolException {
    int n = MqttPacketReader.vbiSize(buf, p, end);
    if (n < 0) {
      throw new MqttProtocolException("malformed properties length");
    }
    int q = p + n;
    int limit = Math.min(end, q + MqttPacketReader.vbiValue(buf, p));
    while (q < limit) {
      int pid = buf.getUnsignedByte(q);
      if (pid == id) {
        return buf.getUnsignedShort(q + 1);
      }
      q = skipProperty(buf, q, limit);
    }
    return -1;
  }

  /** ": <reason string>" if the property list at {@code p} has one, else "". */
  static String reasonString(ByteBuf buf, int p, int end) {
    try {
      if (p >= end) {
        return "";
      }
      int n = MqttPacketReader.vbiSize(buf, p, end);
      if (n < 0) {
        return "";
      }
      int q = p + n;
      int limit = Math.min(end, q + MqttPacketReader.vbiValue(buf, p));
      while (q < limit) {
        if (buf.getUnsignedByte(q) == 0x1F) {
          int len = buf.getUnsignedShort(q + 1);
          return ": " + buf.toString(q + 3, Math.min(len, limit - q - 3), StandardCharsets.UTF_8);
        }
        q = skipProperty(buf, q, limit);
      }
    } catch (MqttProtocolException | RuntimeException e) {
      // no reason string then
    }
    return "";
  }

  private static int skipProperty(ByteBuf buf, int q, int limit) throws MqttProtocolException {
    int id = buf.getUnsignedByte(q);
    int v = q + 1;
    switch (id) {
      case 0x01: case 0x17: case 0x19: case 0x24: case 0x25: case 0x28: case 0x29: case 0x2A:
        return v + 1;
      case 0x13: case 0x21: case 0x22: case 0x23:
        return v + 2;
      case 0x02: case 0x11: case 0x18: case 0x27:
        return v + 4;
      case 0x0B: {
        int n = MqttPacketReader.vbiSize(buf, v, limit);
        if (n < 0) {
          throw new MqttProtocolException("malformed property");
        }
        return v + n;
      }
      case 0x03: case 0x08: case 0x09: case 0x12: case 0x15: case 0x16: case 0x1A: case 0x1C: case 0x1F:
        return v + 2 + buf.getUnsignedShort(v);
      case 0x26: {
        int k = v + 2 + buf.getUnsignedShort(v);
        return k + 2 + buf.getUnsignedShort(k);
      }
      default:
        throw new MqttProtocolException(String.format("unknown property 0x%02x", id));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // output

  /** CONNECT with clean session / clean start and no will; username and password may be null. */
  static ByteBuf encodeConnect(ByteBufAllocator alloc, int version, String clientId, int keepAliveSeconds,
      int receiveMaximum, String username, String password) {
    byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
    byte[] user = username == null ? null : username.getBytes(StandardCharsets.UTF_8);
    byte[] pass = password == null ? null : password.getBytes(StandardCharsets.UTF_8);
    boolean v5 = version == 5;
    int propsLength = v5 && receiveMaximum > 0 ? 3 : 0;
    int remaining = 10 + (v5 ? MqttPacketReader.vbiLength(propsLength) + propsLength : 0) + 2 + id.length
        + (user == null ? 0 : 2 + user.length) + (pass == null ? 0 : 2 + pass.length);
    ByteBuf b = alloc.buffer(remaining + 5);
    b.writeByte(0x10);
    MqttPacketReader.writeVbi(b, remaining);
    b.writeShort(4).writeByte('M').writeByte('Q').writeByte('T').writeByte('T');
    b.writeByte(version);
    b.writeByte(0x02 | (user == null ? 0 : 0x80) | (pass == null ? 0 : 0x40)); // clean, no will
    b.writeShort(keepAliveSeconds);
    if (v5) {
      MqttPacketReader.writeVbi(b, propsLength);
      if (receiveMaximum > 0) {
        b.writeByte(0x21).writeShort(receiveMaximum);
      }
    }
    b.writeShort(id.length).writeBytes(id);
    if (user != null) {
      b.writeShort(user.length).writeBytes(user);
    }
    if (pass != null) {
      b.writeShort(pass.length).writeBytes(pass);
    }
    return b;
  }

  static ByteBuf encodeSubscribe(ByteBufAllocator alloc, boolean v5, int packetId, String filter, int qos) {
    byte[] f = filter.getBytes(StandardCharsets.UTF_8);
    int remaining = 2 + (v5 ? 1 : 0) + 2 + f.length + 1;
    ByteBuf b = alloc.buffer(remaining + 5);
    b.writeByte(0x82);
    MqttPacketReader.writeVbi(b, remaining);
    b.writeShort(packetId);
    if (v5) {
      b.writeByte(0);
    }
    b.writeShort(f.length).writeBytes(f);
    b.writeByte(qos);
    return b;
  }
}
