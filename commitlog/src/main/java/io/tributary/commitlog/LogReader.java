package io.tributary.commitlog;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The read side of a {@link SegmentedLog}, lock-free: load the log's end offset (acquire), then its
 * segment array, which covers everything below that end. Each segment is read under a reference
 * ({@link LogSegment#retain()}) so retention cannot free it meanwhile; a segment already freed
 * reads as gone (the caller sees the start offset move). Values at the live end come from the
 * recent-values ring; everything else is decoded from its bytes.
 */
final class LogReader<V> {

  private final SegmentedLog<V> log;
  private final RecordCodec<V> codec;
  private final RecentRecords<V> recent;

  LogReader(SegmentedLog<V> log, RecordCodec<V> codec, RecentRecords<V> recent) {
    this.log = log;
    this.codec = codec;
    this.recent = recent;
  }

  long read(long fromOffset, int maxRecords, RecordConsumer<? super V> consumer) {
    Objects.requireNonNull(consumer, "consumer");
    long end = log.endOffset(); // before segments: the array loaded next covers everything below end
    if (fromOffset >= end || maxRecords <= 0) {
      // Nothing to deliver. Still clamp to startOffset so a caller behind retention sees the gap.
      return fromOffset >= end ? fromOffset : Math.max(fromOffset, log.startOffset());
    }
    LogSegment[] segs = log.segments();
    long offset = Math.max(fromOffset, segs[0].baseOffset);
    long limit = end - offset <= maxRecords ? end : offset + maxRecords;
    // The live end is usually still in the recent values: no segment access, no decoding.
    V value;
    while (offset < limit && (value = recent.get(offset)) != null) {
      if (!consumer.accept(offset, value)) {
        return offset;
      }
      offset++;
    }
    int index = indexOf(segs, offset);
    while (offset < limit && index < segs.length) {
      LogSegment segment = segs[index++];
      long segmentLimit = Math.min(limit, segment.sealedEnd());
      if (index < segs.length) {
        segmentLimit = Math.min(segmentLimit, segs[index].baseOffset);
      }
      if (offset < segmentLimit) {
        if (!segment.retain()) {
          return Math.max(offset, log.startOffset()); // deleted by retention (or the log closed) meanwhile
        }
        try {
          long stopped = readSegment(segment, offset, segmentLimit, consumer);
          if (stopped < segmentLimit) {
            return stopped;
          }
        } finally {
          segment.release();
        }
      }
      // A gap recovery left between segments is skipped: those offsets hold nothing.
      offset = index < segs.length ? Math.max(segmentLimit, Math.min(limit, segs[index].baseOffset)) : segmentLimit;
    }
    return offset;
  }

  /** Delivers [offset, limit) of one retained segment; returns where it stopped. */
  private long readSegment(LogSegment segment, long offset, long limit, RecordConsumer<? super V> consumer) {
    ByteBuffer data = segment.data();
    int position = segment.positionOf(offset);
    while (offset < limit) {
      int size = data.getInt(position + RecordFormat.SIZE);
      V value = recent.get(offset);
      if (value == null) {
        value = codec.read(data, position + RecordFormat.HEADER_BYTES, size - RecordFormat.HEADER_BYTES,
            data.getLong(position + RecordFormat.TIMESTAMP));
      }
      if (!consumer.accept(offset, value)) {
        return offset;
      }
      position += size;
      offset++;
    }
    return offset;
  }

  V get(long offset) {
    if (offset >= log.endOffset() || offset < log.startOffset()) {
      return null;
    }
    V value = recent.get(offset);
    if (value != null) {
      return value;
    }
    Object[] found = new Object[1];
    read(offset, 1, (at, v) -> {
      if (at == offset) {
        found[0] = v;
      }
      return true;
    });
    @SuppressWarnings("unchecked")
    V v = (V) found[0];
    return v;
  }

  long offsetForTime(long timestampMs) {
    long end = log.endOffset();
    LogSegment[] segs = log.segments();
    // The last segment whose first record is older than the time holds the answer, or its successor.
    for (int i = segs.length - 1; i >= 0; i--) {
      LogSegment segment = segs[i];
      long segmentEnd = Math.min(end, Math.min(segment.sealedEnd(), i + 1 < segs.length ? segs[i + 1].baseOffset : end));
      if (segmentEnd <= segment.baseOffset || !segment.retain()) {
        continue;
      }
      try {
        long firstTimestamp = segment.data().getLong(RecordFormat.TIMESTAMP);
        if (firstTimestamp < timestampMs || i == 0) {
          long found = firstTimestamp >= timestampMs ? segment.baseOffset : segment.offsetForTime(timestampMs, segmentEnd);
          return found < segmentEnd || i + 1 >= segs.length ? found : segs[i + 1].baseOffset;
        }
      } finally {
        segment.release();
      }
    }
    return Math.max(log.startOffset(), Math.min(end, segs[0].baseOffset));
  }

  /** Index of the segment holding offset (which must be >= the first segment's base). */
  private static int indexOf(LogSegment[] segs, long offset) {
    int low = 0;
    int high = segs.length - 1;
    while (low < high) {
      int mid = (low + high + 1) >>> 1;
      if (segs[mid].baseOffset <= offset) {
        low = mid;
      } else {
        high = mid - 1;
      }
    }
    return low;
  }
}
