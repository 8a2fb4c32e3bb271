package io.tributary.commitlog;

import java.util.List;

/**
 * The shared append-only log. Values are stored once, as bytes; readers address them by 64-bit
 * offset.
 *
 * <p>Offsets start at 0 (or where a recovered log ended) and grow by one per record. Records in
 * {@code [startOffset(), endOffset())} are readable; retention moves {@code startOffset()} forward
 * by whole segments.
 *
 * @param <V> the value type, turned into record bodies by a {@link RecordCodec}
 */
public interface CommitLog<V> extends AutoCloseable {

  /** Appends one value, thread-safe from any thread; returns its offset. */
  long append(V value);

  /**
   * Appends values as one batch under one critical section; returns the offset of the first
   * (values get consecutive offsets). Empty list -> returns endOffset() and appends nothing.
   */
  long appendAll(List<? extends V> values);

  /**
   * Delivers records from max(fromOffset, startOffset()) up to endOffset() (exclusive, as seen at
   * call start), at most maxRecords, in offset order, without taking locks. Stops early when the
   * consumer returns false (that record counts as NOT consumed). Returns the offset after the last
   * consumed record (= the next offset to read). If fromOffset < startOffset() the caller can
   * detect the gap because the returned/delivered offsets start at startOffset().
   */
  long read(long fromOffset, int maxRecords, RecordConsumer<? super V> consumer);

  /** The value at offset, or null if it was removed by retention or is not yet written. Lock-free. */
  V get(long offset);

  /**
   * The first offset whose record was stored at or after {@code timestampMs} (wall clock), or
   * endOffset() if none was; startOffset() when every retained record is that new.
   */
  long offsetForTime(long timestampMs);

  /**
   * Runs action once every record below {@code offset + 1} is as durable as the flush policy makes
   * it: at once, on the caller's thread, unless the policy is {@link FlushPolicy#ALWAYS} on disk,
   * where it runs on the log's flusher thread after the fsync that covers the record.
   */
  void whenDurable(long offset, Runnable action);

  /** Whether {@link #whenDurable} would run its action at once for this offset. */
  boolean isDurable(long offset);

  /** Oldest offset still retained. */
  long startOffset();

  /** Next offset to be assigned; everything below it and >= startOffset() is readable. */
  long endOffset();

  /** Bytes of records currently retained, headers included. */
  long retainedBytes();

  /** Segments currently retained, the active one included. */
  int segmentCount();

  /** What opening the log found (an empty report for a new in-memory log). */
  RecoveryReport recovery();

  /** Forces (fsyncs) done so far; 0 for a log that never forces. */
  default long flushCount() {
    return 0;
  }

  /** Time spent in those forces, in nanoseconds, in all. */
  default long flushNanos() {
    return 0;
  }

  /** Stops appends, forces what the flush policy promises, frees the buffers once readers are done. */
  @Override
  void close();
}
