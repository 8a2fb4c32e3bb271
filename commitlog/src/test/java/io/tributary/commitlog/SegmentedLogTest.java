package io.tributary.commitlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.commitlog.Codecs.Text;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The log's contract, the same on disk and in memory. */
class SegmentedLogTest {

  @TempDir
  Path dir;
  private final List<CommitLog<?>> opened = new ArrayList<>();

  @AfterEach
  void closeAll() {
    opened.forEach(CommitLog::close);
  }

  private CommitLogOptions options(Storage storage) {
    return new CommitLogOptions().setStorage(storage).setDir(dir.toString());
  }

  private <V> SegmentedLog<V> open(CommitLogOptions options, RecordCodec<V> codec) {
    SegmentedLog<V> log = SegmentedLog.open(options, codec);
    opened.add(log);
    return log;
  }

  /** Reads everything from fromOffset with the given batch size; returns "offset=text" strings. */
  private static List<String> readAll(CommitLog<Text> log, long fromOffset, int maxRecords) {
    List<String> out = new ArrayList<>();
    long next = fromOffset;
    while (next < log.endOffset()) {
      next = log.read(next, maxRecords, (offset, value) -> out.add(offset + "=" + value.text()));
    }
    return out;
  }

  @ParameterizedTest
  @EnumSource(Storage.class)
  void emptyLog(Storage storage) {
    SegmentedLog<Text> log = open(options(storage), Codecs.TEXTS);
    assertEquals(0, log.startOffset());
    assertEquals(0, log.endOffset());
    assertEquals(0, log.retainedBytes());
    assertNull(log.get(0));
    assertNull(log.get(-1));
    assertEquals(0, log.read(0, 10, (o, v) -> {
      throw new AssertionError("nothing to read");
    }));
    assertEquals(0, log.offsetForTime(0));
  }

  @ParameterizedTest
  @EnumSource(Storage.class)
  void appendGetAndReadAsBytes(Storage storage) {
    SegmentedLog<Text> log = open(options(storage), Codecs.TEXTS);
    Text a = new Text("a");
    assertEquals(0, log.append(a));
    assertEquals(1, log.append(new Text("bb")));
    assertEquals(2, log.append(new Text("ccc")));
    assertEquals(3, log.endOffset());
    assertEquals(Codecs.recordBytes(1) + Codecs.recordBytes(2) + Codecs.recordBytes(3), log.retainedBytes());
    assertEquals("bb", log.get(1).text());
    assertNull(log.get(3), "not yet written");
    assertEquals(List.of("0=a", "1=bb", "2=ccc"), readAll(log, 0, 100));
    assertEquals(List.of("1=bb", "2=ccc"), readAll(log, 1, 1));
  }

  @ParameterizedTest
  @EnumSource(Storage.class)
  void recordsPastTheRecentWindowAreDecodedFromTheirBytes(Storage storage) {
    SegmentedLog<Text> log = open(options(storage).setSegmentBytes(4096).setRetentionMs(0), Codecs.TEXTS);
    int n = RecentRecords.CAPACITY * 3;
    for (int i = 0; i < n; i++) {
      log.append(new Text("v" + i, 1000 + i));
    }
    Text first = log.get(0);
    assertEquals("v0", first.text());
    assertEquals(1000, first.timestamp(), "the timestamp comes back from the header");
    List<String> all = readAll(log, 0, 7);
    assertEquals(n, all.size());
    for (int i = 0; i < n; i++) {
      assertEquals(i + "=v" + i, all.get(i));
    }
    assertTrue(log.segmentCount() > 10, "many segments rolled: " + log.segmentCount());
  }

  @ParameterizedTest
  @EnumSource(Storage.class)
  void onlySmallRecentValuesAreKeptAsObjects(Storage storage) {
    SegmentedLog<Text> log = open(options(storage), Codecs.TEXTS);
    Text small = new Text("s");
    Text large = new Text("x".repeat(RecentRecords.MAX_RECORD_BYTES));
    log.append(small);
    log.append(large);
    assertTrue(log.get(0) == small, "a small recent value is served as appended");
    assertTrue(log.get(1) != large, "a large one is decoded, not held: the heap stays bounded");
    assertEquals(large.text(), log.get(1).text());
  }

  @ParameterizedTest
  @EnumSource(Storage.class)
  void maxRecordsAndAStoppingConsumerBoundTheRead(Storage storage) {
    SegmentedLog<Text> log = open(options(storage), Codecs.TEXTS);
    for (int i = 0; i < 10; i++) {
      log.append(new Text("v" + i));
    }
    List<Long> seen = new ArrayList<>();
    assertEquals(4, log.read(0, 4, (o, v) -> seen.add(o)));
    assertEquals(List.of(0L, 1L, 2L, 3L), seen);
    seen.clear();
    assertEquals(6, log.read(4, 100, (o, v) -> o < 6 && seen.add(o)), "the refused record is not consumed");
    assertEquals(List.of(4L, 5L), seen);
  }

  @ParameterizedTest
  @EnumSource(Storage.class)
  void appendAllAssignsConsecutiveOffsetsAndRejectsWholeBatches(Storage storage) {
    SegmentedLog<Text> log = open(options(storage).setSegmentBytes(64), Codecs.TEXTS);
    log.append(new Text("x"));
    assertEquals(1, log.appendAll(List.of(new Text("a"), new Text("b"), new Text("c"))));
    assertEquals(List.of("0=x", "1=a", "2=b", "3=c"), readAll(log, 0, 10));
    assertEquals(4, log.appendAll(List.of()));
    assertThrows(NullPointerException.class, () -> log.appendAll(Arrays.asList(new Text("d"), null)));
    assertEquals(4, log.endOffset(), "no part of a rejected batch is appended");
  }

