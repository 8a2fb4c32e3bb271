package io.tributary.bench.suite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** What the report header says about the machine and the tree. */
record HostInfo(String date, String commit, String kernel, String cpu, int cores, String jdk) {

  static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z");

  static HostInfo collect(Path root, Path java, ZonedDateTime now) {
    return new HostInfo(now.format(DATE), commit(root), kernelRelease(), cpuModel(), Runtime.getRuntime().availableProcessors(),
        jdk(java));
  }

  /**
   * {@code git rev-parse --short HEAD}, plus "dirty" when {@code git status --porcelain} lists changes
   * outside bench/results (earlier results are outputs, not the code measured).
   */
  static String commit(Path root) {
    List<String> head = ProcessBroker.outputOf(List.of("git", "-C", root.toString(), "rev-parse", "--short", "HEAD"));
    if (head.isEmpty() || head.get(0).startsWith("fatal")) {
      return "unknown (not a git tree)";
    }
    List<String> status = ProcessBroker.outputOf(List.of("git", "-C", root.toString(), "status", "--porcelain", "--",
        ".", ":(exclude)bench/results"));
    return head.get(0) + (status.isEmpty() ? "" : " (dirty)");
  }

  static String kernelRelease() {
    List<String> out = ProcessBroker.outputOf(List.of("uname", "-r"));
    return out.isEmpty() ? System.getProperty("os.version") : out.get(0);
  }

  static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Paths.get("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException e) {
      // below
    }
    return System.getProperty("os.arch");
  }

  /** First two lines of {@code java -version} of the JVM that runs the broker. */
  static String jdk(Path java) {
    List<String> out = ProcessBroker.outputOf(List.of(java.toString(), "-version"));
    return out.isEmpty() ? System.getProperty("java.vm.version") : String.join(", ", out.subList(0, Math.min(2, out.size())));
  }
}
