package io.tributary.mqtt;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.vertx.core.Handler;
import java.util.concurrent.Executor;

/**
 * The byte stream an MQTT connection runs over: a TCP socket, or the binary frames of a
 * WebSocket. The MQTT engine ({@link MqttConnection}) is the same for both.
 */
public interface MqttTransport {

  /** Receives inbound bytes; the handler releases each buffer it is given. */
  void handler(Handler<ByteBuf> handler);

  void closeHandler(Handler<Void> handler);

  void exceptionHandler(Handler<Throwable> handler);

  /** Called when a full write queue has drained. */
  void drainHandler(Handler<Void> handler);

  /** Writes (and flushes) one buffer, taking ownership of it. */
  void write(ByteBuf buffer);

  boolean writeQueueFull();

  /** Stops / restarts reading. */
  void pause();

  void resume();

  /**
   * Closes after queued writes (including any just written) are flushed, without a reset: our side
   * is shut and the peer drained for at most {@link GracefulClose#DRAIN_MS}, then the channel closes.
   */
  void close();

  /** Closes now, dropping queued writes: for peers that stopped reading. */
  void closeNow();

  /** False when the kernel side is backed up (queued bytes over the high-water mark). */
  boolean channelWritable();

  boolean isOpen();

  ByteBufAllocator alloc();

  /** Runs a task on the connection's event loop after the current one. */
  Executor executor();

  String remoteAddress();

  /** Whether the peer's address is a loopback address (the anonymous-login policy asks). */
  boolean fromLoopback();

  /** The CN of the TLS client certificate the peer showed, or null (no TLS, no certificate). */
  default String peerCommonName() {
    return null;
  }
}
