package io.tributary.mqtt;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.internal.net.NetSocketInternal;
import java.util.concurrent.Executor;

/**
 * MQTT over a TCP (or TLS) socket. Reads and writes Netty buffers directly so a payload is
 * neither copied on the way in (the codec slices it) nor on the way out.
 */
final class TcpTransport implements MqttTransport {

  private final NetSocketInternal socket;
  private final ChannelHandlerContext ctx;

  TcpTransport(NetSocketInternal socket) {
    this.socket = socket;
    this.ctx = socket.channelHandlerContext();
  }

  @Override
  public void handler(Handler<ByteBuf> handler) {
    socket.messageHandler(msg -> {
      if (msg instanceof ByteBuf) {
        handler.handle((ByteBuf) msg);
      } else {
        ReferenceCountUtil.release(msg);
      }
    });
  }

  @Override
  public void closeHandler(Handler<Void> handler) {
    socket.closeHandler(handler);
  }

  @Override
  public void exceptionHandler(Handler<Throwable> handler) {
    socket.exceptionHandler(handler);
  }

  @Override
  public void drainHandler(Handler<Void> handler) {
    socket.drainHandler(handler);
  }

  @Override
  public Future<Void> write(ByteBuf buffer) {
    return socket.writeMessage(buffer);
  }

  @Override
  public boolean writeQueueFull() {
    return socket.writeQueueFull();
  }

  @Override
  public void pause() {
    socket.pause();
  }

  @Override
  public void resume() {
    socket.resume();
  }

  @Override
  public void close() {
    socket.close();
  }

  @Override
  public void closeNow() {
    // The handler context's close() goes below Vert.x's handler, which would wait for the flush.
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
    return String.valueOf(socket.remoteAddress());
  }
}
