package io.tributary.bench.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.junit.jupiter.api.Test;

class SuiteOptionsTest {

  private static final Path ROOT = Paths.get("/repo");

  @Test
  void defaults() throws Exception {
    SuiteOptions o = SuiteOptions.parse(new String[0], ROOT);
    assertEquals(3, o.rounds);
    assertEquals(5.0, o.warmup());
    assertEquals(10.0, o.measure());
    assertEquals(List.of("tributary", "mosquitto"), o.brokers);
    assertEquals(List.of(), o.transports);
    assertEquals(Paths.get("/repo/bench/results"), o.out);
    assertEquals(Paths.get("/repo/launcher/target/tributary.jar"), o.jar);
    assertEquals(10, o.scenarios().size());
    assertEquals(List.of(), o.transportScenarios());
  }

  @Test
  void quickIsOneShortRoundUnlessRoundsGiven() throws Exception {
    SuiteOptions o = SuiteOptions.parse(new String[] {"--quick"}, ROOT);
    assertEquals(1, o.rounds);
    assertEquals(1.0, o.warmup());
    assertEquals(2.0, o.measure());
    assertEquals(2, SuiteOptions.parse(new String[] {"--rounds", "2", "--quick"}, ROOT).rounds);
  }

  @Test
  void allOptions() throws Exception {
    SuiteOptions o = SuiteOptions.parse(new String[] {"--rounds", "5", "--only", "fan-in-q1, storm", "--brokers",
        "mosquitto", "--transports", "nio,epoll", "--warmup", "0.5", "--measure=3", "--out", "/tmp/r", "--jar", "t.jar",
        "--mosquitto", "/opt/mosquitto", "--tributary-jvm-opts", "-Xmx1g  -XX:+UseParallelGC"}, ROOT);
    assertEquals(5, o.rounds);
    assertEquals(List.of("fan-in-q1", "storm"), o.only);
    assertEquals(List.of("fan-in-q1", "storm"), o.scenarios().stream().map(ScenarioDef::id).toList());
    assertEquals(List.of("mosquitto"), o.brokers);
    assertEquals(List.of("nio", "epoll"), o.transports);
    assertEquals(List.of("fan-in-q1"), o.transportScenarios().stream().map(ScenarioDef::id).toList());
    assertEquals(0.5, o.warmup());
    assertEquals(3.0, o.measure());
    assertEquals(Paths.get("/tmp/r"), o.out);
    assertEquals(Paths.get("t.jar"), o.jar);
    assertEquals(Paths.get("/opt/mosquitto"), o.mosquitto);
    assertEquals(List.of("-Xmx1g", "-XX:+UseParallelGC"), o.tributaryJvmOpts);
  }

  @Test
  void transportsTableCoversItsThreeScenarios() throws Exception {
    SuiteOptions o = SuiteOptions.parse(new String[] {"--transports", "io_uring,epoll,nio"}, ROOT);
    assertEquals(List.of("fan-in-q0", "fan-in-q1", "fan-out-100-q0"),
        o.transportScenarios().stream().map(ScenarioDef::id).toList());
  }

  @Test
  void unknownOptionIsNamed() {
    var e = assertThrows(SuiteOptions.UsageException.class, () -> SuiteOptions.parse(new String[] {"--fast"}, ROOT));
    assertTrue(e.getMessage().contains("--fast"), e.getMessage());
  }

  @Test
  void badValuesNameTheOption() {
    assertNamed("--rounds", "--rounds", "0");
    assertNamed("--rounds", "--rounds", "x");
    assertNamed("--rounds", "--rounds");
    assertNamed("--only", "--only", "fan-in-q7");
    assertNamed("--brokers", "--brokers", "hivemq");
    assertNamed("--transports", "--transports", "kqueue");
    assertNamed("--warmup", "--warmup", "-1");
    assertNamed("--measure", "--measure", "0");
    assertNamed("--out", "--out");
  }

  @Test
  void badOptionExitsWithTwoAndSaysWhy() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Suite.run(new String[] {"--rounds", "many"}, ROOT, new PrintStream(new ByteArrayOutputStream()),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(2, code);
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("--rounds"), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void helpListsTheScenarios() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code = Suite.run(new String[] {"--help"}, ROOT, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(new ByteArrayOutputStream()));
    assertEquals(0, code);
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("latency-q1-20k"));
  }

  @Test
  void logAndAuthBlocksGoIntoTributarysConfig() throws Exception {
    SuiteOptions o = SuiteOptions.parse(new String[] {"--tributary-log", "{\"storage\":\"memory\"}",
        "--tributary-auth={\"aclFile\":\"/tmp/a.acl\"}"}, ROOT);
    assertEquals("\"log\": {\"storage\":\"memory\"}, \"auth\": {\"aclFile\":\"/tmp/a.acl\"}, ", o.tributaryBlocks());
    String json = TributaryBroker.configJson("auto", 1883, o.tributaryBlocks(), o.tributaryExtraListeners());
    assertEquals("/tmp/a.acl", new io.vertx.core.json.JsonObject(json).getJsonObject("auth").getString("aclFile"));
    assertNamed("--tributary-auth", "--tributary-auth", "aclFile");
    assertEquals("", SuiteOptions.parse(new String[0], ROOT).tributaryBlocks());
  }

  @Test
  void commandLineQuotesWhatAShellWouldSplit() {
    assertEquals("--quick --tributary-jvm-opts '-Xmx1g -Xms1g'",
        Suite.commandLine(new String[] {"--quick", "--tributary-jvm-opts", "-Xmx1g -Xms1g"}));
  }

  private static void assertNamed(String option, String... args) {
    var e = assertThrows(SuiteOptions.UsageException.class, () -> SuiteOptions.parse(args, ROOT), String.join(" ", args));
    assertTrue(e.getMessage().contains(option), e.getMessage());
  }
}
