package io.tributary.cluster;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where other nodes' forwarders connect ({@link ForwardWire}): one connection per sending node,
 * opened with a HELLO naming it, then BATCH frames, each handed to the {@link ForwardInbox} and
 * answered with an ACK once stored. ACKs go in the order the batches came (a batch with nothing
 * new is answered only after the ones before it), since the sender takes an ACK as the answer to
 * every earlier batch too.
 *
 * <p>A connection runs on the context the server was started on (the broker verticle's), as the
 * inbox does.
 */
final class ForwardServer {

  private static final Logger log = LoggerFactory.getLogger(ForwardServer.class);

  private final Context context;
  private final ForwardInbox inbox;
  private final String incarnation;
  private NetServer server;

  ForwardServer(Context context, ForwardInbox inbox, String incarnation) {
    this.context = context;
    this.inbox = inbox;
    this.incarnation = incarnation;
  }

  /** Listens on host:port (0: any free port) from the server's context; completes with the port bound. */
  Future<Integer> listen(String host, int port) {
    Promise<Integer> bound = Promise.promise();
    context.runOnContext(v -> {
      server = context.owner().createNetServer(new NetServerOptions().setHost(host).setPort(port)
          .setTcpNoDelay(true).setReuseAddress(true));
      server.connectHandler(this::connected).listen().map(NetServer::actualPort).onComplete(bound);
    });
    return bound.future();
  }

  Future<Void> close() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void connected(NetSocket socket) {
    new Connection(socket);
  }

  /** One sending node's connection; the server's context only. */
  private final class Connection {
    private final NetSocket socket;
    private String from;
    private String fromIncarnation;
    private boolean refused;
    /** Per batch in arrival order: {sequence, 1 once stored}. */
    private final ArrayDeque<long[]> pending = new ArrayDeque<>();

    Connection(NetSocket socket) {
      this.socket = socket;
      socket.handler(new ForwardWire.FrameReader(this::frame, this::broken));
    }

    private void frame(byte type, ByteBuffer body) {
      if (refused) {
        return;
      }
      if (from == null) {
        if (type != ForwardWire.HELLO) {
          throw new IllegalArgumentException("the first frame is of type " + type + ", not HELLO");
        }
        String node = ForwardWire.string(body);
        String nodeIncarnation = ForwardWire.string(body);
        String meant = ForwardWire.string(body);
        if (!meant.equals(incarnation)) {
          // The sender has an old address: another member, an earlier run of this node.
          log.info("cluster: a forward connection from node '{}' was meant for member {}, this is {}; closed",
              node, meant, incarnation);
          refused = true;
          socket.close();
          return;
        }
        from = node;
        fromIncarnation = nodeIncarnation;
        return;
      }
      if (type != ForwardWire.BATCH || body.remaining() < 9) {
        throw new IllegalArgumentException("a frame of type " + type + " and " + body.remaining() + " bytes, not a BATCH");
      }
      boolean lookback = (body.get() & ForwardWire.LOOKBACK_FLAG) != 0;
      long[] entry = {body.getLong(), 0};
      pending.add(entry);
      inbox.store(from, fromIncarnation, lookback, body, () -> {
        entry[1] = 1;
        answer();
      });
    }

    /** ACKs the stored batches at the head of the line; one ACK for all of them. */
    private void answer() {
      long last = -1;
      while (!pending.isEmpty() && pending.peek()[1] == 1) {
        last = pending.poll()[0];
      }
      if (last >= 0) {
        socket.write(ForwardWire.ack(last));
      }
    }

    private void broken(String why) {
      log.error("cluster: a forward from node '{}' could not be read ({}); connection closed, the sender sends again",
          from != null ? from : socket.remoteAddress(), why);
      socket.close();
    }
  }
}
