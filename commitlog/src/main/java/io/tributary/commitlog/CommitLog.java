package io.tributary.commitlog;

import java.util.List;

/**
 * The shared append-only log. Values are stored once; readers address them by 64-bit offset.
 *
 * <p>Offsets start at 0 and grow by one per record. Records in {@code [startOffset(), endOffset())}
 * are readable; retention moves {@code startOffset()} forward by whole segments.
 *
 * <p>Storage seam: callers only see this interface, so a file-backed log (Kafka-style segment
 * files plus an offset index, with a codec for {@code V}) can be added later as another
 * implementation next to {@link InMemoryCommitLog} without touching the router.
 *
 * @param <V> the record type; {@code null} values are rejected because {@code null} means "absent"
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

  /** Oldest offset still retained. */
  long startOffset();

  /** Next offset to be assigned; everything below it and >= startOffset() is readable. */
  long endOffset();

  /** Bytes currently retained (sum of sizes from the RecordSize function). */
  long retainedBytes();

  /** Stops accepting appends. */
  @Override
  void close();
}
