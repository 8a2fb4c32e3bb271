package io.tributary.bench.suite;

import io.tributary.bench.load.LoadResult;
import io.tributary.bench.load.Scenario;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Renders a suite's results as markdown: header, main table, per-scenario details, transports, failures. */
final class MarkdownReport {

  private MarkdownReport() {
  }

  static String render(ReportData d) {
    StringBuilder b = new StringBuilder();
    header(b, d);
    mainTable(b, d);
    details(b, d);
    transportsTable(b, d);
    failures(b, d);
    return b.toString();
  }

  private static void header(StringBuilder b, ReportData d) {
    HostInfo h = d.host();
    b.append("# Tributary vs Mosquitto").append(d.quick() ? " (quick smoke run)" : "").append("\n\n");
    b.append("| | |\n|---|---|\n");
    row(b, "date", h.date());
    row(b, "command", "`bench/run" + (d.command().isEmpty() ? "" : " " + d.command()) + "`");
    row(b, "commit", h.commit());
    row(b, "kernel", h.kernel());
    row(b, "CPU", h.cpu() + ", " + h.cores() + " cores (broker and load generator share them)");
    if (d.brokers().contains("tributary")) {
      row(b, "Tributary", d.tributaryVersion() + " (`" + d.tributaryJar() + "`), transport " + d.tributaryTransport()
          + "; config: one MQTT listener on 127.0.0.1, "
          + (d.command().contains("--tributary-log") ? "the log block of --tributary-log, " : "")
          + (d.command().contains("--tributary-auth") ? "the auth block of --tributary-auth, " : "")
          + (d.command().contains("--tributary-admin-port") ? "an admin listener (--tributary-admin-port), " : "")
          + "every other setting default; connect/disconnect log lines off (`-Dtributary.log.connections=WARN`; "
          + "Mosquitto logs errors and warnings only)");
      row(b, "JDK (broker)", h.jdk() + "; JVM options: "
          + (d.tributaryJvmOpts().isEmpty() ? "none (JVM defaults)" : "`" + d.tributaryJvmOpts() + "`"));
    }
    if (d.brokers().contains("mosquitto")) {
      row(b, "Mosquitto", d.mosquittoVersion() + "; config: `listener <port> 127.0.0.1`, `"
          + String.join("`, `", MosquittoBroker.SETTINGS) + "`; everything else default");
    }
    row(b, "rounds", d.rounds() + " (each run on a fresh broker process; Tributary then Mosquitto in every round;"
        + " tables show the median of the rounds)");
    row(b, "warm-up / measure", Format.seconds(d.warmup()) + " / " + Format.seconds(d.measure()) + " per run");
    row(b, "scale", d.quick() ? quickScale(d) : "full");
    row(b, "load generator", "`io.tributary.bench.load`, a fresh JVM per run on the same machine, 127.0.0.1");
    b.append('\n');
  }

  /** "quick: `fan-out-1000-q1` 100 subscribers, `idle-10k` 1,000 connections". */
  private static String quickScale(ReportData d) {
    List<String> smaller = new ArrayList<>();
    for (ScenarioDef def : d.scenarios()) {
      String full = size(def.full());
      String quick = size(def.quick());
      if (!full.equals(quick)) {
        smaller.add("`" + def.id() + "` " + quick);
      }
    }
    return "quick" + (smaller.isEmpty() ? "" : ": " + String.join(", ", smaller) + " (the ids name the full scale)");
  }

  private static String size(Scenario s) {
    return switch (s.getKind()) {
      case FAN_OUT -> String.format(Locale.ROOT, "%,d subscribers", s.getSubscribers());
      case IDLE_CONNECTIONS, CONNECTION_STORM -> String.format(Locale.ROOT, "%,d connections", s.getConnections())
          + (s.getUsers() == 0 ? "" : String.format(Locale.ROOT, " of %,d users", s.getUsers()));
      case PAIRS -> String.format(Locale.ROOT, "%,d pairs", s.getPublishers());
      default -> String.format(Locale.ROOT, "%d publishers, %d subscribers", s.getPublishers(), s.getSubscribers());
    };
  }

