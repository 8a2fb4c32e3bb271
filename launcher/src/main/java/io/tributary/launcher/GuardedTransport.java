package io.tributary.launcher;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.InternetProtocolFamily;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.net.ClientOptionsBase;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.spi.transport.Transport;
import java.net.SocketAddress;
import java.util.concurrent.ThreadFactory;

/**
 * The chosen Netty transport (io_uring, epoll or NIO), unchanged except that every server socket
 * Vert.x binds gets the broker's {@link AcceptGuard} as its first handler. This is Vert.x's public
 * transport SPI ({@code io.vertx.core.spi.transport.Transport}): the one place where a listening
 * socket's pipeline can be reached before accepted connections are handed to Vert.x.
 */
final class GuardedTransport implements Transport {

  private final Transport delegate;
  private final AcceptGuard guard = new AcceptGuard();

  private GuardedTransport(Transport delegate) {
    this.delegate = delegate;
  }

  /** {@code transport}, its server sockets guarded. */
  static io.vertx.core.transport.Transport wrap(io.vertx.core.transport.Transport transport) {
    GuardedTransport guarded = new GuardedTransport(transport.implementation());
    return new io.vertx.core.transport.Transport() {
      @Override
      public String name() {
        return transport.name();
      }

      @Override
      public boolean available() {
        return transport.available();
      }

      @Override
      public Throwable unavailabilityCause() {
        return transport.unavailabilityCause();
      }

      @Override
      public Transport implementation() {
        return guarded;
      }
    };
  }

  AcceptGuard guard() {
    return guard;
  }

  /** The transport this one wraps (for its name in the start-up log). */
  Transport delegate() {
    return delegate;
  }

  @Override
  public void configure(NetServerOptions options, boolean domainSocket, ServerBootstrap bootstrap) {
    delegate.configure(options, domainSocket, bootstrap);
    bootstrap.handler(guard);
  }

  // ---- everything else as the wrapped transport does it ------------------------------------

  @Override
  public boolean supportsDomainSockets() {
    return delegate.supportsDomainSockets();
  }

  @Override
  public boolean supportFileRegion() {
    return delegate.supportFileRegion();
  }

  @Override
  public boolean isAvailable() {
    return delegate.isAvailable();
  }

  @Override
  public Throwable unavailabilityCause() {
    return delegate.unavailabilityCause();
  }

  @Override
  public SocketAddress convert(io.vertx.core.net.SocketAddress address) {
    return delegate.convert(address);
  }

  @Override
  public io.vertx.core.net.SocketAddress convert(SocketAddress address) {
    return delegate.convert(address);
  }

  @Override
  public IoHandlerFactory ioHandlerFactory() {
    return delegate.ioHandlerFactory();
  }

  @Override
  public EventLoopGroup eventLoopGroup(int type, int nThreads, ThreadFactory threadFactory, int ioRatio) {
    return delegate.eventLoopGroup(type, nThreads, threadFactory, ioRatio);
  }

  @Override
  public DatagramChannel datagramChannel() {
    return delegate.datagramChannel();
  }

  @Override
  public DatagramChannel datagramChannel(InternetProtocolFamily family) {
    return delegate.datagramChannel(family);
  }

  @Override
  public ChannelFactory<? extends Channel> channelFactory(boolean domainSocket) {
    return delegate.channelFactory(domainSocket);
  }

  @Override
  public ChannelFactory<? extends ServerChannel> serverChannelFactory(boolean domainSocket) {
    return delegate.serverChannelFactory(domainSocket);
  }

  @Override
  public void configure(DatagramChannel channel, DatagramSocketOptions options) {
    delegate.configure(channel, options);
  }

  @Override
  public void configure(ClientOptionsBase options, int connectTimeout, boolean domainSocket, Bootstrap bootstrap) {
    delegate.configure(options, connectTimeout, domainSocket, bootstrap);
  }
}
