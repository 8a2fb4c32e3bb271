package io.tributary.commitlog;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Encodes records (header and body, CRC included, offset left blank) into a heap buffer of its
 * own, one per appending thread, so the log's lock covers only the copy into the segment.
 */
final class RecordWriter {

  /** A buffer grown past this for a large record is dropped after use, not kept per thread. */
  private static final int KEEP_BYTES = 1 << 20;

  private final RecordCodec<Object> codec;
  private final CRC32C crc = new CRC32C();
  private ByteBuffer buffer = ByteBuffer.allocate(4096);
  private int[] starts = new int[16];
  private long[] timestamps = new long[16];
  private int count;

  @SuppressWarnings("unchecked")
  RecordWriter(RecordCodec<?> codec) {
    this.codec = (RecordCodec<Object>) codec;
  }

  /** Encodes one record at position 0. */
  void encode(Object value) {
    count = 0;
    buffer.clear();
    add(value);
  }

  /** Encodes the records one after another. */
  void encodeAll(List<?> values) {
    count = 0;
    buffer.clear();
    for (int i = 0, n = values.size(); i < n; i++) {
      add(values.get(i));
    }
  }

  /** Records encoded by the last call. */
  int count() {
    return count;
  }

  private void add(Object value) {
    if (value == null) {
      throw new NullPointerException("value");
    }
    int body = codec.sizeOf(value);
    if (body < 0 || body > Integer.MAX_VALUE - RecordFormat.HEADER_BYTES - buffer.position()) {
      throw new IllegalArgumentException("record body size out of range: " + body);
    }
    int size = RecordFormat.HEADER_BYTES + body;
    ensureRoom(size);
    int start = buffer.position();
    long timestamp = codec.timestampOf(value);
    buffer.putLong(0L).putInt(size).putInt(0).putShort((short) 0).putLong(timestamp);
    codec.write(value, buffer);
    if (buffer.position() != start + size) {
      throw new IllegalStateException("codec wrote " + (buffer.position() - start - RecordFormat.HEADER_BYTES)
          + " bytes, said " + body);
    }
    buffer.putInt(start + RecordFormat.CRC, RecordFormat.crcOf(crc, buffer, start, size));
    if (count == starts.length) {
      starts = java.util.Arrays.copyOf(starts, count * 2);
      timestamps = java.util.Arrays.copyOf(timestamps, count * 2);
    }
    starts[count] = start;
    timestamps[count] = timestamp;
    count++;
  }

  private void ensureRoom(int size) {
    if (buffer.remaining() < size) {
      long wanted = Math.max((long) buffer.capacity() * 2, (long) buffer.position() + size);
      ByteBuffer bigger = ByteBuffer.allocate((int) Math.min(Integer.MAX_VALUE - 8, wanted));
      buffer.flip();
      bigger.put(buffer);
      buffer = bigger;
    }
  }

  ByteBuffer buffer() {
    return buffer;
  }

  int start(int i) {
    return starts[i];
  }

  int length(int i) {
    return (i + 1 < count ? starts[i + 1] : buffer.position()) - starts[i];
  }

  long timestamp(int i) {
    return timestamps[i];
  }

  /** After the append: a buffer grown for a large record is not kept. */
  void release() {
    if (buffer.capacity() > KEEP_BYTES) {
      buffer = ByteBuffer.allocate(4096);
    }
  }
}
