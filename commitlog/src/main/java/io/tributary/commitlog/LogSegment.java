package io.tributary.commitlog;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One segment of the log: the records from {@code baseOffset} in one data buffer, plus a sparse
 * offset index and time index. On disk these are three files named by the base offset
 * ({@code 00000000000000000000.log}, {@code .index}, {@code .timeindex}), mapped into memory and
 * preallocated with zeros; in memory they are direct buffers. Record layout: {@link RecordFormat}.
 *
 * <p>Under {@code flush: always} a new segment is written behind: appends copy into a direct buffer
 * (which readers read, as in memory), and the flusher writes each new range to the file with
 * {@code pwrite} before its fsync; once the segment is complete and on disk, readers move to a
 * read-only mapping of the file and the buffer is freed. Measured why: an fsync of pages dirtied
 * through a writable mapping write-protects them, and the next append into the same page faults
 * and waits; with an fsync after every few records that cycle cost more than half the fsyncs per
 * second (1,400-1,700/s against 2,900-3,800/s writing behind, 100-byte records, 256 in flight, on
 * the CI machine). A {@code pwrite} per record instead was slower still (the file's times are
 * updated on every write). Other policies append into a writable mapping: no system call per
 * record, and a process crash loses nothing (the kernel owns the pages).
 *
 * <p>Not thread-safe for writers: the log calls the mutators under its append lock. Readers read
 * records below the log's published end offset with absolute gets, holding a reference
 * ({@link #retain()}/{@link #release()}) so the memory is not freed under them.
 */
final class LogSegment {

  final long baseOffset;
  private final Path dataFile;
  // The records: a mapping, a direct buffer, or (written behind) a buffer until the mapping replaces it.
  private volatile ByteBuffer data;
  /** Written behind: the data file's channel, and the buffer the mapping replaced until no reader has it. */
  private final FileChannel channel;
  private final AtomicReference<ByteBuffer> retired = new AtomicReference<>();
  private final SparseIndex offsetIndex;
  private final SparseIndex timeIndex;
  private final int indexIntervalBytes;
  private final AtomicInteger refs = new AtomicInteger(1);

  // Appender state, under the log's lock (readers rely only on what the end offset published).
  private int size;
  private long nextOffset;
  private long maxTimestamp;
  private int bytesSinceIndex;
  private final long createdMs;
  // The offset after the last record once sealed; readers use it to skip a gap recovery left.
  private volatile long sealedEnd = Long.MAX_VALUE;
  // Flusher state: bytes known to be on disk.
  private int flushedSize;
  /** The flusher's: the indexes of this (complete) segment are on disk. */
  private boolean indexesFlushed;
  private volatile boolean deleted;

  private LogSegment(long baseOffset, Path dataFile, ByteBuffer data, FileChannel channel, ByteBuffer offsetIndex,
      ByteBuffer timeIndex, int indexIntervalBytes, long createdMs) {
    this.baseOffset = baseOffset;
    this.dataFile = dataFile;
    this.data = data;
    this.channel = channel;
    this.offsetIndex = new SparseIndex(offsetIndex);
    this.timeIndex = new SparseIndex(timeIndex);
    this.indexIntervalBytes = indexIntervalBytes;
    this.nextOffset = baseOffset;
    this.createdMs = createdMs;
  }

  /** Whether new segments of a log with these options are written behind (see the class comment). */
  static boolean writtenBehind(CommitLogOptions options) {
    return options.getStorage() == Storage.DISK && options.getFlush() == FlushPolicy.ALWAYS;
  }

  /**
   * A new empty segment: direct buffers when dir is null; else files under dir, mapped, or with
   * {@code writeBehind} a data file the flusher writes from a direct buffer.
   */
  static LogSegment create(Path dir, long baseOffset, int capacity, int indexIntervalBytes, boolean writeBehind,
      long nowMs) throws IOException {
    int indexBytes = indexCapacity(capacity, indexIntervalBytes);
    if (dir == null) {
      return new LogSegment(baseOffset, null, SegmentBuffers.allocate(capacity), null,
          SegmentBuffers.allocate(indexBytes), SegmentBuffers.allocate(indexBytes), indexIntervalBytes, nowMs);
    }
    if (!writeBehind) {
      return open(dir, baseOffset, capacity, indexIntervalBytes, nowMs);
    }
    Path file = dir.resolve(fileName(baseOffset, ".log"));
    FileChannel channel = SegmentBuffers.createSparse(file, capacity);
    try {
      return new LogSegment(baseOffset, file, SegmentBuffers.allocate(capacity), channel,
          mapAtLeast(dir.resolve(fileName(baseOffset, ".index")), indexBytes),
          mapAtLeast(dir.resolve(fileName(baseOffset, ".timeindex")), indexBytes), indexIntervalBytes, nowMs);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /**
   * Maps the segment's files (creating missing ones), at least capacity bytes of data. Recovery
   * opens every segment so; a recovered active segment stays mapped until it rolls.
   */
  static LogSegment open(Path dir, long baseOffset, int capacity, int indexIntervalBytes, long nowMs)
      throws IOException {
    Path file = dir.resolve(fileName(baseOffset, ".log"));
    int dataCapacity = (int) Math.max(capacity, sizeOr0(file));
    int indexBytes = indexCapacity(dataCapacity, indexIntervalBytes);
    return new LogSegment(baseOffset, file, SegmentBuffers.map(file, dataCapacity), null,
        mapAtLeast(dir.resolve(fileName(baseOffset, ".index")), indexBytes),
        mapAtLeast(dir.resolve(fileName(baseOffset, ".timeindex")), indexBytes), indexIntervalBytes, nowMs);
  }

  /** Maps the whole file, extended with zeros to at least bytes. */
  private static ByteBuffer mapAtLeast(Path file, int bytes) throws IOException {
    return SegmentBuffers.map(file, Math.max(bytes, sizeOr0(file)));
  }

  static String fileName(long baseOffset, String suffix) {
    return String.format("%020d%s", baseOffset, suffix);
  }

  private static int indexCapacity(int dataCapacity, int indexIntervalBytes) {
    // One entry per interval, plus the first record's, plus one for a final partial interval.
    long entries = dataCapacity / indexIntervalBytes + 2;
    return (int) Math.min(Integer.MAX_VALUE - 16, entries * SparseIndex.ENTRY_BYTES);
  }

  private static long sizeOr0(Path file) throws IOException {
    return Files.exists(file) ? Files.size(file) : 0;
  }

  // ---- appending (under the log's lock) ----

  /** Room for len more bytes in this segment's buffer? */
  boolean hasRoomFor(int len) {
    return data.capacity() - size >= len;
  }

  /**
   * Copies one encoded record (offset field still blank) from src and stamps its offset. Index
   * entries are added for the first record and then once per indexIntervalBytes.
   */
  void append(ByteBuffer src, int srcPosition, int len, long offset, long timestamp) {
    ByteBuffer data = this.data; // a segment being appended to is never swapped
    data.put(size, src, srcPosition, len);
    data.putLong(size + RecordFormat.OFFSET, offset);
    indexRecord(offset, size, len, timestamp);
    size += len;
    nextOffset = offset + 1;
  }

  private void indexRecord(long offset, int position, int len, long timestamp) {
    if (offset == baseOffset || bytesSinceIndex >= indexIntervalBytes) {
      offsetIndex.add(offset, position);
      // Key: the newest timestamp of every record before this one, so a search for time t may
      // start at the last entry whose key is below t (clocks of publishing threads interleave).
      timeIndex.add(offset == baseOffset ? 0 : maxTimestamp, (int) (offset - baseOffset));
      bytesSinceIndex = 0;
    }
    bytesSinceIndex += len;
    maxTimestamp = Math.max(maxTimestamp, timestamp);
  }

  /** No more appends: readers stop at nextOffset even if a later segment starts beyond it. */
  void seal() {
    sealedEnd = nextOffset;
  }

  // ---- reading (any thread, below the log's published end) ----

  /** Byte position of offset's record; offset must be in [baseOffset, the readable end). */
  int positionOf(long offset) {
    ByteBuffer data = this.data;
    int entry = offsetIndex.floor(offset);
    int position = entry < 0 ? 0 : offsetIndex.value(entry);
    long at = entry < 0 ? baseOffset : offsetIndex.key(entry);
    while (at < offset) {
      position += data.getInt(position + RecordFormat.SIZE);
      at++;
    }
    return position;
  }

  /** The first offset at or after which records have timestamps >= time (an index-guided scan). */
  long offsetForTime(long time, long end) {
    int entry = timeIndex.floor(time - 1);
    long offset = baseOffset + (entry < 0 ? 0 : timeIndex.value(entry));
    int position = positionOf(offset);
    ByteBuffer data = this.data;
    while (offset < end && data.getLong(position + RecordFormat.TIMESTAMP) < time) {
      position += data.getInt(position + RecordFormat.SIZE);
      offset++;
    }
    return offset;
  }

  ByteBuffer data() {
    return data;
  }

  long sealedEnd() {
    return sealedEnd;
  }

  /** Takes a reader's reference; false when the segment was deleted and freed. */
  boolean retain() {
    for (;;) {
      int r = refs.get();
      if (r == 0) {
        return false;
      }
      if (refs.compareAndSet(r, r + 1)) {
        return true;
      }
    }
  }

  /**
   * Drops a reference; the last one frees the buffers (the log holds one until it drops the
   * segment). A written-behind buffer the mapping replaced is freed as soon as only the log's
   * reference is left: every reader that could have taken it has released it by then.
   */
  void release() {
    int left = refs.decrementAndGet();
    if (left <= 1) {
      SegmentBuffers.free(retired.getAndSet(null));
    }
    if (left == 0) {
      closeChannel();
      SegmentBuffers.free(data);
      SegmentBuffers.free(offsetIndex.buffer());
      SegmentBuffers.free(timeIndex.buffer());
    }
  }

  /** Retention: the files go now (Linux keeps a mapped file until unmapped), the memory with the last reader. */
  void delete() throws IOException {
    deleted = true;
    if (dataFile != null) {
      Files.deleteIfExists(dataFile);
      Files.deleteIfExists(sibling(".index"));
      Files.deleteIfExists(sibling(".timeindex"));
    }
    release();
  }

  private void closeChannel() {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        // Closing after the last use; nothing is left to lose.
      }
    }
  }

  private Path sibling(String suffix) {
    return dataFile.resolveSibling(fileName(baseOffset, suffix));
  }

  // ---- flushing (the flusher thread, holding a reference) ----

  /**
   * Forces bytes [flushed, upTo) of the data to disk (written behind: writes them to the file
   * first); the indexes too, once, when the segment is complete, and then a written-behind segment
   * moves its readers to a mapping of the file. Nothing already on disk is forced again: an fsync
   * with nothing to write still costs a system call and a journal check, and under
   * {@code flush: always} this runs for every group commit (before, every group commit forced the
   * indexes of every complete segment again).
   */
  void flush(int upTo, boolean complete) throws IOException {
    if (deleted) {
      return;
    }
    if (upTo > flushedSize) {
      if (channel != null) {
        ByteBuffer range = data.duplicate().limit(upTo).position(flushedSize);
        for (long at = flushedSize; range.hasRemaining(); ) {
          at += channel.write(range, at);
        }
        channel.force(false); // fdatasync: this file's dirty pages, the range just written
      } else if (data instanceof MappedByteBuffer) {
        ((MappedByteBuffer) data).force(flushedSize, upTo - flushedSize);
      }
      flushedSize = upTo;
    }
    if (complete && !indexesFlushed) {
      offsetIndex.force();
      timeIndex.force();
      indexesFlushed = true;
      if (channel != null) {
        ByteBuffer written = data;
        data = channel.map(FileChannel.MapMode.READ_ONLY, 0, written.capacity());
        retired.set(written); // freed by release() once no reader holds it
      }
    }
  }

  // ---- recovery (single-threaded, before the log is shared) ----

  SparseIndex offsetIndex() {
    return offsetIndex;
  }

  SparseIndex timeIndex() {
    return timeIndex;
  }

  /**
   * Recovery, for each valid record it scans: indexes it exactly as its append did, or, for the
   * record the last kept index entry points at, only counts it.
   */
  void recovered(long offset, int position, int len, long timestamp, boolean alreadyIndexed) {
    if (alreadyIndexed) {
      bytesSinceIndex = len;
      maxTimestamp = Math.max(maxTimestamp, timestamp);
    } else {
      indexRecord(offset, position, len, timestamp);
    }
    size = position + len;
    flushedSize = size;
    nextOffset = offset + 1;
  }

  /** Recovery: starts the scan state from the last kept time index entry's key. */
  void startScan(long maxTimestampBefore) {
    this.maxTimestamp = maxTimestampBefore;
    this.bytesSinceIndex = 0;
    this.size = 0;
    this.flushedSize = 0;
    this.nextOffset = baseOffset;
  }

  int size() {
    return size;
  }

  long nextOffset() {
    return nextOffset;
  }

  long maxTimestamp() {
    return maxTimestamp;
  }

  long createdMs() {
    return createdMs;
  }

  boolean isEmpty() {
    return nextOffset == baseOffset;
  }

  Path dataFile() {
    return dataFile;
  }

  @Override
  public String toString() {
    return "LogSegment{base=" + baseOffset + ", next=" + nextOffset + ", bytes=" + size + '}';
  }
}
