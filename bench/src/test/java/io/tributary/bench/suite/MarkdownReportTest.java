package io.tributary.bench.suite;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.bench.load.LoadResult;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MarkdownReportTest {

  private static String md;

  @BeforeAll
  static void render() {
    List<RunRecord> runs = new ArrayList<>();
    double[][] tributary = {{300_000, 1.0}, {310_000, 0.9}, {320_000, 1.1}};
    double[][] mosquitto = {{100_000, 2.0}, {120_000, 2.2}, {200_000, 1.8}};
    for (int round = 1; round <= 3; round++) {
      runs.add(main(round, "fan-in-q0", "tributary", "io_uring",
          Results.messages(tributary[round - 1][0], tributary[round - 1][1])));
      runs.add(main(round, "fan-in-q0", "mosquitto", "",
          Results.messages(mosquitto[round - 1][0], mosquitto[round - 1][1])));
    }
    runs.add(main(1, "idle-10k", "tributary", "io_uring", Results.idle(20)));
    runs.add(main(1, "idle-10k", "mosquitto", "", Results.idle(30)));
    runs.add(main(1, "latency-q1-20k", "tributary", "io_uring", Results.latency(100, 900, 2000)));
    runs.add(main(1, "latency-q1-20k", "mosquitto", "", Results.latency(80, 1000, 1500)));
    runs.add(new RunRecord(RunRecord.MAIN, 1, "storm", "mosquitto", "2.0.11", "", null,
        "mosquitto exited with code 1 before its port accepted connections\nError: bad config"));
    runs.add(new RunRecord(RunRecord.TRANSPORTS, 1, "fan-in-q0", "tributary", "0.1.0", "epoll",
        Results.messages(250_000, 1.2), null));
    runs.add(new RunRecord(RunRecord.TRANSPORTS, 1, "fan-in-q0", "tributary", "0.1.0", "nio",
        Results.messages(200_000, 1.5), null));
    List<ScenarioDef> scenarios = List.of("fan-in-q0", "latency-q1-20k", "idle-10k", "storm").stream()
        .map(id -> Scenarios.byId(id).orElseThrow()).toList();
    md = MarkdownReport.render(new ReportData("--rounds 3",
        new HostInfo("2025-01-01 10:00 UTC", "abc1234 (dirty)", "6.1.0-test", "Test CPU", 2, "openjdk version \"17\""),
        3, 5, 10, false, List.of("tributary", "mosquitto"), "0.1.0", "launcher/target/tributary.jar",
        "auto (io_uring)", "", "2.0.11", scenarios, List.of(scenarios.get(0)), List.of("epoll", "nio"), runs));
  }

  @Test
  void quickScaleListsTheSmallerScenarios() {
    String quick = MarkdownReport.render(new ReportData("--quick", new HostInfo("d", "c", "k", "cpu", 2, "jdk"), 1, 1,
        2, true, List.of("tributary", "mosquitto"), "0.1.0", "t.jar", "auto", "", "2.0.11", Scenarios.all(), List.of(),
        List.of(), List.of()));
    assertTrue(quick.contains("| scale | quick: `fan-out-1000-q1` 100 subscribers, `idle-10k` 1,000 connections,"
        + " `storm` 1,000 connections, `storm-auth` 1,000 connections of 100 users (the ids name the full scale) |"),
        quick);
  }

  private static RunRecord main(int round, String scenario, String broker, String transport, LoadResult r) {
    return new RunRecord(RunRecord.MAIN, round, scenario, broker, broker.equals("tributary") ? "0.1.0" : "2.0.11",
        transport, r, null);
  }

  @Test
  void headerSaysWhatWasMeasured() {
    assertHas("# Tributary vs Mosquitto\n");
    assertHas("| commit | abc1234 (dirty) |");
    assertHas("| command | `bench/run --rounds 3` |");
    assertHas("| scale | full |");
    assertHas("| kernel | 6.1.0-test |");
    assertHas("| CPU | Test CPU, 2 cores");
    assertHas("transport auto (io_uring)");
    assertHas("JVM options: none (JVM defaults)");
    assertHas("| Mosquitto | 2.0.11; config: `listener <port> 127.0.0.1`, `allow_anonymous true`, `persistence false`,"
        + " `set_tcp_nodelay true`, `max_connections -1`, `max_queued_messages 1000000`, `log_dest stderr`, `log_type error`, `log_type warning`;"
        + " everything else default |");
    assertHas("| rounds | 3 ");
    assertHas("| warm-up / measure | 5 s / 10 s per run |");
  }

  @Test
  void mainTableHasMediansRatiosAndVerdicts() {
    assertHas("| scenario | metric | Tributary | Mosquitto | ratio | target | met? |\n|---|---|--:|--:|--:|---|:-:|\n");
    assertHas("| `fan-in-q0` | delivered msg/s | 310,000 | 120,000 | 2.58× | ≥ 1.5× Mosquitto | ✅ |\n");
    assertHas("| `fan-in-q0` | CPU s per M msgs | 1.00 | 2.00 | 0.50× | ≤ 1× Mosquitto | ✅ |\n");
    assertHas("| `latency-q1-20k` | latency p50 (µs) | 100 | 80.0 | 1.25× | — | — |\n");
    assertHas("| `latency-q1-20k` | latency p99 (µs) | 900 | 1,000 | 0.90× | ≤ 1× Mosquitto | ✅ |\n");
    assertHas("| `latency-q1-20k` | latency p99.9 (µs) | 2,000 | 1,500 | 1.33× | — | — |\n");
    assertHas("| `idle-10k` | RSS per connection (KiB) | 20.0 | 30.0 | 0.67× | ≤ 16 KiB (absolute) | ❌ |\n");
    assertHas("| `storm` | connections/s | — | — | — | — | — |\n");
    assertHas("**CPU per message**");
    assertHas("below 1 is better for CPU, latency and memory");
  }

  @Test
  void detailTablesShowTheOtherNumbersAndGeneratorCpu() {
    assertHas("### `fan-in-q0`\n\n4 publishers → 1 subscriber");
    assertHas("| broker | runs | published/s | delivered/s | lost | CPU s/M | broker CPU | broker RSS | generator CPU | spread |\n");
    assertHas("| Tributary (io_uring) | 3/3 | 310,000 | 310,000 | 0 | 1.00 | 55% | 100 MiB | 42% | 6.5% |\n");
    assertHas("| Mosquitto | 3/3 | 120,000 | 120,000 | 0 | 2.00 | 55% | 100 MiB | 42% | 83% |\n");
    assertHas("| broker | runs | published/s | delivered/s | lost | p50 µs | p99 µs | p99.9 µs | max µs |");
    assertHas("| Tributary (io_uring) | 1/1 | 20,000 | 20,000 | 0 | 100 | 900 | 2,000 | 4,000 | 5.00 | 25% | 100 MiB | 30% | — |\n");
    assertHas("10,000 clients connect and stay idle");
    assertHas("| Mosquitto | 0/1 |");
  }

  @Test
  void transportsTable() {
    assertHas("## Tributary by transport");
    assertHas("| scenario | metric | epoll | nio |\n|---|---|--:|--:|\n");
    assertHas("| `fan-in-q0` | delivered msg/s | 250,000 | 200,000 |\n");
    assertHas("| `fan-in-q0` | CPU s per M msgs | 1.20 | 1.50 |\n");
    assertHas("| `fan-in-q0` | generator CPU | 42% | 42% |\n");
  }

  @Test
  void lossesAreFlaggedUnderTheMainTable() {
    assertFalse(md.contains("Lost deliveries"));
    LoadResult lossy = new LoadResult("x", 1000, 900, 100, 10, 100, 90, Double.NaN, Double.NaN, Double.NaN,
        Double.NaN, 1, 1, 1, Double.NaN, Double.NaN, 1, 1);
    String withLoss = MarkdownReport.render(new ReportData("",
        new HostInfo("d", "c", "k", "cpu", 2, "jdk"), 1, 1, 2, true, List.of("tributary", "mosquitto"), "0.1.0",
        "t.jar", "auto", "", "2.0.11", List.of(Scenarios.byId("fan-in-q1").orElseThrow()), List.of(), List.of(),
        List.of(main(1, "fan-in-q1", "mosquitto", "", lossy))));
    assertTrue(withLoss.contains("⚠ **Lost deliveries**: `fan-in-q1` on Mosquitto lost 100 deliveries in 1 of 1 runs."),
        withLoss);
  }

  @Test
  void failedRunsAreListed() {
    assertHas("## Failed runs\n\n- round 1, `storm`, mosquitto (main): mosquitto exited with code 1");
    assertHas("  Error: bad config");
  }

  @Test
  void noTransportsTableUnlessAsked() {
    String plain = MarkdownReport.render(new ReportData("--quick --brokers tributary",
        new HostInfo("d", "c", "k", "cpu", 2, "jdk"), 1, 1, 2, true, List.of("tributary"), "0.1.0", "t.jar",
        "auto", "-Xmx1g", "", List.of(Scenarios.byId("fan-in-q0").orElseThrow()), List.of(), List.of(), List.of()));
    assertFalse(plain.contains("by transport"));
    assertFalse(plain.contains("Failed runs"));
    assertFalse(plain.contains("`listener <port> 127.0.0.1`"));
    assertTrue(plain.contains("JVM options: `-Xmx1g`"));
    assertTrue(plain.contains("| command | `bench/run --quick --brokers tributary` |"), plain);
    assertTrue(plain.contains("| `fan-in-q0` | delivered msg/s | — | — | — | ≥ 1.5× Mosquitto | n/a |"), plain);
  }

  private static void assertHas(String expected) {
    assertTrue(md.contains(expected), () -> "missing:\n" + expected + "\n--- in ---\n" + md);
  }
}
