package io.tributary.commitlog;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The values of the last few thousand small appends, as the appender passed them in, so readers at
 * the live end of the log (the common case: every core's dispatcher) deliver without decoding
 * bytes. Bounded and short-lived on purpose: the log's records are bytes; a value stays here only
 * until {@code CAPACITY} newer appends overwrite its slot, and only records up to
 * {@code MAX_RECORD_BYTES} come here, so this holds at most a few MiB however large the messages
 * (the old in-heap log made the collector copy every retained record).
 */
final class RecentRecords<V> {

  static final int CAPACITY = 2048;
  /** Larger records are decoded from their bytes by every reader (the copy dwarfs the decoding). */
  static final int MAX_RECORD_BYTES = 2048;
  private static final int MASK = CAPACITY - 1;

  private static final class Entry<V> {
    final long offset;
    final V value;

    Entry(long offset, V value) {
      this.offset = offset;
      this.value = value;
    }
  }

  private final AtomicReferenceArray<Entry<V>> slots = new AtomicReferenceArray<>(CAPACITY);

  /** Appender, before publishing the offset. */
  void put(long offset, V value, int recordBytes) {
    slots.lazySet((int) (offset & MASK), recordBytes <= MAX_RECORD_BYTES ? new Entry<>(offset, value) : null);
  }

  /** The value at offset if it is still here, else null. */
  V get(long offset) {
    Entry<V> e = slots.get((int) (offset & MASK));
    return e != null && e.offset == offset ? e.value : null;
  }

  void clear() {
    for (int i = 0; i < CAPACITY; i++) {
      slots.set(i, null);
    }
  }
}
