package io.tributary.commitlog;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log's background thread: forces written records to disk by the flush policy, runs time
 * retention about once a second and sweeps old recent values every tenth of a second. With {@link FlushPolicy#INTERVAL} and {@link FlushPolicy#ALWAYS}
 * it also forces whatever is unflushed every flush interval.
 *
 * <p>{@link FlushPolicy#ALWAYS} is group commit: callers register "run this once offset N is on
 * disk"; the thread snapshots what is written, forces it (one write and fsync, or msync, per
 * segment range, however many records), then runs every waiter the force covered. While anything
 * appended is not on disk it loops without sleeping, so the fsync rate follows the disk and each
 * covers what arrived during the last.
 */
final class LogFlusher implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(LogFlusher.class);
  private static final long TICK_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** How often the log's recent values are swept ({@link SegmentedLog#sweepRecent}). */
  private static final long SWEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private record Waiter(long offset, Runnable action) {
  }

  private final SegmentedLog<?> owner;
  private final FlushPolicy policy;
  private final long intervalNanos;
  private final Path dir;
  private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();
  private final Thread thread;
  private volatile boolean running = true;
  private volatile boolean sleeping;
  /** Every record below this is on disk (ALWAYS / INTERVAL). */
  private volatile long durableOffset;
  private long lastSegmentBase = -1;
  private boolean failing;
  private volatile long flushes;
  private volatile long flushNanos;

  LogFlusher(SegmentedLog<?> owner, FlushPolicy policy, long intervalMs, Path dir) {
    this.owner = owner;
    this.policy = policy;
    this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMs);
    this.dir = dir;
    this.thread = new Thread(this, "tributary-log-flusher");
    this.thread.setDaemon(true);
  }

  void start() {
    durableOffset = owner.endOffset();
    thread.start();
  }

  boolean isDurable(long offset) {
    return policy != FlushPolicy.ALWAYS || offset < durableOffset;
  }

  void whenDurable(long offset, Runnable action) {
    if (isDurable(offset)) {
      action.run();
      return;
    }
    waiters.add(new Waiter(offset, action));
    appended();
  }

  /**
   * An append happened (called by the log under {@link FlushPolicy#ALWAYS}): wakes the thread if
   * it sleeps, so every record, not only those a publisher waits for, is on disk within a force.
   */
  void appended() {
    if (sleeping) {
      LockSupport.unpark(thread);
    }
  }

  @Override
  public void run() {
    long nextTick = System.nanoTime() + TICK_NANOS;
    long nextFlush = System.nanoTime() + intervalNanos;
    while (running) {
      long now = System.nanoTime();
      // ALWAYS forces whatever was appended at once, and like INTERVAL at least every interval.
      boolean flushDue = pendingForAlways() || policy != FlushPolicy.NONE && now - nextFlush >= 0;
      if (flushDue) {
        flushWritten();
        nextFlush = now + intervalNanos;
      }
      if (now - nextTick >= 0) {
        owner.maintain();
        nextTick = now + TICK_NANOS;
      }
      owner.sweepRecent();
      long wait = Math.min(nextTick - System.nanoTime(), SWEEP_NANOS);
      if (policy != FlushPolicy.NONE) {
        wait = Math.min(wait, nextFlush - System.nanoTime());
      }
      sleeping = true;
      // Checked again after announcing the sleep: an append from here on unparks (the permit stays).
      if (wait > 0 && !pendingForAlways()) {
        LockSupport.parkNanos(this, wait);
      }
      sleeping = false;
    }
  }

  private boolean pendingForAlways() {
    return policy == FlushPolicy.ALWAYS && (!waiters.isEmpty() || owner.endOffset() > durableOffset);
  }

  /**
   * Forces everything written so far, then runs the waiters that force covered. A failed write or
   * force (a full or failing disk) leaves the durable offset where it was: nothing is acknowledged
   * until a later attempt succeeds, and the thread retries every {@link #RETRY_NANOS}.
   */
  private void flushWritten() {
    SegmentedLog.WrittenState state = owner.writtenState();
    long started = System.nanoTime();
    LogSegment[] segs = state.segments();
    for (int i = 0; i < segs.length; i++) {
      LogSegment segment = segs[i];
      if (segment.retain()) {
        try {
          segment.flush(state.sizes()[i], i < segs.length - 1);
        } catch (IOException | RuntimeException e) {
          failed(segment, e);
          return;
        } finally {
          segment.release();
        }
      }
    }
    if (failing) {
      failing = false;
      log.info("commit log: flushing to {} works again", dir);
    }
    long newest = segs[segs.length - 1].baseOffset;
    if (newest != lastSegmentBase) {
      forceDirectory(); // a new segment file's name must survive a power cut too
      lastSegmentBase = newest;
    }
    flushes++;
    flushNanos += System.nanoTime() - started;
    // Waiters run before the new durable offset is published: a caller that sees a record durable
    // (and acts at once) acts after every waiter the same force released.
    List<Waiter> notYet = new ArrayList<>();
    Waiter w;
    int n = waiters.size();
    while (n-- > 0 && (w = waiters.poll()) != null) {
      if (w.offset < state.endOffset()) {
        run(w.action);
      } else {
        notYet.add(w);
      }
    }
    waiters.addAll(notYet);
    durableOffset = state.endOffset();
  }

  private void failed(LogSegment segment, Exception e) {
    if (!failing) {
      failing = true;
      log.error("commit log: flush of {} failed, nothing more is acknowledged until it works: {}",
          segment.dataFile(), e.toString());
    }
    LockSupport.parkNanos(this, RETRY_NANOS);
  }

  private void forceDirectory() {
    if (dir == null) {
      return;
    }
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      log.debug("commit log: fsync of directory {} not supported: {}", dir, e.toString());
    }
  }

  private static void run(Runnable action) {
    try {
      action.run();
    } catch (RuntimeException e) {
      log.error("commit log: a durability callback failed", e);
    }
  }

  /** Stops the thread after a last flush (when the policy flushes at all), and runs every waiter. */
  void stop() {
    running = false;
    LockSupport.unpark(thread);
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (policy != FlushPolicy.NONE) {
      flushWritten();
    }
    Waiter w;
    while ((w = waiters.poll()) != null) {
      run(w.action);
    }
  }

  long flushes() {
    return flushes;
  }

  long flushNanos() {
    return flushNanos;
  }
}
