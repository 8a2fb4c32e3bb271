package io.tributary.bench.load;

import io.vertx.core.net.NetClient;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/** The chains of a connection storm: each completed cycle starts the next on the same loop. */
final class ConnectionStorm {

  /** What a storm needs of the run it belongs to. */
  interface Run {
    boolean failed();

    void fail(String message);

    String clientId(int n);

    LoadGenerator.Snapshot cpuSnapshot();
  }

  final int total;
  final int warm;
  final AtomicInteger started;
  final AtomicInteger completed;
  final CountDownLatch warmDone;
  final CountDownLatch allDone;
  final BenchConnection.Listener listener;
  final int version;
  final Run run;
  final NetClient client;
  final String host;
  final int port;
  volatile LoadGenerator.Snapshot warmSnapshot;
  volatile LoadGenerator.Snapshot endSnapshot;

  ConnectionStorm(Run run, NetClient client, String host, int port, int total, int warm, AtomicInteger started,
      AtomicInteger completed, CountDownLatch warmDone, CountDownLatch allDone, BenchConnection.Listener listener,
      int version) {
    this.run = run;
    this.client = client;
    this.host = host;
    this.port = port;
    this.total = total;
    this.warm = warm;
    this.started = started;
    this.completed = completed;
    this.warmDone = warmDone;
    this.allDone = allDone;
    this.listener = listener;
    this.version = version;
  }

  void next(Loop loop) {
    if (run.failed()) {
      return;
    }
    int n = started.getAndIncrement();
    if (n >= total) {
      return;
    }
    BenchConnection.open(client, loop.context, host, port, run.clientId(n), version,
        LoadGenerator.KEEP_ALIVE_SECONDS, 0, listener)
        .compose(BenchConnection::disconnect)
        .onComplete(ar -> {
          if (ar.failed()) {
            run.fail(ar.cause() instanceof LoadException ? ar.cause().getMessage()
                : "connection storm cycle " + n + ": " + BenchConnection.describe(ar.cause()));
            return;
          }
          int done = completed.incrementAndGet();
          // the measured part runs from the completion of the last warm-up cycle to that of the last one
          if (done == warm) {
            warmSnapshot = run.cpuSnapshot();
            warmDone.countDown();
          }
          if (done == total) {
            endSnapshot = run.cpuSnapshot();
            allDone.countDown();
          }
          next(loop);
        });
  }
}
