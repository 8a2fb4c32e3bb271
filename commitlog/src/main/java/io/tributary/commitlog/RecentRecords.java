package io.tributary.commitlog;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The values of the last tens of thousands of small appends, as the appender passed them in, so
 * readers near the live end of the log deliver without decoding bytes: every core's dispatcher,
 * and sessions catching up after a full window or socket, which read every record of the log to
 * find theirs (decoding each would cost them an allocation per record of every other client).
 * Bounded on purpose: the log's records are bytes; a value stays here only until {@code CAPACITY}
 * newer appends overwrite its slot or, at lower rates, for about half a second (the flusher clears
 * older ones), and only records up to {@code MAX_RECORD_BYTES} come here, so this holds at most
 * capacity x 1 KiB however much the log retains, and little of it survives a young collection (the
 * old in-heap log made the collector copy every retained record).
 */
final class RecentRecords<V> {

  /** Larger records are decoded from their bytes by every reader (the copy dwarfs the decoding). */
  static final int MAX_RECORD_BYTES = 1024;
  /** Slots: a power of two, 1/8192 of the maximum heap, between 4,096 and 65,536. */
  static final int CAPACITY = capacityFor(Runtime.getRuntime().maxMemory());
  private static final int MASK = CAPACITY - 1;

  static int capacityFor(long maxHeapBytes) {
    long wanted = Math.max(4096, Math.min(65536, maxHeapBytes / 8192));
    return Integer.highestOneBit((int) wanted);
  }

  private static final class Entry<V> {
    final long offset;
    final V value;

    Entry(long offset, V value) {
      this.offset = offset;
      this.value = value;
    }
  }

  private final AtomicReferenceArray<Entry<V>> slots = new AtomicReferenceArray<>(CAPACITY);
  /** Offsets below this were cleared by {@link #clearBelow}; only the sweeping thread uses it. */
  private long clearedBelow;

  /** Appender, before publishing the offset. */
  void put(long offset, V value, int recordBytes) {
    slots.lazySet((int) (offset & MASK), recordBytes <= MAX_RECORD_BYTES ? new Entry<>(offset, value) : null);
  }

  /** The value at offset if it is still here, else null. */
  V get(long offset) {
    Entry<V> e = slots.get((int) (offset & MASK));
    return e != null && e.offset == offset ? e.value : null;
  }

  /**
   * Drops the values of records below offset (one thread, the log's flusher, calls this): at a
   * low rate a slot is not overwritten for seconds, and a value that lives that long is copied by
   * every young collection, which is what the byte log is there to avoid.
   */
  void clearBelow(long offset) {
    for (long o = Math.max(clearedBelow, offset - CAPACITY); o < offset; o++) {
      int i = (int) (o & MASK);
      Entry<V> e = slots.get(i);
      if (e != null && e.offset == o) {
        slots.compareAndSet(i, e, null);
      }
    }
    clearedBelow = Math.max(clearedBelow, offset);
  }

  void clear() {
    for (int i = 0; i < CAPACITY; i++) {
      slots.set(i, null);
    }
  }
}
