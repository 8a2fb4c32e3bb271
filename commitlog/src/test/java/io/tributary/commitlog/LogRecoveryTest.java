package io.tributary.commitlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.commitlog.Codecs.Text;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opening a log directory after what a crash can leave behind: one test per repair, each done on
 * real files, then checked by reading every record back and appending after it.
 */
class LogRecoveryTest {

  private static final int RECORDS = 50;
  /** Small segments and a dense index, so a test spans several segments and index entries. */
  private static final long SEGMENT_BYTES = 20 * Codecs.recordBytes(6);

  @TempDir
  Path dir;

  private CommitLogOptions options() {
    return new CommitLogOptions().setStorage(Storage.DISK).setDir(dir.toString()).setSegmentBytes(SEGMENT_BYTES)
        .setIndexIntervalBytes(3 * Codecs.recordBytes(6)).setRetentionMs(0);
  }

  private static String text(int i) {
    return String.format("r%05d", i);
  }

  /** Writes RECORDS records and closes the log cleanly; returns where the last record starts. */
  private long writeRecords() {
    try (SegmentedLog<Text> log = SegmentedLog.open(options(), Codecs.TEXTS)) {
      for (int i = 0; i < RECORDS; i++) {
        log.append(new Text(text(i), 1_000_000 + i));
      }
    }
    return lastSegmentFileEnd() - Codecs.recordBytes(6);
  }

