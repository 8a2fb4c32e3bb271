package io.tributary.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** A publishing client: paces its messages and builds one write per batch. */
final class Publisher implements BenchConnection.Listener {
  private final java.util.function.Consumer<String> failure;
  final int index;
  final Loop loop;
  final int qos;
  final int copies;
  final long windowDeliveries;
  final int window;
  final boolean fixedRate;
  /** One encoded PUBLISH; per message only time, sequence and packet id change. */
  final byte[] template;
  final int payloadOffset;
  final int packetIdOffset;
  final int maxBatch;
  /** Deliveries of this publisher's messages seen by the subscribers (added once per read batch). */
  final AtomicLong received = new AtomicLong();
  /** True while the publisher waits for deliveries; a subscriber that clears it wakes the publisher. */
  final AtomicBoolean parked = new AtomicBoolean();
  /** While parked: the {@link #received} count at which a batch of {@link #minBatch} may go. */
  volatile long wakeAt;
  /** Closed loop: a parked publisher waits until it can send this many (1/8 of its window), not one by one. */
  int minBatch = 1;
  final Runnable wake = this::pump;

  BenchConnection conn;
  boolean running;
  long sent;
  long acked;
  /** PUBACKs given up on by the stall guard. */
  long ackCredit;
  /** Deliveries given up on by the stall guard. */
  long lostCredit;
  long lost;
  int qosLimit;
  int nextPacketId;
  java.util.concurrent.ScheduledFuture<?> timer;
  long lastProgress = -1;
  long lastProgressAt;
  long startNanos;
  double intervalNanos;
  boolean drainPending;

  /** {@code failure} fails the whole run with a message. */
  Publisher(int index, Loop loop, String topic, int version, int qos, int payloadBytes, int copies, int window,
      boolean fixedRate, java.util.function.Consumer<String> failure) {
    this.failure = failure;
    this.index = index;
    this.loop = loop;
    this.qos = qos;
    this.copies = copies;
    this.window = window;
    this.windowDeliveries = (long) window * copies;
    this.fixedRate = fixedRate;
    byte[] t = topic.getBytes(StandardCharsets.UTF_8);
    int remaining = 2 + t.length + (qos == 1 ? 2 : 0) + (version == 5 ? 1 : 0) + payloadBytes;
    ByteBuf b = Unpooled.buffer(1 + 4 + remaining);
    b.writeByte(0x30 | (qos << 1));
    MqttPacketReader.writeVbi(b, remaining);
    b.writeShort(t.length).writeBytes(t);
    packetIdOffset = qos == 1 ? b.writerIndex() : -1;
    if (qos == 1) {
      b.writeShort(0);
    }
    if (version == 5) {
      b.writeByte(0);
    }
    payloadOffset = b.writerIndex();
    b.writeLong(0).writeInt(index).writeInt(0).writeZero(payloadBytes - 16);
    template = new byte[b.readableBytes()];
    b.readBytes(template);
    maxBatch = Math.max(1, LoadGenerator.MAX_WRITE_BYTES / template.length);
  }

