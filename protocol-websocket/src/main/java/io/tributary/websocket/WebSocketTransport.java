package io.tributary.websocket;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.tributary.mqtt.MqttTransport;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.internal.http.WebSocketInternal;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MQTT over the binary frames of a WebSocket. Frames are a byte stream to the MQTT engine: a packet
 * may span several frames and a frame may hold several packets, the engine's decoder reassembles
 * them. A text frame closes the connection (MQTT-6.0.0-1).
 */
final class WebSocketTransport implements MqttTransport {

  private static final Logger log = LoggerFactory.getLogger(WebSocketTransport.class);

  /** Close status for data the endpoint cannot accept (RFC 6455 7.4.1). */
  private static final short UNSUPPORTED_DATA = 1003;

  private final ServerWebSocket ws;
  private final ChannelHandlerContext ctx;
  private Handler<ByteBuf> handler;
  /** A text message is being received: its continuation frames are not MQTT bytes either. */
  private boolean refused;

  WebSocketTransport(ServerWebSocket ws) {
    this.ws = ws;
    this.ctx = ((WebSocketInternal) ws).channelHandlerContext();
    // Frames, not messages: nothing is aggregated (or copied) before the engine sees it.
    ws.frameHandler(this::onFrame);
  }

  private void onFrame(WebSocketFrame frame) {
    if (refused) {
      return;
    }
    switch (frame.type()) {
      case BINARY, CONTINUATION -> {
        Handler<ByteBuf> h = handler;
        if (h != null && frame.binaryData().length() > 0) {
          // The frame's own bytes, not a copy; the engine releases what it is given.
          h.handle(((BufferInternal) frame.binaryData()).getByteBuf());
        }
      }
      case TEXT -> {
        refused = true;
        log.warn("{}: text WebSocket frame received; MQTT needs binary frames, closing", remoteAddress());
        if (!ws.isClosed()) {
          ws.close(UNSUPPORTED_DATA, "MQTT over WebSocket uses binary frames");
        }
      }
      default -> {
        // PING is answered by Vert.x, CLOSE ends the connection there too.
      }
    }
  }

  @Override
  public void handler(Handler<ByteBuf> handler) {
    this.handler = handler;
  }

  @Override
  public void closeHandler(Handler<Void> handler) {
    ws.closeHandler(handler);
  }

  @Override
  public void exceptionHandler(Handler<Throwable> handler) {
    ws.exceptionHandler(handler);
  }

  @Override
  public void drainHandler(Handler<Void> handler) {
    ws.drainHandler(handler);
  }

  /**
   * One binary frame per write. Vert.x copies a pooled or composite buffer into a heap buffer
   * before writing a frame; the engine's output (a composite of pooled frames and shared
   * payloads) is handed over behind an unpooled wrapper so it goes out as it is, and is released
   * when the write completes (Vert.x never releases frame data it did not copy).
   */
  @Override
  public void write(ByteBuf buffer) {
    CompositeByteBuf owner = new CompositeByteBuf(UnpooledByteBufAllocator.DEFAULT, buffer.isDirect(), 1, buffer);
    Future<Void> written;
    try {
      written = ws.writeFrame(new WebSocketFrameImpl(WebSocketFrameType.BINARY, owner.slice(), true));
    } catch (RuntimeException e) {
      owner.release();
      return;
    }
    written.onComplete(ar -> owner.release());
  }


  @Override
  public boolean writeQueueFull() {
    return !ws.isClosed() && ws.writeQueueFull();
  }

  @Override
  public void pause() {
    ws.pause();
  }

  @Override
  public void resume() {
    ws.resume();
  }

  @Override
  public void close() {
    if (!ws.isClosed()) {
      ws.close();
    }
  }

  @Override
  public void closeNow() {
    // Below Vert.x's handler: does not wait for queued frames or the peer's close frame.
    ctx.close();
  }

  @Override
  public boolean channelWritable() {
    return ctx.channel().isWritable();
  }

  @Override
  public boolean isOpen() {
    return ctx.channel().isOpen();
  }

  @Override
  public ByteBufAllocator alloc() {
    return ctx.alloc();
  }

  @Override
  public Executor executor() {
    return ctx.executor();
  }

  @Override
  public String remoteAddress() {
    return "ws:" + ws.remoteAddress();
  }
}
