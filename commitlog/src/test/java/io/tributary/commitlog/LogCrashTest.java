package io.tributary.commitlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.commitlog.Codecs.Text;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A real process appending to a real directory, killed with SIGKILL at a random moment: every
 * record it reported stored before it died is there after recovery, intact, and the log goes on.
 */
class LogCrashTest {

  @TempDir
  Path dir;

  @ParameterizedTest
  @EnumSource(value = FlushPolicy.class, names = {"NONE", "ALWAYS"})
  void everyAcknowledgedRecordSurvivesSigkill(FlushPolicy flush) throws Exception {
    long acknowledged = -1;
    for (int round = 0; round < 2; round++) {
      Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), CrashAppender.class.getName(), dir.toString(), flush.name())
          .redirectError(ProcessBuilder.Redirect.INHERIT).start();
      long lastSeen = -1;
      try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
          StandardCharsets.UTF_8))) {
        String ready = out.readLine();
        assertTrue(ready != null && ready.startsWith("ready "), "child started: " + ready);
        assertEquals(acknowledged + 1, Long.parseLong(ready.substring(6)), "the restarted log goes on after the last ack");
        // Let it run for a random number of acknowledgements, then kill it mid-append.
        long killAfter = ThreadLocalRandom.current().nextLong(2_000, 40_000);
        String line;
        while ((line = out.readLine()) != null) {
          lastSeen = Long.parseLong(line.trim());
          if (lastSeen >= acknowledged + killAfter) {
            break;
          }
        }
        // SIGKILL: no shutdown hook, no close, no flush. (Process.destroyForcibly would also close
        // our end of its stdout, losing acknowledgements still in the pipe.)
        new ProcessBuilder("kill", "-KILL", Long.toString(child.pid())).start().waitFor();
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        // Acks printed before the kill landed may still be in the pipe: they count too.
        while ((line = out.readLine()) != null) {
          if (!line.isBlank() && Character.isDigit(line.charAt(0))) {
            lastSeen = Math.max(lastSeen, Long.parseLong(line.trim()));
          }
        }
      }
      assertTrue(lastSeen > acknowledged, "round " + round + " acknowledged something");
      acknowledged = lastSeen;
      try (SegmentedLog<Text> log = SegmentedLog.open(new CommitLogOptions().setStorage(Storage.DISK)
          .setDir(dir.toString()).setSegmentBytes(256 * 1024), Codecs.TEXTS)) {
        assertTrue(log.endOffset() > acknowledged, "acknowledged " + acknowledged + ", recovered "
            + log.recovery().describe());
        long[] next = {0};
        log.read(0, Integer.MAX_VALUE, (offset, value) -> {
          assertEquals(next[0]++, offset);
          assertTrue(value.text().startsWith("message-"), value.text());
          return true;
        });
        assertEquals(log.endOffset(), next[0], "every offset up to the end reads back");
        // What the next round starts from: records beyond the last ack may exist too.
        acknowledged = log.endOffset() - 1;
      }
    }
  }
}
