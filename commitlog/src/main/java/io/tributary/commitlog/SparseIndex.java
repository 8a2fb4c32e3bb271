package io.tributary.commitlog;

import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;

/**
 * A sorted array of (key int64, value int32) entries in a buffer: a segment's offset index (offset
 * -> byte position) and its time index (largest timestamp so far -> offset), one entry per
 * {@link CommitLogOptions#getIndexIntervalBytes()} of records, as Kafka's are. Only the appender
 * adds entries; readers search the entries the log's end offset has published to them.
 */
final class SparseIndex {

  static final int ENTRY_BYTES = 12;

  private final ByteBuffer buf;
  private final int maxEntries;
  // Written by the appender before it publishes the end offset readers load; an int cannot tear.
  private int entries;

  SparseIndex(ByteBuffer buf) {
    this.buf = buf;
    this.maxEntries = buf.capacity() / ENTRY_BYTES;
  }

  int entries() {
    return entries;
  }

  long key(int i) {
    return buf.getLong(i * ENTRY_BYTES);
  }

  int value(int i) {
    return buf.getInt(i * ENTRY_BYTES + 8);
  }

  /** Adds an entry; a full index keeps its last one (lookups then scan further, still correct). */
  void add(long key, int value) {
    if (entries == maxEntries) {
      return;
    }
    buf.putLong(entries * ENTRY_BYTES, key);
    buf.putInt(entries * ENTRY_BYTES + 8, value);
    entries++;
  }

  /** Index of the last entry with key <= key, -1 when there is none. */
  int floor(long key) {
    int low = 0;
    int high = entries - 1;
    int found = -1;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      if (key(mid) <= key) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found;
  }

  /**
   * Recovery: takes the first n entries already in the buffer as valid and zeroes everything after
   * them, so entries added from here on are the only others.
   */
  void truncateTo(int n) {
    entries = Math.min(n, maxEntries);
    int from = entries * ENTRY_BYTES;
    if (RecordFormat.lastNonZero(buf, from, buf.capacity()) >= 0) {
      for (int i = from; i < buf.capacity(); i++) {
        buf.put(i, (byte) 0);
      }
    }
  }

  int maxEntries() {
    return maxEntries;
  }

  ByteBuffer buffer() {
    return buf;
  }

  void force() {
    if (buf instanceof MappedByteBuffer) {
      ((MappedByteBuffer) buf).force(0, entries * ENTRY_BYTES);
    }
  }
}
