package io.tributary.launcher;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.tributary.router.counters.BrokerCounters;
import io.tributary.router.ConnectionGate;
import io.tributary.router.logging.LogThrottle;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first handler of every listening socket (installed by {@link GuardedTransport}): it sees
 * each accepted connection before Vert.x does, so a connection over the broker's or its listener's
 * bounds, or over the listener's connection rate, is closed before a TLS handshake, a read or any
 * allocation for it. A failed accept (out of descriptors, say) backs the acceptor off for a second
 * instead of retrying at once, and is logged at most once a second with a count.
 */
@ChannelHandler.Sharable
final class AcceptGuard extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(AcceptGuard.class);
  static final long ACCEPT_BACKOFF_MS = 1000;

  private volatile ConnectionGate gate;
  private volatile BrokerCounters counters;
  /** Local port -> listener name, filled once the listeners are bound. */
  private final Map<Integer, String> listenerByPort = new ConcurrentHashMap<>();
  private final LogThrottle refusals = new LogThrottle(20, 1);
  private final LogThrottle acceptErrors = new LogThrottle(1, 1);

  /** From now on, accepted sockets go through {@code gate}. */
  void attach(ConnectionGate gate, BrokerCounters counters) {
    this.counters = counters;
    this.gate = gate;
  }

  void listenerOnPort(int port, String listener) {
    listenerByPort.put(port, listener);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ConnectionGate g = gate;
    if (g == null || !(msg instanceof Channel child)) {
      ctx.fireChannelRead(msg);
      return;
    }
    String listener = listenerOf(ctx.channel());
    ConnectionGate.Admission admission = g.admit(listener);
    if (admission == ConnectionGate.Admission.ADMITTED) {
      child.closeFuture().addListener(f -> g.release(listener));
      ctx.fireChannelRead(child);
      return;
    }
    // Not registered with an event loop yet: close its descriptor directly, as Netty's own
    // acceptor does with a child it cannot register.
    child.unsafe().closeForcibly();
    refusals.warn(log, "listener '{}': connection from {} refused at accept: {}", listener, child.remoteAddress(),
        describe(admission, g));
  }

  private static String describe(ConnectionGate.Admission admission, ConnectionGate g) {
    return switch (admission) {
      case BROKER_FULL -> "broker at limits.maxConnections " + g.maxConnections();
      case LISTENER_FULL -> "listener at limits.maxConnectionsPerListener";
      case RATE_EXCEEDED -> "over limits.connectionRate";
      default -> admission.toString();
    };
  }

  private String listenerOf(Channel server) {
    if (server.localAddress() instanceof InetSocketAddress a) {
      return listenerByPort.get(a.getPort());
    }
    return null;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    BrokerCounters c = counters;
    if (c != null) {
      c.increment(BrokerCounters.Counter.ACCEPT_ERRORS);
    }
    acceptErrors.warn(log, "listener '{}': accept failed: {}; pausing accepts for {} ms", listenerOf(ctx.channel()),
        cause.toString(), ACCEPT_BACKOFF_MS);
    // Back off instead of spinning on an error that will repeat at once (EMFILE); not passed on,
    // so nothing else logs it again.
    Channel server = ctx.channel();
    if (server.config().isAutoRead()) {
      server.config().setAutoRead(false);
      server.eventLoop().schedule(() -> server.config().setAutoRead(true), ACCEPT_BACKOFF_MS, TimeUnit.MILLISECONDS);
    }
  }
}