  @ParameterizedTest
  @EnumSource(Storage.class)
  void aCodecThatWritesOtherThanItsSizeIsRefused(Storage storage) {
    RecordCodec<Text> liar = new RecordCodec<>() {
      @Override
      public int sizeOf(Text value) {
        return 3;
      }

      @Override
      public void write(Text value, ByteBuffer dst) {
        dst.put(new byte[4]);
      }

      @Override
      public long timestampOf(Text value) {
        return 0;
      }

      @Override
      public Text read(ByteBuffer src, int position, int length, long timestamp) {
        return null;
      }
    };
    SegmentedLog<Text> log = open(options(storage), liar);
    assertThrows(RuntimeException.class, () -> log.append(new Text("x")));
    assertEquals(0, log.endOffset());
  }

  @ParameterizedTest
  @EnumSource(Storage.class)
  void retentionDeletesWholeOldestSegmentsAndReadersSeeTheGap(Storage storage) {
    int record = Codecs.recordBytes(8);
    SegmentedLog<Long> log = open(options(storage).setSegmentBytes(4 * record).setRetentionBytes(10 * record),
        Codecs.LONGS);
    for (long i = 0; i < 10; i++) {
      log.append(i);
    }
    assertEquals(0, log.startOffset());
    log.append(10L); // 11 records > 10: segment [0, 4) goes
    assertEquals(4, log.startOffset());
    assertEquals(7L * record, log.retainedBytes());
    assertNull(log.get(3));
    List<Long> seen = new ArrayList<>();
    assertEquals(11, log.read(0, 100, (o, v) -> seen.add(o)));
    assertEquals(4L, seen.get(0), "a read from a deleted offset starts at the start offset");
    if (storage == Storage.DISK) {
      assertTrue(!dir.resolve(LogSegment.fileName(0, ".log")).toFile().exists(), "the segment file is deleted");
    }
  }

  @ParameterizedTest
  @EnumSource(Storage.class)
  void theActiveSegmentIsNeverDeleted(Storage storage) {
    int record = Codecs.recordBytes(8);
    SegmentedLog<Long> log = open(options(storage).setSegmentBytes(100 * record).setRetentionBytes(record),
        Codecs.LONGS);
    for (long i = 0; i < 20; i++) {
      log.append(i);
    }
    assertEquals(0, log.startOffset());
    assertEquals(20, log.read(0, 100, (o, v) -> true));
  }

  @ParameterizedTest
  @EnumSource(Storage.class)
  void timeRetentionDeletesSegmentsWhoseNewestRecordIsTooOld(Storage storage) {
    long now = System.currentTimeMillis();
    SegmentedLog<Text> log = open(options(storage).setSegmentBytes(Codecs.recordBytes(3) * 2)
        .setRetentionMs(60_000), Codecs.TEXTS);
    log.append(new Text("old", now - 120_000));
    log.append(new Text("old", now - 110_000));
    log.append(new Text("new", now));
    assertEquals(2, log.startOffset(), "the segment of two old records is deleted on the next append");
  }

  @ParameterizedTest
  @EnumSource(Storage.class)
  void aRecordLargerThanASegmentGetsASegmentOfItsOwn(Storage storage) {
    SegmentedLog<Text> log = open(options(storage).setSegmentBytes(100), Codecs.TEXTS);
    log.append(new Text("small"));
    String big = "x".repeat(1000);
    assertEquals(1, log.append(new Text(big)));
    log.append(new Text("after"));
    assertEquals(List.of("0=small", "1=" + big, "2=after"), readAll(log, 0, 10));
    assertEquals(3, log.segmentCount());
  }

  @ParameterizedTest
  @EnumSource(Storage.class)
  void segmentsRollByAge(Storage storage) throws Exception {
    SegmentedLog<Text> log = open(options(storage).setSegmentMs(1), Codecs.TEXTS);
    log.append(new Text("a"));
    Thread.sleep(5);
    log.append(new Text("b"));
    assertEquals(2, log.segmentCount());
  }

  @ParameterizedTest
  @EnumSource(Storage.class)
  void offsetForTimeFindsTheFirstRecordAtOrAfterTheTime(Storage storage) {
    SegmentedLog<Text> log = open(options(storage).setSegmentBytes(10 * Codecs.recordBytes(4))
        .setIndexIntervalBytes(2 * Codecs.recordBytes(4)).setRetentionMs(0), Codecs.TEXTS);
    for (int i = 0; i < 100; i++) {
      log.append(new Text(String.format("%04d", i), 10_000 + i * 10L));
    }
    assertEquals(0, log.offsetForTime(0));
    assertEquals(0, log.offsetForTime(10_000));
    assertEquals(1, log.offsetForTime(10_001));
    assertEquals(37, log.offsetForTime(10_370));
    assertEquals(38, log.offsetForTime(10_375));
    assertEquals(99, log.offsetForTime(10_990));
    assertEquals(100, log.offsetForTime(11_000), "nothing that new: the end offset");
  }

  @ParameterizedTest
  @EnumSource(Storage.class)
  void closeStopsAppendsAndFreesTheSegments(Storage storage) {
    SegmentedLog<Text> log = SegmentedLog.open(options(storage), Codecs.TEXTS);
    log.append(new Text("a"));
    log.close();
    assertThrows(IllegalStateException.class, () -> log.append(new Text("b")));
    for (int i = 0; i < RecentRecords.CAPACITY; i++) {
      assertNull(log.get(0), "freed segments are not read (and do not crash the reader)");
    }
    log.read(0, 10, (o, v) -> {
      throw new AssertionError("nothing is delivered after close");
    });
  }
}
