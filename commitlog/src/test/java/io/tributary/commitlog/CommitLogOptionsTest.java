package io.tributary.commitlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CommitLogOptionsTest {

  @Test
  void defaults() {
    CommitLogOptions options = new CommitLogOptions();
    assertEquals(CommitLogOptions.DEFAULT_SEGMENT_RECORDS, options.getSegmentRecords());
    assertEquals(CommitLogOptions.DEFAULT_RETENTION_BYTES, options.getRetentionBytes());
    assertEquals(16384, CommitLogOptions.DEFAULT_SEGMENT_RECORDS);
    assertEquals(256L * 1024 * 1024, CommitLogOptions.DEFAULT_RETENTION_BYTES);
  }

  @Test
  void settersAreFluentAndCopyConstructorCopies() {
    CommitLogOptions options = new CommitLogOptions();
    assertSame(options, options.setSegmentRecords(10));
    assertSame(options, options.setRetentionBytes(1000));

    CommitLogOptions copy = new CommitLogOptions(options);
    assertNotSame(options, copy);
    assertEquals(options, copy);
    assertEquals(10, copy.getSegmentRecords());
    assertEquals(1000, copy.getRetentionBytes());

    options.setSegmentRecords(20);
    assertEquals(10, copy.getSegmentRecords());
  }

  @Test
  void rejectsNonPositiveSegmentRecords() {
    CommitLogOptions options = new CommitLogOptions();
    for (int bad : new int[] {0, -1, Integer.MIN_VALUE}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> options.setSegmentRecords(bad));
      assertTrue(e.getMessage().contains("segmentRecords"), e.getMessage());
    }
    assertEquals(CommitLogOptions.DEFAULT_SEGMENT_RECORDS, options.getSegmentRecords());
  }

  @Test
  void rejectsNonPositiveRetentionBytes() {
    CommitLogOptions options = new CommitLogOptions();
    for (long bad : new long[] {0, -1, Long.MIN_VALUE}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> options.setRetentionBytes(bad));
      assertTrue(e.getMessage().contains("retentionBytes"), e.getMessage());
    }
    assertEquals(CommitLogOptions.DEFAULT_RETENTION_BYTES, options.getRetentionBytes());
  }

  @Test
  void logCopiesOptionsAtConstruction() {
    CommitLogOptions options = new CommitLogOptions().setSegmentRecords(2).setRetentionBytes(1_000);
    InMemoryCommitLog<String> log = new InMemoryCommitLog<>(options, String::length);
    options.setSegmentRecords(1_000);
    for (int i = 0; i < 5; i++) {
      log.append("x");
    }
    assertEquals(3, log.segmentCount());
  }
}
