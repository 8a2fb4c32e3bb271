package io.tributary.bench.suite;

import io.tributary.bench.load.LoadResult;
import io.tributary.bench.load.Scenario;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * The side-by-side benchmark: every scenario against Tributary and against Mosquitto, each run on a
 * fresh broker process, the brokers alternating within each round, medians of the rounds in a
 * markdown table ({@code bench/results/<yyyy-MM-dd-HHmm>.md} and {@code latest.md}) plus the raw
 * runs as JSON lines. {@code bench/run} is the one command; {@code --help} lists the options.
 */
public final class Suite {

  private static final DateTimeFormatter FILE_STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd-HHmm");

  private final SuiteOptions options;
  private final String command;
  private final Path root;
  private final PrintStream progress;
  private final List<RunRecord> runs = new ArrayList<>();
  private volatile ProcessBroker current;

  private Suite(SuiteOptions options, String command, Path root, PrintStream progress) {
    this.options = options;
    this.command = command;
    this.root = root;
    this.progress = progress;
  }

  public static void main(String[] args) {
    System.exit(run(args, root(), System.out, System.err));
  }

  /** Runs the suite; returns the exit code: 0 done, 1 a run failed or a tool is missing, 2 bad options. */
  static int run(String[] args, Path root, PrintStream out, PrintStream err) {
    SuiteOptions options;
    try {
      options = SuiteOptions.parse(args, root);
    } catch (SuiteOptions.UsageException e) {
      err.println("bench: " + e.getMessage());
      return 2;
    }
    if (options.help) {
      out.printf(SuiteOptions.USAGE, String.join(", ", Scenarios.ids()));
      return 0;
    }
    try {
      return new Suite(options, commandLine(args), root, err).execute(out);
    } catch (IOException e) {
      err.println("bench: " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("bench: interrupted");
      return 1;
    }
  }

  private int execute(PrintStream out) throws IOException, InterruptedException {
    boolean withTributary = options.brokers.contains("tributary");
    boolean withMosquitto = options.brokers.contains("mosquitto");
    if ((withTributary || !options.transports.isEmpty()) && !Files.isRegularFile(options.jar)) {
      progress.println("bench: Tributary jar not found: " + options.jar
          + " (build it: ./mvnw -q package -DskipTests -pl launcher -am, or give --jar)");
      return 1;
    }
    if (withMosquitto && !Files.isExecutable(options.mosquitto)) {
      progress.println("bench: mosquitto not found at " + options.mosquitto
          + " (install it: apt-get install -y mosquitto, or give --mosquitto)");
      return 1;
    }
    List<ScenarioDef> scenarios = options.scenarios();
    List<ScenarioDef> transportScenarios = options.transportScenarios();
    if (!options.transports.isEmpty() && transportScenarios.isEmpty()) {
      progress.println("bench: --transports runs only " + String.join(", ", Scenarios.TRANSPORT_SCENARIOS)
          + "; none of them is in --only, so there is no transports table");
    }

    Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
    ZonedDateTime now = ZonedDateTime.now();
    HostInfo host = HostInfo.collect(root, java, now);
    TributaryBroker tributary = new TributaryBroker(java, options.jar, "auto", options.tributaryJvmOpts,
        options.tributaryBlocks(), options.tributaryExtraListeners());
    MosquittoBroker mosquitto = new MosquittoBroker(options.mosquitto);
    List<BrokerUnderTest> brokers = new ArrayList<>();
    if (withTributary) {
      brokers.add(tributary);
    }
    if (withMosquitto) {
      brokers.add(mosquitto);
    }
    String tributaryVersion = tributary.version();
    String mosquittoVersion = withMosquitto ? mosquitto.version() : "";

    Files.createDirectories(options.out);
    Path markdown = uniqueFile(options.out, now.format(FILE_STAMP));
    Path jsonl = markdown.resolveSibling(markdown.getFileName().toString().replaceFirst("\\.md$", ".jsonl"));
    Path work = Files.createTempDirectory("tributary-bench-");
    Thread hook = new Thread(() -> {
      ProcessBroker b = current;
      if (b != null) {
        b.kill();
      }
    }, "bench-stop-broker");
    Runtime.getRuntime().addShutdownHook(hook);

    int total = options.rounds * (scenarios.size() * brokers.size() + transportScenarios.size() * options.transports.size());
    progress.printf(Locale.ROOT, "bench: %d runs (%d round%s, %s warm-up + %s measure each); results: %s%n", total,
        options.rounds, options.rounds == 1 ? "" : "s", Format.seconds(options.warmup()),
        Format.seconds(options.measure()), markdown);
    int n = 0;
    for (int round = 1; round <= options.rounds; round++) {
      for (ScenarioDef def : scenarios) {
        for (BrokerUnderTest broker : brokers) {
          String version = broker == tributary ? tributaryVersion : mosquittoVersion;
          runOne(++n, total, RunRecord.MAIN, round, def, (ProcessBroker) broker, version, work, jsonl);
        }
      }
      for (ScenarioDef def : transportScenarios) {
        for (String t : options.transports) {
          TributaryBroker onTransport = new TributaryBroker(java, options.jar, t, options.tributaryJvmOpts,
              options.tributaryBlocks(), options.tributaryExtraListeners());
          runOne(++n, total, RunRecord.TRANSPORTS, round, def, onTransport, tributaryVersion, work, jsonl);
        }
      }
      writeReport(markdown, new ReportData(command, host, options.rounds, options.warmup(), options.measure(), options.quick,
          brokers.stream().map(BrokerUnderTest::name).toList(), tributaryVersion, relative(options.jar),
          "auto" + mainTransport(), String.join(" ", options.tributaryJvmOpts), mosquittoVersion, scenarios,
          transportScenarios, options.transports, List.copyOf(runs)));
    }
    Runtime.getRuntime().removeShutdownHook(hook);

    long failed = runs.stream().filter(r -> !r.ok()).count();
    String text = Files.readString(markdown, StandardCharsets.UTF_8);
    int start = text.indexOf("## Results");
    int end = text.indexOf("**CPU per message**");
    if (start >= 0 && end > start) {
      out.print(text.substring(start, end));
    }
    progress.println("bench: wrote " + markdown + " (and latest.md, " + jsonl.getFileName() + ")");
    if (failed > 0) {
      progress.println("bench: " + failed + " run(s) failed; see 'Failed runs' in the report; broker logs kept in " + work);
      return 1;
    }
    deleteTree(work);
    return 0;
  }

  private void runOne(int n, int total, String table, int round, ScenarioDef def, ProcessBroker broker,
      String version, Path work, Path jsonl) throws IOException, InterruptedException {
    Scenario scenario = def.build(options.quick, options.warmupSeconds, options.measureSeconds);
    String label = broker.name() + (broker instanceof TributaryBroker t && table.equals(RunRecord.TRANSPORTS)
        ? " (" + t.configuredTransport() + ")" : "");
    progress.printf(Locale.ROOT, "[%d/%d] round %d/%d  %-17s %s%n", n, total, round, options.rounds, def.id(), label);
    Path dir = work.resolve(String.format(Locale.ROOT, "%03d-%s-%s", n, def.id(), broker.name()));
    LoadResult result = null;
    String error = null;
    String transport = "";
    current = broker;
    try {
      broker.setLogins(scenario.getUsers());
      broker.start(dir);
      scenario.setHost(ProcessBroker.HOST).setPort(broker.port()).setBrokerPid(broker.pid());
      result = generate(scenario);
      if (!broker.isAlive()) {
        error = broker.name() + " exited during the run; its output:\n" + broker.logTail(20);
        result = null;
      }
    } catch (BrokerUnderTest.BrokerStartException e) {
      error = e.getMessage();
    } catch (TimeoutException e) {
      error = "the load generator did not finish within " + e.getMessage();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      error = "load generator failed: " + cause + (broker.isAlive() ? "" : "\n" + broker.name()
          + " is not running; its output:\n" + broker.logTail(20));
    } finally {
      transport = broker.transport();
      broker.stop();
      current = null;
      // The run's commit log (Tributary's default stores it under the work directory) goes now:
      // deleted before the kernel writes its dirty pages back, it costs the next runs no disk I/O
      // and no CPU. The broker's own log stays for the report.
      deleteTree(dir.resolve("data"));
    }
    RunRecord record = new RunRecord(table, round, def.id(), broker.name(), version, transport, result, error);
    runs.add(record);
    JsonLines.append(jsonl, record);
    progress.println("        " + headline(def, record));
  }

  /** The arguments as a shell would need them: quoted when they hold spaces. */
  static String commandLine(String[] args) {
    List<String> words = new ArrayList<>();
    for (String a : args) {
      words.add(a.isEmpty() || a.matches(".*[\\s\"'$`\\\\].*") ? "'" + a.replace("'", "'\\''") + "'" : a);
    }
    return String.join(" ", words);
  }

  /**
   * Runs the generator in a JVM of its own, fresh for every run: its garbage and collections from
   * earlier runs would otherwise land in later runs' latencies (the suite's own heap grows over a
   * run of all scenarios). A run that hangs is stopped and reported instead of stopping the suite.
   */
  private static LoadResult generate(Scenario scenario) throws ExecutionException, TimeoutException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(io.tributary.bench.load.Load.class.getName());
    cmd.addAll(io.tributary.bench.load.Load.args(scenario));
    long timeoutSeconds = (long) (scenario.getWarmupSeconds() + scenario.getMeasureSeconds()) + 120
        + scenario.getConnections() / 100L;
    Process p;
    Path err;
    try {
      err = Files.createTempFile("bench-load-", ".err");
      p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
    } catch (IOException e) {
      throw new ExecutionException("cannot start the load generator: " + e.getMessage(), e);
    }
    try {
      CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
        try {
          return new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new TimeoutException(timeoutSeconds + " s");
      }
      String stdout = out.get(10, TimeUnit.SECONDS).strip();
      if (p.exitValue() != 0 || stdout.isEmpty()) {
        String tail = Files.readString(err).strip();
        throw new ExecutionException(new IllegalStateException(
            tail.isEmpty() ? "exit status " + p.exitValue() : tail.lines().reduce((a, b) -> b).orElse(tail)));
      }
      String json = stdout.lines().reduce((a, b) -> b).orElse(stdout);
      return new com.fasterxml.jackson.databind.ObjectMapper().readValue(json, LoadResult.class);
    } catch (IOException e) {
      throw new ExecutionException("cannot read the load generator's result: " + e.getMessage(), e);
    } finally {
      p.destroyForcibly();
      try {
        Files.deleteIfExists(err);
      } catch (IOException ignored) {
        // a temp file left behind
      }
    }
  }

