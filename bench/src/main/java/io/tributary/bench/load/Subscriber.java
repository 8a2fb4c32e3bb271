package io.tributary.bench.load;

import io.netty.buffer.ByteBuf;

/** A subscribing client: records latency and counts deliveries per publisher for one read. */
final class Subscriber implements BenchConnection.Listener {
  private final java.util.function.Consumer<String> failure;
  final Loop loop;
  final Publisher[] publishers;
  final long[] counts;
  final int[] touched;
  int touchedCount;

  Subscriber(Loop loop, Publisher[] publishers, java.util.function.Consumer<String> failure) {
    this.failure = failure;
    this.loop = loop;
    this.publishers = publishers;
    this.counts = new long[publishers.length];
    this.touched = new int[publishers.length];
  }

  @Override
  public void onPublish(BenchConnection c, ByteBuf buf, int index, int length) throws MqttProtocolException {
    if (length < 16) {
      throw new MqttProtocolException("received a PUBLISH with a " + length + "-byte payload, not a generator message");
    }
    long now = System.nanoTime();
    int p = buf.getInt(index + 8);
    if (p < 0 || p >= publishers.length) {
      throw new MqttProtocolException("received a message of unknown publisher " + p);
    }
    long latency = now - buf.getLong(index);
    loop.histogram.recordValue(latency < 0 ? 0 : Math.min(latency, LoadGenerator.HISTOGRAM_MAX_NANOS));
    loop.delivered++;
    if (counts[p]++ == 0) {
      touched[touchedCount++] = p;
    }
  }

  @Override
  public void onPubAck(BenchConnection c) throws MqttProtocolException {
    throw new MqttProtocolException("unexpected PUBACK on a subscriber connection");
  }

  @Override
  public void onReadComplete(BenchConnection c) {
    int n = touchedCount;
    touchedCount = 0;
    for (int i = 0; i < n; i++) {
      int p = touched[i];
      Publisher pub = publishers[p];
      long received = pub.received.addAndGet(counts[p]);
      counts[p] = 0;
      if (pub.parked.get() && received >= pub.wakeAt && pub.parked.compareAndSet(true, false)) {
        if (pub.loop.eventLoop.inEventLoop()) {
          pub.pump();
        } else {
          pub.loop.eventLoop.execute(pub.wake);
        }
      }
    }
  }

  @Override
  public void onFailure(BenchConnection c, String message) {
    failure.accept(message);
  }
}
