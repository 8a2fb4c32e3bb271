package io.tributary.mqtt;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import java.util.concurrent.TimeUnit;

/**
 * "Send the last packet, then close" for every transport. Closing a socket whose peer still has
 * bytes in flight to us makes the kernel answer with a reset, and a reset can destroy the packet
 * we just sent (a DISCONNECT with its reason code, a CONNACK refusal) before the peer reads it. So
 * the last bytes are flushed, then only our direction is shut (FIN after the data; TLS sends its
 * close_notify first), and reading goes on, discarding, until the peer closes too, or for at most
 * {@link #DRAIN_MS}, after which the channel is closed outright.
 */
public final class GracefulClose {

  /** How long a closing connection drains what its peer still sends. */
  public static final long DRAIN_MS = 2000;

  private GracefulClose() {
  }

  /**
   * Writes {@code last} (null: nothing more), flushes, then shuts down output and keeps reading
   * (the caller's handler must discard what comes); channels that cannot half-close are closed
   * once the write is done.
   */
  public static void closeAfter(ChannelHandlerContext ctx, Object last) {
    ChannelFuture written = ctx.writeAndFlush(last == null ? Unpooled.EMPTY_BUFFER : last);
    written.addListener(f -> {
      if (!f.isSuccess() || !(ctx.channel() instanceof DuplexChannel duplex) || duplex.isOutputShutdown()) {
        ctx.close();
        return;
      }
      SslHandler ssl = ctx.pipeline().get(SslHandler.class);
      if (ssl != null) {
        ssl.closeOutbound().addListener(done -> shutdownOutput(ctx, duplex));
      } else {
        shutdownOutput(ctx, duplex);
      }
    });
    // Drain whatever the peer still sends: paused reading would leave it unread and so reset.
    ctx.channel().config().setAutoRead(true);
    ctx.executor().schedule(() -> {
      ctx.close(); // a no-op when the peer closed first
    }, DRAIN_MS, TimeUnit.MILLISECONDS);
  }

  private static void shutdownOutput(ChannelHandlerContext ctx, DuplexChannel duplex) {
    duplex.shutdownOutput().addListener(f -> {
      if (!f.isSuccess()) {
        ctx.close();
      }
    });
  }
}