  /** On the loop: starts publishing (closed loop now, fixed rate from {@code start}). */
  void start(long start, double interval) {
    if (conn == null || conn.isFailed()) {
      return;
    }
    running = true;
    qosLimit = Math.min(window, conn.serverReceiveMaximum());
    minBatch = Math.max(1, (qos == 1 ? qosLimit : window) / 8);
    conn.drainHandler(v -> {
      drainPending = false;
      if (fixedRate) {
        tick();
      } else {
        pump();
      }
    });
    if (fixedRate) {
      startNanos = start;
      intervalNanos = interval;
      timer = loop.eventLoop.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.MILLISECONDS);
    } else {
      lastProgressAt = System.nanoTime();
      timer = loop.eventLoop.scheduleAtFixedRate(this::checkStall, 250, 250, TimeUnit.MILLISECONDS);
      pump();
    }
  }

  void stop() {
    running = false;
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  /** Closed loop: sends what the window allows, or parks until deliveries come in. */
  void pump() {
    if (!running || conn.isFailed()) {
      return;
    }
    while (true) {
      long allowed = allowance();
      if (allowed < minBatch) {
        wakeAt = sent * copies - lostCredit - windowDeliveries + (long) minBatch * copies;
        parked.set(true);
        // a delivery may have been counted between the check and parking
        allowed = allowance();
        if (allowed < minBatch) {
          return;
        }
        parked.set(false);
      }
      if (conn.writeQueueFull()) {
        drainPending = true;
        return;
      }
      send((int) Math.min(allowed, maxBatch), System.nanoTime());
    }
  }

  private long allowance() {
    long outstanding = sent * copies - received.get() - lostCredit;
    if (outstanding < 0) {
      // deliveries given up on arrived after all
      lostCredit += outstanding;
      lost += outstanding;
      outstanding = 0;
    }
    long k = (windowDeliveries - outstanding) / copies;
    if (qos == 1) {
      k = Math.min(k, qosLimit - unacked());
    }
    return k;
  }

  private long unacked() {
    long u = sent - acked - ackCredit;
    if (u < 0) {
      ackCredit += u;
      u = 0;
    }
    return u;
  }

  private void checkStall() {
    if (!running) {
      return;
    }
    long rcv = received.get();
    long progress = rcv + acked;
    long now = System.nanoTime();
    long outstanding = sent * copies - rcv - lostCredit;
    long unacked = qos == 1 ? sent - acked - ackCredit : 0;
    if (progress != lastProgress || (outstanding <= 0 && unacked <= 0)) {
      lastProgress = progress;
      lastProgressAt = now;
      return;
    }
    if (now - lastProgressAt >= LoadGenerator.STALL_NANOS) {
      if (outstanding > 0) {
        lost += outstanding;
        lostCredit += outstanding;
      }
      if (unacked > 0) {
        ackCredit += unacked;
      }
      lastProgressAt = now;
      pump();
    }
  }

  /** Fixed rate: sends the messages scheduled up to now, stamped with their scheduled times. */
  private void tick() {
    if (!running || drainPending || conn.isFailed()) {
      return;
    }
    long now = System.nanoTime();
    if (now < startNanos) {
      return;
    }
    long due = (long) ((now - startNanos) / intervalNanos) + 1 - sent;
    if (qos == 1) {
      due = Math.min(due, qosLimit - unacked());
    }
    while (due > 0) {
      if (conn.writeQueueFull()) {
        drainPending = true;
        return;
      }
      int n = (int) Math.min(due, maxBatch);
      send(n, -1);
      due -= n;
    }
  }

  /** One write of {@code n} PUBLISHes; {@code time} &lt; 0 stamps each with its scheduled time. */
  private void send(int n, long time) {
    byte[] t = template;
    ByteBuf out = conn.alloc().directBuffer(n * t.length);
    long seq = sent;
    for (int j = 0; j < n; j++, seq++) {
      int w = out.writerIndex();
      out.writeBytes(t);
      out.setLong(w + payloadOffset, time >= 0 ? time : startNanos + (long) (seq * intervalNanos));
      out.setInt(w + payloadOffset + 12, (int) seq);
      if (packetIdOffset >= 0) {
        int id = nextPacketId == 65_535 ? 1 : nextPacketId + 1;
        nextPacketId = id;
        out.setShort(w + packetIdOffset, id);
      }
    }
    sent = seq;
    conn.write(out);
  }

  @Override
  public void onPublish(BenchConnection c, ByteBuf buf, int index, int length) throws MqttProtocolException {
    throw new MqttProtocolException("unexpected PUBLISH on a publisher connection");
  }

  @Override
  public void onPubAck(BenchConnection c) throws MqttProtocolException {
    if (qos == 0) {
      throw new MqttProtocolException("unexpected PUBACK for QoS 0 publishing");
    }
    acked++;
  }

  @Override
  public void onReadComplete(BenchConnection c) {
    if (running && !fixedRate && !drainPending) {
      pump();
    }
  }

  @Override
  public void onFailure(BenchConnection c, String message) {
    failure.accept(message);
  }
}
