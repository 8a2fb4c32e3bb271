package io.tributary.bench.suite;

import java.nio.file.Path;

/**
 * A broker the suite measures. Each {@link #start} runs a fresh process on a free 127.0.0.1 port
 * and returns once the port accepts TCP connections; {@link #stop} ends it. One process at a time.
 */
interface BrokerUnderTest {

  /** Short id, as {@code --brokers} spells it and the JSON lines record it: "tributary", "mosquitto". */
  String name();

  /** Name for tables: "Tributary", "Mosquitto". */
  String displayName();

  /** The broker's version, for the report header. */
  String version();

  /**
   * Starts a fresh process with its configuration and log in {@code workDir} and waits until its port
   * accepts connections.
   *
   * @throws BrokerStartException when it does not come up in time or exits; the message holds the log's tail
   */
  void start(Path workDir) throws BrokerStartException, InterruptedException;

  /**
   * From the next {@link #start}: 0 for anonymous clients (the default), else a password file of
   * that many users ({@link io.tributary.bench.load.Scenario#user}) and anonymous clients refused.
   */
  void setLogins(int users);

  /** Pid of the running process (its CPU and RSS are read from /proc). */
  long pid();

  /** Port of the running process's MQTT listener. */
  int port();

  /** Whether the process started last is still running. */
  boolean isAlive();

  /** Transport the running broker uses ("io_uring", ...), or "" when not applicable. */
  String transport();

  /** Last lines of the running (or last) process's output. */
  String logTail(int lines);

  /** SIGTERM, up to 10 s for a clean exit, then SIGKILL. Does nothing when not running. */
  void stop() throws InterruptedException;

  /** A broker that did not come up. */
  final class BrokerStartException extends Exception {
    BrokerStartException(String message) {
      super(message);
    }
  }
}
