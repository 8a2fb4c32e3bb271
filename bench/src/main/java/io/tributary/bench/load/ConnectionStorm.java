package io.tributary.bench.load;

import io.vertx.core.net.NetClient;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A connection storm: chains of connect (CONNECT/CONNACK) + disconnect cycles, {@code concurrency}
 * at a time; each completed cycle starts the next on the same loop. The broker is warmed up first
 * for the scenario's warm-up time, like every other scenario (a fresh JVM broker compiles its
 * connect path meanwhile), with the same load; then the measured part runs for the scenario's
 * measure time and at least {@code connections} cycles (a fast broker does 5,000 cycles in a third
 * of a second: too short a window to be a measurement). With logins, each user logs in once before
 * the warm-up: the measured part is a known fleet reconnecting, which is what a broker's credential
 * cache is for.
 */
final class ConnectionStorm {

  /** What a storm needs of the run it belongs to. */
  interface Run {
    boolean failed();

    void fail(String message);

    void checkFailure() throws LoadException;

    String clientId(int n);

    LoadGenerator.Snapshot cpuSnapshot();
  }

  /** Cycles per warm-up storm; warm-up storms repeat until the warm-up time has passed. */
  private static final int WARM_UP_BATCH = 1_000;

  /** Cycles to run at least. */
  private final int total;
  private final int warm;
  /** After the warm cycles, keep going at least this long. */
  private final long measureNanos;
  private volatile long measureUntil = Long.MAX_VALUE;
  private final AtomicInteger liveChains = new AtomicInteger();
  private volatile int measuredCycles;
  /** Client ids of this storm start here: every cycle of a run is a client id of its own. */
  private final int firstId;
  private final AtomicInteger started = new AtomicInteger();
  private final AtomicInteger completed = new AtomicInteger();
  private final CountDownLatch warmDone = new CountDownLatch(1);
  private final CountDownLatch allDone = new CountDownLatch(1);
  private final BenchConnection.Listener listener;
  private final Scenario scenario;
  private final Run run;
  private final NetClient client;
  private volatile LoadGenerator.Snapshot warmSnapshot;
  private volatile LoadGenerator.Snapshot endSnapshot;

  /** The measured part of a run: CPU snapshots at its start and end, and the cycles in it. */
  record Window(LoadGenerator.Snapshot start, LoadGenerator.Snapshot end, int cycles) {}

  private ConnectionStorm(Run run, NetClient client, Scenario scenario, int total, int warm, int firstId,
      long measureNanos) {
    this.run = run;
    this.firstId = firstId;
    this.measureNanos = measureNanos;
    this.client = client;
    this.scenario = scenario;
    this.total = total;
    this.warm = warm;
    this.listener = new QuietListener(run::fail);
  }

  /** Warms up for the scenario's warm-up seconds, then measures (see the class comment). */
  static Window measure(Run run, NetClient client, Scenario s, Loop[] loops) throws Exception {
    // Client ids never repeat within a run (a broker's flapping detection would rightly refuse an
    // id that reconnects every few hundred milliseconds); user names repeat (user n % users).
    int ids = 0;
    if (s.getUsers() > 0) {
      // Every user's first login, before the clock: what is measured is a fleet reconnecting.
      new ConnectionStorm(run, client, s, s.getUsers(), 1, ids, 0).runOn(loops, "first-login");
      ids += s.getUsers();
    }
    long warmUntil = System.nanoTime() + (long) (s.getWarmupSeconds() * 1e9);
    do {
      new ConnectionStorm(run, client, s, WARM_UP_BATCH, 1, ids, 0).runOn(loops, "warm-up");
      ids += WARM_UP_BATCH;
    } while (System.nanoTime() < warmUntil);
    int measured = s.getConnections();
    // The first cycles of the measured storm only fill the chains: timing starts after them.
    ConnectionStorm storm = new ConnectionStorm(run, client, s, measured + s.getConcurrency(), s.getConcurrency(),
        ids, (long) (s.getMeasureSeconds() * 1e9));
    storm.runOn(loops, "measured");
    return new Window(storm.warmSnapshot, storm.endSnapshot, storm.measuredCycles);
  }

  private void runOn(Loop[] loops, String phase) throws Exception {
    int chains = Math.min(scenario.getConcurrency(), total);
    liveChains.set(chains);
    for (int i = 0; i < chains; i++) {
      Loop loop = loops[i % loops.length];
      loop.eventLoop.execute(() -> next(loop));
    }
    await(warmDone, phase);
    await(allDone, phase);
  }

  private void next(Loop loop) {
    if (run.failed()) {
      return;
    }
    int n = started.getAndIncrement();
    if (n >= total && System.nanoTime() >= measureUntil) {
      if (liveChains.decrementAndGet() == 0) { // the last cycle in flight is done
        endSnapshot = run.cpuSnapshot();
        measuredCycles = completed.get() - warm;
        allDone.countDown();
      }
      return;
    }
    int users = scenario.getUsers();
    BenchConnection.open(client, loop.context, scenario.getHost(), scenario.getPort(), run.clientId(firstId + n),
        scenario.getProtocolVersion(), LoadGenerator.KEEP_ALIVE_SECONDS, 0, listener,
        users == 0 ? null : Scenario.user((firstId + n) % users),
        users == 0 ? null : Scenario.password((firstId + n) % users))
        .compose(BenchConnection::disconnect)
        .onComplete(ar -> {
          if (ar.failed()) {
            run.fail(ar.cause() instanceof LoadException ? ar.cause().getMessage()
                : "connection storm cycle " + n + ": " + BenchConnection.describe(ar.cause()));
            return;
          }
          int done = completed.incrementAndGet();
          // the measured part runs from the completion of the last warm cycle to that of the last one
          if (done == warm) {
            warmSnapshot = run.cpuSnapshot();
            measureUntil = System.nanoTime() + measureNanos;
            warmDone.countDown();
          }
          next(loop);
        });
  }

  private void await(CountDownLatch latch, String phase) throws Exception {
    int last = completed.get();
    long lastProgress = System.nanoTime();
    while (!latch.await(100, TimeUnit.MILLISECONDS)) {
      run.checkFailure();
      int now = completed.get();
      if (now != last) {
        last = now;
        lastProgress = System.nanoTime();
      } else if (System.nanoTime() - lastProgress > TimeUnit.MILLISECONDS.toNanos(LoadGenerator.STORM_STALL_MS)) {
        throw new LoadException("connection storm stalled in the " + phase + " part: no connect/disconnect cycle "
            + "completed for " + LoadGenerator.STORM_STALL_MS + " ms (" + now + " done)");
      }
    }
    run.checkFailure();
  }
}
