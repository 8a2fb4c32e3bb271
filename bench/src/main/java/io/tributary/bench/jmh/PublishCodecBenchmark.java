package io.tributary.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.tributary.mqtt.codec.Connect;
import io.tributary.mqtt.codec.MqttDecoder;
import io.tributary.mqtt.codec.MqttEncoder;
import io.tributary.mqtt.codec.MqttProperties;
import io.tributary.mqtt.codec.Packet;
import io.tributary.mqtt.codec.Publish;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Cost of one inbound PUBLISH through the broker's own {@link MqttDecoder} (a server-side decoder
 * past its CONNECT, fed a pooled direct buffer as a socket read would be) and of one outbound
 * PUBLISH through {@link MqttEncoder#encodePublish}, the zero-copy form every delivery uses. Both
 * run once per message on the event loop, so their time and allocation bound a connection's
 * message rate.
 *
 * <p>{@code decodeOne} feeds one packet per call; {@code decodeBatch64} feeds 64 packets back to
 * back, as a busy client's socket read delivers them, and reports per packet. Input buffers are
 * rewound with {@code readerIndex(0)}, never re-allocated. {@code encode} includes releasing the
 * produced buffer to {@link PooledByteBufAllocator#DEFAULT}; {@code encodeCopy} is the flat-copy
 * form ({@link MqttEncoder#encode}) for comparison, as a composite may not pay off for small
 * payloads.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@State(Scope.Thread)
public class PublishCodecBenchmark {

  static final String TOPIC = "sensors/building-7/floor-3/temp";
  static final int BATCH = 64;
  static final int MAX_PACKET_SIZE = 1024 * 1024;
  static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

  /** 4 = MQTT 3.1.1, 5 = MQTT 5.0 (empty property block). */
  @Param({"4", "5"})
  int protocolLevel;

  @Param({"0", "1"})
  int qos;

  @Param({"64"})
  int payloadSize;

  /**
   * Decode input buffer: "direct" as a socket read gives, or "heap". Note: for a direct buffer
   * Netty decodes the topic through a temporary byte[] that it caches only on
   * FastThreadLocalThreads (the broker's event loops), so on JMH threads "direct" allocates one
   * topic-sized array per PUBLISH that the broker does not; "heap" shows the decoder without it.
   */
  @Param({"direct"})
  String input;

  MqttDecoder decoder;
  /** One PUBLISH, in a pooled direct buffer. */
  ByteBuf one;
  /** BATCH PUBLISHes back to back (packet ids 1..BATCH at QoS 1), in a pooled direct buffer. */
  ByteBuf batch;
  Consumer<Packet> sink;
  /** The outbound payload: a heap buffer over a byte[], as the broker wraps a Message's payload. */
  ByteBuf payload;
  Publish toEncode;
  int packetId;
  /** The broker's delivery path: the topic encoded once, frames written into one batch buffer. */
  byte[] topicUtf8;
  byte[] payloadBytes;
  ByteBuf outBatch;

  @Setup(Level.Trial)
  public void setUp(Blackhole blackhole) throws Exception {
    byte[] bytes = new byte[payloadSize];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) ('a' + i % 26);
    }
    payload = Unpooled.wrappedBuffer(bytes);
    payloadBytes = bytes;
    topicUtf8 = TOPIC.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    outBatch = ALLOC.directBuffer(64 * 1024);
    toEncode = new Publish(TOPIC, qos, false, false, qos > 0 ? 1 : 0, payload);

    decoder = new MqttDecoder(MAX_PACKET_SIZE, ALLOC);
    ByteBuf connect =
        MqttEncoder.encode(
            new Connect(protocolLevel, "bench-client", true, 60, null, null, null,
                MqttProperties.EMPTY),
            protocolLevel, ALLOC);
    try {
      decoder.feed(connect, p -> {});
    } finally {
      connect.release();
    }
    if (decoder.protocolLevel() != protocolLevel) {
      throw new IllegalStateException("decoder level " + decoder.protocolLevel());
    }

    boolean direct = switch (input) {
      case "direct" -> true;
      case "heap" -> false;
      default -> throw new IllegalArgumentException("input " + input);
    };
    one = direct ? ALLOC.directBuffer() : ALLOC.heapBuffer();
    writePublish(one, 1);
    batch = direct ? ALLOC.directBuffer() : ALLOC.heapBuffer();
    for (int i = 0; i < BATCH; i++) {
      writePublish(batch, i + 1);
    }

    // Check once that the inputs decode to what they should, with nothing left pending.
    int[] count = new int[1];
    Consumer<Packet> check = p -> {
      Publish pub = (Publish) p;
      if (!pub.topic().equals(TOPIC) || pub.qos() != qos
          || pub.payload().readableBytes() != payloadSize) {
        throw new IllegalStateException("decoded " + p);
      }
      count[0]++;
    };
    decoder.feed(one, check);
    one.readerIndex(0);
    decoder.feed(batch, check);
    batch.readerIndex(0);
    if (count[0] != 1 + BATCH || decoder.pendingBytes() != 0) {
      throw new IllegalStateException(count[0] + " packets, " + decoder.pendingBytes() + " pending");
    }

    sink = blackhole::consume;
  }

  private void writePublish(ByteBuf out, int id) {
    ByteBuf packet =
        MqttEncoder.encode(
            new Publish(TOPIC, qos, false, false, qos > 0 ? id : 0, payload), protocolLevel, ALLOC);
    try {
      out.writeBytes(packet);
    } finally {
      packet.release();
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    decoder.release();
    one.release();
    batch.release();
    outBatch.release();
  }

  /** One PUBLISH per feed. */
  @Benchmark
  public int decodeOne() throws Exception {
    ByteBuf in = one;
    in.readerIndex(0);
    decoder.feed(in, sink);
    return in.readerIndex();
  }

  /** 64 PUBLISHes per feed; the score is per packet. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public int decodeBatch64() throws Exception {
    ByteBuf in = batch;
    in.readerIndex(0);
    decoder.feed(in, sink);
    return in.readerIndex();
  }

  /** Zero-copy encode (header buffer + retained duplicate of the payload in a composite), released. */
  @Benchmark
  public void encode(Blackhole blackhole) {
    ByteBuf out =
        MqttEncoder.encodePublish(
            protocolLevel, TOPIC, qos, false, false, nextPacketId(), MqttProperties.EMPTY, payload,
            ALLOC);
    blackhole.consume(out.getByte(0));
    blackhole.consume(out);
    out.release();
  }

  /**
   * What the broker does per subscriber: write the PUBLISH into the connection's batch buffer
   * (pre-encoded topic, payload copied in); the buffer is reused, as a batch is per turn.
   */
  @Benchmark
  public int encodeIntoBatch() {
    ByteBuf out = outBatch;
    if (out.writableBytes() < 1024) {
      out.clear();
    }
    MqttEncoder.writePublish(out, protocolLevel, topicUtf8, qos, false, false, nextPacketId(), MqttProperties.EMPTY,
        payloadBytes, 0, payloadBytes.length);
    return out.writerIndex();
  }

  /** Flat encode: the payload copied behind the header in one buffer, released. */
  @Benchmark
  public void encodeCopy(Blackhole blackhole) {
    ByteBuf out = MqttEncoder.encode(toEncode, protocolLevel, ALLOC);
    blackhole.consume(out.getByte(0));
    blackhole.consume(out);
    out.release();
  }

  private int nextPacketId() {
    if (qos == 0) {
      return 0;
    }
    int id = packetId + 1;
    packetId = id == 0xFFFF ? 0 : id;
    return id;
  }
}
