package io.tributary.launcher;

import static io.tributary.launcher.ConfigException.check;
import static io.tributary.launcher.ConfigException.option;

import io.tributary.commitlog.CommitLogOptions;
import io.tributary.commitlog.FlushPolicy;
import io.tributary.commitlog.Storage;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code log} block of the configuration: where the commit log keeps its records, how big
 * its segments grow, how long and how much it retains, and when it forces them to disk.
 */
public final class LogConfig {

  static final Set<String> STORAGES = Set.of("disk", "memory");
  static final Set<String> FLUSHES = Set.of("none", "interval", "always");

  /** {@code disk}: segment files under dir, kept across restarts; {@code memory}: off-heap, gone at exit. */
  public String storage = "disk";
  /** Directory of the segment files, relative to the working directory unless absolute. */
  public String dir = CommitLogOptions.DEFAULT_DIR;
  public long segmentBytes = CommitLogOptions.DEFAULT_SEGMENT_BYTES;
  public long segmentMs = CommitLogOptions.DEFAULT_SEGMENT_MS;
  public long retentionBytes = CommitLogOptions.DEFAULT_RETENTION_BYTES;
  public long retentionMs = CommitLogOptions.DEFAULT_RETENTION_MS;
  /** {@code none}, {@code interval} or {@code always}; see README "Storage". */
  public String flush = "none";
  public long flushIntervalMs = CommitLogOptions.DEFAULT_FLUSH_INTERVAL_MS;
  public int indexIntervalBytes = CommitLogOptions.DEFAULT_INDEX_INTERVAL_BYTES;

  /** Throws {@link ConfigException} naming the first bad key. */
  void validate() {
    check(storage != null && STORAGES.contains(storage), "log.storage", "must be disk or memory, was " + storage);
    check(flush != null && FLUSHES.contains(flush), "log.flush", "must be none, interval or always, was " + flush);
    check(dir != null && !dir.isBlank(), "log.dir", "must be a directory path");
    option("log.segmentBytes", () -> new CommitLogOptions().setSegmentBytes(segmentBytes));
    option("log.segmentMs", () -> new CommitLogOptions().setSegmentMs(segmentMs));
    option("log.retentionBytes", () -> new CommitLogOptions().setRetentionBytes(retentionBytes));
    option("log.retentionMs", () -> new CommitLogOptions().setRetentionMs(retentionMs));
    option("log.flushIntervalMs", () -> new CommitLogOptions().setFlushIntervalMs(flushIntervalMs));
    option("log.indexIntervalBytes", () -> new CommitLogOptions().setIndexIntervalBytes(indexIntervalBytes));
  }

  /** The options this block describes (validate first). */
  public CommitLogOptions toOptions() {
    return new CommitLogOptions()
        .setStorage(Storage.valueOf(storage.toUpperCase(Locale.ROOT)))
        .setDir(dir)
        .setSegmentBytes(segmentBytes)
        .setSegmentMs(segmentMs)
        .setRetentionBytes(retentionBytes)
        .setRetentionMs(retentionMs)
        .setFlush(FlushPolicy.valueOf(flush.toUpperCase(Locale.ROOT)))
        .setFlushIntervalMs(flushIntervalMs)
        .setIndexIntervalBytes(indexIntervalBytes);
  }
}
