package io.tributary.commitlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class CommitLogOptionsTest {

  @Test
  void defaults() {
    CommitLogOptions options = new CommitLogOptions();
    assertEquals(Storage.MEMORY, options.getStorage());
    assertEquals("data", options.getDir());
    assertEquals(64L << 20, options.getSegmentBytes());
    assertEquals(1L << 30, options.getRetentionBytes());
    assertEquals(7L * 24 * 3600 * 1000, options.getRetentionMs());
    assertEquals(FlushPolicy.NONE, options.getFlush());
    assertEquals(1000, options.getFlushIntervalMs());
    assertEquals(4096, options.getIndexIntervalBytes());
  }

  @Test
  void settersAreFluentAndCopyConstructorCopies() {
    CommitLogOptions options = new CommitLogOptions();
    assertSame(options, options.setStorage(Storage.DISK).setDir("x").setSegmentBytes(100).setSegmentMs(5)
        .setRetentionBytes(1000).setRetentionMs(0).setFlush(FlushPolicy.ALWAYS).setFlushIntervalMs(7)
        .setIndexIntervalBytes(9));
    CommitLogOptions copy = new CommitLogOptions(options);
    assertEquals(options, copy);
    assertEquals(options.hashCode(), copy.hashCode());
    options.setSegmentBytes(200);
    assertEquals(100, copy.getSegmentBytes());
    assertNotEquals(options, copy);
  }

  @Test
  void rejectsOutOfRangeValuesNamingTheOptionAndKeepsTheOldValue() {
    rejects("segmentBytes", o -> o.setSegmentBytes(0));
    rejects("segmentBytes", o -> o.setSegmentBytes((1L << 30) + 1));
    rejects("segmentMs", o -> o.setSegmentMs(0));
    rejects("retentionBytes", o -> o.setRetentionBytes(-1));
    rejects("retentionMs", o -> o.setRetentionMs(-1));
    rejects("flushIntervalMs", o -> o.setFlushIntervalMs(0));
    rejects("indexIntervalBytes", o -> o.setIndexIntervalBytes(0));
    rejects("dir", o -> o.setDir(" "));
  }

  private static void rejects(String name, Consumer<CommitLogOptions> setter) {
    CommitLogOptions options = new CommitLogOptions();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> setter.accept(options));
    assertTrue(e.getMessage().contains(name), e.getMessage());
    assertEquals(new CommitLogOptions(), options);
  }

  @Test
  void logCopiesOptionsAtConstruction() {
    CommitLogOptions options = new CommitLogOptions().setSegmentBytes(2 * Codecs.recordBytes(8));
    SegmentedLog<Long> log = SegmentedLog.open(options, Codecs.LONGS);
    options.setSegmentBytes(1_000_000);
    for (long i = 0; i < 5; i++) {
      log.append(i);
    }
    assertEquals(3, log.segmentCount(), "two records per segment, as when opened");
    log.close();
  }
}
