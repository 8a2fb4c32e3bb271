package io.tributary.bench.jmh;

import io.tributary.commitlog.CommitLogOptions;
import io.tributary.commitlog.RecordCodec;
import io.tributary.commitlog.RecordConsumer;
import io.tributary.commitlog.SegmentedLog;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Throughput of the commit log in memory storage (records as bytes in direct buffers): appends
 * alone and contended, batch reads, and one or two appenders with a reader tailing them (the
 * broker's shape: event loops publish while each core drains the log in batches). Values are
 * 64-byte payloads, copied into 90-byte records; retention of 256 MiB keeps about 3M records, so
 * the append runs reach a steady state of rolling and deleting segments. Tailing readers get the
 * values from the log's recent-values ring; the batch reads of {@code FilledLog} decode bytes.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class CommitLogBenchmark {

  static final byte[] PAYLOAD = new byte[64];
  static final int BATCH = 1000;

  /** Payload bytes as the record body. */
  static final RecordCodec<byte[]> BYTES = new RecordCodec<>() {
    @Override
    public int sizeOf(byte[] value) {
      return value.length;
    }

    @Override
    public void write(byte[] value, ByteBuffer dst) {
      dst.put(value);
    }

    @Override
    public long timestampOf(byte[] value) {
      return 0;
    }

    @Override
    public byte[] read(ByteBuffer src, int position, int length, long timestamp) {
      byte[] b = new byte[length];
      src.get(position, b);
      return b;
    }
  };

  static SegmentedLog<byte[]> newLog() {
    return SegmentedLog.open(new CommitLogOptions().setRetentionBytes(256L << 20).setRetentionMs(0), BYTES);
  }

  /** One log shared by every thread of a benchmark (contended when there are several). */
  @State(Scope.Benchmark)
  public static class SharedLog {
    SegmentedLog<byte[]> log;

    @Setup(Level.Trial)
    public void open() {
      log = newLog();
    }

    @TearDown(Level.Trial)
    public void close() {
      log.close();
    }
  }

  /** A log holding 100 batches, read round and round. */
  @State(Scope.Thread)
  public static class FilledLog {
    static final int RECORDS = 100 * BATCH;
    SegmentedLog<byte[]> log;
    BlackholeSink sink;
    long from;

    @Setup(Level.Trial)
    public void fill(Blackhole blackhole) {
      log = newLog();
      for (int i = 0; i < RECORDS; i++) {
        log.append(PAYLOAD);
      }
      sink = new BlackholeSink(blackhole);
    }
  }

  /** Shared by the appender and the tailer of one group. */
  @State(Scope.Group)
  public static class TailedLog {
    SegmentedLog<byte[]> log;

    @Setup(Level.Trial)
    public void open() {
      log = newLog();
    }
  }

  /**
   * The tailer's cursor; the public fields are reported per microsecond: records read, and records
   * retention dropped before the tailer got to them (non-zero means it fell behind). In a group's
   * results the {@code _tail} row counts read() calls, mostly empty ones, so the group total is not
   * meaningful: read the {@code _append} and {@code recordsRead} rows.
   */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Tail {
    /**
     * Blackhole.consumeCPU tokens the tailer spends after a read that found nothing new. 0 polls
     * the end offset flat out, which keeps its cache line bouncing between the cores; a core of
     * the broker reads only when woken, so a back-off is closer to it.
     */
    @Param({"0", "1000"})
    long idleBackoff; // not public: @AuxCounters would report it

    public long recordsRead;
    public long recordsSkipped;
    long next;
    BlackholeSink sink;

    @Setup(Level.Trial)
    public void sink(Blackhole blackhole) {
      sink = new BlackholeSink(blackhole);
    }

    @Setup(Level.Iteration)
    public void reset() {
      recordsRead = 0;
      recordsSkipped = 0;
    }
  }

  /** Consumes values without touching the payload, so reads measure the log, not the payload. */
  static final class BlackholeSink implements RecordConsumer<byte[]> {
    private final Blackhole blackhole;
    long delivered;

    BlackholeSink(Blackhole blackhole) {
      this.blackhole = blackhole;
    }

    @Override
    public boolean accept(long offset, byte[] value) {
      blackhole.consume(value);
      delivered++;
      return true;
    }
  }

  @Benchmark
  public long append(SharedLog state) {
    return state.log.append(PAYLOAD);
  }

  /** Two appenders on the same log: the cost of the append critical section under contention. */
  @Benchmark
  @Threads(2)
  public long appendContended(SharedLog state) {
    return state.log.append(PAYLOAD);
  }

  /** One operation = one read() of 1000 records. */
  @Benchmark
  public long readBatch1000(FilledLog state) {
    long next = state.log.read(state.from, BATCH, state.sink);
    state.from = next >= FilledLog.RECORDS ? 0 : next;
    return next;
  }

  @Benchmark
  @Group("appendAndTail")
  @GroupThreads(1)
  public long appendAndTail_append(TailedLog state) {
    return state.log.append(PAYLOAD);
  }

  /** Reads whatever is new, up to 1000 records; catching up and finding nothing counts too. */
  @Benchmark
  @Group("appendAndTail")
  @GroupThreads(1)
  public long appendAndTail_tail(TailedLog state, Tail tail) {
    return tail(state, tail);
  }

  /**
   * Two appenders contending for the append lock while the tailer reads behind them (three busy
   * threads: on fewer than three cores this also measures the scheduler).
   */
  @Benchmark
  @Group("append2AndTail")
  @GroupThreads(2)
  public long append2AndTail_append(TailedLog state) {
    return state.log.append(PAYLOAD);
  }

  /** As {@link #appendAndTail_tail}. */
  @Benchmark
  @Group("append2AndTail")
  @GroupThreads(1)
  public long append2AndTail_tail(TailedLog state, Tail tail) {
    return tail(state, tail);
  }

  private static long tail(TailedLog state, Tail tail) {
    long from = tail.next;
    long before = tail.sink.delivered;
    long next = state.log.read(from, BATCH, tail.sink);
    long delivered = tail.sink.delivered - before;
    tail.recordsRead += delivered;
    tail.recordsSkipped += next - from - delivered; // read() starts at startOffset() when behind
    if (delivered == 0 && tail.idleBackoff > 0) {
      Blackhole.consumeCPU(tail.idleBackoff);
    }
    tail.next = next;
    return next;
  }
}
