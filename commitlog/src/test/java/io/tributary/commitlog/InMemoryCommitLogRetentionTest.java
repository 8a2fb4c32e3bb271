package io.tributary.commitlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class InMemoryCommitLogRetentionTest {

  /** Every record accounts for 10 bytes; 4 records per segment = 40 bytes per full segment. */
  private static InMemoryCommitLog<Integer> log(long retentionBytes) {
    return new InMemoryCommitLog<>(
        new CommitLogOptions().setSegmentRecords(4).setRetentionBytes(retentionBytes), v -> 10);
  }

  @Test
  void nothingDroppedWhileUnderTheBound() {
    InMemoryCommitLog<Integer> log = log(100);
    for (int i = 0; i < 10; i++) {
      log.append(i);
    }
    assertEquals(0, log.startOffset());
    assertEquals(100, log.retainedBytes());
    assertEquals(3, log.segmentCount());
  }

  @Test
  void dropsOldestWholeSegmentsAndAdvancesStartOffset() {
    InMemoryCommitLog<Integer> log = log(100);
    for (int i = 0; i < 10; i++) {
      log.append(i);
    }
    log.append(10); // 110 bytes > 100: segment [0,4) goes
    assertEquals(4, log.startOffset());
    assertEquals(70, log.retainedBytes());
    assertEquals(2, log.segmentCount());
    assertNull(log.get(0));
    assertNull(log.get(3));
    assertEquals(4, log.get(4));
    assertEquals(10, log.get(10));

    for (int i = 11; i < 50; i++) {
      log.append(i);
      assertTrue(log.retainedBytes() <= 100, "bound holds: " + log);
      assertEquals(log.startOffset() % 4, 0, "start is a segment base");
    }
    assertEquals(50, log.endOffset());
    assertEquals(40, log.startOffset());
    assertEquals(100, log.retainedBytes());
    for (long offset = 0; offset < 50; offset++) {
      assertEquals(offset < 40 ? null : Integer.valueOf((int) offset), log.get(offset));
    }
  }

  @Test
  void readFromRemovedOffsetStartsAtStartOffset() {
    InMemoryCommitLog<Integer> log = log(100);
    for (int i = 0; i < 30; i++) {
      log.append(i);
    }
    long start = log.startOffset();
    assertTrue(start > 0);
    List<Long> offsets = new ArrayList<>();
    long next = log.read(0, 1000, (offset, value) -> {
      assertEquals(offset, value.longValue());
      return offsets.add(offset);
    });
    assertEquals(30, next);
    assertEquals(start, offsets.get(0), "the gap shows as the first delivered offset");
    assertEquals(30 - start, offsets.size());

    // Nothing consumed: the returned offset alone shows the gap.
    assertEquals(start, log.read(1, 1000, (offset, value) -> false));
  }

  @Test
  void activeSegmentIsNeverDropped() {
    // A single record larger than the bound: the log keeps it (it is in the active segment).
    InMemoryCommitLog<Integer> log = new InMemoryCommitLog<>(
        new CommitLogOptions().setSegmentRecords(4).setRetentionBytes(5), v -> 10);
    log.append(0);
    assertEquals(0, log.startOffset());
    assertEquals(10, log.retainedBytes());
    assertEquals(0, log.get(0));

    for (int i = 1; i < 6; i++) {
      log.append(i);
    }
    assertEquals(4, log.startOffset());
    assertEquals(1, log.segmentCount());
    assertEquals(20, log.retainedBytes());
  }

  @Test
  void appendAllLargerThanRetentionKeepsTheActiveTail() {
    InMemoryCommitLog<Integer> log = log(100);
    List<Integer> batch = new ArrayList<>(Collections.nCopies(25, 7));
    assertEquals(0, log.appendAll(batch));
    assertEquals(25, log.endOffset());
    assertTrue(log.retainedBytes() <= 100, log.toString());
    assertEquals(16, log.startOffset()); // segments [16,20), [20,24), [24,25): 90 bytes
    assertEquals(90, log.retainedBytes());
  }

  @Test
  void readerHoldingDroppedSegmentsStillReadsValidData() {
    InMemoryCommitLog<Integer> log = log(80); // exactly two full segments fit
    for (int i = 0; i < 8; i++) {
      log.append(i);
    }
    List<Integer> values = new ArrayList<>();
    log.read(0, 100, (offset, value) -> {
      if (offset == 1) {
        for (int i = 8; i < 40; i++) {
          log.append(i); // retention drops the segments this read is walking
        }
        assertTrue(log.startOffset() > 8);
      }
      return values.add(value);
    });
    assertEquals(List.of(4, 5, 6, 7), values.subList(4, 8));
    assertEquals(8, values.size());
    for (int i = 0; i < values.size(); i++) {
      assertEquals(i, values.get(i));
    }
  }

  @Test
  void largeRecordsRollSegmentsByBytesSoRetentionBoundsMemory() {
    // Room for 1000 records per segment, but each record is 1000 bytes and a segment holds 3000:
    // without the byte roll one segment would hold everything and nothing could be dropped.
    InMemoryCommitLog<Integer> log = new InMemoryCommitLog<>(new CommitLogOptions()
        .setSegmentRecords(1000).setSegmentBytes(3000).setRetentionBytes(10_000), v -> 1000);
    for (int i = 0; i < 100; i++) {
      log.append(i);
      assertTrue(log.retainedBytes() <= 10_000 + 3000, "retained " + log.retainedBytes());
    }
    assertTrue(log.startOffset() > 80, "start " + log.startOffset());
    // Variable segment boundaries: reads and gets still address every retained offset.
    List<Integer> seen = new ArrayList<>();
    long next = log.read(log.startOffset() - 5, 1000, (o, v) -> seen.add(v));
    assertEquals(100, next);
    assertEquals((int) log.startOffset(), seen.get(0));
    for (int k = 1; k < seen.size(); k++) {
      assertEquals(seen.get(k - 1) + 1, seen.get(k));
    }
    for (long o = log.startOffset(); o < 100; o++) {
      assertEquals((int) o, log.get(o));
    }
  }

  @Test
  void aRecordLargerThanASegmentGetsASegmentOfItsOwn() {
    InMemoryCommitLog<Integer> log = new InMemoryCommitLog<>(new CommitLogOptions()
        .setSegmentRecords(10).setSegmentBytes(100).setRetentionBytes(1_000_000), v -> v);
    log.append(5);
    log.append(500);
    log.append(5);
    assertEquals(3, log.segmentCount());
    List<Integer> seen = new ArrayList<>();
    log.read(0, 10, (o, v) -> seen.add(v));
    assertEquals(List.of(5, 500, 5), seen);
  }
}
