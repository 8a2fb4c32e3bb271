package io.tributary.bench.load;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.transport.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import org.HdrHistogram.Histogram;

/**
 * Runs one {@link Scenario} against an MQTT broker and measures it. {@link #run} is blocking: it
 * starts its own Vert.x, connects (subscribers first, all SUBACKs in, then publishers), warms up,
 * measures, disconnects every client and closes Vert.x before it returns or throws.
 *
 * <p>Effective topology per kind: FAN_IN uses {@code publishers} publishers and exactly one
 * subscriber; FAN_OUT exactly one publisher and {@code subscribers} subscribers; PAIRS
 * {@code publishers} pairs; SHARED_FAN_IN {@code publishers} publishers and {@code subscribers}
 * members of one shared subscription, always over MQTT 5.
 *
 * <p>Flow control: in CLOSED_LOOP a publisher keeps at most {@code window} messages outstanding
 * (not yet delivered to every subscriber that should get them). At QoS 1, in both modes, a
 * publisher also keeps at most {@code min(window, broker Receive Maximum)} PUBLISHes
 * unacknowledged; in FIXED_RATE a message held back by that keeps its scheduled time, so the
 * wait shows in the latency.
 *
 * <p>{@code lost}: in CLOSED_LOOP, deliveries a publisher gave up waiting for after its
 * outstanding count did not move for 2 s (within the window); in FIXED_RATE, deliveries still
 * missing 2 s after publishing stopped (over the whole run).
 */
public final class LoadGenerator {

  /** Connections being set up at once, so the broker's listen backlog is not overrun. */
  static final int SETUP_IN_FLIGHT = 100;
  static final int IDLE_IN_FLIGHT = 200;
  /** A closed-loop publisher whose outstanding count does not move for this long counts it lost. */
  static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(2);
  static final int KEEP_ALIVE_SECONDS = 60;
  static final int IDLE_KEEP_ALIVE_SECONDS = 600;
  static final long IDLE_SETTLE_MS = 3_000;
  /** Largest single write a publisher builds. */
  static final int MAX_WRITE_BYTES = 64 * 1024;
  static final long HISTOGRAM_MAX_NANOS = TimeUnit.SECONDS.toNanos(60);
  /** CONNECTION_STORM fails when no cycle completes for this long. */
  static final long STORM_STALL_MS = 15_000;

  private final Scenario scenario;
  private final String runId;
  private final AtomicReference<String> failure = new AtomicReference<>();
  private final CountDownLatch failed = new CountDownLatch(1);
  private final ConcurrentLinkedQueue<BenchConnection> connections = new ConcurrentLinkedQueue<>();
  private Vertx vertx;
  private NetClient client;
  private Loop[] loops;
  private long pinger = -1;