  private Path lastSegment() {
    try (var files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".log")).sorted().reduce((a, b) -> b).orElseThrow();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** Bytes of records in the last segment (its file is preallocated, zeros after them). */
  private long lastSegmentFileEnd() {
    try {
      byte[] bytes = Files.readAllBytes(lastSegment());
      int end = bytes.length;
      while (end > 0 && bytes[end - 1] == 0) {
        end--;
      }
      return end;
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** Opens the log, checks it holds exactly records [0, expected) intact, appends one more, reopens. */
  private RecoveryReport reopenAndCheck(int expected) {
    RecoveryReport report;
    try (SegmentedLog<Text> log = SegmentedLog.open(options(), Codecs.TEXTS)) {
      report = log.recovery();
      assertEquals(expected, log.endOffset(), report.describe());
      List<String> seen = new ArrayList<>();
      long next = log.read(0, Integer.MAX_VALUE, (o, v) -> seen.add(v.text()));
      assertEquals(expected, next);
      for (int i = 0; i < expected; i++) {
        assertEquals(text(i), seen.get(i));
        assertEquals(text(i), log.get(i).text(), "offset " + i + " through the index");
      }
      assertEquals(expected, log.append(new Text("after", 2_000_000)));
    }
    try (SegmentedLog<Text> log = SegmentedLog.open(options(), Codecs.TEXTS)) {
      assertEquals(expected + 1, log.endOffset());
      assertEquals("after", log.get(expected).text());
      assertEquals(0, log.recovery().truncatedBytes(), "a repaired log reopens clean");
    }
    return report;
  }

  @Test
  void aCleanLogReopensWithEveryRecordAndNothingTruncated() {
    writeRecords();
    RecoveryReport report = reopenAndCheck(RECORDS);
    assertEquals(0, report.truncatedBytes());
    assertEquals(RECORDS, report.records());
    assertEquals(0, report.startOffset());
    assertEquals(RECORDS, report.endOffset());
    assertEquals(1_000_000, report.firstTimestamp());
    assertEquals(1_000_000 + RECORDS - 1, report.lastTimestamp());
    assertTrue(report.segments() >= 3, report.describe());
    assertTrue(report.problems().isEmpty());
  }

  @Test
  void aTruncationAtEveryPositionOfTheLastRecordLosesOnlyThatRecord() throws IOException {
    int size = Codecs.recordBytes(6);
    for (int cut = 0; cut < size; cut++) {
      clear();
      long start = writeRecords();
      try (RandomAccessFile file = new RandomAccessFile(lastSegment().toFile(), "rw")) {
        file.setLength(start + cut);
      }
      RecoveryReport report = reopenAndCheck(RECORDS - 1);
      assertTrue(report.truncatedBytes() <= cut, "cut " + cut + ": " + report.describe());
      assertEquals(report.truncatedBytes() > 0, !report.problems().isEmpty(), "cut " + cut);
    }
  }

  @Test
  void aGarbageByteAtEveryPositionOfTheLastRecordLosesOnlyThatRecord() throws IOException {
    int size = Codecs.recordBytes(6);
    for (int i = 0; i < size; i++) {
      clear();
      long start = writeRecords();
      try (RandomAccessFile file = new RandomAccessFile(lastSegment().toFile(), "rw")) {
        file.seek(start + i);
        int b = file.read();
        file.seek(start + i);
        file.write(b ^ 0x5A);
      }
      RecoveryReport report = reopenAndCheck(RECORDS - 1);
      assertEquals(size, report.truncatedBytes(), "byte " + i + ": " + report.describe());
      assertTrue(report.problems().get(0).contains("at byte " + (start % SEGMENT_BYTES == 0 ? 0 : start)),
          report.problems().toString());
    }
  }

  @Test
  void aCorruptedIndexIsRebuilt() throws IOException {
    writeRecords();
    Path index = dir.resolve(LogSegment.fileName(0, ".index"));
    try (RandomAccessFile file = new RandomAccessFile(index.toFile(), "rw")) {
      file.seek(SparseIndex.ENTRY_BYTES + 4); // entry 1's offset: now points nowhere sensible
      file.writeInt(0x7fff_ffff);
    }
    RecoveryReport report = reopenAndCheck(RECORDS);
    assertTrue(report.rebuiltIndexes() >= 1, report.describe());
  }

  @Test
  void aMissingIndexIsRebuilt() throws IOException {
    writeRecords();
    Files.delete(dir.resolve(LogSegment.fileName(0, ".index")));
    Files.delete(dir.resolve(LogSegment.fileName(0, ".timeindex")));
    RecoveryReport report = reopenAndCheck(RECORDS);
    assertTrue(report.rebuiltIndexes() >= 1, report.describe());
    try (SegmentedLog<Text> log = SegmentedLog.open(options(), Codecs.TEXTS)) {
      assertEquals(7, log.offsetForTime(1_000_007), "the rebuilt time index answers");
    }
  }

  @Test
  void anEmptySegmentIsHarmless() throws IOException {
    writeRecords();
    // An empty segment in the middle (a roll whose first append never came, then another roll) ...
    Files.createFile(dir.resolve(LogSegment.fileName(3, ".log")));
    // ... and an empty last one.
    Files.createFile(dir.resolve(LogSegment.fileName(RECORDS, ".log")));
    reopenAndCheck(RECORDS);
    assertFalse(Files.exists(dir.resolve(LogSegment.fileName(3, ".log"))), "the empty middle segment is removed");
  }

  @Test
  void aCrashDuringARollKeepsEverythingBeforeIt() throws IOException {
    writeRecords();
    Path last = lastSegment();
    // The roll created the next data file and died before its indexes or first record.
    Files.createFile(dir.resolve(LogSegment.fileName(RECORDS, ".log")));
    Files.deleteIfExists(Path.of(last.toString().replace(".log", ".index")));
    reopenAndCheck(RECORDS);
    // The roll died after writing part of the first record of the new segment.
    clear();
    writeRecords();
    try (RandomAccessFile file = new RandomAccessFile(dir.resolve(LogSegment.fileName(RECORDS, ".log")).toFile(),
        "rw")) {
      file.writeLong(RECORDS);
      file.writeInt(Codecs.recordBytes(6));
    }
    RecoveryReport report = reopenAndCheck(RECORDS);
    assertEquals(12, report.truncatedBytes());
  }

  @Test
  void aCrashWhileWritingBehindKeepsWhatReachedTheDisk() throws IOException {
    writeRecords();
    // Under flush: always the flusher writes segments in order; killed mid-way, the last complete
    // segment's tail never reached its file while the roll had already created the next one.
    Path last = lastSegment();
    long lastBase = Long.parseLong(last.getFileName().toString().replace(".log", ""));
    long keep = lastBase - 2; // the segment before the last loses its last two records
    Path before;
    try (var files = Files.list(dir)) {
      before = files.filter(f -> f.toString().endsWith(".log") && !f.equals(last)).sorted()
          .reduce((a, b) -> b).orElseThrow();
    }
    long beforeBase = Long.parseLong(before.getFileName().toString().replace(".log", ""));
    try (RandomAccessFile file = new RandomAccessFile(before.toFile(), "rw")) {
      long from = (keep - beforeBase) * Codecs.recordBytes(6);
      file.seek(from);
      file.write(new byte[(int) (file.length() - from)]);
    }
    try (RandomAccessFile file = new RandomAccessFile(last.toFile(), "rw")) {
      file.write(new byte[(int) file.length()]);
    }
    RecoveryReport report = reopenAndCheck((int) keep);
    assertFalse(Files.exists(last), "the empty segment past the end is removed");
    assertTrue(report.problems().isEmpty(), report.describe());
  }

  @Test
  void aSecondLogOnTheSameDirectoryIsRefused() {
    try (SegmentedLog<Text> log = SegmentedLog.open(options(), Codecs.TEXTS)) {
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> SegmentedLog.open(options(), Codecs.TEXTS));
      assertTrue(e.getMessage().contains("in use") || e.getMessage().contains("already open"), e.getMessage());
    }
  }

  private void clear() throws IOException {
    try (var files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Files.delete(p);
      }
    }
  }
}
