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
}
