package io.tributary.commitlog;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the segments of a log directory after a clean stop or a crash, and repairs what a crash
 * can leave: a torn or corrupt record at the end of a segment, an index that is missing, stale or
 * damaged, an empty segment left by a roll. Single-threaded, before the log is shared.
 */
final class LogLoader {

  private static final Logger log = LoggerFactory.getLogger(LogLoader.class);

  /** Segments in offset order (the last one is active) and what recovery did. */
  record Loaded(List<LogSegment> segments, RecoveryReport report) {
  }

  private LogLoader() {
  }

  /**
   * Recovery, in order: list the segments by base offset; for each, keep the index entries that
   * still point at the record they name (none for the last segment, which is checked record by
   * record from its first byte); scan on from the last kept entry, checking length, offset and CRC
   * of every record and re-adding index entries as appends would have; zero whatever non-zero bytes
   * follow the last valid record (a torn or corrupt tail), counting and logging them; drop empty
   * segments but the last, and the last too when it starts past the end of the one before (records
   * written behind that never reached the disk); seal every segment but the last. An empty
   * directory yields one empty segment at offset 0.
   */
  static Loaded recover(Path dir, CommitLogOptions options, long nowMs) throws IOException {
    long started = System.nanoTime();
    Files.createDirectories(dir);
    List<Long> bases = segmentBases(dir);
    List<LogSegment> segments = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    long truncated = 0;
    int rebuilt = 0;
    for (int i = 0; i < bases.size(); i++) {
      boolean last = i == bases.size() - 1;
      LogSegment segment = LogSegment.open(dir, bases.get(i), last ? (int) options.getSegmentBytes() : 0,
          options.getIndexIntervalBytes(), nowMs);
      int sound = validIndexEntries(segment);
      RecordFormat.Scan scan = scan(segment, last ? 0 : sound);
      if (segment.offsetIndex().entries() != sound) {
        rebuilt++; // entries were missing, damaged or stale; the scan re-added the true ones
      }
      ByteBuffer data = segment.data();
      int garbageEnd = RecordFormat.lastNonZero(data, scan.end(), data.capacity()) + 1;
      if (garbageEnd > scan.end()) {
        int cut = garbageEnd - scan.end();
        truncated += cut;
        String problem = segment.dataFile().getFileName() + " at byte " + scan.end() + " (offset " + segment.nextOffset()
            + "): " + scan.problem() + "; truncated " + cut + " bytes";
        problems.add(problem);
        log.warn("commit log recovery: {}", problem);
        zero(data, scan.end(), garbageEnd);
      }
      if (!last && segment.isEmpty()) {
        log.info("commit log recovery: removing empty segment {}", segment.dataFile().getFileName());
        segment.delete();
        continue;
      }
      if (last && segment.isEmpty() && !segments.isEmpty()
          && segments.get(segments.size() - 1).nextOffset() < segment.baseOffset) {
        // Written behind (flush: always), a roll creates the next file before the records before
        // it reach the disk; a crash then leaves it empty past the end. Those records were never
        // acknowledged: the log goes on from the segment before.
        log.info("commit log recovery: removing empty segment {}; the records before offset {} never reached the disk",
            segment.dataFile().getFileName(), segment.baseOffset);
        segment.delete();
        continue;
      }
      if (!segments.isEmpty()) {
        long expected = segments.get(segments.size() - 1).nextOffset();
        if (segment.baseOffset != expected) {
          String problem = segment.dataFile().getFileName() + " starts at offset " + segment.baseOffset
              + " but the segment before ends at " + expected + "; offsets in between are missing";
          problems.add(problem);
          log.warn("commit log recovery: {}", problem);
        }
      }
      segments.add(segment);
    }
    for (int i = 0; i < segments.size() - 1; i++) {
      segments.get(i).seal();
    }
    if (segments.isEmpty()) {
      segments.add(LogSegment.create(dir, 0, (int) options.getSegmentBytes(), options.getIndexIntervalBytes(),
          LogSegment.writtenBehind(options), nowMs));
    }
    return new Loaded(segments, report(segments, truncated, rebuilt, problems, started));
  }