  private static void mainTable(StringBuilder b, ReportData d) {
    b.append("## Results\n\n");
    b.append("| scenario | metric | Tributary | Mosquitto | ratio | target | met? |\n");
    b.append("|---|---|--:|--:|--:|---|:-:|\n");
    for (Summary.MetricRow r : Summary.mainRows(d.scenarios(), d.runs())) {
      b.append("| `").append(r.scenario()).append("` | ").append(r.metric().label()).append(" | ")
          .append(Format.number(r.tributary())).append(" | ")
          .append(Format.number(r.mosquitto())).append(" | ")
          .append(Format.ratio(r.ratio())).append(" | ")
          .append(r.metric().describeTarget()).append(" | ")
          .append(r.verdict().mark).append(" |\n");
    }
    b.append('\n');
    lossNote(b, d);
    b.append("**CPU per message** (`CPU s per M msgs`, `CPU s per M deliveries`): the broker process's user+system CPU"
        + " seconds, read from `/proc/<pid>/stat` over the measurement window, per million messages delivered"
        + " (fan-out: per million deliveries, each subscriber's copy counts). **ratio** = Tributary / Mosquitto:"
        + " above 1 is better for throughput and connections/s, below 1 is better for CPU, latency and memory."
        + " **met?** ✅ target met, ❌ not met, — no target (shown for context), n/a a value is missing."
        + " Throughput is closed loop (each publisher keeps a bounded window of messages not yet delivered),"
        + " so it is the rate the broker sustains, not what it buffers.\n\n");
  }

  /**
   * Losses make a closed-loop throughput unreliable (a publisher whose window stalls waits before it
   * gives up), so the main table says where they happened.
   */
  private static void lossNote(StringBuilder b, ReportData d) {
    List<String> notes = new ArrayList<>();
    for (ScenarioDef def : d.scenarios()) {
      for (String broker : d.brokers()) {
        List<LoadResult> results = Summary.results(d.runs(), RunRecord.MAIN, def.id(), broker, null);
        long lossy = results.stream().filter(r -> r.lost() > 0).count();
        if (lossy > 0) {
          long lost = results.stream().mapToLong(LoadResult::lost).sum();
          notes.add(String.format(Locale.ROOT, "`%s` on %s lost %s deliveries in %d of %d runs", def.id(),
              broker.equals("mosquitto") ? "Mosquitto" : "Tributary", Format.count(lost), lossy, results.size()));
        }
      }
    }
    if (!notes.isEmpty()) {
      b.append("⚠ **Lost deliveries**: ").append(String.join("; ", notes)).append(". A lost delivery stalls its"
          + " closed-loop publisher until the generator gives up on it, so those throughput numbers are lower than"
          + " the broker's rate without losses; see `lost` in the details.\n\n");
    }
  }

  private static void details(StringBuilder b, ReportData d) {
    b.append("## Details\n\n");
    b.append("Medians of the rounds. Broker CPU and generator CPU are percentages of all cores of the machine"
        + " (100% = every core busy); broker RSS is at the end of the measurement window.");
    if (d.rounds() > 1) {
      b.append(" **spread** = (max − min) / median of the scenario's first metric over the rounds.");
    }
    b.append("\n\n");
    for (ScenarioDef def : d.scenarios()) {
      Scenario s = def.build(d.quick(), d.warmup(), d.measure());
      b.append("### `").append(def.id()).append("`\n\n").append(ScenarioDef.describe(s)).append(".\n\n");
      List<String> headers = new ArrayList<>(List.of("broker", "runs"));
      def.columns().forEach(c -> headers.add(c.header));
      if (d.rounds() > 1) {
        headers.add("spread");
      }
      tableHead(b, headers);
      for (String broker : d.brokers()) {
        List<LoadResult> results = Summary.results(d.runs(), RunRecord.MAIN, def.id(), broker, null);
        long attempted = d.runs().stream()
            .filter(r -> r.table().equals(RunRecord.MAIN) && r.scenario().equals(def.id()) && r.broker().equals(broker))
            .count();
        List<String> cells = new ArrayList<>();
        cells.add(brokerLabel(broker, d.runs(), def.id()));
        cells.add(results.size() + "/" + attempted);
        for (DetailColumn c : def.columns()) {
          cells.add(c.format.apply(Summary.median(results, c.extractor)));
        }
        if (d.rounds() > 1) {
          double spread = Summary.spread(results, def.metrics().get(0)::of);
          cells.add(Double.isNaN(spread) ? Format.MISSING : Format.percent(spread * 100));
        }
        tableRow(b, cells);
      }
      b.append('\n');
    }
  }

