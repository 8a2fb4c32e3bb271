package io.tributary.bridge;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.tributary.mqtt.codec.Connect;
import io.tributary.mqtt.codec.MqttCodecException;
import io.tributary.mqtt.codec.MqttDecoder;
import io.tributary.mqtt.codec.MqttEncoder;
import io.tributary.mqtt.codec.MqttProperties;
import io.tributary.mqtt.codec.MqttVersion;
import io.tributary.mqtt.codec.Packet;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * One TCP (or TLS) connection of a bridge to its remote broker, as an MQTT client: the project's
 * own codec on a Vert.x {@link NetSocket} (public API; each packet is copied once into a Vert.x
 * buffer each way, which a bridge's rates allow). Everything runs on the socket's context, which
 * is the bridge's dispatcher thread.
 */
final class BridgeLink {

  /** Largest packet taken from the remote (MQTT's own maximum is 256 MiB). */
  static final int MAX_PACKET_BYTES = 16 << 20;
  /** Mosquitto's bridge marker: the high bit of the protocol level byte ({@code try_private}). */
  static final int BRIDGE_MARKER = 0x80;

  private final NetSocket socket;
  private final int level;
  private final MqttDecoder decoder;
  /** Heap buffers: their bytes are appended to the Vert.x buffer straight from the array. */
  private static final ByteBufAllocator HEAP = new UnpooledByteBufAllocator(false);

  private boolean closed;
  private Buffer pending;
  private long lastReceived = System.currentTimeMillis();

  BridgeLink(NetSocket socket, int level, Consumer<Packet> packets, Consumer<String> closedWith) {
    this.socket = socket;
    this.level = level;
    this.decoder = MqttDecoder.forClient(MAX_PACKET_BYTES, level, PooledByteBufAllocator.DEFAULT);
    socket.handler(data -> {
      if (closed) {
        return;
      }
      lastReceived = System.currentTimeMillis();
      try {
        decoder.feed(Unpooled.wrappedBuffer(data.getBytes()), packets);
      } catch (MqttCodecException e) {
        close();
        closedWith.accept("malformed packet from the remote (reason 0x" + Integer.toHexString(e.reasonCode()) + "): "
            + e.getMessage());
      }
    });
    socket.exceptionHandler(e -> {
      if (!closed) {
        close();
        closedWith.accept(e.toString());
      }
    });
    socket.closeHandler(v -> {
      if (!closed) {
        closed = true;
        decoder.release();
        closedWith.accept("connection closed by the remote");
      }
    });
  }

  /** Sends the CONNECT; with {@code marker} (MQTT 3.1.1 only) its protocol level is 0x84. */
  void connect(BridgeOptions o, boolean marker) {
    MqttProperties props = MqttProperties.EMPTY;
    if (level == MqttVersion.V5) {
      // The remote then drops a message too large for us rather than sending it, which would
      // close the connection here and come again after each reconnect.
      props = MqttProperties.create().maximumPacketSize((long) MAX_PACKET_BYTES);
      if (!o.isCleanStart() && o.getSessionExpirySeconds() > 0) {
        props.sessionExpiryInterval(o.getSessionExpirySeconds());
      }
    }
    byte[] password = o.getPassword() == null ? null : o.getPassword().getBytes(StandardCharsets.UTF_8);
    Connect c = new Connect(level, o.getClientId(), o.isCleanStart(), o.getKeepAliveSeconds(), o.getUsername(),
        password, null, props);
    ByteBuf buf = MqttEncoder.encode(c, level, PooledByteBufAllocator.DEFAULT);
    try {
      if (marker) {
        // Fixed header (1 byte + remaining length), protocol name "MQTT" (2 + 4), then the level.
        int at = 1 + remainingLengthSizeOf(buf) + 6;
        buf.setByte(at, buf.getByte(at) | BRIDGE_MARKER);
      }
      write(buf);
    } finally {
      buf.release();
    }
  }

  /** How many bytes the remaining length of the encoded packet in buf takes. */
  private static int remainingLengthSizeOf(ByteBuf buf) {
    int n = 1;
    while ((buf.getByte(n) & 0x80) != 0) {
      n++;
    }
    return n;
  }

  /** Sends p now. */
  void send(Packet p) {
    queue(p);
    flush();
  }

  /** Adds p to what the next {@link #flush} writes: one write (one syscall) for a batch of packets. */
  void queue(Packet p) {
    if (closed) {
      return;
    }
    ByteBuf buf = MqttEncoder.encode(p, level, HEAP);
    try {
      if (pending == null) {
        pending = Buffer.buffer(Math.max(256, buf.readableBytes()));
      }
      int n = buf.readableBytes();
      byte[] bytes = buf.hasArray() ? buf.array() : ByteBufUtil.getBytes(buf);
      pending.appendBytes(bytes, buf.hasArray() ? buf.arrayOffset() + buf.readerIndex() : 0, n);
    } finally {
      buf.release();
    }
  }

  /** Writes what {@link #queue} gathered. */
  void flush() {
    if (pending != null && !closed) {
      socket.write(pending);
    }
    pending = null;
  }

  private void write(ByteBuf buf) {
    socket.write(Buffer.buffer(ByteBufUtil.getBytes(buf)));
  }

  /** When the last bytes came from the remote (for keep alive). */
  long lastReceived() {
    return lastReceived;
  }

  /** Closes the socket; no callback for a close asked for here. */
  void close() {
    if (!closed) {
      closed = true;
      decoder.release();
      socket.close();
    }
  }

  boolean isClosed() {
    return closed;
  }
}