  /** Base offsets of the segments in dir, ascending; index files without a data file are removed. */
  static List<Long> segmentBases(Path dir) throws IOException {
    TreeSet<Long> bases = new TreeSet<>();
    List<Path> strays = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        Long base = baseOf(name, ".log");
        if (base != null) {
          bases.add(base);
        } else if (baseOf(name, ".index") != null || baseOf(name, ".timeindex") != null) {
          strays.add(file);
        }
      }
    }
    for (Path stray : strays) {
      Long base = baseOf(stray.getFileName().toString(), ".index");
      base = base != null ? base : baseOf(stray.getFileName().toString(), ".timeindex");
      if (!bases.contains(base)) {
        log.info("commit log recovery: removing index {} of a segment that is gone", stray.getFileName());
        Files.deleteIfExists(stray);
      }
    }
    return new ArrayList<>(bases);
  }

  private static Long baseOf(String name, String suffix) {
    if (!name.endsWith(suffix) || name.length() != 20 + suffix.length()) {
      return null;
    }
    try {
      return Long.parseLong(name.substring(0, 20));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /**
   * How many leading index entries are sound: offsets and positions increasing, each pointing at a
   * valid record with the offset it names, the time index in step. Stops at the first that is not.
   */
  private static int validIndexEntries(LogSegment segment) {
    SparseIndex offsets = segment.offsetIndex();
    SparseIndex times = segment.timeIndex();
    ByteBuffer data = segment.data();
    int max = Math.min(offsets.maxEntries(), times.maxEntries());
    long previousOffset = -1;
    int previousPosition = -1;
    long previousTime = Long.MIN_VALUE;
    int n = 0;
    while (n < max) {
      long offset = offsets.key(n);
      int position = offsets.value(n);
      boolean inOrder = n == 0 ? offset == segment.baseOffset && position == 0
          : offset > previousOffset && position > previousPosition;
      if (!inOrder || position < 0 || position >= data.capacity()
          || RecordFormat.problemAt(data, position, data.capacity(), offset) != null
          || times.value(n) != offset - segment.baseOffset || times.key(n) < previousTime) {
        break;
      }
      previousOffset = offset;
      previousPosition = position;
      previousTime = times.key(n);
      n++;
    }
    return n;
  }

  /** Checks records from the last kept index entry on, re-indexing them, to the first invalid one. */
  private static RecordFormat.Scan scan(LogSegment segment, int keptEntries) {
    SparseIndex offsets = segment.offsetIndex();
    SparseIndex times = segment.timeIndex();
    int position = keptEntries > 0 ? offsets.value(keptEntries - 1) : 0;
    long offset = keptEntries > 0 ? offsets.key(keptEntries - 1) : segment.baseOffset;
    segment.startScan(keptEntries > 0 ? times.key(keptEntries - 1) : 0);
    offsets.truncateTo(keptEntries);
    times.truncateTo(keptEntries);
    // The record of the last kept entry is indexed already; every later one is indexed again.
    long indexed = keptEntries > 0 ? offset : -1;
    return RecordFormat.scan(segment.data(), position, offset,
        (at, pos, size, timestamp) -> segment.recovered(at, pos, size, timestamp, at == indexed));
  }

  private static void zero(ByteBuffer data, int from, int to) {
    for (int i = from; i < to; i++) {
      data.put(i, (byte) 0);
    }
  }

  private static RecoveryReport report(List<LogSegment> segments, long truncated, int rebuilt, List<String> problems,
      long startedNanos) {
    long records = 0;
    long bytes = 0;
    long lastTimestamp = 0;
    for (LogSegment s : segments) {
      records += s.nextOffset() - s.baseOffset;
      bytes += s.size();
      lastTimestamp = Math.max(lastTimestamp, s.maxTimestamp());
    }
    LogSegment first = segments.get(0);
    LogSegment last = segments.get(segments.size() - 1);
    long firstTimestamp = records == 0 ? 0 : firstTimestampOf(segments);
    return new RecoveryReport(segments.size(), records, bytes, first.baseOffset, last.nextOffset(), firstTimestamp,
        lastTimestamp, truncated, rebuilt, problems, (System.nanoTime() - startedNanos) / 1_000_000);
  }

  private static long firstTimestampOf(List<LogSegment> segments) {
    for (LogSegment s : segments) {
      if (!s.isEmpty()) {
        return s.data().getLong(RecordFormat.TIMESTAMP);
      }
    }
    return 0;
  }
}
