package io.tributary.launcher;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The packaged broker as a separate process ({@code java -jar target/tributary.jar ...}), its
 * output collected line by line, stopped with a real signal. For the tests that need what only a
 * process gives: the launcher's own start and stop, SIGKILL, open-file limits.
 */
final class BrokerProcess implements AutoCloseable {

  static final String JAR = System.getProperty("tributary.jar", "target/tributary.jar");

  private final List<String> output = Collections.synchronizedList(new ArrayList<>());
  private Process process;

  /** {@code java -jar tributary.jar args...}; output so far is kept (see {@link #clearOutput}). */
  void start(String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(java(), "-jar", JAR));
    cmd.addAll(List.of(args));
    run(cmd);
  }

  /** Any command (a start script) in workDir with extra environment variables; output collected. */
  void startCommand(Path workDir, java.util.Map<String, String> env, String... cmd) throws IOException {
    ProcessBuilder b = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true);
    b.environment().putAll(env);
    collect(b.start());
  }

  /** The broker under {@code ulimit -n files} (exec: the shell becomes the broker's process). */
  void startWithFileLimit(int files, String... args) throws IOException {
    StringBuilder line = new StringBuilder("ulimit -n " + files + " && exec '" + java() + "' -jar '" + JAR + "'");
    for (String a : args) {
      line.append(" '").append(a).append("'");
    }
    run(List.of("sh", "-c", line.toString()));
  }

  /**
   * conf/broker.json with 2 event loops, one MQTT listener on 127.0.0.1:port and the log under
   * dir/data, written to dir/broker.json.
   */
  static Path defaultConfig(Path dir, int port) throws IOException {
    JsonObject json = new JsonObject(Files.readString(Path.of(System.getProperty("tributary.conf",
        "../conf/broker.json"))));
    json.put("instances", 2);
    json.getJsonObject("log").put("dir", dir.resolve("data").toString());
    json.put("listeners", new JsonArray().add(new JsonObject()
        .put("name", "mqtt").put("protocol", "mqtt").put("host", "127.0.0.1").put("port", port)));
    Path conf = dir.resolve("broker.json");
    Files.writeString(conf, json.encodePrettily());
    return conf;
  }

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private void run(List<String> cmd) throws IOException {
    collect(new ProcessBuilder(cmd).redirectErrorStream(true).start());
  }

  private void collect(Process p) {
    process = p;
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          output.add(line);
        }
      } catch (IOException ignored) {
        // process ended
      }
    });
    reader.setDaemon(true);
    reader.start();
  }

  Process process() {
    return process;
  }

  /** Every line the broker printed so far (synchronized: lock it to iterate). */
  List<String> output() {
    return output;
  }

  /**
   * Sends a signal from outside ({@code kill -SIG pid}): Process.destroy() would also close our end
   * of the broker's output, and SIGKILL is what a crash looks like.
   */
  void signal(String signal) throws IOException, InterruptedException {
    int status = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start().waitFor();
    if (status != 0) {
      throw new IllegalStateException("kill -" + signal + " exited with " + status);
    }
  }

  /** SIGKILL, then waits for the process to be gone. */
  void kill() throws IOException, InterruptedException {
    signal("KILL");
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the broker survived SIGKILL");
    }
  }

  /** The first output line containing fragment, waiting up to 30 s for it. */
  String awaitLine(String fragment) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      synchronized (output) {
        for (String l : output) {
          if (l.contains(fragment)) {
            return l;
          }
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no line containing '" + fragment + "' in:\n" + outputText());
  }

  /** Index of the first output line containing fragment, -1 if none. */
  int indexOf(String fragment) {
    synchronized (output) {
      for (int i = 0; i < output.size(); i++) {
        if (output.get(i).contains(fragment)) {
          return i;
        }
      }
    }
    return -1;
  }

  String outputText() {
    synchronized (output) {
      return String.join("\n", output);
    }
  }

  void clearOutput() {
    output.clear();
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
