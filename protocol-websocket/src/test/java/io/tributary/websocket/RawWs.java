package io.tributary.websocket;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.tributary.mqtt.codec.MqttDecoder;
import io.tributary.mqtt.codec.MqttEncoder;
import io.tributary.mqtt.codec.MqttVersion;
import io.tributary.mqtt.codec.Packet;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket client that writes MQTT bytes in frames chosen by the test (the project's encoder
 * makes the packets) and decodes what the broker sends.
 */
final class RawWs implements AutoCloseable {

  private final WebSocketClient client;
  final WebSocket ws;
  private final MqttDecoder decoder = MqttDecoder.forClient(1 << 20, MqttVersion.V3_1_1, UnpooledByteBufAllocator.DEFAULT);
  final BlockingQueue<Packet> received = new LinkedBlockingQueue<>();
  final CountDownLatch closed = new CountDownLatch(1);

  private RawWs(WebSocketClient client, WebSocket ws) {
    this.client = client;
    this.ws = ws;
    ws.handler(buf -> {
      synchronized (decoder) {
        try {
          decoder.feed(Unpooled.wrappedBuffer(buf.getBytes()), received::add);
        } catch (io.tributary.mqtt.codec.MqttCodecException e) {
          throw new IllegalStateException("broker sent a malformed packet", e);
        }
      }
    });
    ws.closeHandler(v -> closed.countDown());
  }

  static WebSocketConnectOptions options(int port, String path, String... subprotocols) {
    WebSocketConnectOptions o = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(path);
    o.setSubProtocols(subprotocols.length == 0 ? null : List.of(subprotocols));
    return o;
  }

  static RawWs connect(Vertx vertx, WebSocketConnectOptions options) throws Exception {
    WebSocketClient client = vertx.createWebSocketClient();
    try {
      return new RawWs(client, client.connect(options).await(10, TimeUnit.SECONDS));
    } catch (Exception e) {
      client.close();
      throw e;
    }
  }

  static byte[] encode(Packet p) {
    ByteBuf buf = MqttEncoder.encode(p, MqttVersion.V3_1_1, UnpooledByteBufAllocator.DEFAULT);
    byte[] bytes = new byte[buf.readableBytes()];
    buf.readBytes(bytes);
    buf.release();
    return bytes;
  }

  static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int i = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, i, p.length);
      i += p.length;
    }
    return out;
  }

  /** Each chunk as its own binary message (one final frame each). */
  void sendMessages(List<byte[]> chunks) throws Exception {
    for (byte[] c : chunks) {
      ws.writeFrame(WebSocketFrame.binaryFrame(Buffer.buffer(c), true)).await(5, TimeUnit.SECONDS);
    }
  }

  /**
   * Sends frames the server is expected to refuse by closing: a write that fails because the
   * server closed first is the expected outcome, not an error.
   */
  void sendRefused(List<byte[]> chunks) throws Exception {
    for (byte[] c : chunks) {
      try {
        ws.writeFrame(WebSocketFrame.binaryFrame(Buffer.buffer(c), true)).await(5, TimeUnit.SECONDS);
      } catch (Throwable t) {
        if (!ws.isClosed() && !awaitClosed()) {
          throw new AssertionError("write failed but the WebSocket stayed open", t);
        }
        return;
      }
    }
  }

  /** The chunks as the fragments of one binary message (binary frame, then continuations). */
  void sendFragments(List<byte[]> chunks) throws Exception {
    for (int i = 0; i < chunks.size(); i++) {
      Buffer b = Buffer.buffer(chunks.get(i));
      boolean last = i == chunks.size() - 1;
      WebSocketFrame f = i == 0 ? WebSocketFrame.binaryFrame(b, last) : WebSocketFrame.continuationFrame(b, last);
      ws.writeFrame(f).await(5, TimeUnit.SECONDS);
    }
  }

  static List<byte[]> split(byte[] bytes, int... at) {
    List<byte[]> out = new ArrayList<>();
    int from = 0;
    for (int cut : at) {
      out.add(java.util.Arrays.copyOfRange(bytes, from, cut));
      from = cut;
    }
    out.add(java.util.Arrays.copyOfRange(bytes, from, bytes.length));
    return out;
  }

  <T extends Packet> T expect(Class<T> type) throws InterruptedException {
    Packet p = received.poll(10, TimeUnit.SECONDS);
    if (p == null) {
      throw new AssertionError("no " + type.getSimpleName() + " within 10 s");
    }
    if (!type.isInstance(p)) {
      throw new AssertionError("expected " + type.getSimpleName() + ", got " + p);
    }
    return type.cast(p);
  }

  boolean awaitClosed() throws InterruptedException {
    return closed.await(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    try {
      client.close().await(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      // closing anyway
    }
  }
}
