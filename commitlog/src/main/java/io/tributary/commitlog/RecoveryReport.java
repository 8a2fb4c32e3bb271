package io.tributary.commitlog;

import java.time.Instant;
import java.util.List;

/**
 * What opening a log found: how much, which offsets and times, what had to be cut off, how long
 * it took. The broker logs it at start; an operator reads it after a crash.
 *
 * @param firstTimestamp timestamp of the oldest record, 0 for an empty log
 * @param lastTimestamp newest timestamp in the log, 0 for an empty log
 * @param truncatedBytes non-zero bytes cut from torn or corrupt segment tails
 * @param problems one line per segment that needed repair (file, byte offset, why, bytes)
 */
public record RecoveryReport(int segments, long records, long bytes, long startOffset, long endOffset,
    long firstTimestamp, long lastTimestamp, long truncatedBytes, int rebuiltIndexes, List<String> problems,
    long durationMs) {

  public RecoveryReport {
    problems = List.copyOf(problems);
  }

  /** One line for the start-up log. */
  public String describe() {
    String range = records == 0 ? "no records"
        : "offsets [" + startOffset + ", " + endOffset + "), " + Instant.ofEpochMilli(firstTimestamp) + " to "
            + Instant.ofEpochMilli(lastTimestamp);
    return segments + " segment(s), " + records + " record(s), " + bytes + " bytes, " + range + ", truncated "
        + truncatedBytes + " bytes, rebuilt " + rebuiltIndexes + " index(es), in " + durationMs + " ms";
  }
}
