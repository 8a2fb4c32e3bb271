package io.tributary.commitlog;

/**
 * A run of {@code capacity} consecutive offsets starting at {@code baseOffset}, held in a slot
 * array. Only the appender holding the log's lock writes; slots are filled in order and never
 * change afterwards, so a reader that learned of a slot through the log's end offset can read it
 * without a lock, even after retention has dropped the segment from the log.
 *
 * <p>Nothing here is written per append except the slot itself: readers on other cores read this
 * object's header fields, and a per-append counter next to them would bounce the cache line.
 */
final class Segment<V> {

  final long baseOffset;
  private final Object[] slots;
  // Set once when the segment is sealed (rolled); guarded by the log's append lock.
  private long bytes;

  Segment(long baseOffset, int capacity) {
    this.baseOffset = baseOffset;
    this.slots = new Object[capacity];
  }

  /** Writes a slot; the caller publishes it afterwards through the log's end offset. */
  void set(int position, V value) {
    slots[position] = value;
  }

  @SuppressWarnings("unchecked")
  V get(int position) {
    return (V) slots[position];
  }

  /** Bytes of this sealed segment's records, as counted by the log's RecordSize. */
  long bytes() {
    return bytes;
  }

  void seal(long bytes) {
    this.bytes = bytes;
  }
}
