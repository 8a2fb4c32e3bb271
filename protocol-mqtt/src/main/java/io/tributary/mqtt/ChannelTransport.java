package io.tributary.mqtt;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.vertx.core.Handler;
import io.vertx.core.internal.ContextInternal;
import java.util.concurrent.Executor;

/**
 * What every transport that sits in a Netty pipeline in place of Vert.x's own handler shares (TCP
 * here, WebSocket in its module): the engine's handlers, run on the connection's Vert.x context
 * so its timers and futures stay on that event loop, and the channel's state.
 */
public abstract class ChannelTransport extends ChannelInboundHandlerAdapter implements MqttTransport {

  private final ContextInternal context;
  private final String remoteAddress;
  private ChannelHandlerContext ctx;
  private Handler<ByteBuf> handler;
  private Handler<Void> closeHandler;
  private Handler<Throwable> exceptionHandler;
  private Handler<Void> drainHandler;

  private final boolean fromLoopback;

  /** {@code peer}: the connection's remote address, for logs and {@link #fromLoopback()}. */
  protected ChannelTransport(ContextInternal context, String prefix, io.vertx.core.net.SocketAddress peer) {
    this.context = context;
    this.remoteAddress = prefix + peer;
    this.fromLoopback = io.tributary.router.security.Authenticator.isLoopback(peer == null ? null : peer.hostAddress());
  }

  @Override
  public boolean fromLoopback() {
    return fromLoopback;
  }

  /** The Vert.x context of the connection being taken over; call from its handlers only. */
  protected static ContextInternal currentContext() {
    ContextInternal context = ContextInternal.current();
    if (context == null) {
      throw new IllegalStateException("a transport takes over a connection on its own context");
    }
    return context;
  }

  protected final ChannelHandlerContext ctx() {
    return ctx;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  /** Hands inbound bytes to the engine (which releases them), or releases them if none listens. */
  protected final void emitRead(ByteBuf bytes) {
    Handler<ByteBuf> h = handler;
    if (h != null) {
      context.emit(bytes, h);
    } else {
      bytes.release();
    }
  }

  protected final void emitDrain() {
    Handler<Void> h = drainHandler;
    if (h != null) {
      context.emit(null, h);
    }
  }

  protected final void emitException(Throwable cause) {
    Handler<Throwable> h = exceptionHandler;
    if (h != null) {
      context.emit(cause, h);
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
  public boolean writeQueueFull() {
    return !ctx.channel().isWritable();
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
