package io.tributary.mqtt;

import io.tributary.router.security.CertificateIdentity;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.net.NetSocketInternal;

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
final class TcpTransport extends ChannelTransport {

  /** The CN of the client certificate, read while the Vert.x socket still holds the TLS session. */
  private final String peerCommonName;

  private TcpTransport(ContextInternal context, io.vertx.core.net.SocketAddress peer, String peerCommonName) {
    super(context, "", peer);
    this.peerCommonName = peerCommonName;
  }

  /**
   * Replaces Vert.x's handler of a just-accepted socket with a transport. Call from the
   * connect handler, on the socket's event loop: no byte has been read into Vert.x yet.
   */
  static TcpTransport takeOver(NetSocketInternal socket) {
    ChannelHandlerContext vertxHandler = socket.channelHandlerContext();
    TcpTransport transport = new TcpTransport(currentContext(), socket.remoteAddress(), commonName(socket));
    ChannelPipeline pipeline = vertxHandler.pipeline();
    pipeline.replace(vertxHandler.handler(), "mqtt", transport);
    // Vert.x adds it for file transfers where the transport cannot send files (io_uring, TLS);
    // MQTT never sends one, and it would queue and flush every write a second time.
    if (pipeline.get("chunkedWriter") != null) {
      pipeline.remove("chunkedWriter");
    }
    return transport;
  }

  private static String commonName(NetSocketInternal socket) {
    if (!socket.isSsl()) {
      return null;
    }
    try {
      return CertificateIdentity.commonName(socket.peerCertificates());
    } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
      return null; // no certificate (clientAuth request)
    }
  }

  @Override
  public String peerCommonName() {
    return peerCommonName;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf bytes) {
      emitRead(bytes);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) {
      emitDrain();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    emitException(cause);
    ctx.close();
  }

  @Override
  public void write(ByteBuf buffer) {
    ctx().writeAndFlush(buffer, ctx().voidPromise());
  }

  @Override
  public void pause() {
    ctx().channel().config().setAutoRead(false);
  }

  @Override
  public void resume() {
    ctx().channel().config().setAutoRead(true);
  }

  @Override
  public void close() {
    // After what is queued has gone out (a CONNACK or DISCONNECT with the reason must arrive),
    // without a reset that could destroy it.
    if (ctx().channel().isOpen()) {
      GracefulClose.closeAfter(ctx(), null);
    }
  }
}
