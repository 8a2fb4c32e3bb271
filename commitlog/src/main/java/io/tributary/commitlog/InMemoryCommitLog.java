package io.tributary.commitlog;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link CommitLog} kept on the heap as a list of fixed-size {@link Segment}s.
 *
 * <p>Appends take a short lock: assign the offset, write the slot, then publish the new end offset
 * with a release store. Readers take no lock: they load the end offset (acquire), then the segment
 * array, which is never mutated but replaced (copy-on-write) when a segment is rolled or dropped.
 * Loading the end offset first guarantees the array covers every offset below it; a reader still
 * holding an older array reads valid data, because dropped segments are not cleared.
 *
 * <p>Retention drops whole oldest segments, never the active one, while the retained bytes exceed
 * {@link CommitLogOptions#getRetentionBytes()}; memory for them is freed once no reader holds them.
 *
 * <p>Storage seam: this class is the heap store. A file-backed store would be a sibling
 * implementation of {@link CommitLog} with the same segment/offset/retention rules, its segments
 * backed by files instead of slot arrays.
 */
public final class InMemoryCommitLog<V> implements CommitLog<V> {

  private static final VarHandle END_OFFSET;
  private static final VarHandle RETAINED_BYTES;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      END_OFFSET = lookup.findVarHandle(InMemoryCommitLog.class, "endOffset", long.class);
      RETAINED_BYTES = lookup.findVarHandle(InMemoryCommitLog.class, "retainedBytes", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final int segmentRecords;
  private final long segmentBytes;
  private final long retentionBytes;
  private final RecordSize<? super V> recordSize;
  private final ReentrantLock appendLock = new ReentrantLock();

  // Oldest first, the last one is active. Never mutated after publication, only replaced.
  private volatile Segment<V>[] segments;
  // The only fields written on every append, only under appendLock, with release stores (a plain
  // mov on x86, where a volatile store adds a fence); read with volatile loads. Padding them off
  // the segments field was measured (bench appendAndTail) and made no difference: the line readers
  // poll is shared by nature, and segments is read in the same access.
  private volatile long endOffset;
  private volatile long retainedBytes;

  // Guarded by appendLock; written only when a segment is rolled or dropped, or on close.
  private Segment<V> active;
  private long sealedBytes;
  private boolean closed;

  public InMemoryCommitLog(CommitLogOptions options, RecordSize<? super V> size) {
    CommitLogOptions copy = new CommitLogOptions(Objects.requireNonNull(options, "options"));
    this.recordSize = Objects.requireNonNull(size, "size");
    this.segmentRecords = copy.getSegmentRecords();
    this.segmentBytes = copy.getSegmentBytes();
    this.retentionBytes = copy.getRetentionBytes();
    this.active = new Segment<>(0L, segmentRecords);
    Segment<V>[] initial = newArray(1);
    initial[0] = active;
    this.segments = initial;
  }

  @Override
  public long append(V value) {
    int size = sizeOf(value);
    appendLock.lock();
    try {
      ensureOpen();
      long offset = endOffset;
      long retained = retainedBytes;
      write(value, size, offset, retained);
      publish(offset + 1, enforceRetention(retained + size));
      return offset;
    } finally {
      appendLock.unlock();
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public long appendAll(List<? extends V> values) {
    // Snapshot and size the batch before locking: keeps the critical section to slot writes and
    // means a null or a failing RecordSize cannot leave half a batch behind.
    Object[] batch = values.toArray();
    if (batch.length == 0) {
      return endOffset();
    }
    int[] sizes = new int[batch.length];
    for (int i = 0; i < batch.length; i++) {
      sizes[i] = sizeOf((V) batch[i]);
    }
    appendLock.lock();
    try {
      ensureOpen();
      long first = endOffset;
      long retained = retainedBytes;
      for (int i = 0; i < batch.length; i++) {
        write((V) batch[i], sizes[i], first + i, retained);
        retained += sizes[i];
      }
      publish(first + batch.length, enforceRetention(retained));
      return first;
    } finally {
      appendLock.unlock();
    }
  }

  @Override
  public long read(long fromOffset, int maxRecords, RecordConsumer<? super V> consumer) {
    Objects.requireNonNull(consumer, "consumer");
    long end = endOffset; // before segments: the array loaded next covers everything below end
    if (fromOffset >= end || maxRecords <= 0) {
      // Nothing to deliver. Still clamp to startOffset so a caller behind retention sees the gap.
      return fromOffset >= end ? fromOffset : Math.max(fromOffset, startOffset());
    }
    Segment<V>[] segs = segments;
    long start = segs[0].baseOffset;
    long offset = Math.max(fromOffset, start);
    long limit = end - offset <= maxRecords ? end : offset + maxRecords;
    int index = indexOf(segs, offset);
    while (offset < limit) {
      Segment<V> segment = segs[index++];
      long base = segment.baseOffset;
      // A segment ends where the next begins (segments roll on records or bytes, so vary in length).
      long segmentEnd = index < segs.length ? segs[index].baseOffset : limit;
      int stop = (int) (Math.min(segmentEnd, limit) - base);
      for (int position = (int) (offset - base); position < stop; position++) {
        if (!consumer.accept(base + position, segment.get(position))) {
          return base + position;
        }
      }
      offset = base + stop;
    }
    return offset;
  }

  @Override
  public V get(long offset) {
    if (offset < 0 || offset >= endOffset) {
      return null;
    }
    Segment<V>[] segs = segments;
    long start = segs[0].baseOffset;
    if (offset < start) {
      return null;
    }
    Segment<V> segment = segs[indexOf(segs, offset)];
    return segment.get((int) (offset - segment.baseOffset));
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

  /** Segments currently retained, including the active one; for tests and metrics. */
  int segmentCount() {
    return segments.length;
  }

  /** Further appends fail; records already written stay readable. */
  @Override
  public void close() {
    appendLock.lock();
    try {
      closed = true;
    } finally {
      appendLock.unlock();
    }
  }

  @Override
  public String toString() {
    return "InMemoryCommitLog{startOffset=" + startOffset() + ", endOffset=" + endOffset()
        + ", retainedBytes=" + retainedBytes() + ", segments=" + segmentCount() + '}';
  }

  private int sizeOf(V value) {
    Objects.requireNonNull(value, "value");
    int size = recordSize.sizeOf(value);
    if (size < 0) {
      throw new IllegalArgumentException("record size must be >= 0, was " + size);
    }
    return size;
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("commit log is closed");
    }
  }

  /**
   * Under appendLock: writes the slot for offset, rolling a new segment when the active one is
   * full. {@code retainedBefore} is the byte count of everything before this record.
   */
  private void write(V value, int size, long offset, long retainedBefore) {
    long position = offset - active.baseOffset;
    boolean bytesFull = position > 0 && retainedBefore - sealedBytes + size > segmentBytes;
    if (position == segmentRecords || bytesFull) {
      active.seal(retainedBefore - sealedBytes);
      sealedBytes = retainedBefore;
      Segment<V>[] segs = segments;
      Segment<V>[] rolled = Arrays.copyOf(segs, segs.length + 1);
      active = new Segment<>(offset, segmentRecords);
      rolled[segs.length] = active;
      segments = rolled; // published before the end offset that first points into it
      position = 0;
    }
    active.set((int) position, value);
  }

  /** Under appendLock: drops oldest segments, never the active one, while over the byte bound. */
  private long enforceRetention(long retained) {
    if (retained <= retentionBytes) {
      return retained;
    }
    Segment<V>[] segs = segments;
    int drop = 0;
    while (retained > retentionBytes && drop < segs.length - 1) {
      long bytes = segs[drop].bytes();
      retained -= bytes;
      sealedBytes -= bytes;
      drop++;
    }
    if (drop > 0) {
      segments = Arrays.copyOfRange(segs, drop, segs.length);
    }
    return retained;
  }

  /** Under appendLock: the release store readers acquire; everything written before is visible. */
  private void publish(long end, long retained) {
    RETAINED_BYTES.setRelease(this, retained);
    END_OFFSET.setRelease(this, end);
  }

  /** Index of the segment holding offset (which must be >= the first segment's base). */
  private static int indexOf(Segment<?>[] segs, long offset) {
    int low = 0;
    int high = segs.length - 1;
    while (low < high) {
      int mid = (low + high + 1) >>> 1;
      if (segs[mid].baseOffset <= offset) {
        low = mid;
      } else {
        high = mid - 1;
      }
    }
    return low;
  }

  @SuppressWarnings("unchecked")
  private static <V> Segment<V>[] newArray(int length) {
    return (Segment<V>[]) new Segment<?>[length];
  }
}