  /** "delivered msg/s 123,456 · CPU s per M msgs 1.23 · broker CPU 95% · generator CPU 80%". */
  static String headline(ScenarioDef def, RunRecord r) {
    if (!r.ok()) {
      return "FAILED: " + r.error().lines().findFirst().orElse("");
    }
    LoadResult x = r.result();
    List<String> parts = new ArrayList<>();
    if (!r.transport().isEmpty()) {
      parts.add(r.transport());
    }
    for (Metric m : def.metrics()) {
      parts.add(m.label() + " " + Format.number(m.of(x)));
    }
    if (x.lost() > 0) {
      parts.add("lost " + Format.count(x.lost()));
    }
    parts.add("broker CPU " + Format.percent(x.brokerCpuPercent()));
    parts.add("generator CPU " + Format.percent(x.generatorCpuPercent()));
    return String.join(" · ", parts);
  }

  /** " (io_uring)": what auto resolved to in the main table's Tributary runs, "" when unknown. */
  private String mainTransport() {
    return runs.stream().filter(r -> r.table().equals(RunRecord.MAIN) && r.broker().equals("tributary"))
        .map(RunRecord::transport).filter(t -> !t.isEmpty() && !t.equals("auto")).findFirst()
        .map(t -> " (" + t + ")").orElse("");
  }

