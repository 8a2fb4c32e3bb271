package io.tributary.commitlog;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Options of a {@link CommitLog}: public defaults, fluent setters that validate their argument, and
 * a copy constructor (the shape of Vert.x's options objects).
 */
public final class CommitLogOptions {

  public static final Storage DEFAULT_STORAGE = Storage.MEMORY;
  public static final String DEFAULT_DIR = "data";
  /** Bytes a segment holds before the next record rolls a new one. */
  public static final long DEFAULT_SEGMENT_BYTES = 64L * 1024 * 1024;
  /** A segment older than this is rolled at the next append, so time retention can drop it. */
  public static final long DEFAULT_SEGMENT_MS = 60L * 60 * 1000;
  /** Retained bytes above which the oldest segments are deleted. */
  public static final long DEFAULT_RETENTION_BYTES = 1024L * 1024 * 1024;
  /** Segments whose newest record is older than this are deleted; 0 = no time limit. */
  public static final long DEFAULT_RETENTION_MS = 7L * 24 * 60 * 60 * 1000;
  public static final FlushPolicy DEFAULT_FLUSH = FlushPolicy.NONE;
  public static final long DEFAULT_FLUSH_INTERVAL_MS = 1000;
  /** Bytes of records between two entries of the sparse offset and time indexes. */
  public static final int DEFAULT_INDEX_INTERVAL_BYTES = 4096;
  /** A mapped buffer is addressed by int: a segment may not exceed this. */
  public static final long MAX_SEGMENT_BYTES = 1L << 30;

  private Storage storage = DEFAULT_STORAGE;
  private String dir = DEFAULT_DIR;
  private long segmentBytes = DEFAULT_SEGMENT_BYTES;
  private long segmentMs = DEFAULT_SEGMENT_MS;
  private long retentionBytes = DEFAULT_RETENTION_BYTES;
  private long retentionMs = DEFAULT_RETENTION_MS;
  private FlushPolicy flush = DEFAULT_FLUSH;
  private long flushIntervalMs = DEFAULT_FLUSH_INTERVAL_MS;
  private int indexIntervalBytes = DEFAULT_INDEX_INTERVAL_BYTES;

  public CommitLogOptions() {
  }

  public CommitLogOptions(CommitLogOptions other) {
    Objects.requireNonNull(other, "other");
    this.storage = other.storage;
    this.dir = other.dir;
    this.segmentBytes = other.segmentBytes;
    this.segmentMs = other.segmentMs;
    this.retentionBytes = other.retentionBytes;
    this.retentionMs = other.retentionMs;
    this.flush = other.flush;
    this.flushIntervalMs = other.flushIntervalMs;
    this.indexIntervalBytes = other.indexIntervalBytes;
  }

  public Storage getStorage() {
    return storage;
  }

  public CommitLogOptions setStorage(Storage storage) {
    this.storage = Objects.requireNonNull(storage, "storage");
    return this;
  }

  public String getDir() {
    return dir;
  }

  /** Directory of the segment files ({@link Storage#DISK}); created if missing. */
  public CommitLogOptions setDir(String dir) {
    Objects.requireNonNull(dir, "dir");
    if (dir.isBlank()) {
      throw new IllegalArgumentException("dir must not be blank");
    }
    this.dir = dir;
    return this;
  }

  public Path dirPath() {
    return Path.of(dir);
  }

  public long getSegmentBytes() {
    return segmentBytes;
  }

  /**
   * Bytes a segment holds before the next record rolls a new one, in (0, 1 GiB]. Retention deletes
   * whole segments, so this is its granularity. A record larger than this gets a segment of its own.
   */
  public CommitLogOptions setSegmentBytes(long segmentBytes) {
    if (segmentBytes <= 0 || segmentBytes > MAX_SEGMENT_BYTES) {
      throw new IllegalArgumentException("segmentBytes must be in (0, " + MAX_SEGMENT_BYTES + "], was " + segmentBytes);
    }
    this.segmentBytes = segmentBytes;
    return this;
  }

  public long getSegmentMs() {
    return segmentMs;
  }

  /** Age after which the active segment is rolled at the next append, must be > 0. */
  public CommitLogOptions setSegmentMs(long segmentMs) {
    if (segmentMs <= 0) {
      throw new IllegalArgumentException("segmentMs must be > 0, was " + segmentMs);
    }
    this.segmentMs = segmentMs;
    return this;
  }

  public long getRetentionBytes() {
    return retentionBytes;
  }

  /** Upper bound on retained bytes, must be > 0. Exceeded only by the active segment, never deleted. */
  public CommitLogOptions setRetentionBytes(long retentionBytes) {
    if (retentionBytes <= 0) {
      throw new IllegalArgumentException("retentionBytes must be > 0, was " + retentionBytes);
    }
    this.retentionBytes = retentionBytes;
    return this;
  }

  public long getRetentionMs() {
    return retentionMs;
  }

  /** Age of a segment's newest record after which it is deleted, >= 0 (0: no time limit). */
  public CommitLogOptions setRetentionMs(long retentionMs) {
    if (retentionMs < 0) {
      throw new IllegalArgumentException("retentionMs must be >= 0 (0: no time limit), was " + retentionMs);
    }
    this.retentionMs = retentionMs;
    return this;
  }

  public FlushPolicy getFlush() {
    return flush;
  }

  public CommitLogOptions setFlush(FlushPolicy flush) {
    this.flush = Objects.requireNonNull(flush, "flush");
    return this;
  }

  public long getFlushIntervalMs() {
    return flushIntervalMs;
  }

  /** Period of {@link FlushPolicy#INTERVAL}, must be > 0. */
  public CommitLogOptions setFlushIntervalMs(long flushIntervalMs) {
    if (flushIntervalMs <= 0) {
      throw new IllegalArgumentException("flushIntervalMs must be > 0, was " + flushIntervalMs);
    }
    this.flushIntervalMs = flushIntervalMs;
    return this;
  }

  public int getIndexIntervalBytes() {
    return indexIntervalBytes;
  }

  /** Record bytes between two sparse index entries, must be > 0: a lookup scans at most this far. */
  public CommitLogOptions setIndexIntervalBytes(int indexIntervalBytes) {
    if (indexIntervalBytes <= 0) {
      throw new IllegalArgumentException("indexIntervalBytes must be > 0, was " + indexIntervalBytes);
    }
    this.indexIntervalBytes = indexIntervalBytes;
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
    return storage == that.storage && dir.equals(that.dir) && segmentBytes == that.segmentBytes
        && segmentMs == that.segmentMs && retentionBytes == that.retentionBytes && retentionMs == that.retentionMs
        && flush == that.flush && flushIntervalMs == that.flushIntervalMs
        && indexIntervalBytes == that.indexIntervalBytes;
  }

  @Override
  public int hashCode() {
    return Objects.hash(storage, dir, segmentBytes, segmentMs, retentionBytes, retentionMs, flush, flushIntervalMs,
        indexIntervalBytes);
  }

  @Override
  public String toString() {
    return "CommitLogOptions{storage=" + storage + ", dir=" + dir + ", segmentBytes=" + segmentBytes
        + ", segmentMs=" + segmentMs + ", retentionBytes=" + retentionBytes + ", retentionMs=" + retentionMs
        + ", flush=" + flush + ", flushIntervalMs=" + flushIntervalMs + ", indexIntervalBytes="
        + indexIntervalBytes + '}';
  }
}
