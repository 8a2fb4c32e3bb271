package io.tributary.commitlog;

import java.nio.ByteBuffer;

/**
 * Turns a value into a record body and back. The log owns the header (offset, size, CRC,
 * attributes, timestamp, see {@link RecordFormat}); the codec owns what the body means.
 */
public interface RecordCodec<V> {

  /** Bytes {@link #write} will put for value. */
  int sizeOf(V value);

  /** Writes exactly {@link #sizeOf} bytes at dst's position, advancing it. */
  void write(V value, ByteBuffer dst);

  /** Wall-clock time (ms) stored in the header; the time index and time retention use it. */
  long timestampOf(V value);

  /**
   * Reads the body of {@code length} bytes at {@code position} of {@code src} with absolute gets
   * only ({@code src} is shared by concurrent readers). Must copy what it keeps: the bytes stay
   * valid only during the call.
   */
  V read(ByteBuffer src, int position, int length, long timestamp);
}
