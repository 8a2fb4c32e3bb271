package io.tributary.bench.load;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU time and resident memory of a process, read from Linux {@code /proc}. Readings that are not
 * available (pid 0, no such process, not Linux) come back as -1; callers turn them into NaN.
 */
final class ProcStats {

  private static volatile long clockTicks;

  private ProcStats() {
  }

  /** Clock ticks per second ({@code getconf CLK_TCK}), read once; 100 if it cannot be read. */
  static long clockTicks() {
    long t = clockTicks;
    if (t == 0) {
      t = 100;
      try {
        Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
        try (InputStream in = p.getInputStream()) {
          String s = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
          long v = Long.parseLong(s);
          if (v > 0) {
            t = v;
          }
        } finally {
          p.destroy();
        }
      } catch (IOException | NumberFormatException e) {
        // keep the default
      }
      clockTicks = t;
    }
    return t;
  }

  /** User + system CPU ticks of process {@code pid}, or -1 (pid 0 or unreadable). */
  static long cpuTicks(long pid) {
    if (pid <= 0) {
      return -1;
    }
    return readCpuTicks(Path.of("/proc", Long.toString(pid), "stat"));
  }

  /** User + system CPU ticks of this JVM, or -1. */
  static long selfCpuTicks() {
    return readCpuTicks(Path.of("/proc/self/stat"));
  }

  /** CPU seconds between two tick readings, NaN if either is missing. */
  static double seconds(long ticksBefore, long ticksAfter) {
    if (ticksBefore < 0 || ticksAfter < 0) {
      return Double.NaN;
    }
    return (ticksAfter - ticksBefore) / (double) clockTicks();
  }

  /** Resident set of {@code pid} in KiB (VmRSS), or -1. */
  static long rssKiB(long pid) {
    if (pid <= 0) {
      return -1;
    }
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"), StandardCharsets.US_ASCII);
      for (String line : lines) {
        if (line.startsWith("VmRSS:")) {
          String v = line.substring(6).trim();
          int sp = v.indexOf(' ');
          return Long.parseLong(sp < 0 ? v : v.substring(0, sp));
        }
      }
    } catch (IOException | RuntimeException e) {
      // fall through
    }
    return -1;
  }

  private static long readCpuTicks(Path stat) {
    try {
      String s = new String(Files.readAllBytes(stat), StandardCharsets.US_ASCII);
      // the command name (field 2) is in parentheses and may contain spaces: count from the last ')'
      int close = s.lastIndexOf(')');
      if (close < 0) {
        return -1;
      }
      String[] f = s.substring(close + 2).trim().split(" ");
      // f[0] is field 3 (state); utime is field 14, stime field 15
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
