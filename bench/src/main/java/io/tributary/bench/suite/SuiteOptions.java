package io.tributary.bench.suite;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/** The command line of {@link Suite}. Paths are resolved against the working directory, defaults against the repository root. */
final class SuiteOptions {

  static final List<String> BROKERS = List.of("tributary", "mosquitto");
  static final List<String> TRANSPORTS = List.of("io_uring", "epoll", "nio");

  static final String USAGE = """
      usage: bench/run [--build] [options]     (or: java -cp bench/target/benchmarks.jar io.tributary.bench.suite.Suite [options])

      Runs each scenario against Tributary and Mosquitto, each run on a fresh broker process, alternating
      the brokers round by round, and writes the medians to <out>/<yyyy-MM-dd-HHmm>.md (+ latest.md, + .jsonl).

        --rounds N                 rounds per scenario and broker (default 3)
        --quick                    smoke run: 1 round, 1 s warm-up, 2 s measure, smaller scales
        --only ID[,ID...]          scenarios to run (default all): %s
        --brokers B[,B...]         tributary, mosquitto (default both)
        --transports T[,T...]      add a Tributary-only table of fan-in-q0, fan-in-q1, fan-out-100-q0 on each
                                   transport: io_uring, epoll, nio
        --warmup S                 warm-up seconds per run (default 5; quick 1)
        --measure S                measured seconds per run (default 10; quick 2)
        --out DIR                  where the results go (default bench/results)
        --jar PATH                 Tributary fat jar (default launcher/target/tributary.jar)
        --mosquitto PATH           mosquitto binary (default mosquitto on PATH, else /usr/sbin/mosquitto)
        --tributary-jvm-opts "..." JVM options for the Tributary process (default: none, the JVM's defaults)
        --tributary-log JSON       the config's log block for Tributary, e.g. '{"storage":"memory"}' or
                                   '{"flush":"always"}' (default: none, the default log: disk, flush none)
        --tributary-auth JSON      the config's auth block for Tributary, e.g. '{"aclFile":"/tmp/bench.acl"}'
        --tributary-admin-port N   Tributary also runs its admin listener on 127.0.0.1:N (/metrics), to
                                   measure the broker while something scrapes it
                                   (default: none: no password file, anonymous clients from loopback)
        -h, --help                 this text
      """;

  int rounds = 3;
  boolean quick;
  boolean roundsGiven;
  List<String> only = List.of();
  List<String> brokers = BROKERS;
  List<String> transports = List.of();
  double warmupSeconds = Double.NaN;
  double measureSeconds = Double.NaN;
  Path out;
  Path jar;
  Path mosquitto;
  List<String> tributaryJvmOpts = List.of();
  /** The log block for Tributary's config, or null for the default. */
  String tributaryLog;
  /** The auth block for Tributary's config, or null for the default. */
  String tributaryAuth;
  /** Port of an admin listener for Tributary (its /metrics scraped from outside), 0 for none. */
  int tributaryAdminPort;
  boolean help;

  /** A command line that cannot be run: the message names the option. Exit code 2. */
  static final class UsageException extends Exception {
    UsageException(String message) {
      super(message);
    }
  }

