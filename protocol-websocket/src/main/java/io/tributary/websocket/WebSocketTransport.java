package io.tributary.websocket;

import io.tributary.router.security.CertificateIdentity;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.tributary.mqtt.ChannelTransport;
import io.tributary.mqtt.GracefulClose;
import io.tributary.router.counters.BrokerCounters;
import io.tributary.router.logging.LogSafe;
import io.tributary.router.logging.LogThrottle;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.http.WebSocketInternal;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MQTT over the binary frames of a WebSocket, as a Netty handler that takes the place of Vert.x's
 * WebSocket handler once the upgrade is done (as {@code TcpTransport} does for TCP). Frames are a
 * byte stream to the MQTT engine: a packet may span frames and a frame hold several packets.
 *
 * <p>Why not Vert.x's {@code ServerWebSocket}: it answers every PING with a PONG whatever the
 * socket's state and keeps reading while its inbound queue takes frames, so a peer that sends pings
 * and never reads grows the broker's write queue without bound. Here a PONG is written like any
 * other reply: when the socket stops being writable, reading stops until it drains, exactly as
 * for MQTT over TCP. The handler also owns the closing handshake (RFC 6455 §7): nothing is sent
 * after a Close frame, protocol errors (RSV bits without an extension, bad fragmentation, a frame
 * over the maximum) are answered with their status code, and the last packet before a close is
 * not lost to a TCP reset ({@link GracefulClose}).
 */
final class WebSocketTransport extends ChannelTransport {

  private static final Logger log = LoggerFactory.getLogger(WebSocketTransport.class);

  private final BrokerCounters counters;
  private final LogThrottle warnings;
  /** How long reading may stay paused for PONGs the peer does not read (mqtt.writeStallTimeoutMs). */
  private final long stallTimeoutMs;
  private ScheduledFuture<?> stallTimer;
  /** The engine asked us to stop reading (its peer does not read what it writes). */
  private boolean enginePaused;
  /** We stopped reading because PONGs could not be written (the peer does not read them). */
  private boolean pongPaused;
  private boolean needsFlush;
  /** A Close frame went out: nothing may follow it (RFC 6455 §5.5.1). */
  private boolean closeSent;

  /** The CN of the client certificate (wss with client certificates), read at the takeover. */
  private final String peerCommonName;

  private WebSocketTransport(ContextInternal context, io.vertx.core.net.SocketAddress peer, BrokerCounters counters,
      LogThrottle warnings, long stallTimeoutMs, String peerCommonName) {
    super(context, "ws:", peer);
    this.peerCommonName = peerCommonName;
    this.counters = counters;
    this.warnings = warnings;
    this.stallTimeoutMs = stallTimeoutMs;
  }

