package io.tributary.commitlog;

import java.util.Objects;

/** Options of a {@link CommitLog}: defaults, fluent setters that validate, and a copy constructor. */
public final class CommitLogOptions {

  /** Records per segment; a segment is the unit retention drops. */
  public static final int DEFAULT_SEGMENT_RECORDS = 16384;

  /** Bytes after which a segment is rolled even if it has room for more records. */
  public static final long DEFAULT_SEGMENT_BYTES = 16L * 1024 * 1024;

  /** Retained bytes above which the oldest segments are dropped. */
  public static final long DEFAULT_RETENTION_BYTES = 256L * 1024 * 1024;

  private int segmentRecords = DEFAULT_SEGMENT_RECORDS;
  private long segmentBytes = DEFAULT_SEGMENT_BYTES;
  private long retentionBytes = DEFAULT_RETENTION_BYTES;

  public CommitLogOptions() {
  }

  public CommitLogOptions(CommitLogOptions other) {
    Objects.requireNonNull(other, "other");
    this.segmentRecords = other.segmentRecords;
    this.segmentBytes = other.segmentBytes;
    this.retentionBytes = other.retentionBytes;
  }

  public int getSegmentRecords() {
    return segmentRecords;
  }

  /** Records per segment, must be > 0. */
  public CommitLogOptions setSegmentRecords(int segmentRecords) {
    if (segmentRecords <= 0) {
      throw new IllegalArgumentException("segmentRecords must be > 0, was " + segmentRecords);
    }
    this.segmentRecords = segmentRecords;
    return this;
  }

  public long getSegmentBytes() {
    return segmentBytes;
  }

  /**
   * Bytes a segment holds before the next record rolls a new one, must be > 0. Retention drops
   * whole segments, so with large records this, not segmentRecords, bounds its granularity.
   */
  public CommitLogOptions setSegmentBytes(long segmentBytes) {
    if (segmentBytes <= 0) {
      throw new IllegalArgumentException("segmentBytes must be > 0, was " + segmentBytes);
    }
    this.segmentBytes = segmentBytes;
    return this;
  }

  public long getRetentionBytes() {
    return retentionBytes;
  }

  /**
   * Upper bound on retained bytes, must be > 0. Exceeded only by the active segment, which is never
   * dropped.
   */
  public CommitLogOptions setRetentionBytes(long retentionBytes) {
    if (retentionBytes <= 0) {
      throw new IllegalArgumentException("retentionBytes must be > 0, was " + retentionBytes);
    }
    this.retentionBytes = retentionBytes;
    return this;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof CommitLogOptions)) {
      return false;
    }
    CommitLogOptions that = (CommitLogOptions) o;
    return segmentRecords == that.segmentRecords && segmentBytes == that.segmentBytes
        && retentionBytes == that.retentionBytes;
  }

  @Override
  public int hashCode() {
    return Objects.hash(segmentRecords, segmentBytes, retentionBytes);
  }

  @Override
  public String toString() {
    return "CommitLogOptions{segmentRecords=" + segmentRecords + ", segmentBytes=" + segmentBytes
        + ", retentionBytes=" + retentionBytes + '}';
  }
}
