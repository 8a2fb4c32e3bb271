package io.tributary.commitlog;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * Reads a log directory without changing it (the broker may be running on it) and prints its
 * segments, offsets and time range, checking every record's length, offset and CRC: the
 * {@code log inspect} command, in the spirit of Kafka's dump-log tool.
 */
public final class LogInspector {

  private final PrintStream out;
  private final boolean records;

  /** @param records also print one line per record */
  public LogInspector(PrintStream out, boolean records) {
    this.out = out;
    this.records = records;
  }

  /** Prints the report; returns the number of damaged segments (0: every CRC checked out). */
  public int inspect(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IOException("not a directory: " + dir);
    }
    int damaged = 0;
    long totalRecords = 0;
    long totalBytes = 0;
    long first = -1;
    long end = -1;
    long oldest = Long.MAX_VALUE;
    long newest = Long.MIN_VALUE;
    int count = 0;
    for (long base : LogLoader.segmentBases(dir)) {
      Path file = dir.resolve(LogSegment.fileName(base, ".log"));
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
        ByteBuffer data = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
        long[] times = {Long.MAX_VALUE, Long.MIN_VALUE};
        RecordFormat.Scan scan = RecordFormat.scan(data, 0, base, (at, pos, size, timestamp) -> {
          if (records) {
            out.printf("  offset %d position %d size %d timestamp %s crc %08x%n", at, pos, size,
                Instant.ofEpochMilli(timestamp), data.getInt(pos + RecordFormat.CRC));
          }
          times[0] = Math.min(times[0], timestamp);
          times[1] = Math.max(times[1], timestamp);
        });
        long offset = scan.nextOffset();
        int position = scan.end();
        String problem = scan.problem();
        long minTs = times[0];
        long maxTs = times[1];
        long n = offset - base;
        out.printf("%s: offsets [%d, %d), %d records, %d bytes%s%n", file.getFileName(), base, offset, n, position,
            n == 0 ? "" : ", " + Instant.ofEpochMilli(minTs) + " to " + Instant.ofEpochMilli(maxTs));
        int garbage = RecordFormat.lastNonZero(data, position, data.capacity()) + 1 - position;
        if (!"end".equals(problem) || garbage > 0) {
          damaged++;
          out.printf("  DAMAGED at byte %d (offset %d): %s; %d bytes after the last valid record%n", position, offset,
              problem, Math.max(garbage, 0));
        }
        count++;
        totalRecords += n;
        totalBytes += position;
        first = first < 0 ? base : first;
        end = offset;
        if (n > 0) {
          oldest = Math.min(oldest, minTs);
          newest = Math.max(newest, maxTs);
        }
      }
    }
    if (count == 0) {
      out.println("no segments in " + dir);
      return 0;
    }
    out.printf("%d segment(s), %d records, %d bytes, offsets [%d, %d)%s%n", count, totalRecords, totalBytes, first, end,
        totalRecords == 0 ? "" : ", " + Instant.ofEpochMilli(oldest) + " to " + Instant.ofEpochMilli(newest));
    out.println(damaged == 0 ? "every record's CRC is valid" : damaged + " damaged segment(s)");
    return damaged;
  }
}