  /**
   * Replaces Vert.x's handler of a just-upgraded WebSocket with a transport. Call from the
   * upgrade's completion, on the connection's event loop, before any frame has been read.
   */
  static WebSocketTransport takeOver(ServerWebSocket ws, BrokerCounters counters, LogThrottle warnings,
      long stallTimeoutMs) {
    ChannelHandlerContext vertxHandler = ((WebSocketInternal) ws).channelHandlerContext();
    String commonName = null;
    if (ws.isSsl()) {
      try {
        commonName = CertificateIdentity.commonName(ws.peerCertificates());
      } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
        // no client certificate (clientAuth request)
      }
    }
    WebSocketTransport transport = new WebSocketTransport(currentContext(), ws.remoteAddress(), counters,
        warnings, stallTimeoutMs, commonName);
    ChannelPipeline pipeline = vertxHandler.pipeline();
    pipeline.replace(vertxHandler.handler(), "mqtt-ws", transport);
    // The HTTP idle timeout does not apply to an MQTT connection: MQTT's keep alive does.
    IdleStateHandler idle = pipeline.get(IdleStateHandler.class);
    if (idle != null) {
      pipeline.remove(idle);
    }
    if (pipeline.get("chunkedWriter") != null) {
      pipeline.remove("chunkedWriter");
    }
    return transport;
  }

  @Override
  public String peerCommonName() {
    return peerCommonName;
  }

  /** The channel's pipeline (tests check what the takeover left in it). */
  io.netty.channel.ChannelPipeline pipeline() {
    return ctx().pipeline();
  }

  // ---- inbound -----------------------------------------------------------------------------

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (closeSent) {
      // Closing: a peer's Close completes the handshake; anything else is discarded.
      boolean peerClosed = msg instanceof CloseWebSocketFrame;
      ReferenceCountUtil.release(msg);
      if (peerClosed) {
        ctx.close();
      }
      return;
    }
    if (msg instanceof BinaryWebSocketFrame || msg instanceof ContinuationWebSocketFrame) {
      ByteBuf content = ((io.netty.handler.codec.http.websocketx.WebSocketFrame) msg).content();
      if (content.isReadable()) {
        emitRead(content); // the engine releases it
      } else {
        content.release();
      }
    } else if (msg instanceof PingWebSocketFrame ping) {
      // A reply like any other: it counts against the socket's write budget (see pongWritten).
      ctx.write(new PongWebSocketFrame(ping.content()));
      needsFlush = true;
      pongWritten();
    } else if (msg instanceof PongWebSocketFrame pong) {
      pong.release(); // unsolicited pongs are allowed and mean nothing (RFC 6455 §5.5.3)
    } else if (msg instanceof CloseWebSocketFrame close) {
      int status = close.statusCode();
      close.release();
      // Echo the status and close: the server closes the TCP connection first (§7.1.1).
      sendCloseAndShut(status > 0 ? status : WebSocketCloseStatus.NORMAL_CLOSURE.code(), null);
    } else if (msg instanceof TextWebSocketFrame text) {
      text.release();
      protocolError(WebSocketCloseStatus.INVALID_MESSAGE_TYPE.code(),
          "text frame received; MQTT over WebSocket uses binary frames");
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  private void pongWritten() {
    if (!ctx().channel().isWritable() && !pongPaused) {
      // The peer does not read our PONGs: stop reading its PINGs until it does, and close it if it
      // does not for as long as the MQTT engine lets any peer stall.
      pongPaused = true;
      ctx().channel().config().setAutoRead(false);
      stallTimer = ctx().executor().schedule(this::onPongStall, stallTimeoutMs, TimeUnit.MILLISECONDS);
    }
  }

  private void onPongStall() {
    stallTimer = null;
    if (!pongPaused || closeSent) {
      return;
    }
    counters.increment(BrokerCounters.Counter.SLOW_CONSUMERS_CLOSED);
    warnings.warn(log, "{}: read none of the PONGs for its PINGs for {} ms, closing", remoteAddress(), stallTimeoutMs);
    closeNow(); // nothing reaches a peer that does not read: no Close frame
  }

  private void cancelStallTimer() {
    if (stallTimer != null) {
      stallTimer.cancel(false);
      stallTimer = null;
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancelStallTimer();
    super.channelInactive(ctx);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (needsFlush) {
      needsFlush = false;
      ctx.flush();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (!ctx.channel().isWritable()) {
      return;
    }
    if (pongPaused) {
      pongPaused = false;
      cancelStallTimer();
      if (!enginePaused) {
        ctx.channel().config().setAutoRead(true);
      }
    }
    emitDrain();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    ReferenceCountUtil.release(evt); // idle events and the like: MQTT's own timers decide
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof CorruptedWebSocketFrameException bad) {
      // RSV bits with no extension negotiated, an unmasked or oversized frame, bad fragmentation:
      // the decoder has stopped; answer with its status (1002, 1009, ...) and close.
      protocolError(bad.closeStatus().code(), bad.getMessage());
      return;
    }
    emitException(cause);
    ctx.close();
  }

  private void protocolError(int status, String reason) {
    counters.increment(BrokerCounters.Counter.WEBSOCKET_PROTOCOL_ERRORS);
    warnings.warn(log, "{}: WebSocket protocol error: {}; closing with {}", remoteAddress(), LogSafe.text(reason),
        status);
    sendCloseAndShut(status, reason);
  }

  /** The last frame we send: a Close with {@code status}; then our side of TCP is shut. */
  private void sendCloseAndShut(int status, String reason) {
    if (closeSent) {
      return;
    }
    closeSent = true;
    String text = reason == null ? "" : reason.length() > 100 ? reason.substring(0, 100) : reason;
    GracefulClose.closeAfter(ctx(), new CloseWebSocketFrame(status, text));
    // closeAfter reads again, to drain the peer: no pause holds any more.
    pongPaused = false;
    cancelStallTimer();
    enginePaused = false;
  }

  // ---- MqttTransport -----------------------------------------------------------------------

  /** One binary frame per write (a turn's batch of MQTT packets). */
  @Override
  public void write(ByteBuf buffer) {
    if (closeSent) {
      buffer.release();
      return;
    }
    ctx().writeAndFlush(new BinaryWebSocketFrame(buffer), ctx().voidPromise());
  }

  @Override
  public void pause() {
    enginePaused = true;
    ctx().channel().config().setAutoRead(false);
  }

  @Override
  public void resume() {
    enginePaused = false;
    if (!pongPaused) {
      ctx().channel().config().setAutoRead(true);
    }
  }

  /** After what is queued: a Close frame (1000), then our side of the connection is shut. */
  @Override
  public void close() {
    if (ctx().channel().isOpen()) {
      sendCloseAndShut(WebSocketCloseStatus.NORMAL_CLOSURE.code(), null);
    }
  }

  @Override
  public void closeNow() {
    closeSent = true;
    super.closeNow();
  }
}
