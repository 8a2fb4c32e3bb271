package io.tributary.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution as an operator uses it: tributary-&lt;version&gt;.tar.gz unpacked into an empty
 * directory, started with {@code bin/tributary} from there on its own conf/broker.json (ports moved
 * to free ones), then looked at from outside with the README's commands: mosquitto_pub and
 * mosquitto_sub, {@code $SYS/#}, curl on /metrics and the admin API, SIGTERM.
 */
class DistributionIT {

  private static final Path DIST = Path.of(System.getProperty("tributary.dist", "target/tributary-dist.tar.gz"));

  @TempDir
  Path dir;
  private final BrokerProcess process = new BrokerProcess();
  private Path home;
  private int mqtt;
  private int admin;

  @BeforeEach
  void unpack() throws Exception {
    assertTrue(Files.isRegularFile(DIST), "the build makes " + DIST);
    assertEquals(0, run(dir, "tar", "-xzf", DIST.toString()).exitValue());
    try (var entries = Files.list(dir)) {
      home = entries.filter(Files::isDirectory).findFirst().orElseThrow();
    }
    assertTrue(home.getFileName().toString().startsWith("tributary-"), home.toString());
    for (String f : List.of("bin/tributary", "lib/tributary.jar", "conf/broker.json", "conf/secure.json",
        "conf/logback-json.xml", "systemd/tributary.service", "README.md", "docs/architecture.md")) {
      assertTrue(Files.exists(home.resolve(f)), f + " is in the distribution");
    }
    assertTrue(Files.isExecutable(home.resolve("bin/tributary")));
    // The packaged conf/broker.json, every listener on a free port (the defaults may be taken here).
    Path conf = home.resolve("conf/broker.json");
    JsonObject json = new JsonObject(Files.readString(conf));
    for (Object o : json.getJsonArray("listeners")) {
      JsonObject l = (JsonObject) o;
      int port = io.tributary.mqtt.TestBroker.freePort();
      l.put("host", "127.0.0.1").put("port", port);
      if ("mqtt".equals(l.getString("name"))) {
        mqtt = port;
      } else if ("admin".equals(l.getString("protocol"))) {
        admin = port;
      }
    }
    json.put("instances", 2).getJsonObject("sys").put("intervalSeconds", 1);
    Files.writeString(conf, json.encodePrettily());
  }

  @AfterEach
  void stop() throws Exception {
    process.close();
  }

  @Test
  void startsFromItsOwnDirectoryAndAnswersTheReadmesCommands() throws Exception {
    process.startCommand(home, Map.of("JAVA", BrokerProcess.java()), "bin/tributary");
    process.awaitLine("Tributary started");
    process.awaitLine("listener 'admin' (admin) on 127.0.0.1:" + admin);

    Process sub = new ProcessBuilder("mosquitto_sub", "-p", "" + mqtt, "-t", "sensors/#", "-v", "-q", "1",
        "-i", "dist-sub", "-C", "1", "-W", "20").redirectErrorStream(true).start();
    awaitClient("dist-sub");
    assertEquals(0, run(home, "mosquitto_pub", "-p", "" + mqtt, "-t", "sensors/1/temp", "-m", "21.5", "-q", "1")
        .exitValue());
    assertTrue(sub.waitFor(20, TimeUnit.SECONDS));
    assertEquals("sensors/1/temp 21.5", new String(sub.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());

    String metrics = curl("-s", "http://127.0.0.1:" + admin + "/metrics");
    assertEquals(1.0, metric(metrics, "tributary_messages_received_total{listener=\"mqtt\",protocol=\"mqtt\",qos=\"1\"}"));
    assertEquals(1.0, metric(metrics, "tributary_messages_sent_total{listener=\"mqtt\",protocol=\"mqtt\",qos=\"1\"}"));
    assertTrue(metrics.contains("jvm_gc_"), "JVM and GC meters from vertx-micrometer-metrics");
    assertTrue(metrics.contains("vertx_pool_"), "Vert.x's worker-pool meters: the registry is the one Vert.x uses");
    assertFalse(metrics.contains("vertx_http_server_") || metrics.contains("vertx_net_server_"),
        "Vert.x's per-socket categories are off (the broker counts its own traffic)");

    Process sys = new ProcessBuilder("mosquitto_sub", "-p", "" + mqtt, "-t", "$SYS/#", "-v", "-W", "5")
        .redirectErrorStream(true).start();
    sys.waitFor(20, TimeUnit.SECONDS);
    String sysOut = new String(sys.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(sysOut.contains("$SYS/broker/version tributary "), sysOut);
    assertTrue(sysOut.contains("$SYS/broker/messages/received 1"), sysOut);

    // The README's admin API examples, with curl.
    Process held = new ProcessBuilder("mosquitto_sub", "-p", "" + mqtt, "-t", "x", "-i", "sensor-42", "-V", "mqttv5",
        "-W", "30").redirectErrorStream(true).start();
    awaitClient("sensor-42");
    JsonObject clients = new JsonObject(curl("-s", "http://127.0.0.1:" + admin + "/api/v1/clients?prefix=sensor-"));
    assertEquals(1, clients.getInteger("total"), clients.encode());
    JsonObject kicked = new JsonObject(curl("-s", "-X", "DELETE", "http://127.0.0.1:" + admin + "/api/v1/clients/sensor-42"));
    assertEquals("disconnected", kicked.getString("result"), kicked.encode());
    assertTrue(held.waitFor(20, TimeUnit.SECONDS), "mosquitto_sub ends when its client is disconnected");
    process.awaitLine("client id sensor-42, after");

    assertTrue(Files.isDirectory(home.resolve("data")), "the log is under the directory it was started from");
    process.signal("TERM");
    assertTrue(process.process().waitFor(20, TimeUnit.SECONDS));
    assertEquals(0, process.process().exitValue());

    Process inspect = run(home, "bin/tributary", "log", "inspect", "data");
    assertEquals(0, inspect.exitValue(), new String(inspect.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  @Test
  void jsonLogsCarryTheConnectionAsFields() throws Exception {
    process.startCommand(home, Map.of("JAVA", BrokerProcess.java(), "TRIBUTARY_LOG", "json"), "bin/tributary");
    process.awaitLine("Tributary started");
    assertEquals(0, run(home, "mosquitto_pub", "-p", "" + mqtt, "-t", "a", "-m", "b", "-i", "json-client").exitValue());
    String line = process.awaitLine("\"clientId\":\"json-client\"");
    JsonObject event = new JsonObject(line);
    assertEquals("io.tributary.connections", event.getString("logger_name"));
    assertEquals("mqtt", event.getString("listener"));
    assertTrue(event.getString("remote").startsWith("127.0.0.1:"), line);
    assertTrue(event.getString("message").startsWith("connected: "), line);
    assertTrue(event.containsKey("@timestamp"), line);
  }

  @Test
  void passwdFromTheScriptWritesAFileTheBrokerReads() throws Exception {
    Process p = run(home, "bin/tributary", "passwd", "-c", "-b", "conf/passwd", "ops", "ops-secret");
    assertEquals(0, p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    assertTrue(Files.readString(home.resolve("conf/passwd")).startsWith("ops:$7$"));
  }

  private void awaitClient(String clientId) throws InterruptedException {
    process.awaitLine("client id " + clientId + ", MQTT");
  }

  private String curl(String... args) throws IOException, InterruptedException {
    String[] cmd = new String[args.length + 1];
    cmd[0] = "curl";
    System.arraycopy(args, 0, cmd, 1, args.length);
    Process p = run(home, cmd);
    assertEquals(0, p.exitValue(), "curl " + String.join(" ", args));
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }

  private static Process run(Path in, String... cmd) throws IOException, InterruptedException {
    ProcessBuilder b = new ProcessBuilder(cmd).directory(in.toFile()).redirectErrorStream(true);
    b.environment().put("JAVA", BrokerProcess.java());
    Process p = b.start();
    // Output is small; read it after the exit (tests read getInputStream() themselves).
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", cmd) + " finishes");
    return p;
  }

  private static double metric(String text, String nameAndLabels) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(nameAndLabels) + " (\\S+)$").matcher(text);
    assertTrue(m.find(), nameAndLabels + " in\n" + text);
    return Double.parseDouble(m.group(1));
  }
}