  private static String brokerLabel(String broker, List<RunRecord> runs, String scenario) {
    if (broker.equals("mosquitto")) {
      return "Mosquitto";
    }
    String transport = runs.stream()
        .filter(r -> r.table().equals(RunRecord.MAIN) && r.scenario().equals(scenario) && r.broker().equals(broker))
        .map(RunRecord::transport).filter(t -> t != null && !t.isEmpty()).findFirst().orElse("");
    return transport.isEmpty() ? "Tributary" : "Tributary (" + transport + ")";
  }

  private static void transportsTable(StringBuilder b, ReportData d) {
    if (d.transports().isEmpty() || d.transportScenarios().isEmpty()) {
      return;
    }
    b.append("## Tributary by transport\n\n");
    b.append("Tributary only; the transports alternate within each round, medians of the rounds.\n\n");
    List<String> headers = new ArrayList<>(List.of("scenario", "metric"));
    headers.addAll(d.transports());
    tableHead(b, headers);
    for (ScenarioDef def : d.transportScenarios()) {
      for (Metric metric : def.metrics()) {
        List<String> cells = new ArrayList<>(List.of("`" + def.id() + "`", metric.label()));
        for (String t : d.transports()) {
          cells.add(Format.number(Summary.median(
              Summary.results(d.runs(), RunRecord.TRANSPORTS, def.id(), "tributary", t), metric::of)));
        }
        tableRow(b, cells);
      }
      List<String> gen = new ArrayList<>(List.of("`" + def.id() + "`", "generator CPU"));
      for (String t : d.transports()) {
        gen.add(Format.percent(Summary.median(
            Summary.results(d.runs(), RunRecord.TRANSPORTS, def.id(), "tributary", t), LoadResult::generatorCpuPercent)));
      }
      tableRow(b, gen);
    }
    b.append('\n');
  }

  private static void failures(StringBuilder b, ReportData d) {
    List<RunRecord> failed = d.runs().stream().filter(r -> !r.ok()).toList();
    if (failed.isEmpty()) {
      return;
    }
    b.append("## Failed runs\n\n");
    for (RunRecord r : failed) {
      String err = r.error() == null ? "no result" : r.error();
      String first = err.lines().findFirst().orElse("");
      b.append(String.format(Locale.ROOT, "- round %d, `%s`, %s%s (%s): %s%n", r.round(), r.scenario(), r.broker(),
          r.transport().isEmpty() ? "" : " " + r.transport(), r.table(), first));
      List<String> rest = err.lines().skip(1).toList();
      if (!rest.isEmpty()) {
        b.append("  ```\n");
        rest.stream().limit(20).forEach(l -> b.append("  ").append(l).append('\n'));
        b.append("  ```\n");
      }
    }
    b.append('\n');
  }

  private static void row(StringBuilder b, String key, String value) {
    b.append("| ").append(key).append(" | ").append(Format.cell(value)).append(" |\n");
  }

  private static void tableHead(StringBuilder b, List<String> headers) {
    tableRow(b, headers);
    b.append('|');
    for (int i = 0; i < headers.size(); i++) {
      b.append(i < 2 ? "---|" : "--:|");
    }
    b.append('\n');
  }

  private static void tableRow(StringBuilder b, List<String> cells) {
    b.append('|');
    cells.forEach(c -> b.append(' ').append(Format.cell(c)).append(" |"));
    b.append('\n');
  }
}
