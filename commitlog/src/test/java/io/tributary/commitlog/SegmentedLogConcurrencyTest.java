package io.tributary.commitlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Appenders and tailing readers at the same time. Every thread is a daemon that also watches a
 * deadline, and the test joins with a timeout, so a bug shows up as a failure, never as a hang.
 * Under retention readers race the deletion of the segments they read: a segment freed under a
 * reader would crash the JVM, so a passing run also says the reference counting holds.
 */
class SegmentedLogConcurrencyTest {

  private static final int APPENDERS = 4;
  private static final int READERS = 2;
  private static final int PER_APPENDER = 200_000;
  private static final long TIMEOUT_MILLIS = 60_000;
  private static final int RECORD = Codecs.recordBytes(Long.BYTES);

  @TempDir
  Path dir;

  /** Value = appender id in the high 32 bits, that appender's sequence number in the low 32. */
  private static long encode(int appender, int sequence) {
    return ((long) appender << 32) | sequence;
  }

  @Test
  void readersSeeEveryRecordExactlyOnceInAppendOrder() throws Exception {
    // Small segments so the run rolls many of them while readers walk the array.
    SegmentedLog<Long> log = SegmentedLog.open(
        new CommitLogOptions().setSegmentBytes(1024 * RECORD), Codecs.LONGS);
    long total = (long) APPENDERS * PER_APPENDER;
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS);
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();

    for (int a = 0; a < APPENDERS; a++) {
      int appender = a;
      // Half use append, half appendAll with varying batch sizes, both racing for the same lock.
      boolean batched = a % 2 == 1;
      threads.add(start("appender-" + a, failures, () -> {
        go.await();
        long lastOffset = -1;
        int sequence = 0;
        while (sequence < PER_APPENDER) {
          checkDeadline(deadline);
          if (batched) {
            int n = Math.min(1 + sequence % 37, PER_APPENDER - sequence);
            List<Long> batch = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
              batch.add(encode(appender, sequence + i));
            }
            long first = log.appendAll(batch);
            assertTrue(first > lastOffset);
            lastOffset = first + n - 1;
            sequence += n;
          } else {
            long offset = log.append(encode(appender, sequence++));
            assertTrue(offset > lastOffset);
            lastOffset = offset;
          }
        }
      }));
    }

    long[][] perReaderLastSequence = new long[READERS][];
    long[] perReaderCount = new long[READERS];
    for (int r = 0; r < READERS; r++) {
      int reader = r;
      threads.add(start("reader-" + r, failures, () -> {
        long[] lastSequence = new long[APPENDERS];
        java.util.Arrays.fill(lastSequence, -1);
        long[] expectedOffset = {0};
        go.await();
        while (expectedOffset[0] < total) {
          checkDeadline(deadline);
          long next = log.read(expectedOffset[0], 500, (offset, value) -> {
            if (offset != expectedOffset[0]) {
              fail("reader " + reader + " expected offset " + expectedOffset[0] + " got " + offset);
            }
            int appender = (int) (value >>> 32);
            long sequence = value & 0xFFFF_FFFFL;
            if (sequence != lastSequence[appender] + 1) {
              fail("appender " + appender + " sequence " + sequence + " after " + lastSequence[appender]);
            }
            lastSequence[appender] = sequence;
            expectedOffset[0]++;
            return true;
          });
          assertEquals(expectedOffset[0], next);
          if (next == expectedOffset[0] && next == log.endOffset()) {
            Thread.yield(); // caught up; 2 shared cores, let the appenders run
          }
        }
        perReaderLastSequence[reader] = lastSequence;
        perReaderCount[reader] = expectedOffset[0];
      }));
    }

    go.countDown();
    for (Thread t : threads) {
      t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + 1_000));
      assertFalse(t.isAlive(), t.getName() + " did not finish in time");
    }
    if (!failures.isEmpty()) {
      Throwable first = failures.peek();
      failures.stream().skip(1).forEach(first::addSuppressed);
      throw new AssertionError("concurrent failure", first);
    }

    assertEquals(total, log.endOffset());
    assertEquals(0, log.startOffset());
    assertEquals(total * RECORD, log.retainedBytes());
    log.close();
    for (int r = 0; r < READERS; r++) {
      assertEquals(total, perReaderCount[r]);
      for (int a = 0; a < APPENDERS; a++) {
        assertEquals(PER_APPENDER - 1, perReaderLastSequence[r][a], "reader " + r + " appender " + a);
      }
    }
  }

  /**
   * On disk with {@code flush: always} segments are written behind: each complete one moves its
   * readers from a buffer to a mapping of the file and frees the buffer, racing these readers too.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"memory", "disk, flush always"})
  void readersUnderRetentionSeeOrderedValidRecordsAndDetectGaps(String storage) throws Exception {
    // Retention far smaller than the run: readers are overtaken and must see gaps, never garbage.
    int perAppender = 50_000;
    CommitLogOptions options = new CommitLogOptions().setSegmentBytes(256 * RECORD).setRetentionBytes(4 * 256 * RECORD);
    if (storage.startsWith("disk")) {
      options.setStorage(Storage.DISK).setDir(dir.toString()).setFlush(FlushPolicy.ALWAYS);
    }
    SegmentedLog<Long> log = SegmentedLog.open(options, Codecs.LONGS);
    long total = 2L * perAppender;
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS);
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    List<Thread> threads = new ArrayList<>();
    for (int a = 0; a < 2; a++) {
      int appender = a;
      threads.add(start("appender-" + a, failures, () -> {
        for (int s = 0; s < perAppender; s++) {
          checkDeadline(deadline);
          log.append(encode(appender, s));
        }
      }));
    }
    long[] gaps = {0};
    threads.add(start("reader", failures, () -> {
      long[] lastSequence = {-1, -1};
      long[] expected = {0};
      while (expected[0] < total) {
        checkDeadline(deadline);
        long from = expected[0];
        long next = log.read(from, 64, (offset, value) -> {
          if (offset != expected[0]) {
            assertTrue(offset > expected[0] && expected[0] == from, "only the first record may jump");
            gaps[0]++;
          }
          int appender = (int) (value >>> 32);
          long sequence = value & 0xFFFF_FFFFL;
          assertTrue(sequence > lastSequence[appender], "sequence goes forward");
          lastSequence[appender] = sequence;
          expected[0] = offset + 1;
          return true;
        });
        assertTrue(next >= expected[0]);
        expected[0] = next;
        Thread.yield(); // be slow on purpose so retention overtakes this reader
      }
    }));
    for (Thread t : threads) {
      t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + 1_000));
      assertFalse(t.isAlive(), t.getName() + " did not finish in time");
    }
    if (!failures.isEmpty()) {
      throw new AssertionError("concurrent failure", failures.peek());
    }
    assertEquals(total, log.endOffset());
    assertTrue(log.retainedBytes() <= 4 * 256 * RECORD);
    assertEquals(log.retainedBytes(), (log.endOffset() - log.startOffset()) * RECORD);
    log.close();
  }

  private interface Body {
    void run() throws Exception;
  }

  private static Thread start(String name, ConcurrentLinkedQueue<Throwable> failures, Body body) {
    Thread thread = new Thread(() -> {
      try {
        body.run();
      } catch (Throwable t) {
        failures.add(t);
      }
    }, name);
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  private static void checkDeadline(long deadline) {
    if (System.nanoTime() - deadline > 0) {
      throw new AssertionError(Thread.currentThread().getName() + " ran past the deadline");
    }
  }
}
