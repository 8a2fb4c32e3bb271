package io.tributary.bench.suite;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tributary from its fat jar: {@code java [opts] -jar tributary.jar -conf tributary.json}, the config
 * holding only the transport, one MQTT listener on 127.0.0.1 and, when asked, a log block, so every
 * other setting is the default users get (the log on disk under the run's work directory). JVM flags are the JVM's defaults unless {@code --tributary-jvm-opts} gives some.
 */
final class TributaryBroker extends ProcessBroker {

  private static final Pattern STARTED = Pattern.compile("Tributary started: transport (\\S+?),");

  private final Path java;
  private final Path jar;
  private final String transport;
  private final List<String> jvmOpts;
  private final String blocks;
  private final String extraListeners;

  /**
   * @param blocks config blocks beside the defaults, as {@code "log": {...}, "auth": {...}, } text
   *     (see {@link SuiteOptions#tributaryBlocks}); empty for the defaults (log on disk, flush none)
   */
  TributaryBroker(Path java, Path jar, String transport, List<String> jvmOpts, String blocks, String extraListeners) {
    this.extraListeners = extraListeners;
    this.java = java;
    this.jar = jar;
    this.transport = transport;
    this.jvmOpts = List.copyOf(jvmOpts);
    this.blocks = blocks;
  }

  /** The transport asked for in the config ("auto", "io_uring", "epoll", "nio"). */
  String configuredTransport() {
    return transport;
  }

  @Override
  public String name() {
    return "tributary";
  }

  @Override
  public String displayName() {
    return "Tributary";
  }

  @Override
  public String version() {
    try (JarFile jf = new JarFile(jar.toFile())) {
      var entry = jf.getEntry("META-INF/maven/io.tributary/tributary-launcher/pom.properties");
      if (entry != null) {
        try (InputStream in = jf.getInputStream(entry)) {
          Properties p = new Properties();
          p.load(in);
          return p.getProperty("version", "?");
        }
      }
    } catch (IOException e) {
      // fall through
    }
    return "?";
  }

  /**
   * One MQTT listener. It may take every connection the broker allows (by default a listener gets
   * half, to leave room for the others) at any rate (by default 1,000 new connections a second), as
   * Mosquitto runs with {@code max_connections -1} and has no rate limit: idle-10k needs 10,000 on
   * one port, and storm measures how fast the broker can accept.
   */
  static String configJson(String transport, int port, String blocks, String extraListeners) {
    return "{\"transport\": \"" + transport + "\", \"listeners\": [{\"name\": \"mqtt\", \"protocol\": \"mqtt\", "
        + "\"host\": \"" + HOST + "\", \"port\": " + port + "}" + extraListeners + "], "
        + blocks
        + "\"limits\": {\"maxConnectionsPerListener\": 1000000, \"connectionRate\": 0}}\n";
  }

  @Override
  protected List<String> command(int port, Path workDir) throws IOException {
    Path conf = workDir.resolve("tributary.json");
    String withLogins = blocks;
    if (logins() > 0) {
      // The storm's password file takes the auth block's place (anonymous clients then refused).
      withLogins = blocks.replaceAll("\"auth\": \\{[^}]*\\}, ", "") + "\"auth\": {\"passwordFile\": \""
          + BenchPasswords.tributary(logins()) + "\"}, ";
    }
    Files.writeString(conf, configJson(transport, port, withLogins, extraListeners), StandardCharsets.UTF_8);
    List<String> cmd = new ArrayList<>();
    cmd.add(java.toString());
    cmd.addAll(jvmOpts);
    // No connect/disconnect lines, as Mosquitto here logs errors and warnings only: a storm would
    // otherwise measure the console.
    cmd.add("-Dtributary.log.connections=WARN");
    cmd.add("-jar");
    cmd.add(jar.toAbsolutePath().toString());
    cmd.add("-conf");
    cmd.add(conf.toString());
    return cmd;
  }

  /** The transport the running broker reported at start ("io_uring" for auto here), else the configured one. */
  @Override
  public String transport() {
    Matcher m = STARTED.matcher(logText());
    return m.find() ? m.group(1) : transport;
  }
}
