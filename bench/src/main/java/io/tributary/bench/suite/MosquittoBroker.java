package io.tributary.bench.suite;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Mosquitto with a generated configuration: one listener, no persistence, TCP_NODELAY, no limit on
 * connections, and a per-client queue large enough that it never drops a QoS 1 message the load
 * asks for (its default of 1000 drops under the fixed-rate run, which would flatter it on CPU).
 */
final class MosquittoBroker extends ProcessBroker {

  /** The settings besides the listener, as written into the config and quoted in the report. */
  static final List<String> SETTINGS = List.of(
      "allow_anonymous true",
      "persistence false",
      "set_tcp_nodelay true",
      "max_connections -1",
      "max_queued_messages 1000000",
      "log_dest stderr",
      "log_type error",
      "log_type warning");

  private final Path binary;

  MosquittoBroker(Path binary) {
    this.binary = binary;
  }

  @Override
  public String name() {
    return "mosquitto";
  }

  @Override
  public String displayName() {
    return "Mosquitto";
  }

  /** From the first line of {@code mosquitto -h}: "mosquitto version 2.0.11" -> "2.0.11". */
  @Override
  public String version() {
    List<String> out = outputOf(List.of(binary.toString(), "-h"));
    if (out.isEmpty()) {
      return "?";
    }
    String first = out.get(0);
    return first.startsWith("mosquitto version ") ? first.substring("mosquitto version ".length()) : first;
  }

  /** {@code passwords}: a password file (anonymous clients then refused), or null. */
  static String config(int port, Path passwords) {
    StringBuilder b = new StringBuilder("listener ").append(port).append(' ').append(HOST).append('\n');
    for (String s : SETTINGS) {
      b.append(passwords != null && s.equals("allow_anonymous true") ? "allow_anonymous false" : s).append('\n');
    }
    if (passwords != null) {
      b.append("password_file ").append(passwords).append('\n');
    }
    return b.toString();
  }

  @Override
  protected List<String> command(int port, Path workDir) throws IOException {
    Path conf = workDir.resolve("mosquitto.conf");
    Path passwords = logins() == 0 ? null : BenchPasswords.mosquitto(logins(), binary);
    Files.writeString(conf, config(port, passwords), StandardCharsets.US_ASCII);
    return List.of(binary.toString(), "-c", conf.toString());
  }

  @Override
  public String transport() {
    return "";
  }
}
