package io.tributary.commitlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class InMemoryCommitLogTest {

  private static InMemoryCommitLog<String> log(int segmentRecords) {
    return new InMemoryCommitLog<>(new CommitLogOptions().setSegmentRecords(segmentRecords), String::length);
  }

  /** Reads everything from fromOffset with the given batch size; returns "offset=value" strings. */
  private static List<String> readAll(CommitLog<String> log, long fromOffset, int maxRecords) {
    List<String> out = new ArrayList<>();
    long next = fromOffset;
    while (next < log.endOffset()) {
      next = log.read(next, maxRecords, (offset, value) -> out.add(offset + "=" + value));
    }
    return out;
  }

  @Test
  void emptyLog() {
    InMemoryCommitLog<String> log = log(4);
    assertEquals(0, log.startOffset());
    assertEquals(0, log.endOffset());
    assertEquals(0, log.retainedBytes());
    assertNull(log.get(0));
    assertNull(log.get(-1));
    assertEquals(0, log.read(0, 10, (o, v) -> {
      throw new AssertionError("nothing to read");
    }));
  }

  @Test
  void appendGetAndRead() {
    InMemoryCommitLog<String> log = log(4);
    assertEquals(0, log.append("a"));
    assertEquals(1, log.append("bb"));
    assertEquals(2, log.append("ccc"));

    assertEquals(3, log.endOffset());
    assertEquals(6, log.retainedBytes());
    assertEquals("a", log.get(0));
    assertEquals("bb", log.get(1));
    assertEquals("ccc", log.get(2));
    assertNull(log.get(3), "not yet written");
    assertNull(log.get(-5));

    List<String> seen = new ArrayList<>();
    assertEquals(3, log.read(0, 100, (offset, value) -> seen.add(offset + "=" + value)));
    assertEquals(List.of("0=a", "1=bb", "2=ccc"), seen);

    seen.clear();
    assertEquals(3, log.read(1, 100, (offset, value) -> seen.add(offset + "=" + value)));
    assertEquals(List.of("1=bb", "2=ccc"), seen);
  }

  @Test
  void readAtOrPastEndDeliversNothing() {
    InMemoryCommitLog<String> log = log(4);
    log.append("a");
    assertEquals(1, log.read(1, 10, (o, v) -> {
      throw new AssertionError();
    }));
    assertEquals(7, log.read(7, 10, (o, v) -> {
      throw new AssertionError();
    }));
  }

  @Test
  void readAcrossSegmentBoundaries() {
    InMemoryCommitLog<String> log = log(3);
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      log.append("v" + i);
      expected.add(i + "=v" + i);
    }
    assertEquals(7, log.segmentCount());
    for (int from = 0; from < 20; from++) {
      for (int batch : new int[] {1, 2, 3, 4, 7, 100}) {
        assertEquals(expected.subList(from, 20), readAll(log, from, batch), "from " + from + " batch " + batch);
      }
    }
    for (int i = 0; i < 20; i++) {
      assertEquals("v" + i, log.get(i));
    }
  }

  @Test
  void maxRecordsBoundsTheBatch() {
    InMemoryCommitLog<String> log = log(4);
    for (int i = 0; i < 10; i++) {
      log.append("v" + i);
    }
    List<Long> offsets = new ArrayList<>();
    assertEquals(8, log.read(2, 6, (offset, value) -> offsets.add(offset)));
    assertEquals(List.of(2L, 3L, 4L, 5L, 6L, 7L), offsets);
    assertEquals(2, log.read(2, 0, (o, v) -> {
      throw new AssertionError("maxRecords 0 reads nothing");
    }));
  }

  @Test
  void consumerReturningFalseStopsAndThatRecordIsNotConsumed() {
    InMemoryCommitLog<String> log = log(4);
    for (int i = 0; i < 10; i++) {
      log.append("v" + i);
    }
    List<Long> offsets = new ArrayList<>();
    long next = log.read(1, 100, (offset, value) -> {
      if (offset == 5) {
        return false;
      }
      offsets.add(offset);
      return true;
    });
    assertEquals(5, next, "offset 5 was refused, so it is the next to read");
    assertEquals(List.of(1L, 2L, 3L, 4L), offsets);

    List<Long> rest = new ArrayList<>();
    assertEquals(10, log.read(next, 100, (offset, value) -> rest.add(offset)));
    assertEquals(List.of(5L, 6L, 7L, 8L, 9L), rest);

    assertEquals(3, log.read(3, 100, (offset, value) -> false), "refusing the first consumes nothing");
  }

  @Test
  void readDeliversOnlyWhatWasThereAtCallStart() {
    InMemoryCommitLog<String> log = log(2);
    log.append("a");
    log.append("b");
    List<Long> offsets = new ArrayList<>();
    long next = log.read(0, 100, (offset, value) -> {
      log.append("late");
      return offsets.add(offset);
    });
    assertEquals(2, next);
    assertEquals(List.of(0L, 1L), offsets);
    assertEquals(4, log.endOffset());
  }

  @Test
  void appendAllAssignsConsecutiveOffsets() {
    InMemoryCommitLog<String> log = log(3);
    log.append("x");
    assertEquals(1, log.appendAll(List.of("a", "b", "c", "d", "e")));
    assertEquals(6, log.endOffset());
    assertEquals(6, log.appendAll(List.of("f")));
    assertEquals(7, log.endOffset());
    assertEquals(List.of("0=x", "1=a", "2=b", "3=c", "4=d", "5=e", "6=f"), readAll(log, 0, 100));
    assertEquals(7, log.retainedBytes());
  }

  @Test
  void appendAllOfEmptyListAppendsNothing() {
    InMemoryCommitLog<String> log = log(3);
    log.append("x");
    assertEquals(1, log.appendAll(List.of()));
    assertEquals(1, log.endOffset());
  }

  @Test
  void rejectsNullsAndNegativeSizesWithoutPartialBatches() {
    InMemoryCommitLog<String> log = log(3);
    assertThrows(NullPointerException.class, () -> log.append(null));
    assertThrows(NullPointerException.class, () -> log.appendAll(Arrays.asList("a", null, "b")));
    assertEquals(0, log.endOffset());
    assertEquals(0, log.retainedBytes());

    InMemoryCommitLog<String> negative = new InMemoryCommitLog<>(new CommitLogOptions(), v -> v.isEmpty() ? -1 : 1);
    assertThrows(IllegalArgumentException.class, () -> negative.appendAll(List.of("a", "")));
    assertEquals(0, negative.endOffset());
    assertEquals(0, negative.append("ok"));
    assertEquals("ok", negative.get(0));
  }

  @Test
  void closeStopsAppendsButKeepsRecordsReadable() {
    InMemoryCommitLog<String> log = log(3);
    log.append("a");
    log.close();
    log.close();
    assertThrows(IllegalStateException.class, () -> log.append("b"));
    assertThrows(IllegalStateException.class, () -> log.appendAll(List.of("b")));
    assertEquals(1, log.endOffset());
    assertEquals("a", log.get(0));
  }

  @Test
  void valuesAreStoredOnceNotCopied() {
    InMemoryCommitLog<StringBuilder> log = new InMemoryCommitLog<>(new CommitLogOptions(), StringBuilder::length);
    StringBuilder value = new StringBuilder("payload");
    long offset = log.append(value);
    assertTrue(log.get(offset) == value);
    log.read(offset, 1, (o, v) -> {
      assertTrue(v == value);
      return true;
    });
  }
}
