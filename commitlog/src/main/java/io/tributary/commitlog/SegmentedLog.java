package io.tributary.commitlog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link CommitLog}: records as bytes in a list of {@link LogSegment}s, memory-mapped files
 * ({@link Storage#DISK}) or direct buffers ({@link Storage#MEMORY}), so the Java heap holds no
 * object per record however much is retained.
 *
 * <p>Appends encode the record into a per-thread buffer and checksum it before taking a short
 * lock, under which they only copy the bytes, stamp the offset, add index entries, and publish the
 * new end offset with a release store. Readers take no lock ({@link LogReader}): they load the end
 * offset (acquire), then the segment array, which is never mutated but replaced when a segment is
 * rolled or deleted; they hold a reference on each segment they read so retention cannot free it
 * under them.
 *
 * <p>The values of the last 2,048 small appends also stay in a ring ({@link RecentRecords}), so
 * readers at the live end deliver them without decoding; everything else is decoded from the
 * bytes by the {@link RecordCodec}.
 *
 * <p>Retention deletes whole oldest segments, never the active one, while the retained bytes exceed
 * {@link CommitLogOptions#getRetentionBytes()} or their newest record is older than
 * {@link CommitLogOptions#getRetentionMs()}. The flusher thread ({@link LogFlusher}) forces data to
 * disk by the flush policy and applies time retention when nothing is appended.
 */
public final class SegmentedLog<V> implements CommitLog<V> {

  private static final Logger log = LoggerFactory.getLogger(SegmentedLog.class);
  private static final VarHandle END_OFFSET;
  private static final VarHandle RETAINED_BYTES;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      END_OFFSET = lookup.findVarHandle(SegmentedLog.class, "endOffset", long.class);
      RETAINED_BYTES = lookup.findVarHandle(SegmentedLog.class, "retainedBytes", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final CommitLogOptions options;
  private final RecordCodec<V> codec;
  private final Path dir;
  private final FileChannel lockChannel;
  private final RecoveryReport recovery;
  private final ReentrantLock appendLock = new ReentrantLock();
  private final RecentRecords<V> recent = new RecentRecords<>();
  private final ThreadLocal<RecordWriter> writers;
  private final LogFlusher flusher;
  private final boolean alwaysFlush;
  private final LogReader<V> reader;

  // Oldest first, the last one is active. Never mutated after publication, only replaced.
  private volatile LogSegment[] segments;
  // Written on every append, only under appendLock, with release stores; read with volatile loads.
  private volatile long endOffset;
  private volatile long retainedBytes;

  // Guarded by appendLock.
  private LogSegment active;
  private boolean closed;

  private SegmentedLog(CommitLogOptions options, RecordCodec<V> codec, Path dir, FileChannel lockChannel,
      List<LogSegment> loaded, RecoveryReport recovery) {
    this.options = options;
    this.codec = codec;
    this.dir = dir;
    this.lockChannel = lockChannel;
    this.recovery = recovery;
    this.segments = loaded.toArray(new LogSegment[0]);
    this.active = segments[segments.length - 1];
    long bytes = 0;
    for (LogSegment s : segments) {
      bytes += s.size();
    }
    this.retainedBytes = bytes;
    this.endOffset = active.nextOffset();
    this.writers = ThreadLocal.withInitial(() -> new RecordWriter(codec));
    this.reader = new LogReader<>(this, codec, recent);
    FlushPolicy flush = dir != null ? options.getFlush() : FlushPolicy.NONE;
    this.flusher = new LogFlusher(this, flush, options.getFlushIntervalMs(), dir);
    this.alwaysFlush = flush == FlushPolicy.ALWAYS;
  }

  /**
   * Opens the log the options describe: a new in-memory log, or the directory's segments after
   * {@link LogLoader#recover recovery}. Fails when another process (or log) holds the directory.
   */
  public static <V> SegmentedLog<V> open(CommitLogOptions options, RecordCodec<V> codec) {
    CommitLogOptions copy = new CommitLogOptions(Objects.requireNonNull(options, "options"));
    Objects.requireNonNull(codec, "codec");
    long now = System.currentTimeMillis();
    if (copy.getStorage() == Storage.MEMORY) {
      try {
        LogSegment first = LogSegment.create(null, 0, (int) copy.getSegmentBytes(), copy.getIndexIntervalBytes(), false,
            now);
        RecoveryReport empty = new RecoveryReport(1, 0, 0, 0, 0, 0, 0, 0, 0, List.of(), 0);
        return started(new SegmentedLog<>(copy, codec, null, null, List.of(first), empty));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    Path dir = copy.dirPath().toAbsolutePath();
    FileChannel lock = DirectoryLock.acquire(dir);
    try {
      LogLoader.Loaded loaded = LogLoader.recover(dir, copy, now);
      return started(new SegmentedLog<>(copy, codec, dir, lock, loaded.segments(), loaded.report()));
    } catch (IOException | RuntimeException e) {
      DirectoryLock.release(lock);
      throw e instanceof IOException
          ? new UncheckedIOException("commit log in " + dir + ": " + e.getMessage(), (IOException) e)
          : (RuntimeException) e;
    }
  }

  private static <V> SegmentedLog<V> started(SegmentedLog<V> log) {
    log.flusher.start();
    return log;
  }

  @Override
  public long append(V value) {
    RecordWriter writer = writers.get();
    writer.encode(value);
    return appendEncoded(writer, value, null);
  }

  @Override
  public long appendAll(List<? extends V> values) {
    if (values.isEmpty()) {
      return endOffset();
    }
    // Encode the whole batch before locking: the critical section is copies, and a value the codec
    // rejects cannot leave half a batch behind.
    RecordWriter writer = writers.get();
    writer.encodeAll(values);
    return appendEncoded(writer, null, values);
  }

  /**
   * Copies the records the writer encoded into the log under the lock; their values are
   * {@code single} or {@code batch} (for the recent-values ring). Returns the first offset.
   */
  private long appendEncoded(RecordWriter writer, V single, List<? extends V> batch) {
    appendLock.lock();
    try {
      ensureOpen();
      long first = endOffset;
      long retained = retainedBytes;
      for (int i = 0, count = writer.count(); i < count; i++) {
        int len = writer.length(i);
        LogSegment segment = segmentFor(len, first + i);
        segment.append(writer.buffer(), writer.start(i), len, first + i, writer.timestamp(i));
        recent.put(first + i, batch == null ? single : batch.get(i), len);
        retained += len;
      }
      publish(first + writer.count(), enforceRetention(retained, System.currentTimeMillis()));
      if (alwaysFlush) {
        flusher.appended();
      }
      return first;
    } finally {
      appendLock.unlock();
      writer.release();
    }
  }

  @Override
  public long read(long fromOffset, int maxRecords, RecordConsumer<? super V> consumer) {
    return reader.read(fromOffset, maxRecords, consumer);
  }

  @Override
  public V get(long offset) {
    return reader.get(offset);
  }

  @Override
  public long offsetForTime(long timestampMs) {
    return reader.offsetForTime(timestampMs);
  }

  @Override
  public void whenDurable(long offset, Runnable action) {
    flusher.whenDurable(offset, action);
  }

  @Override
  public boolean isDurable(long offset) {
    return flusher.isDurable(offset);
  }

  @Override
  public long startOffset() {
    return segments[0].baseOffset;
  }

  @Override
  public long endOffset() {
    return endOffset;
  }

  @Override
  public long retainedBytes() {
    return retainedBytes;
  }

  @Override
  public int segmentCount() {
    return segments.length;
  }

  @Override
  public RecoveryReport recovery() {
    return recovery;
  }

  /** Forces the flusher has done (for tests and metrics). */
  @Override
  public long flushCount() {
    return flusher.flushes();
  }

  @Override
  public long flushNanos() {
    return flusher.flushNanos();
  }

  public CommitLogOptions options() {
    return new CommitLogOptions(options);
  }

  @Override
  public void close() {
    appendLock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
    } finally {
      appendLock.unlock();
    }
    flusher.stop();
    recent.clear();
    for (LogSegment segment : segments) {
      segment.release();
    }
    DirectoryLock.release(lockChannel);
  }

  @Override
  public String toString() {
    return "SegmentedLog{storage=" + options.getStorage() + (dir != null ? ", dir=" + dir : "") + ", startOffset="
        + startOffset() + ", endOffset=" + endOffset() + ", retainedBytes=" + retainedBytes() + ", segments="
        + segmentCount() + '}';
  }

  // ---- under appendLock ----

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("commit log is closed");
    }
  }

  /** The segment the next record of len bytes goes to, rolling a new one by size or age. */
  private LogSegment segmentFor(int len, long offset) {
    LogSegment current = active;
    if (current.isEmpty()) {
      if (current.hasRoomFor(len)) {
        return current;
      }
      // A record larger than the empty segment's buffer: replace it by one that fits.
      replaceActive(newSegment(offset, len), true);
      return active;
    }
    boolean full = current.size() + (long) len > options.getSegmentBytes() || !current.hasRoomFor(len);
    boolean old = System.currentTimeMillis() - current.createdMs() >= options.getSegmentMs();
    if (full || old) {
      current.seal();
      replaceActive(newSegment(offset, len), false);
    }
    return active;
  }

  private LogSegment newSegment(long baseOffset, int firstRecordBytes) {
    int capacity = (int) Math.max(options.getSegmentBytes(), firstRecordBytes);
    try {
      return LogSegment.create(dir, baseOffset, capacity, options.getIndexIntervalBytes(),
          LogSegment.writtenBehind(options), System.currentTimeMillis());
    } catch (IOException e) {
      throw new UncheckedIOException("commit log: cannot create segment " + baseOffset + " in " + dir + ": "
          + e.getMessage(), e);
    }
  }

  private void replaceActive(LogSegment next, boolean dropEmptyActive) {
    LogSegment[] segs = segments;
    LogSegment[] rolled;
    if (dropEmptyActive) {
      rolled = segs.clone();
      rolled[segs.length - 1] = next;
      deleteQuietly(active);
    } else {
      rolled = Arrays.copyOf(segs, segs.length + 1);
      rolled[segs.length] = next;
    }
    active = next;
    segments = rolled; // published before the end offset that first points into it
  }

  /** Deletes oldest segments, never the active one, while over the byte bound or too old. */
  private long enforceRetention(long retained, long nowMs) {
    LogSegment[] segs = segments;
    long maxBytes = options.getRetentionBytes();
    long minTimestamp = options.getRetentionMs() > 0 ? nowMs - options.getRetentionMs() : Long.MIN_VALUE;
    int drop = 0;
    long left = retained;
    while (drop < segs.length - 1 && (left > maxBytes || segs[drop].maxTimestamp() < minTimestamp)) {
      left -= segs[drop].size();
      drop++;
    }
    return deleteOldest(drop, retained);
  }

  /** Under appendLock: deletes the oldest {@code drop} segments; returns retained less their bytes. */
  private long deleteOldest(int drop, long retained) {
    if (drop == 0) {
      return retained;
    }
    LogSegment[] segs = segments;
    segments = Arrays.copyOfRange(segs, drop, segs.length);
    for (int i = 0; i < drop; i++) {
      retained -= segs[i].size();
      deleteQuietly(segs[i]);
    }
    return retained;
  }

  private void publish(long end, long retained) {
    RETAINED_BYTES.setRelease(this, retained);
    END_OFFSET.setRelease(this, end);
  }

  /** Starts a new segment now if the active one holds records (a compacted log's snapshot does). */
  public void roll() {
    appendLock.lock();
    try {
      ensureOpen();
      if (!active.isEmpty()) {
        active.seal();
        replaceActive(newSegment(endOffset, 0), false);
      }
    } finally {
      appendLock.unlock();
    }
  }

  /**
   * Deletes the segments that lie wholly below offset (never the active one): a compacted log
   * drops what its newest snapshot replaced.
   */
  public void deleteSegmentsBefore(long offset) {
    appendLock.lock();
    try {
      ensureOpen();
      LogSegment[] segs = segments;
      int drop = 0;
      while (drop < segs.length - 1 && segs[drop + 1].baseOffset <= offset) {
        drop++;
      }
      if (drop > 0) {
        publish(endOffset, deleteOldest(drop, retainedBytes));
      }
    } finally {
      appendLock.unlock();
    }
  }

  /** The segments now, oldest first (for the reader: load {@link #endOffset()} first). */
  LogSegment[] segments() {
    return segments;
  }

  // ---- for the flusher ----

  // The end offset at the last sweep of the recent values, and when (flusher thread only).
  private long sweptEnd;
  private long sweptAtNanos = System.nanoTime();

  /**
   * Clears recent values older than about {@code RECENT_NANOS}: called by the flusher every tenth
   * of a second, it drops those below the end offset of the sweep before last.
   */
  void sweepRecent() {
    long now = System.nanoTime();
    if (now - sweptAtNanos >= RECENT_NANOS) {
      recent.clearBelow(sweptEnd);
      sweptEnd = endOffset;
      sweptAtNanos = now;
    }
  }

  private static final long RECENT_NANOS = 250_000_000L;

  /** Time retention when nothing is appended; called about once a second. */
  void maintain() {
    appendLock.lock();
    try {
      if (!closed) {
        publish(endOffset, enforceRetention(retainedBytes, System.currentTimeMillis()));
      }
    } finally {
      appendLock.unlock();
    }
  }

  /** What is written now: the segments, the bytes of each, and the end offset they hold. */
  record WrittenState(LogSegment[] segments, int[] sizes, long endOffset) {
  }

  WrittenState writtenState() {
    appendLock.lock();
    try {
      LogSegment[] segs = segments;
      int[] sizes = new int[segs.length];
      for (int i = 0; i < segs.length; i++) {
        sizes[i] = segs[i].size();
      }
      return new WrittenState(segs, sizes, endOffset);
    } finally {
      appendLock.unlock();
    }
  }

  // ---- helpers ----

  private static void deleteQuietly(LogSegment segment) {
    try {
      segment.delete();
    } catch (IOException e) {
      log.warn("commit log: could not delete segment {}: {}", segment.dataFile(), e.toString());
    }
  }

}
