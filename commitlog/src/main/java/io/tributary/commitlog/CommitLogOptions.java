package io.tributary.commitlog;

import java.util.Objects;

/** Options of a {@link CommitLog}: defaults, fluent setters that validate, and a copy constructor. */
public final class CommitLogOptions {

  /** Records per segment; a segment is the unit retention drops. */
  public static final int DEFAULT_SEGMENT_RECORDS = 16384;

  /** Retained bytes above which the oldest segments are dropped. */
  public static final long DEFAULT_RETENTION_BYTES = 256L * 1024 * 1024;

  private int segmentRecords = DEFAULT_SEGMENT_RECORDS;
  private long retentionBytes = DEFAULT_RETENTION_BYTES;

  public CommitLogOptions() {
  }

  public CommitLogOptions(CommitLogOptions other) {
    Objects.requireNonNull(other, "other");
    this.segmentRecords = other.segmentRecords;
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
    return segmentRecords == that.segmentRecords && retentionBytes == that.retentionBytes;
  }

  @Override
  public int hashCode() {
    return Objects.hash(segmentRecords, retentionBytes);
  }

  @Override
  public String toString() {
    return "CommitLogOptions{segmentRecords=" + segmentRecords + ", retentionBytes=" + retentionBytes + '}';
  }
}
