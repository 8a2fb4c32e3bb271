package io.tributary.commitlog;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The bytes of one record, big-endian, as in every segment file and off-heap buffer:
 *
 * <pre>
 *   0  offset      int64   the record's log offset
 *   8  size        int32   bytes of the whole record, header included
 *  12  crc         int32   CRC32C of bytes [16, size): attributes, timestamp and body
 *  16  attributes  int16   format flags, 0 today
 *  18  timestamp   int64   wall-clock ms the broker accepted it
 *  26  body        size - 26 bytes, meaning owned by the {@link RecordCodec}
 * </pre>
 *
 * The CRC leaves the offset out (as Kafka's batch CRC does), so a record is encoded and checksummed
 * before the append lock, which only writes the offset. A size of 0 marks the end of the written
 * part of a segment (files are preallocated with zeros).
 */
public final class RecordFormat {

  public static final int OFFSET = 0;
  public static final int SIZE = 8;
  public static final int CRC = 12;
  public static final int ATTRIBUTES = 16;
  public static final int TIMESTAMP = 18;
  public static final int HEADER_BYTES = 26;

  private RecordFormat() {
  }

  /** CRC32C of {@code [position + ATTRIBUTES, position + size)} of buf; buf's position is untouched. */
  public static int crcOf(ByteBuffer buf, int position, int size) {
    return crcOf(new CRC32C(), buf, position, size);
  }

  /** The same with a CRC32C of the caller's (reset here), and no allocation for a heap buffer. */
  static int crcOf(CRC32C crc, ByteBuffer buf, int position, int size) {
    crc.reset();
    if (buf.hasArray()) {
      crc.update(buf.array(), buf.arrayOffset() + position + ATTRIBUTES, size - ATTRIBUTES);
    } else {
      crc.update(buf.duplicate().limit(position + size).position(position + ATTRIBUTES));
    }
    return (int) crc.getValue();
  }

  /**
   * Why the record at position is not a valid record with the expected offset, or null when it is;
   * "end" when the size field is 0 (the clean end of a preallocated segment).
   */
  public static String problemAt(ByteBuffer buf, int position, int limit, long expectedOffset) {
    if (limit - position < SIZE + 4) {
      return limit == position || isZero(buf, position, limit) ? "end"
          : "header cut short (" + (limit - position) + " bytes left)";
    }
    int size = buf.getInt(position + SIZE);
    if (size == 0) {
      return "end";
    }
    if (size < HEADER_BYTES || size > limit - position) {
      return "size " + size + " out of range (" + (limit - position) + " bytes left)";
    }
    long offset = buf.getLong(position + OFFSET);
    if (expectedOffset >= 0 && offset != expectedOffset) {
      return "offset " + offset + " where " + expectedOffset + " was expected";
    }
    int stored = buf.getInt(position + CRC);
    int actual = crcOf(buf, position, size);
    if (stored != actual) {
      return String.format("CRC mismatch (stored %08x, computed %08x)", stored, actual);
    }
    return null;
  }

  /** Sees each valid record a {@link #scan} walks over. */
  @FunctionalInterface
  public interface RecordVisitor {
    void record(long offset, int position, int size, long timestamp);
  }

  /**
   * Where a scan stopped: the byte position and offset after the last valid record, and why it
   * stopped ("end" at the clean end of the written part).
   */
  public record Scan(int end, long nextOffset, String problem) {}

  /**
   * Walks the records of buf from position (whose record must have {@code offset}), checking each
   * ({@link #problemAt}) and handing the valid ones to visitor, up to the first that is not.
   */
  public static Scan scan(ByteBuffer buf, int position, long offset, RecordVisitor visitor) {
    String problem;
    while ((problem = problemAt(buf, position, buf.capacity(), offset)) == null) {
      int size = buf.getInt(position + SIZE);
      visitor.record(offset, position, size, buf.getLong(position + TIMESTAMP));
      position += size;
      offset++;
    }
    return new Scan(position, offset, problem);
  }

  /** Whether bytes [from, to) of buf are all zero. */
  public static boolean isZero(ByteBuffer buf, int from, int to) {
    return lastNonZero(buf, from, to) < 0;
  }

  /** Position of the last non-zero byte in [from, to), or -1; reads 8 bytes at a time. */
  public static int lastNonZero(ByteBuffer buf, int from, int to) {
    int i = to;
    while (i - 8 >= from && buf.getLong(i - 8) == 0) {
      i -= 8;
    }
    while (i > from) {
      if (buf.get(i - 1) != 0) {
        return i - 1;
      }
      i--;
    }
    return -1;
  }
}
