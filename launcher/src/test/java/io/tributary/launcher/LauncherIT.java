package io.tributary.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged fat jar, started as a user starts it, driven by Debian's mosquitto_pub and
 * mosquitto_sub (installed by .ci/run).
 */
class LauncherIT {

  private static final String JAR = BrokerProcess.JAR;

  @TempDir
  Path dir;
  private final BrokerProcess process = new BrokerProcess();
  private final List<String> output = process.output();
  /** The broker process started last. */
  private Process broker;

  @BeforeEach
  void requireMosquittoClients() {
    assertTrue(Files.isExecutable(Path.of("/usr/bin/mosquitto_pub")) && Files.isExecutable(Path.of("/usr/bin/mosquitto_sub")),
        "mosquitto-clients must be installed (apt-get install -y mosquitto-clients; .ci/run does it)");
  }

  @AfterEach
  void stop() throws Exception {
    process.close();
  }

  @Test
  void startsServesMosquittoClientsAtEveryQosAndStopsCleanlyOnSigterm() throws Exception {
    int port = freePort();
    Path conf = writeConfig(port);
    start("-conf", conf.toString());
    awaitLine("listener 'mqtt' (mqtt) on 127.0.0.1:" + port);
    String startLine = awaitLine("Tributary started");
    assertTrue(startLine.matches(".*transport (io_uring|epoll|nio), 2 event loops.*"), startLine);

    Process sub = new ProcessBuilder("mosquitto_sub", "-h", "127.0.0.1", "-p", "" + port, "-t", "#", "-v",
        "-q", "2", "-C", "3", "-W", "20").redirectErrorStream(true).start();
    // The subscriber must be subscribed before anything is published; retained messages are not
    // used, so wait until the broker has its session.
    Thread.sleep(700);
    for (int qos = 0; qos <= 2; qos++) {
      Process pub = new ProcessBuilder("mosquitto_pub", "-h", "127.0.0.1", "-p", "" + port,
          "-t", "it/qos" + qos, "-m", "hello " + qos, "-q", "" + qos).redirectErrorStream(true).start();
      assertTrue(pub.waitFor(10, TimeUnit.SECONDS));
      assertEquals(0, pub.exitValue(), new String(pub.getInputStream().readAllBytes()));
    }
    assertTrue(sub.waitFor(20, TimeUnit.SECONDS), "mosquitto_sub got its 3 messages");
    String got = new String(sub.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    // Three publishers on three connections: MQTT orders messages per connection only, so the
    // three arrive in any order (each exactly once).
    assertEquals(java.util.List.of("it/qos0 hello 0", "it/qos1 hello 1", "it/qos2 hello 2"),
        got.lines().sorted().toList(), got);

    // SIGTERM from outside: Process.destroy() would also close our end of the broker's stdout.
    // An MQTT 5 client connected meanwhile is told why its connection ends.
    try (io.tributary.mqtt.MqttWire v5 = io.tributary.mqtt.MqttWire.connect5(port, "it-v5")) {
      assertEquals(0, new ProcessBuilder("kill", "-TERM", "" + broker.pid()).start().waitFor());
      io.tributary.mqtt.codec.Disconnect bye = v5.expect(io.tributary.mqtt.codec.Disconnect.class, 20_000);
      assertEquals(0x8B, bye.reasonCode(), "DISCONNECT 0x8B server shutting down");
    }
    assertTrue(broker.waitFor(20, TimeUnit.SECONDS), "broker exits after SIGTERM");
    assertEquals(0, broker.exitValue(), "a stop that was asked for exits 0 (systemd reads 143 as a failure)");
    awaitLine("SIGTERM: stopping");
    awaitLine("Tributary stopping");
    String last = awaitLine("Tributary stopped");
    int stopping = indexOf("Tributary stopping");
    assertTrue(stopping < indexOf("Tributary stopped"), output.toString());
    assertTrue(last.contains("connections closed, then listeners"), last);
  }

  /**
   * Issue 12: the default config keeps the log on disk. QoS 1 messages mosquitto_pub saw
   * acknowledged are in the files after the broker is killed with SIGKILL, {@code log inspect}
   * shows them with valid CRCs, and the restarted broker reports what it recovered.
   */
  @Test
  void acknowledgedMessagesAreOnDiskAfterSigkillAndLogInspectShowsThem() throws Exception {
    int port = freePort();
    Path conf = writeConfig(port);
    Path data = dir.resolve("data");
    start("-conf", conf.toString());
    awaitLine("Tributary started");
    for (int i = 0; i < 5; i++) {
      Process pub = new ProcessBuilder("mosquitto_pub", "-h", "127.0.0.1", "-p", "" + port,
          "-t", "durable/" + i, "-m", "kept " + i, "-q", "1").redirectErrorStream(true).start();
      assertTrue(pub.waitFor(10, TimeUnit.SECONDS));
      assertEquals(0, pub.exitValue(), "PUBACK received: " + new String(pub.getInputStream().readAllBytes()));
    }
    assertEquals(0, new ProcessBuilder("kill", "-KILL", "" + broker.pid()).start().waitFor());
    assertTrue(broker.waitFor(20, TimeUnit.SECONDS));

    Process inspect = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", JAR, "log", "inspect", data.toString()).redirectErrorStream(true).start();
    String report = new String(inspect.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(inspect.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, inspect.exitValue(), report);
    assertTrue(report.contains("1 segment(s), 5 records"), report);
    assertTrue(report.contains("every record's CRC is valid"), report);

    output.clear();
    start("-conf", conf.toString());
    String recovered = awaitLine("commit log recovered");
    assertTrue(recovered.contains("5 record(s)") && recovered.contains("offsets [0, 5)")
        && recovered.contains("truncated 0 bytes"), recovered);
    awaitLine("Tributary started");
  }

  /**
   * Issue 12, the user's view: a persistent mosquitto_sub session is offline while QoS 1 messages
   * (one retained) are acknowledged, the broker is killed with SIGKILL and started again with the
   * same config, and the client reconnecting gets every message, and a new one the retained one.
   */
  @Test
  void aPersistentSessionGetsEveryAcknowledgedMessageAfterSigkill() throws Exception {
    int port = freePort();
    Path conf = writeConfig(port);
    start("-conf", conf.toString());
    awaitLine("Tributary started");
    Process first = new ProcessBuilder("mosquitto_sub", "-h", "127.0.0.1", "-p", "" + port, "-c", "-i", "me",
        "-q", "1", "-t", "queued/#", "-C", "1", "-W", "20").redirectErrorStream(true).start();
    Thread.sleep(700); // subscribed
    publish(port, "queued/warmup", "0", false);
    assertTrue(first.waitFor(20, TimeUnit.SECONDS), "the session exists and took one message");
    for (int i = 1; i <= 10; i++) {
      publish(port, "queued/" + i, "m" + i, i == 10);
    }
    assertEquals(0, new ProcessBuilder("kill", "-KILL", "" + broker.pid()).start().waitFor());
    assertTrue(broker.waitFor(20, TimeUnit.SECONDS));

    output.clear();
    start("-conf", conf.toString());
    awaitLine("restored 1 persistent session(s)");
    awaitLine("Tributary started");
    Process again = new ProcessBuilder("mosquitto_sub", "-h", "127.0.0.1", "-p", "" + port, "-c", "-i", "me",
        "-q", "1", "-t", "queued/#", "-v", "-C", "10", "-W", "20").redirectErrorStream(true).start();
    assertTrue(again.waitFor(30, TimeUnit.SECONDS));
    String got = new String(again.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    List<String> expected = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      expected.add("queued/" + i + " m" + i);
    }
    assertEquals(expected, got.lines().toList(), got);

    Process retained = new ProcessBuilder("mosquitto_sub", "-h", "127.0.0.1", "-p", "" + port, "-t", "queued/10",
        "-v", "-C", "1", "-W", "10").redirectErrorStream(true).start();
    assertTrue(retained.waitFor(20, TimeUnit.SECONDS));
    assertEquals("queued/10 m10", new String(retained.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
  }

  private static void publish(int port, String topic, String message, boolean retain) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("mosquitto_pub", "-h", "127.0.0.1", "-p", "" + port, "-t", topic,
        "-m", message, "-q", "1"));
    if (retain) {
      cmd.add("-r");
    }
    Process pub = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    assertTrue(pub.waitFor(10, TimeUnit.SECONDS));
    assertEquals(0, pub.exitValue(), "PUBACK received: " + new String(pub.getInputStream().readAllBytes()));
  }

  @Test
  void helpDescribesTributarysOwnOptions() throws Exception {
    start("--help");
    assertTrue(broker.waitFor(20, TimeUnit.SECONDS), "--help exits");
    assertEquals(0, broker.exitValue());
    awaitLine("Usage: java -jar tributary.jar [-conf FILE] [-instances N]");
    String text = String.join("\n", output);
    assertTrue(text.contains("-conf FILE"), text);
    assertFalse(text.contains("cluster"), "no Vert.x cluster flags: " + text);
  }

  /** Issue 3: one listener of the default config serves MQTT 3.1.1 and 5.0 clients together. */
  @Test
  void mqtt311AndMqtt5ClientsExchangeMessagesThroughOneListener() throws Exception {
    int port = freePort();
    start("-conf", writeConfig(port).toString());
    awaitLine("Tributary started");
    assertEquals("v5/to-v3 from five\n", relay(port, "mqttv311", "mqttv5", "v5/to-v3", "from five"));
    assertEquals("v3/to-v5 from three\n", relay(port, "mqttv5", "mqttv311", "v3/to-v5", "from three"));
  }

  private String relay(int port, String subVersion, String pubVersion, String topic, String payload) throws Exception {
    Process sub = new ProcessBuilder("mosquitto_sub", "-h", "127.0.0.1", "-p", "" + port, "-V", subVersion,
        "-t", topic, "-v", "-q", "1", "-C", "1", "-W", "20").redirectErrorStream(true).start();
    Thread.sleep(700); // subscribed before the publish
    Process pub = new ProcessBuilder("mosquitto_pub", "-h", "127.0.0.1", "-p", "" + port, "-V", pubVersion,
        "-t", topic, "-m", payload, "-q", "1").redirectErrorStream(true).start();
    assertTrue(pub.waitFor(10, TimeUnit.SECONDS));
    assertEquals(0, pub.exitValue(), new String(pub.getInputStream().readAllBytes()));
    assertTrue(sub.waitFor(20, TimeUnit.SECONDS), "mosquitto_sub got the message");
    return new String(sub.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }

  @Test
  void instancesFlagSetsTheEventLoopCount() throws Exception {
    int port = freePort();
    start("-conf", writeConfig(port).toString(), "-instances", "1");
    String startLine = awaitLine("Tributary started");
    assertTrue(startLine.contains(", 1 event loop"), startLine);
  }

  @Test
  void badConfigStopsTheStartWithOneLineNamingTheKey() throws Exception {
    Path conf = dir.resolve("bad.json");
    Files.writeString(conf, new JsonObject().put("mqtt", new JsonObject().put("maxPacketSize", "big")).encode());
    start("-conf", conf.toString());
    assertTrue(broker.waitFor(30, TimeUnit.SECONDS), "start is refused");
    assertNotEquals(0, broker.exitValue());
    Thread.sleep(200); // let the reader thread drain the pipe
    List<String> errors = output.stream().filter(l -> l.contains("ERROR")).collect(Collectors.toList());
    assertEquals(1, errors.size(), output.toString());
    assertTrue(errors.get(0).contains("'mqtt.maxPacketSize'"), errors.get(0));
  }

  /**
   * Issue 13, fail closed: a -conf the broker cannot use stops the start with exit code 2 and one
   * line naming the file (and where the JSON breaks); the launcher alone would warn and start on
   * the defaults, on every interface.
   */
  @Test
  void aMissingEmptyOrMalformedConfigFileStopsTheStart() throws Exception {
    Path missing = dir.resolve("missing.json");
    Path empty = Files.writeString(dir.resolve("empty.json"), "  \n");
    Path malformed = Files.writeString(dir.resolve("malformed.json"), "{\n  \"instances\": 1,\n  \"listeners\": [\n}\n");
    String[][] cases = {
        {missing.toString(), missing + " not found"},
        {empty.toString(), empty + " is empty"},
        {malformed.toString(), malformed + " is not valid JSON at line 4, column 1"},
    };
    for (String[] c : cases) {
      process.clearOutput();
      start("-conf", c[0]);
      assertTrue(broker.waitFor(30, TimeUnit.SECONDS), "start is refused: " + c[0]);
      assertEquals(2, broker.exitValue(), output.toString());
      Thread.sleep(200); // let the reader thread drain the pipe
      List<String> errors = output.stream().filter(l -> l.contains("ERROR")).collect(Collectors.toList());
      assertEquals(1, errors.size(), output.toString());
      assertTrue(errors.get(0).contains(c[1]), errors.get(0));
      assertFalse(String.join("\n", output).contains("Tributary started"), output.toString());
    }
  }

  /**
   * Issue 13: {@code passwd} writes Mosquitto's password file format. Checked with Mosquitto
   * itself: a file started by mosquitto_passwd, extended by {@code tributary passwd} (one user from
   * the command line, one from standard input), serves Debian's mosquitto to mosquitto_pub.
   */
  @Test
  void passwdWritesFilesMosquittoAuthenticatesWith() throws Exception {
    Path mosquitto = Path.of("/usr/sbin/mosquitto");
    assertTrue(Files.isExecutable(mosquitto), "mosquitto must be installed (.ci/run does it)");
    Path file = dir.resolve("passwords");
    assertEquals(0, run(List.of("/usr/bin/mosquitto_passwd", "-c", "-b", file.toString(), "carol", "from-mosquitto"), null));
    assertEquals(0, passwd("-b", file.toString(), "alice", "s3cret wörd"));
    assertEquals(0, run(List.of(BrokerProcess.java(), "-jar", BrokerProcess.JAR, "passwd", file.toString(), "bob"),
        "from-stdin\n"));
    assertEquals(2, passwd(file.toString()), "usage");
    int port = freePort();
    Path conf = Files.writeString(dir.resolve("mosquitto.conf"), "listener " + port + " 127.0.0.1\n"
        + "allow_anonymous false\npassword_file " + file + "\nuser root\n");
    Process mq = new ProcessBuilder(mosquitto.toString(), "-c", conf.toString()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
    try {
      for (int i = 0; i < 100 && !listening(port); i++) {
        Thread.sleep(50);
      }
      assertEquals(0, pub(port, "carol", "from-mosquitto"));
      assertEquals(0, pub(port, "alice", "s3cret wörd"));
      assertEquals(0, pub(port, "bob", "from-stdin"));
      assertNotEquals(0, pub(port, "alice", "s3cret word"), "a wrong password is refused");
    } finally {
      mq.destroy();
      mq.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /**
   * Issue 13: the packaged broker with {@code auth.passwordFile} (made by {@code passwd}) lets
   * mosquitto clients in with the right password only, and anonymous ones not at all; the start
   * log says what the policy is.
   */
  @Test
  void thePasswordFileDecidesWhoConnects() throws Exception {
    Path file = dir.resolve("passwords");
    assertEquals(0, passwd("-c", "-b", file.toString(), "alice", "s3cret"));
    int port = freePort();
    start("-conf", writeConfig(port, file).toString());
    String policy = awaitLine("authentication (MQTT): password file " + file);
    assertTrue(policy.contains("clients without a user name refused"), policy);
    awaitLine("Tributary started");
    Process sub = new ProcessBuilder("/usr/bin/mosquitto_sub", "-h", "127.0.0.1", "-p", "" + port, "-u", "alice",
        "-P", "s3cret", "-t", "auth/#", "-C", "1").redirectErrorStream(true).start();
    Thread.sleep(1_500);
    assertEquals(0, pubAs(port, "alice", "s3cret"));
    assertTrue(sub.waitFor(20, TimeUnit.SECONDS), "the subscriber logged in and got the message");
    assertEquals("in", new String(sub.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip());
    assertEquals(4, pubAs(port, "alice", "wrong"), "CONNACK 4: bad user name or password");
    assertEquals(5, run(List.of("/usr/bin/mosquitto_pub", "-h", "127.0.0.1", "-p", "" + port, "-t", "auth/x", "-m",
        "anonymous"), null), "CONNACK 5: not authorized");
  }

  /**
   * Issue 13: the password file reloads when it changes and on SIGHUP, without dropping
   * connections; a broken file keeps the previous users and says why.
   */
  @Test
  void thePasswordFileReloadsOnChangeAndSighupKeepingConnections() throws Exception {
    Path file = dir.resolve("passwords");
    assertEquals(0, passwd("-c", "-b", file.toString(), "alice", "s3cret"));
    int port = freePort();
    start("-conf", writeConfig(port, file).toString());
    awaitLine("Tributary started");
    Process sub = new ProcessBuilder("/usr/bin/mosquitto_sub", "-h", "127.0.0.1", "-p", "" + port, "-u", "alice",
        "-P", "s3cret", "-t", "auth/#", "-C", "1").redirectErrorStream(true).start();
    assertEquals(4, pubAs(port, "bob", "b0b"), "bob is not a user yet");
    assertEquals(0, passwd("-b", file.toString(), "bob", "b0b"));
    awaitLine("password file " + file + " reloaded: 2 user(s)");
    assertEquals(0, pubAs(port, "bob", "b0b"));
    assertTrue(sub.waitFor(20, TimeUnit.SECONDS), "alice stayed connected and got bob's message");
    Files.writeString(file, "bob\n"); // broken
    awaitLine("password file not reloaded, the previous 2 user(s) stay in force");
    assertEquals(0, pubAs(port, "bob", "b0b"), "the previous users are still in force");
    assertEquals(0, passwd("-c", "-b", file.toString(), "carol", "c4rol"));
    awaitLine("reloaded: 1 user(s)");
    assertEquals(4, pubAs(port, "bob", "b0b"), "bob is gone");
    assertEquals(0, new ProcessBuilder("kill", "-HUP", "" + broker.pid()).start().waitFor());
    awaitLine("reloaded (asked): 1 user(s)");
    assertTrue(broker.isAlive(), "SIGHUP reloads, it does not stop the broker");
    assertEquals(0, pubAs(port, "carol", "c4rol"));
  }

  /**
   * Issue 13: the packaged broker with {@code auth.aclFile}: mosquitto clients publish and
   * subscribe where the rules let them; the file reloads when it changes (a subscriber stays
   * connected and its deliveries follow the new rules); a broken file keeps the previous rules.
   */
  @Test
  void theAclFileDecidesWhatClientsTouchAndReloads() throws Exception {
    Path passwords = dir.resolve("passwords");
    assertEquals(0, passwd("-c", "-b", passwords.toString(), "alice", "s3cret"));
    Path acl = Files.writeString(dir.resolve("acl"), "user alice\ntopic readwrite auth/alice/#\ntopic read auth/news\n");
    int port = freePort();
    Path conf = writeConfig(port, passwords);
    JsonObject json = new JsonObject(Files.readString(conf));
    json.getJsonObject("auth").put("aclFile", acl.toString());
    Files.writeString(conf, json.encode());
    start("-conf", conf.toString());
    String policy = awaitLine("authorization: ACL file " + acl);
    assertTrue(policy.contains("2 rule(s) for 1 user(s)"), policy);
    awaitLine("Tributary started");
    Process sub = new ProcessBuilder("/usr/bin/mosquitto_sub", "-h", "127.0.0.1", "-p", "" + port, "-u", "alice",
        "-P", "s3cret", "-t", "auth/#", "-C", "2", "-v").redirectErrorStream(true).start();
    Thread.sleep(1_500);
    assertEquals(0, pubTo(port, "auth/news", "denied")); // 3.1.1: acknowledged and dropped
    assertEquals(0, pubTo(port, "auth/alice/1", "one"));
    Files.writeString(acl, "user alice\ntopic readwrite auth/#\n");
    awaitLine("ACL file " + acl + " reloaded: 1 rule(s) for 1 user(s)");
    assertEquals(0, pubTo(port, "auth/news", "allowed now"));
    assertTrue(sub.waitFor(20, TimeUnit.SECONDS), "the subscriber stayed connected and got two messages");
    assertEquals("auth/alice/1 one\nauth/news allowed now",
        new String(sub.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip());
    Files.writeString(acl, "user alice\ntopic readwrite auth/#/x\n");
    awaitLine("ACL file not reloaded, the previous 1 rule(s) stay in force: " + acl + " line 2");
    Process sys = new ProcessBuilder("/usr/bin/mosquitto_pub", "-h", "127.0.0.1", "-p", "" + port, "-u", "alice",
        "-P", "s3cret", "-V", "5", "-q", "1", "-t", "$SYS/broker/x", "-m", "no").redirectErrorStream(true).start();
    assertTrue(sys.waitFor(20, TimeUnit.SECONDS));
    String out = new String(sys.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(out.toLowerCase(java.util.Locale.ROOT).contains("not authorized"), out);
  }

  private static int pubTo(int port, String topic, String message) throws Exception {
    return run(List.of("/usr/bin/mosquitto_pub", "-h", "127.0.0.1", "-p", Integer.toString(port), "-u", "alice",
        "-P", "s3cret", "-q", "1", "-t", topic, "-m", message), null);
  }

  private static int passwd(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(BrokerProcess.java(), "-jar", BrokerProcess.JAR, "passwd"));
    cmd.addAll(List.of(args));
    return run(cmd, null);
  }

  private static int pubAs(int port, String user, String password) throws Exception {
    return run(List.of("/usr/bin/mosquitto_pub", "-h", "127.0.0.1", "-p", Integer.toString(port), "-u", user, "-P",
        password, "-t", "auth/x", "-m", "in"), null);
  }

  private static int run(List<String> cmd, String stdin) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    if (stdin != null) {
      p.getOutputStream().write(stdin.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    p.getOutputStream().close();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), cmd.toString());
    return p.exitValue();
  }

  private static int pub(int port, String user, String password) throws Exception {
    return run(List.of("/usr/bin/mosquitto_pub", "-h", "127.0.0.1", "-p", Integer.toString(port), "-u", user, "-P",
        password, "-t", "pw/test", "-m", "hi"), null);
  }

  private static boolean listening(int port) {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void unavailablePortNamesTheListenerAndPort() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      start("-conf", writeConfig(taken.getLocalPort()).toString());
      assertTrue(broker.waitFor(30, TimeUnit.SECONDS), "start is refused");
      assertNotEquals(0, broker.exitValue());
      Thread.sleep(200);
      String all = String.join("\n", output);
      assertTrue(all.contains("listener 'mqtt' cannot bind 127.0.0.1:" + taken.getLocalPort()), all);
    }
  }

  /** Issue 5: the default raw-tcp listener turns a device's lines into messages on devices/{id}/up. */
  @Test
  void deviceLinesFromNetcatReachMosquittoSub() throws Exception {
    assertTrue(Files.isExecutable(Path.of("/usr/bin/nc")) || Files.isExecutable(Path.of("/bin/nc")),
        "netcat-openbsd must be installed (apt-get install -y netcat-openbsd; .ci/run does it)");
    int port = freePort();
    int devicePort = freePort();
    start("-conf", writeConfig(port, devicePort).toString());
    awaitLine("listener 'devices' (raw-tcp) on 127.0.0.1:" + devicePort);
    awaitLine("Tributary started");
    Process sub = new ProcessBuilder("mosquitto_sub", "-h", "127.0.0.1", "-p", "" + port, "-t", "devices/+/up", "-v",
        "-C", "1", "-W", "20").redirectErrorStream(true).start();
    Thread.sleep(700); // subscribed before the device sends
    Process nc = new ProcessBuilder("sh", "-c", "printf 'dev1\\nhello\\n' | nc -q1 127.0.0.1 " + devicePort)
        .redirectErrorStream(true).start();
    assertTrue(nc.waitFor(20, TimeUnit.SECONDS));
    assertEquals(0, nc.exitValue(), new String(nc.getInputStream().readAllBytes()));
    assertTrue(sub.waitFor(20, TimeUnit.SECONDS), "mosquitto_sub got the device's line");
    assertEquals("devices/dev1/up hello\n", new String(sub.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  /**
   * A process out of file descriptors (ulimit -n 256, connection caps set above it): accept fails
   * with EMFILE. The listener backs off and logs about once a second with a count, instead of
   * retrying and logging at once (270,000 lines a second before), and serves again once
   * descriptors are free.
   */
  @Test
  void outOfDescriptorsBacksOffAndLogsOnceASecond() throws Exception {
    int port = freePort();
    Path conf = writeConfig(port);
    JsonObject json = new JsonObject(Files.readString(conf))
        .put("limits", new JsonObject().put("maxConnections", 100_000).put("maxConnectionsPerListener", 100_000));
    Files.writeString(conf, json.encodePrettily());
    startWithFileLimit(256, "-conf", conf.toString());
    awaitLine("Tributary started");
    List<java.net.Socket> held = new ArrayList<>();
    try {
      for (int i = 0; i < 400; i++) {
        held.add(new java.net.Socket("127.0.0.1", port)); // the kernel's backlog takes them all
      }
      awaitLine("accept failed");
      Thread.sleep(3000);
      long lines;
      synchronized (output) {
        lines = output.stream().filter(l -> l.contains("accept failed")).count();
      }
      assertTrue(lines >= 1 && lines <= 6, lines + " 'accept failed' lines in about 3 s");
      assertTrue(broker.isAlive());
    } finally {
      for (java.net.Socket s : held) {
        s.close();
      }
    }
    // Descriptors free again: a client is served (after at most one back-off).
    Process pub = new ProcessBuilder("mosquitto_pub", "-h", "127.0.0.1", "-p", "" + port, "-t", "after/emfile",
        "-m", "x").redirectErrorStream(true).start();
    assertTrue(pub.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, pub.exitValue(), new String(pub.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  /** The default config with its mqtt listener on port and its raw-tcp listener on devicePort. */
  private Path writeConfig(int port, int devicePort) throws IOException {
    Path conf = writeConfig(port);
    JsonObject json = new JsonObject(Files.readString(conf));
    JsonObject defaults = new JsonObject(Files.readString(Path.of(System.getProperty("tributary.conf",
        "../conf/broker.json"))));
    JsonObject devices = null;
    for (Object l : defaults.getJsonArray("listeners")) {
      if ("raw-tcp".equals(((JsonObject) l).getString("protocol"))) {
        devices = ((JsonObject) l).copy();
      }
    }
    assertTrue(devices != null, "conf/broker.json has a raw-tcp listener");
    json.getJsonArray("listeners").add(devices.put("host", "127.0.0.1").put("port", devicePort));
    Files.writeString(conf, json.encodePrettily());
    return conf;
  }

  private Path writeConfig(int port) throws IOException {
    return BrokerProcess.defaultConfig(dir, port);
  }

  /** The default config on port, with {@code auth.passwordFile} set to passwords. */
  private Path writeConfig(int port, Path passwords) throws IOException {
    Path conf = writeConfig(port);
    JsonObject json = new JsonObject(Files.readString(conf));
    json.getJsonObject("auth").put("passwordFile", passwords.toString());
    return Files.writeString(conf, json.encode());
  }

  private void start(String... args) throws IOException {
    process.start(args);
    broker = process.process();
  }

  private void startWithFileLimit(int files, String... args) throws IOException {
    process.startWithFileLimit(files, args);
    broker = process.process();
  }

  private String awaitLine(String fragment) throws InterruptedException {
    return process.awaitLine(fragment);
  }

  private int indexOf(String fragment) {
    return process.indexOf(fragment);
  }

  private static int freePort() throws IOException {
    return io.tributary.mqtt.TestBroker.freePort();
  }
}
