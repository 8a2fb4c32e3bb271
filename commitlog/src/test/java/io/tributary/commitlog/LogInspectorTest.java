package io.tributary.commitlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.commitlog.Codecs.Text;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogInspectorTest {

  @TempDir
  Path dir;

  private String inspect(int[] damaged, boolean records) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    damaged[0] = new LogInspector(new PrintStream(bytes, true, StandardCharsets.UTF_8), records).inspect(dir);
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void printsSegmentsOffsetsAndTimesAndFindsADamagedRecord() throws Exception {
    try (SegmentedLog<Text> log = SegmentedLog.open(new CommitLogOptions().setStorage(Storage.DISK)
        .setDir(dir.toString()).setSegmentBytes(10 * Codecs.recordBytes(2)).setRetentionMs(0), Codecs.TEXTS)) {
      for (int i = 0; i < 25; i++) {
        log.append(new Text(String.format("%02d", i), 1_700_000_000_000L + i * 1000));
      }
    }
    int[] damaged = {-1};
    String out = inspect(damaged, false);
    assertEquals(0, damaged[0], out);
    assertTrue(out.contains("00000000000000000000.log: offsets [0, 10), 10 records"), out);
    assertTrue(out.contains("00000000000000000020.log: offsets [20, 25), 5 records"), out);
    assertTrue(out.contains("3 segment(s), 25 records"), out);
    assertTrue(out.contains("2023-11-14T22:13:20Z to 2023-11-14T22:13:44Z"), out);
    assertTrue(out.contains("every record's CRC is valid"), out);
    assertTrue(inspect(damaged, true).contains("offset 24 position 112 size 28"), "one line per record");

    try (RandomAccessFile file = new RandomAccessFile(dir.resolve(LogSegment.fileName(10, ".log")).toFile(), "rw")) {
      file.seek(3 * Codecs.recordBytes(2) + RecordFormat.HEADER_BYTES);
      file.write('X');
    }
    out = inspect(damaged, false);
    assertEquals(1, damaged[0], out);
    assertTrue(out.contains("DAMAGED at byte 84 (offset 13): CRC mismatch"), out);
  }
}