  private void writeReport(Path markdown, ReportData data) throws IOException {
    String text = MarkdownReport.render(data);
    Files.writeString(markdown, text, StandardCharsets.UTF_8);
    Files.copy(markdown, markdown.resolveSibling("latest.md"), StandardCopyOption.REPLACE_EXISTING);
  }

  private String relative(Path p) {
    Path abs = p.toAbsolutePath().normalize();
    Path r = root.toAbsolutePath().normalize();
    return abs.startsWith(r) ? r.relativize(abs).toString() : abs.toString();
  }

  /** {@code <stamp>.md}, or {@code <stamp>-2.md} ... when a run in the same minute already wrote one. */
  static Path uniqueFile(Path dir, String stamp) {
    Path p = dir.resolve(stamp + ".md");
    for (int i = 2; Files.exists(p) || Files.exists(dir.resolve(p.getFileName().toString().replace(".md", ".jsonl"))); i++) {
      p = dir.resolve(stamp + "-" + i + ".md");
    }
    return p;
  }

  /**
   * The repository root: {@code -Dtributary.root} (bench/run sets it), else the nearest directory up
   * from the working directory that holds bench/pom.xml, else the working directory.
   */
  static Path root() {
    String prop = System.getProperty("tributary.root");
    if (prop != null && !prop.isBlank()) {
      return Paths.get(prop).toAbsolutePath().normalize();
    }
    Path cwd = Paths.get("").toAbsolutePath();
    for (Path p = cwd; p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("bench").resolve("pom.xml"))) {
        return p;
      }
    }
    return cwd;
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp dir left behind is harmless
    }
  }
}
