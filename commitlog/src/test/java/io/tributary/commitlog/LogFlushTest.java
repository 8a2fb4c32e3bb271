package io.tributary.commitlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When {@link CommitLog#whenDurable} callbacks run under each flush policy, and what a force covers. */
class LogFlushTest {

  @TempDir
  Path dir;

  private SegmentedLog<Long> open(FlushPolicy flush, Storage storage) {
    return SegmentedLog.open(new CommitLogOptions().setStorage(storage).setDir(dir.toString()).setFlush(flush)
        .setFlushIntervalMs(50), Codecs.LONGS);
  }

  @Test
  void withoutAlwaysTheCallbackRunsAtOnceOnTheCaller() {
    for (FlushPolicy flush : new FlushPolicy[] {FlushPolicy.NONE, FlushPolicy.INTERVAL}) {
      try (SegmentedLog<Long> log = open(flush, Storage.DISK)) {
        AtomicReference<Thread> ran = new AtomicReference<>();
        log.whenDurable(log.append(1L), () -> ran.set(Thread.currentThread()));
        assertSame(Thread.currentThread(), ran.get(), flush.name());
      }
    }
    try (SegmentedLog<Long> log = open(FlushPolicy.ALWAYS, Storage.MEMORY)) {
      AtomicReference<Thread> ran = new AtomicReference<>();
      log.whenDurable(log.append(1L), () -> ran.set(Thread.currentThread()));
      assertSame(Thread.currentThread(), ran.get(), "memory has no disk to wait for");
    }
  }

  @Test
  void alwaysRunsCallbacksAfterAForceThatCoversThem() throws Exception {
    try (SegmentedLog<Long> log = open(FlushPolicy.ALWAYS, Storage.DISK)) {
      int n = 2_000;
      CountDownLatch done = new CountDownLatch(n);
      List<String> wrong = new ArrayList<>();
      long before = flushes(log);
      for (long i = 0; i < n; i++) {
        long offset = log.append(i);
        assertTrue(offset >= 0);
        log.whenDurable(offset, () -> {
          // On the flusher right after its force, or at once on the caller when a force had
          // already covered the record (then the log says so).
          boolean flusher = Thread.currentThread().getName().equals("tributary-log-flusher");
          if (!flusher && !log.isDurable(offset)) {
            synchronized (wrong) {
              wrong.add(offset + " on " + Thread.currentThread().getName());
            }
          }
          done.countDown();
        });
      }
      assertTrue(done.await(30, TimeUnit.SECONDS));
      assertTrue(wrong.isEmpty(), "ran before a force covered them: " + wrong);
      long forces = flushes(log) - before;
      assertTrue(forces >= 1 && forces < n, "group commit: " + forces + " forces for " + n + " records");
    }
  }

  @Test
  void intervalForcesInTheBackground() throws Exception {
    try (SegmentedLog<Long> log = open(FlushPolicy.INTERVAL, Storage.DISK)) {
      log.append(1L);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (flushes(log) == 0 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertTrue(flushes(log) > 0, "the interval flusher ran");
    }
  }

  @Test
  void closeRunsPendingCallbacks() {
    SegmentedLog<Long> log = open(FlushPolicy.ALWAYS, Storage.DISK);
    int[] ran = {0};
    for (long i = 0; i < 100; i++) {
      log.whenDurable(log.append(i), () -> ran[0]++);
    }
    log.close();
    assertEquals(100, ran[0]);
  }

  private static long flushes(SegmentedLog<?> log) {
    return log.flushCount();
  }
}
