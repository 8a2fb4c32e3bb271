package io.tributary.cluster;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A forwarder's connection to its peer's {@link ForwardServer}: batches go out with sequence
 * numbers, up to {@link #WINDOW} unanswered, and the peer's ACK of one answers it and every one
 * before it. A connection that breaks, or a batch unanswered for the forward timeout, hands the
 * unanswered batches back to the forwarder (which sends them again: the peer drops offsets it has)
 * and connects again after a pause.
 *
 * <p>Everything here runs on the forwarder's dispatcher thread, which is a Vert.x event loop: the
 * connection is made from it, so its handlers run there too.
 */
final class ForwardLink {

  private static final Logger log = LoggerFactory.getLogger(ForwardLink.class);
  /** Batches sent and not answered yet, at most. */
  static final int WINDOW = 4;

  /**
   * A batch sent and not answered yet: its messages, the forwarder's read position after it, and
   * for a lookback batch the batch itself (live ones are read from the log again if lost).
   */
  record Sent(long sequence, int count, long next, ForwardBatch lookback, long sentAt) {}

  /** What the forwarder hears from its link; called on its thread. */
  interface Listener {
    /** The peer stored these batches, oldest first. */
    void answered(List<Sent> sent);

    /** The connection is gone; these batches were not answered, oldest first. */
    void lost(List<Sent> unanswered);

    /** The link can take a batch now. */
    void ready();
  }

  private final Vertx vertx;
  private final NetClient client;
  private final String peer;
  private final Supplier<String> endpoint;
  private final io.vertx.core.buffer.Buffer hello;
  private final long timeoutMs;
  private final long retryMs;
  private final Listener listener;
  private final ArrayDeque<Sent> unanswered = new ArrayDeque<>();
  private NetSocket socket;
  private boolean connecting;
  private boolean closed;
  private long nextSequence;
  private long timer = -1;
  private String lastFailure;
  /** The peer's forward address as last looked up; null while unknown. */
  private String address;

  ForwardLink(Vertx vertx, NetClient client, String peer, Supplier<String> endpoint, String self,
      String selfIncarnation, String peerIncarnation, long timeoutMs, long retryMs, Listener listener) {
    this.vertx = vertx;
    this.client = client;
    this.peer = peer;
    this.endpoint = endpoint;
    this.hello = ForwardWire.hello(self, selfIncarnation, peerIncarnation);
    this.timeoutMs = timeoutMs;
    this.retryMs = retryMs;
    this.listener = listener;
  }

  /** Whether a batch can go now; if not connected, starts connecting (the listener hears when ready). */
  boolean ready() {
    if (socket == null) {
      connect();
      return false;
    }
    return unanswered.size() < WINDOW && !socket.writeQueueFull();
  }

  /** Whether nothing sent waits for an answer. */
  boolean idle() {
    return unanswered.isEmpty();
  }

  /**
   * Sends a batch, only after {@link #ready()} said yes; a live batch may be cleared and built again
   * once this returns, a lookback one is kept until answered.
   */
  void send(ForwardBatch batch, long next, boolean lookback) {
    long sequence = nextSequence++;
    unanswered.add(new Sent(sequence, batch.count(), next, lookback ? batch : null, System.nanoTime()));
    socket.write(batch.frame(sequence, lookback));
  }

  void close() {
    closed = true;
    if (socket != null) {
      socket.close();
    }
    cancelTimer();
  }

  private void connect() {
    if (connecting || closed) {
      return;
    }
    address = endpoint.get();
    if (address == null) {
      retryLater("its forward address is not known yet");
      return;
    }
    int colon = address.lastIndexOf(':');
    connecting = true;
    client.connect(Integer.parseInt(address.substring(colon + 1)), address.substring(0, colon)).onComplete(ar -> {
      if (ar.failed()) {
        retryLater("connecting to " + address + " failed: " + ar.cause().getMessage());
        return;
      }
      NetSocket s = ar.result();
      if (closed) {
        s.close();
        return;
      }
      if (lastFailure != null) {
        log.info("cluster: forwards to node '{}' connected again ({})", peer, address);
        lastFailure = null;
      }
      socket = s;
      s.handler(new ForwardWire.FrameReader(this::frame, why -> {
        log.warn("cluster: node '{}' answered forwards with something unreadable ({}); connecting again", peer, why);
        s.close();
      }));
      s.closeHandler(v -> disconnected(s));
      s.exceptionHandler(e -> lastFailure = e.getMessage());
      s.drainHandler(v -> listener.ready());
      s.write(hello.copy());
      timer = vertx.setPeriodic(Math.max(100, timeoutMs / 4), t -> checkTimeout(s));
      listener.ready();
    });
  }

  private void frame(byte type, ByteBuffer body) {
    if (type != ForwardWire.ACK || body.remaining() != 8) {
      throw new IllegalArgumentException("frame type " + type + " of " + body.remaining() + " bytes, not an ACK");
    }
    long sequence = body.getLong();
    List<Sent> done = new ArrayList<>();
    while (!unanswered.isEmpty() && unanswered.peek().sequence() <= sequence) {
      done.add(unanswered.poll());
    }
    if (!done.isEmpty()) {
      listener.answered(done);
    }
  }

  private void checkTimeout(NetSocket s) {
    Sent oldest = unanswered.peek();
    if (oldest != null && System.nanoTime() - oldest.sentAt() > timeoutMs * 1_000_000) {
      lastFailure = "no answer within " + timeoutMs + " ms";
      s.close();
    }
  }

  private void disconnected(NetSocket s) {
    if (socket != s) {
      return;
    }
    socket = null;
    connecting = false;
    cancelTimer();
    List<Sent> lost = new ArrayList<>(unanswered);
    unanswered.clear();
    if (!closed) {
      listener.lost(lost);
      retryLater("the connection closed" + (lastFailure != null ? " (" + lastFailure + ")" : "")
          + (lost.isEmpty() ? "" : " with " + lost.size() + " batch(es) unanswered"));
    }
  }

  private void retryLater(String why) {
    connecting = true; // until the pause is over
    if (address == null && lastFailure == null) {
      // The address map and the nodes map replicate separately: a node may be seen a moment first.
      log.debug("cluster: forwards to node '{}': {}; trying again in {} ms", peer, why, retryMs);
    } else if (!why.equals(lastFailure)) {
      log.warn("cluster: forwards to node '{}': {}; trying again every {} ms", peer, why, retryMs);
    }
    lastFailure = why;
    vertx.setTimer(retryMs, t -> {
      connecting = false;
      if (!closed) {
        listener.ready();
      }
    });
  }

  private void cancelTimer() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }
}