  private LoadGenerator(Scenario scenario) {
    this.scenario = new Scenario(scenario);
    this.runId = Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36 * 36, 36L * 36 * 36 * 36 * 36 * 36), 36);
  }

  /**
   * Runs {@code scenario} and returns what it measured. Throws (with a message naming the client
   * and the reason) if the broker refuses or drops a connection or subscription, sends something
   * unexpected, or setup times out. Never waits without a timeout.
   */
  public static LoadResult run(Scenario scenario) throws Exception {
    validate(scenario);
    LoadGenerator g = new LoadGenerator(scenario);
    try {
      g.startVertx();
      switch (scenario.getKind()) {
        case CONNECTION_STORM:
          return g.connectionStorm();
        case IDLE_CONNECTIONS:
          return g.idleConnections();
        default:
          return g.pubSub();
      }
    } finally {
      g.shutdown();
    }
  }

  /**
   * The transport {@link #run} uses: io_uring, else epoll, else NIO. Netty 4.2.10's io_uring has a
   * misplaced {@code assert} (fixed upstream by netty/netty#16705) that kills an event loop when two
   * channels of one loop do gathering writes before a submit; with assertions enabled for it (e.g.
   * under surefire's {@code -ea}) io_uring is skipped for epoll.
   */
  public static Transport transport() {
    if (Transport.IO_URING != null && Transport.IO_URING.available() && !ioUringAssertionsEnabled()) {
      return Transport.IO_URING;
    }
    if (Transport.EPOLL != null && Transport.EPOLL.available()) {
      return Transport.EPOLL;
    }
    return Transport.NIO;
  }

  private static boolean ioUringAssertionsEnabled() {
    try {
      return Class.forName("io.netty.channel.uring.IoUringIoHandler", false, Transport.class.getClassLoader())
          .desiredAssertionStatus();
    } catch (Throwable t) {
      return false;
    }
  }

  static void validate(Scenario s) {
    require(s.getPort() > 0 && s.getPort() < 65_536, "port must be 1..65535, not " + s.getPort());
    require(s.getEventLoops() >= 1, "eventLoops must be at least 1, not " + s.getEventLoops());
    switch (s.getKind()) {
      case CONNECTION_STORM:
        require(s.getConnections() >= 1, "connections must be at least 1, not " + s.getConnections());
        require(s.getConcurrency() >= 1, "concurrency must be at least 1, not " + s.getConcurrency());
        return;
      case IDLE_CONNECTIONS:
        require(s.getConnections() >= 1, "connections must be at least 1, not " + s.getConnections());
        return;
      default:
        break;
    }
    require(s.getPayloadBytes() >= 16, "payloadBytes must be at least 16 (timestamp, publisher, sequence), not "
        + s.getPayloadBytes());
    require(s.getPayloadBytes() <= 1024 * 1024, "payloadBytes must be at most 1048576, not " + s.getPayloadBytes());
    require(s.getMeasureSeconds() > 0, "measureSeconds must be positive, not " + s.getMeasureSeconds());
    require(s.getWarmupSeconds() >= 0, "warmupSeconds must not be negative, not " + s.getWarmupSeconds());
    require(s.getWindow() >= 1 && s.getWindow() <= 65_535, "window must be 1..65535, not " + s.getWindow());
    if (s.getKind() != Scenario.Kind.FAN_OUT) {
      require(s.getPublishers() >= 1, "publishers must be at least 1, not " + s.getPublishers());
    }
    if (s.getKind() == Scenario.Kind.FAN_OUT || s.getKind() == Scenario.Kind.SHARED_FAN_IN) {
      require(s.getSubscribers() >= 1, "subscribers must be at least 1, not " + s.getSubscribers());
    }
    if (s.getMode() == Scenario.Mode.FIXED_RATE) {
      require(s.getRate() >= 1, "rate must be at least 1, not " + s.getRate());
    }
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // setup and teardown

  private void startVertx() {
    vertx = Vertx.builder()
        .with(new VertxOptions().setEventLoopPoolSize(scenario.getEventLoops()))
        .withTransport(transport())
        .build();
    client = vertx.createNetClient(new NetClientOptions()
        .setConnectTimeout((int) BenchConnection.SETUP_TIMEOUT_MS)
        .setTcpNoDelay(true));
    VertxInternal vi = (VertxInternal) vertx;
    List<Loop> list = new ArrayList<>();
    for (EventExecutor e : vi.eventLoopGroup()) {
      EventLoop el = (EventLoop) e;
      ContextInternal ctx = vi.contextBuilder().withThreadingModel(ThreadingModel.EVENT_LOOP).withEventLoop(el).build();
      list.add(new Loop(ctx, el));
    }
    loops = list.toArray(new Loop[0]);
  }

  private void shutdown() {
    if (vertx == null) {
      return;
    }
    if (pinger >= 0) {
      vertx.cancelTimer(pinger);
    }
    try {
      for (Loop loop : loops) {
        onLoop(loop, () -> {
          for (Publisher p : loop.publishers) {
            p.stop();
          }
          return null;
        });
      }
    } catch (Exception e) {
      // closing anyway
    }
    // DISCONNECT and close everything, a bounded number at a time (10,000 closes at once overflow
    // io_uring's completion queue); whatever is left after the deadline Vert.x closes below
    Semaphore permits = new Semaphore(500);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    int closing = 0;
    try {
      for (BenchConnection c : connections) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !permits.tryAcquire(left, TimeUnit.NANOSECONDS)) {
          break;
        }
        closing++;
        c.disconnect().onComplete(ar -> permits.release());
      }
      long left = deadline - System.nanoTime();
      if (left > 0 && permits.tryAcquire(500, left, TimeUnit.NANOSECONDS)) {
        permits.release(500);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (closing > 0) {
      try {
        // let the event loops finish the closes (io_uring completes them a little later)
        Thread.sleep(Math.min(1000, 50 + closing / 20));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try {
      if (client != null) {
        client.close().await(5, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      // ignore
    }
    try {
      vertx.close().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      // ignore: nothing more can be done
    }
  }

  /** PINGREQ on every connection at half the shortest keep alive in force, so none is timed out. */
  private void startPinger() {
    int keepAlive = Integer.MAX_VALUE;
    for (BenchConnection c : connections) {
      int k = c.keepAliveSeconds();
      if (k > 0) {
        keepAlive = Math.min(keepAlive, k);
      }
    }
    if (keepAlive == Integer.MAX_VALUE) {
      return;
    }
    pinger = vertx.setPeriodic(Math.max(500, keepAlive * 500L), id -> {
      for (BenchConnection c : connections) {
        c.context().runOnContext(v -> c.ping());
      }
    });
  }

  private void fail(String message) {
    if (failure.compareAndSet(null, message)) {
      failed.countDown();
    }
  }

  private void checkFailure() throws LoadException {
    String f = failure.get();
    if (f != null) {
      throw new LoadException(f);
    }
  }

  /** Sleeps, returning early with an exception if a connection fails meanwhile. */
  private void sleep(double seconds) throws Exception {
    if (failed.await((long) (seconds * 1e9), TimeUnit.NANOSECONDS)) {
      checkFailure();
    }
  }

  /** Runs {@code task} on {@code loop} and waits for its result (10 s at most). */
  private static <T> T onLoop(Loop loop, java.util.concurrent.Callable<T> task) throws Exception {
    CompletableFuture<T> f = new CompletableFuture<>();
    loop.eventLoop.execute(() -> {
      try {
        f.complete(task.call());
      } catch (Throwable t) {
        f.completeExceptionally(t);
      }
    });
    try {
      return f.get(10, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new LoadException("an event loop of the generator did not answer within 10 s");
    }
  }

  /**
   * Opens {@code count} things with at most {@code inFlight} in progress; throws the first
   * failure. Every wait is bounded.
   */
  private void openAll(int count, int inFlight, IntFunction<Future<?>> opener, String what) throws Exception {
    Semaphore permits = new Semaphore(inFlight);
    AtomicReference<Throwable> error = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(count);
    long timeoutMs = BenchConnection.SETUP_TIMEOUT_MS * 3;
    int started = 0;
    for (int i = 0; i < count && error.get() == null; i++) {
      if (!permits.tryAcquire(timeoutMs, TimeUnit.MILLISECONDS)) {
        throw new LoadException("timed out setting up " + what + " " + i + " of " + count);
      }
      checkFailure();
      started++;
      opener.apply(i).onComplete(ar -> {
        if (ar.failed()) {
          error.compareAndSet(null, ar.cause());
        }
        permits.release();
        done.countDown();
      });
    }
    if (error.get() == null) {
      for (int i = started; i < count; i++) {
        done.countDown();
      }
      if (!done.await(timeoutMs, TimeUnit.MILLISECONDS)) {
        throw new LoadException("timed out setting up " + what + "s (" + done.getCount() + " of " + count
            + " not done after " + timeoutMs + " ms)");
      }
    }
    Throwable e = error.get();
    if (e != null) {
      throw e instanceof LoadException ? (LoadException) e : new LoadException(what + ": " + BenchConnection.describe(e), e);
    }
    checkFailure();
  }

  private Future<BenchConnection> open(Loop loop, String clientId, int version, int keepAlive, int receiveMaximum,
      BenchConnection.Listener listener) {
    return open(loop, scenario.getPort(), clientId, version, keepAlive, receiveMaximum, listener);
  }

  private Future<BenchConnection> open(Loop loop, int port, String clientId, int version, int keepAlive,
      int receiveMaximum, BenchConnection.Listener listener) {
    return BenchConnection.open(client, loop.context, scenario.getHost(), port, clientId, version,
        keepAlive, receiveMaximum, listener).map(c -> {
          connections.add(c);
          return c;
        });
  }

  // ---------------------------------------------------------------------------------------------
  // publish / subscribe scenarios

  private LoadResult pubSub() throws Exception {
    Scenario s = scenario;
    Scenario.Kind kind = s.getKind();
    int version = kind == Scenario.Kind.SHARED_FAN_IN ? 5 : s.getProtocolVersion();
    int pubCount;
    int subCount;
    switch (kind) {
      case FAN_IN:
        pubCount = s.getPublishers();
        subCount = 1;
        break;
      case FAN_OUT:
        pubCount = 1;
        subCount = s.getSubscribers();
        break;
      case PAIRS:
        pubCount = s.getPublishers();
        subCount = pubCount;
        break;
      case SHARED_FAN_IN:
        pubCount = s.getPublishers();
        subCount = s.getSubscribers();
        break;
      default:
        throw new IllegalStateException(kind.toString());
    }
    int copies = kind == Scenario.Kind.FAN_OUT ? subCount : 1;
    boolean fixedRate = s.getMode() == Scenario.Mode.FIXED_RATE;

    Publisher[] publishers = new Publisher[pubCount];
    for (int i = 0; i < pubCount; i++) {
      Loop loop = loops[(i + subCount) % loops.length];
      publishers[i] = new Publisher(i, loop, topic(kind, i), version, s.getQos(), s.getPayloadBytes(), copies,
          s.getWindow(), fixedRate, this::fail);
      loop.publishers.add(publishers[i]);
    }
    Subscriber[] subscribers = new Subscriber[subCount];
    for (int i = 0; i < subCount; i++) {
      subscribers[i] = new Subscriber(loops[i % loops.length], publishers, this::fail);
    }

    String[] filters = new String[subCount];
    for (int i = 0; i < subCount; i++) {
      filters[i] = filter(kind, i);
    }
    openAll(subCount, SETUP_IN_FLIGHT, i -> open(subscribers[i].loop, s.getSubscriberPort(i), clientId("s", i), version,
        KEEP_ALIVE_SECONDS, 65_535, subscribers[i]).compose(c -> c.subscribe(filters[i], s.getQos())),
        "subscriber");
    openAll(pubCount, SETUP_IN_FLIGHT, i -> open(publishers[i].loop, clientId("p", i), version,
        KEEP_ALIVE_SECONDS, 0, publishers[i]).map(c -> {
          publishers[i].conn = c;
          return c;
        }), "publisher");

    startPinger();

    long base = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5);
    double interval = 1e9 * pubCount / s.getRate();
    for (Publisher p : publishers) {
      long start = base + (long) (interval * p.index / pubCount);
      p.loop.eventLoop.execute(() -> p.start(start, interval));
    }

    sleep(s.getWarmupSeconds());
    Snapshot a = snapshot(true);
    sleep(s.getMeasureSeconds());
    Snapshot b = snapshot(false);
    checkFailure();

    long lost = Math.max(0, b.lost - a.lost);
    if (fixedRate) {
      lost = drainLost(publishers, copies);
    }
    checkFailure();
    return result(a, b, lost, Double.NaN, Double.NaN);
  }

  /** Stops the publishers and waits up to 2 s for what they sent; returns the deliveries still missing. */
  private long drainLost(Publisher[] publishers, int copies) throws Exception {
    long sent = 0;
    for (Loop loop : loops) {
      sent += onLoop(loop, () -> {
        long n = 0;
        for (Publisher p : loop.publishers) {
          p.stop();
          n += p.sent;
        }
        return n;
      });
    }
    long expected = sent * copies;
    long deadline = System.nanoTime() + STALL_NANOS;
    long received;
    while (true) {
      received = 0;
      for (Publisher p : publishers) {
        received += p.received.get();
      }
      if (received >= expected || System.nanoTime() >= deadline) {
        break;
      }
      sleep(0.01);
    }
    return Math.max(0, expected - received);
  }

  private Snapshot snapshot(boolean reset) throws Exception {
    long sent = 0;
    long delivered = 0;
    long lost = 0;
    Histogram merged = reset ? null : newHistogram();
    List<CompletableFuture<Object[]>> parts = new ArrayList<>();
    for (Loop loop : loops) {
      CompletableFuture<Object[]> f = new CompletableFuture<>();
      loop.eventLoop.execute(() -> {
        long s = 0;
        long l = 0;
        for (Publisher p : loop.publishers) {
          s += p.sent;
          l += p.lost;
        }
        Histogram h = null;
        if (reset) {
          loop.histogram.reset();
        } else {
          h = loop.histogram.copy();
        }
        f.complete(new Object[] {s, loop.delivered, l, h});
      });
      parts.add(f);
    }
    for (CompletableFuture<Object[]> f : parts) {
      Object[] r;
      try {
        r = f.get(10, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        throw new LoadException("an event loop of the generator did not answer within 10 s");
      }
      sent += (Long) r[0];
      delivered += (Long) r[1];
      lost += (Long) r[2];
      if (r[3] != null) {
        merged.add((Histogram) r[3]);
      }
    }
    return new Snapshot(System.nanoTime(), sent, delivered, lost, merged,
        ProcStats.cpuTicks(scenario.getBrokerPid()), ProcStats.selfCpuTicks());
  }

  private LoadResult result(Snapshot a, Snapshot b, long lost, double rssPerConnection, double connectionsPerSecond) {
    double seconds = (b.nanos - a.nanos) / 1e9;
    long published = b.sent - a.sent;
    long delivered = b.delivered - a.delivered;
    Histogram h = b.histogram;
    boolean latency = h != null && h.getTotalCount() > 0;
    double brokerCpu = ProcStats.seconds(a.brokerTicks, b.brokerTicks);
    double cores = Runtime.getRuntime().availableProcessors();
    long pid = scenario.getBrokerPid();
    long rss = ProcStats.rssKiB(pid);
    return new LoadResult(
        label(),
        published,
        delivered,
        lost,
        seconds,
        published / seconds,
        delivered / seconds,
        latency ? h.getValueAtPercentile(50) / 1000.0 : Double.NaN,
        latency ? h.getValueAtPercentile(99) / 1000.0 : Double.NaN,
        latency ? h.getValueAtPercentile(99.9) / 1000.0 : Double.NaN,
        latency ? h.getMaxValue() / 1000.0 : Double.NaN,
        brokerCpu,
        delivered > 0 ? brokerCpu / (delivered / 1e6) : Double.NaN,
        rss >= 0 ? rss : Double.NaN,
        rssPerConnection,
        connectionsPerSecond,
        100.0 * ProcStats.seconds(a.selfTicks, b.selfTicks) / seconds / cores,
        100.0 * brokerCpu / seconds / cores);
  }

  private String label() {
    return scenario.getName().isEmpty() ? scenario.toString().trim() : scenario.getName();
  }

  private String clientId(String role, int i) {
    return "b-" + runId + "-" + role + "-" + i;
  }

  private static String topic(Scenario.Kind kind, int i) {
    switch (kind) {
      case FAN_IN:
        return "bench/in/" + i;
      case FAN_OUT:
        return "bench/out";
      case PAIRS:
        return "bench/pair/" + i;
      default:
        return "bench/shared/" + i;
    }
  }

  private static String filter(Scenario.Kind kind, int i) {
    switch (kind) {
      case FAN_IN:
        return "bench/in/+";
      case FAN_OUT:
        return "bench/out";
      case PAIRS:
        return "bench/pair/" + i;
      default:
        return "$share/bench/bench/shared/+";
    }
  }

  static Histogram newHistogram() {
    return new Histogram(1, HISTOGRAM_MAX_NANOS, 3);
  }

  // ---------------------------------------------------------------------------------------------
  // connection scenarios

  private LoadResult idleConnections() throws Exception {
    Scenario s = scenario;
    long pid = s.getBrokerPid();
    int n = s.getConnections();
    long rssBefore = ProcStats.rssKiB(pid);
    Snapshot a = cpuSnapshot();
    BenchConnection.Listener listener = new QuietListener(this::fail);
    openAll(n, IDLE_IN_FLIGHT, i -> open(loops[i % loops.length], clientId("i", i), s.getProtocolVersion(),
        IDLE_KEEP_ALIVE_SECONDS, 0, listener), "idle connection");
    startPinger();
    sleep(IDLE_SETTLE_MS / 1000.0);
    long rssAfter = ProcStats.rssKiB(pid);
    Snapshot b = cpuSnapshot();
    checkFailure();
    double perConnection = rssBefore >= 0 && rssAfter >= 0 ? (rssAfter - rssBefore) / (double) n : Double.NaN;
    return result(a, b, 0, perConnection, Double.NaN);
  }

  private LoadResult connectionStorm() throws Exception {
    ConnectionStorm.Window window = ConnectionStorm.measure(stormRun(), client, scenario, loops);
    Snapshot a = window.start();
    Snapshot b = window.end();
    double seconds = (b.nanos - a.nanos) / 1e9;
    LoadResult r = result(a, b, 0, Double.NaN, window.cycles() / seconds);
    // no messages in a storm: published/delivered are 0, per-million is meaningless
    return new LoadResult(r.scenario(), 0, 0, 0, r.seconds(), 0, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
        r.brokerCpuSeconds(), Double.NaN, r.brokerRssKiB(), Double.NaN, r.connectionsPerSecond(),
        r.generatorCpuPercent(), r.brokerCpuPercent());
  }

  private ConnectionStorm.Run stormRun() {
    return new ConnectionStorm.Run() {
      @Override
      public boolean failed() {
        return failure.get() != null;
      }

      @Override
      public void fail(String message) {
        LoadGenerator.this.fail(message);
      }

      @Override
      public void checkFailure() throws LoadException {
        LoadGenerator.this.checkFailure();
      }

      @Override
      public String clientId(int n) {
        return LoadGenerator.this.clientId("c", n);
      }

      @Override
      public Snapshot cpuSnapshot() {
        return LoadGenerator.this.cpuSnapshot();
      }
    };
  }

  private Snapshot cpuSnapshot() {
    return new Snapshot(System.nanoTime(), 0, 0, 0, null, ProcStats.cpuTicks(scenario.getBrokerPid()),
        ProcStats.selfCpuTicks());
  }

  // ---------------------------------------------------------------------------------------------
  // state

  record Snapshot(long nanos, long sent, long delivered, long lost, Histogram histogram, long brokerTicks,
      long selfTicks) {
  }




  @Override
  public String toString() {
    return String.format(Locale.ROOT, "LoadGenerator[%s]", label());
  }
}
