package io.tributary.mqtt;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Handler;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.net.NetSocketInternal;
import java.util.concurrent.Executor;

/**
 * MQTT over a TCP (or TLS) socket, as a Netty handler that takes the place of Vert.x's socket
 * handler in the channel's pipeline once Vert.x has accepted the connection (and finished the
 * TLS handshake).
 *
 * <p>Why not stay on the Vert.x {@code NetSocket}: it keeps an unbounded MPSC queue per socket
 * for writes from other threads (about 4 KiB each, allocated up front), and every read and write
 * goes through its queues. The MQTT engine writes only from the connection's own event loop, one
 * batch per turn, so it needs neither: with the handler swapped, an idle connection costs about a
 * third less memory and a write is a plain {@code writeAndFlush}. Handlers still run on the
 * connection's Vert.x context (timers and futures stay on its event loop).
 */
final class TcpTransport extends ChannelInboundHandlerAdapter implements MqttTransport {

  private final ContextInternal context;
  private final String remoteAddress;
  private ChannelHandlerContext ctx;
  private Handler<ByteBuf> handler;
  private Handler<Void> closeHandler;
  private Handler<Throwable> exceptionHandler;
  private Handler<Void> drainHandler;

  private TcpTransport(ContextInternal context, String remoteAddress) {
    this.context = context;
    this.remoteAddress = remoteAddress;
  }

  /**
   * Replaces Vert.x's handler of a just-accepted socket with a transport. Call from the
   * connect handler, on the socket's event loop: no byte has been read into Vert.x yet.
   */
  static TcpTransport takeOver(NetSocketInternal socket) {
    ContextInternal context = ContextInternal.current();
    if (context == null) {
      throw new IllegalStateException("takeOver must run on the socket's context (its connect handler)");
    }
    ChannelHandlerContext vertxHandler = socket.channelHandlerContext();
    TcpTransport transport = new TcpTransport(context, String.valueOf(socket.remoteAddress()));
    ChannelPipeline pipeline = vertxHandler.pipeline();
    pipeline.replace(vertxHandler.handler(), "mqtt", transport);
    // Vert.x adds it for file transfers where the transport cannot send files (io_uring, TLS);
    // MQTT never sends one, and it would queue and flush every write a second time.
    if (pipeline.get("chunkedWriter") != null) {
      pipeline.remove("chunkedWriter");
    }
    return transport;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Handler<ByteBuf> h = handler;
    if (msg instanceof ByteBuf && h != null) {
      context.emit((ByteBuf) msg, h);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    Handler<Void> h = closeHandler;
    if (h != null) {
      context.emit(null, h);
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    Handler<Void> h = drainHandler;
    if (h != null && ctx.channel().isWritable()) {
      context.emit(null, h);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Handler<Throwable> h = exceptionHandler;
    if (h != null) {
      context.emit(cause, h);
    }
    ctx.close();
  }

  @Override
  public void handler(Handler<ByteBuf> handler) {
    this.handler = handler;
  }

  @Override
  public void closeHandler(Handler<Void> handler) {
    this.closeHandler = handler;
  }

  @Override
  public void exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
  }

  @Override
  public void drainHandler(Handler<Void> handler) {
    this.drainHandler = handler;
  }

  @Override
  public void write(ByteBuf buffer) {
    ctx.writeAndFlush(buffer, ctx.voidPromise());
  }

  @Override
  public boolean writeQueueFull() {
    return !ctx.channel().isWritable();
  }

  @Override
  public void pause() {
    ctx.channel().config().setAutoRead(false);
  }

  @Override
  public void resume() {
    ctx.channel().config().setAutoRead(true);
  }

  @Override
  public void close() {
    // After what is queued has gone out (a CONNACK or DISCONNECT with the reason must arrive),
    // without a reset that could destroy it.
    if (ctx.channel().isOpen()) {
      GracefulClose.closeAfter(ctx, null);
    }
  }

  @Override
  public void closeNow() {
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
    return remoteAddress;
  }
}
