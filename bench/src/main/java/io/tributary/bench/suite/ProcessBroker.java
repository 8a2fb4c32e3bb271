package io.tributary.bench.suite;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The process side shared by the brokers: port choice, output capture, readiness, stop. */
abstract class ProcessBroker implements BrokerUnderTest {

  static final String HOST = "127.0.0.1";
  static final long READY_TIMEOUT_MS = 30_000;
  static final long STOP_TIMEOUT_MS = 10_000;

  private Process process;
  private int port;
  private Path log;
  private int logins;

  @Override
  public void setLogins(int users) {
    this.logins = users;
  }

  /** Users the next start's password file holds; 0: anonymous clients, no password file. */
  protected int logins() {
    return logins;
  }

  /** Writes the configuration for {@code port} into {@code workDir} and returns the command line. */
  protected abstract List<String> command(int port, Path workDir) throws IOException;

  @Override
  public void start(Path workDir) throws BrokerStartException, InterruptedException {
    if (isAlive()) {
      throw new IllegalStateException(name() + " is already running");
    }
    try {
      Files.createDirectories(workDir);
      port = freePort();
      log = workDir.resolve(name() + ".log");
      List<String> cmd = command(port, workDir);
      process = new ProcessBuilder(cmd)
          .directory(workDir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
    } catch (IOException e) {
      throw new BrokerStartException(name() + " did not start: " + e.getMessage());
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_TIMEOUT_MS);
    while (true) {
      if (!process.isAlive()) {
        throw new BrokerStartException(name() + " exited with code " + process.exitValue()
            + " before its port " + port + " accepted connections; its output (" + log + "):\n" + logTail(30));
      }
      if (accepts(port)) {
        return;
      }
      if (System.nanoTime() > deadline) {
        String tail = logTail(30);
        stop();
        throw new BrokerStartException(name() + " did not accept connections on " + HOST + ":" + port + " within "
            + READY_TIMEOUT_MS / 1000 + " s; its output (" + log + "):\n" + tail);
      }
      Thread.sleep(50);
    }
  }

  @Override
  public long pid() {
    return process == null ? 0 : process.pid();
  }

  @Override
  public int port() {
    return port;
  }

  @Override
  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  @Override
  public String logTail(int lines) {
    return tail(log, lines);
  }

  /** The whole output of the running (or last) process, "" when none. */
  protected String logText() {
    try {
      return log == null || !Files.exists(log) ? "" : Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public void stop() throws InterruptedException {
    Process p = process;
    if (p == null || !p.isAlive()) {
      return;
    }
    p.destroy();
    if (!p.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
      System.err.println("  " + name() + " (pid " + p.pid() + ") did not stop within " + STOP_TIMEOUT_MS / 1000
          + " s of SIGTERM; killing it");
      p.destroyForcibly();
      p.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }
  }

  /** Kills the process at once (shutdown hook of an interrupted suite). */
  void kill() {
    Process p = process;
    if (p != null && p.isAlive()) {
      p.destroyForcibly();
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(false);
      s.bind(new InetSocketAddress(HOST, 0));
      return s.getLocalPort();
    }
  }

  static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(HOST, port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static String tail(Path file, int lines) {
    if (file == null || !Files.exists(file)) {
      return "";
    }
    try {
      List<String> all = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e.getMessage() + ")";
    }
  }

  /** Runs a short command and returns its output lines (stdout and stderr together); empty on failure. */
  static List<String> outputOf(List<String> cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      p.getOutputStream().close();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
      List<String> lines = new ArrayList<>();
      for (String l : new String(out, StandardCharsets.UTF_8).split("\n")) {
        if (!l.isBlank()) {
          lines.add(l.strip());
        }
      }
      return lines;
    } catch (IOException e) {
      return List.of();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of();
    }
  }
}