  static SuiteOptions parse(String[] args, Path root) throws UsageException {
    SuiteOptions o = new SuiteOptions();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String name = arg;
      String inline = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        name = arg.substring(0, eq);
        inline = arg.substring(eq + 1);
      }
      switch (name) {
        case "-h", "--help" -> o.help = true;
        case "--quick" -> o.quick = true;
        case "--rounds" -> {
          o.rounds = positiveInt(name, inline != null ? inline : value(args, ++i, name));
          o.roundsGiven = true;
        }
        case "--only" -> o.only = list(name, inline != null ? inline : value(args, ++i, name), Scenarios.ids());
        case "--brokers" -> o.brokers = list(name, inline != null ? inline : value(args, ++i, name), BROKERS);
        case "--transports" -> o.transports = list(name, inline != null ? inline : value(args, ++i, name), TRANSPORTS);
        case "--warmup" -> o.warmupSeconds = seconds(name, inline != null ? inline : value(args, ++i, name), true);
        case "--measure" -> o.measureSeconds = seconds(name, inline != null ? inline : value(args, ++i, name), false);
        case "--out" -> o.out = Paths.get(inline != null ? inline : value(args, ++i, name));
        case "--jar" -> o.jar = Paths.get(inline != null ? inline : value(args, ++i, name));
        case "--mosquitto" -> o.mosquitto = Paths.get(inline != null ? inline : value(args, ++i, name));
        case "--tributary-jvm-opts" -> {
          String v = inline != null ? inline : value(args, ++i, name);
          o.tributaryJvmOpts = Arrays.stream(v.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
        }
        case "--tributary-log" -> o.tributaryLog = jsonObject(name, inline != null ? inline : value(args, ++i, name));
        case "--tributary-auth" -> o.tributaryAuth = jsonObject(name, inline != null ? inline : value(args, ++i, name));
        case "--tributary-admin-port" -> {
          String v = inline != null ? inline : value(args, ++i, name);
          try {
            o.tributaryAdminPort = Integer.parseInt(v);
          } catch (NumberFormatException e) {
            throw new UsageException(name + " takes a port number, was " + v);
          }
          if (o.tributaryAdminPort < 1 || o.tributaryAdminPort > 65535) {
            throw new UsageException(name + " takes a port number 1..65535, was " + v);
          }
        }
        default -> throw new UsageException("unknown option '" + arg + "' (see --help)");
      }
    }
    if (o.quick && !o.roundsGiven) {
      o.rounds = 1;
    }
    if (o.out == null) {
      o.out = root.resolve("bench").resolve("results");
    }
    if (o.jar == null) {
      o.jar = root.resolve("launcher").resolve("target").resolve("tributary.jar");
    }
    if (o.mosquitto == null) {
      o.mosquitto = findMosquitto();
    }
    return o;
  }

  private static String jsonObject(String name, String value) throws UsageException {
    String v = value.trim();
    if (!v.startsWith("{") || !v.endsWith("}")) {
      throw new UsageException(name + " takes a JSON object, was " + v);
    }
    return v;
  }

  /** The config blocks the options give Tributary beside its defaults, as {@code "name": {...}, } text. */
  String tributaryBlocks() {
    return (tributaryLog == null ? "" : "\"log\": " + tributaryLog + ", ")
        + (tributaryAuth == null ? "" : "\"auth\": " + tributaryAuth + ", ");
  }

  /** Listeners for Tributary beside its MQTT one, as {@code , {...}} text (empty for none). */
  String tributaryExtraListeners() {
    return tributaryAdminPort == 0 ? "" : ", {\"name\": \"admin\", \"protocol\": \"admin\", \"host\": \"127.0.0.1\", "
        + "\"port\": " + tributaryAdminPort + "}";
  }

  /** Warm-up to use: the option, else the profile's. */
  double warmup() {
    return !Double.isNaN(warmupSeconds) ? warmupSeconds : quick ? Scenarios.QUICK_WARMUP : Scenarios.WARMUP;
  }

  double measure() {
    return !Double.isNaN(measureSeconds) ? measureSeconds : quick ? Scenarios.QUICK_MEASURE : Scenarios.MEASURE;
  }

  /** The scenarios selected by {@code --only}, in the suite's order. */
  List<ScenarioDef> scenarios() {
    return Scenarios.all().stream().filter(d -> only.isEmpty() || only.contains(d.id())).toList();
  }

  /** The scenarios of the transports table: the three of it, restricted by {@code --only} when given. */
  List<ScenarioDef> transportScenarios() {
    if (transports.isEmpty()) {
      return List.of();
    }
    return Scenarios.all().stream()
        .filter(d -> Scenarios.TRANSPORT_SCENARIOS.contains(d.id()))
        .filter(d -> only.isEmpty() || only.contains(d.id()))
        .toList();
  }

  /** {@code mosquitto} on PATH, else /usr/sbin/mosquitto (not on a non-root PATH on Debian). */
  static Path findMosquitto() {
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(java.io.File.pathSeparator)) {
        if (!dir.isEmpty()) {
          Path p = Paths.get(dir, "mosquitto");
          if (Files.isExecutable(p)) {
            return p;
          }
        }
      }
    }
    return Paths.get("/usr/sbin/mosquitto");
  }

  private static String value(String[] args, int i, String name) throws UsageException {
    if (i >= args.length || args[i].startsWith("--")) {
      throw new UsageException("option " + name + " needs a value");
    }
    return args[i];
  }

  private static int positiveInt(String name, String v) throws UsageException {
    try {
      int n = Integer.parseInt(v.trim());
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new UsageException("option " + name + " takes a whole number >= 1, not '" + v + "'");
  }

  private static double seconds(String name, String v, boolean zeroAllowed) throws UsageException {
    try {
      double s = Double.parseDouble(v.trim());
      if (Double.isFinite(s) && (s > 0 || (zeroAllowed && s == 0))) {
        return s;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new UsageException("option " + name + " takes seconds " + (zeroAllowed ? ">= 0" : "> 0") + ", not '" + v + "'");
  }

  private static List<String> list(String name, String v, List<String> allowed) throws UsageException {
    LinkedHashSet<String> items = new LinkedHashSet<>();
    for (String s : v.split(",")) {
      String item = s.trim().toLowerCase(Locale.ROOT);
      if (item.isEmpty()) {
        continue;
      }
      if (!allowed.contains(item)) {
        throw new UsageException("option " + name + ": unknown value '" + s.trim() + "' (one of " + String.join(", ", allowed) + ")");
      }
      items.add(item);
    }
    if (items.isEmpty()) {
      throw new UsageException("option " + name + " needs at least one of " + String.join(", ", allowed));
    }
    return new ArrayList<>(items);
  }
}
