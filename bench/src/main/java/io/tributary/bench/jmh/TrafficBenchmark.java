package io.tributary.bench.jmh;

import io.tributary.router.counters.Traffic;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What counting a delivery costs an event loop ({@link Traffic#messageOut}, once per message sent;
 * issue 14): alone, with a second loop counting into its own account at the same time (what the
 * broker does: one account per listener per loop, cells padded apart), and, for comparison, two
 * loops counting into cells of one cache line (what the first, unpadded layout risked: each
 * store takes the line from the other core). A delivery itself costs 100 to 4,000 ns here
 * (bench/results/2026-12-05-metrics.md).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class TrafficBenchmark {

  private static final VarHandle CELLS = MethodHandles.arrayElementVarHandle(long[].class);

  /** One account per thread, as each loop has its own. */
  @State(Scope.Thread)
  public static class Own {
    final Traffic traffic = new Traffic("mqtt", "mqtt");
  }

  /** Two cells 8 bytes apart, one per thread: the same cache line. */
  @State(Scope.Group)
  public static class SharedLine {
    final long[] cells = new long[16];
  }

  @Benchmark
  public void alone(Own own) {
    own.traffic.messageOut(1);
  }

  @Benchmark
  @Group("twoLoopsOwnAccounts")
  @GroupThreads(2)
  public void twoLoopsOwnAccounts(Own own) {
    own.traffic.messageOut(1);
  }

  @Benchmark
  @Group("twoLoopsOneCacheLine")
  public void loopA(SharedLine shared) {
    CELLS.setOpaque(shared.cells, 4, (long) CELLS.getOpaque(shared.cells, 4) + 1);
  }

  @Benchmark
  @Group("twoLoopsOneCacheLine")
  public void loopB(SharedLine shared) {
    CELLS.setOpaque(shared.cells, 5, (long) CELLS.getOpaque(shared.cells, 5) + 1);
  }
}
