package io.tributary.bench.load;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * Command line for one load run: prints the {@link LoadResult} as one JSON line on stdout and a
 * one-line summary on stderr. Exit status 0 on success, 1 if the run failed, 2 for bad arguments.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.tributary.bench.load.Load --kind fan-in --qos 1 \
 *     --publishers 4 --subscribers 1 --port 1883 [--host H] [--mode closed-loop|fixed-rate] [--rate N]
 *     [--window N] [--payload N] [--warmup S] [--measure S] [--connections N] [--concurrency N]
 *     [--broker-pid PID] [--protocol 4|5] [--event-loops N] [--name TEXT]
 * </pre>
 */
public final class Load {

  static final String USAGE = "usage: Load --kind fan-in|fan-out|pairs|shared-fan-in|connection-storm|idle-connections"
      + " [--port N] [--sub-port N[,N...]] [--host H] [--qos 0|1] [--protocol 4|5] [--publishers N] [--subscribers N]"
      + " [--mode closed-loop|fixed-rate] [--rate N] [--window N] [--payload N] [--warmup S] [--measure S]"
      + " [--connections N] [--concurrency N] [--users N] [--broker-pid PID] [--event-loops N] [--name TEXT]";

  private static final java.util.Set<String> FLAGS = java.util.Set.of("--kind", "--mode", "--host", "--port", "--sub-port",
      "--protocol", "--qos", "--publishers", "--subscribers", "--payload", "--window", "--rate", "--warmup",
      "--measure", "--connections", "--concurrency", "--users", "--broker-pid", "--event-loops", "--name");

  private Load() {
  }

  public static void main(String[] args) {
    quietLogging();
    System.exit(run(args, System.out, System.err));
  }

  /** Parses, runs and prints; returns the exit status (0 ok, 1 run failed, 2 bad arguments). */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    Scenario scenario;
    try {
      scenario = parse(args);
    } catch (IllegalArgumentException e) {
      err.println("Load: " + e.getMessage());
      err.println(USAGE);
      return 2;
    }
    if (scenario == null) {
      out.println(USAGE);
      return 0;
    }
    LoadResult r;
    try {
      r = LoadGenerator.run(scenario);
    } catch (Exception e) {
      err.println("Load: run failed: " + e.getMessage());
      return 1;
    }
    try {
      out.println(new ObjectMapper().writeValueAsString(r));
    } catch (Exception e) {
      err.println("Load: cannot write the result: " + e);
      return 1;
    }
    err.println(summary(r));
    return 0;
  }

  /** The command-line arguments that {@link #parse} turns back into this scenario. */
  public static java.util.List<String> args(Scenario s) {
    java.util.List<String> a = new java.util.ArrayList<>();
    java.util.Collections.addAll(a,
        "--kind", s.getKind().name(), "--mode", s.getMode().name(), "--host", s.getHost(),
        "--port", Integer.toString(s.getPort()), "--protocol", Integer.toString(s.getProtocolVersion()),
        "--qos", Integer.toString(s.getQos()), "--publishers", Integer.toString(s.getPublishers()),
        "--subscribers", Integer.toString(s.getSubscribers()), "--payload", Integer.toString(s.getPayloadBytes()),
        "--window", Integer.toString(s.getWindow()), "--rate", Integer.toString(s.getRate()),
        "--warmup", Double.toString(s.getWarmupSeconds()), "--measure", Double.toString(s.getMeasureSeconds()),
        "--connections", Integer.toString(s.getConnections()), "--concurrency", Integer.toString(s.getConcurrency()),
        "--users", Integer.toString(s.getUsers()),
        "--broker-pid", Long.toString(s.getBrokerPid()), "--event-loops", Integer.toString(s.getEventLoops()));
    if (!s.getName().isEmpty()) {
      java.util.Collections.addAll(a, "--name", s.getName());
    }
    return a;
  }

  /**
   * The scenario the arguments describe; null for {@code --help}. Throws
   * {@link IllegalArgumentException} with a message naming the bad argument.
   */
  public static Scenario parse(String[] args) {
    Scenario s = new Scenario();
    boolean kind = false;
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      if (flag.equals("--help") || flag.equals("-h")) {
        return null;
      }
      if (!flag.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument '" + flag + "'");
      }
      if (!FLAGS.contains(flag)) {
        throw new IllegalArgumentException("unknown option " + flag);
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(flag + " needs a value");
      }
      String v = args[++i];
      try {
        switch (flag) {
          case "--kind":
            s.setKind(parseEnum(Scenario.Kind.class, v));
            kind = true;
            break;
          case "--mode":
            s.setMode(parseEnum(Scenario.Mode.class, v));
            break;
          case "--host":
            s.setHost(v);
            break;
          case "--port":
            s.setPort(intIn(v, 1, 65_535));
            break;
          case "--sub-port": // subscribers spread over these ports in turn (nodes of a cluster)
            s.setSubscriberPorts(java.util.Arrays.stream(v.split(",")).mapToInt(p -> intIn(p, 1, 65_535)).toArray());
            break;
          case "--protocol":
            s.setProtocolVersion(intIn(v, 4, 5));
            break;
          case "--qos":
            s.setQos(intIn(v, 0, 1));
            break;
          case "--publishers":
            s.setPublishers(intIn(v, 1, 1_000_000));
            break;
          case "--subscribers":
            s.setSubscribers(intIn(v, 1, 1_000_000));
            break;
          case "--payload":
            s.setPayloadBytes(intIn(v, 16, 1024 * 1024));
            break;
          case "--window":
            s.setWindow(intIn(v, 1, 65_535));
            break;
          case "--rate":
            s.setRate(intIn(v, 1, Integer.MAX_VALUE));
            break;
          case "--warmup":
            s.setWarmupSeconds(seconds(v, true));
            break;
          case "--measure":
            s.setMeasureSeconds(seconds(v, false));
            break;
          case "--connections":
            s.setConnections(intIn(v, 1, 10_000_000));
            break;
          case "--concurrency":
            s.setConcurrency(intIn(v, 1, 100_000));
            break;
          case "--users":
            s.setUsers(intIn(v, 0, 1_000_000));
            break;
          case "--broker-pid":
            s.setBrokerPid(longIn(v));
            break;
          case "--event-loops":
            s.setEventLoops(intIn(v, 1, 1024));
            break;
          case "--name":
            s.setName(v);
            break;
          default:
            throw new IllegalArgumentException("unknown option " + flag);
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(flag + " " + v + ": " + e.getMessage(), e);
      }
    }
    if (!kind) {
      throw new IllegalArgumentException("--kind is required");
    }
    return s;
  }

  private static <E extends Enum<E>> E parseEnum(Class<E> type, String v) {
    try {
      return Enum.valueOf(type, v.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      StringBuilder names = new StringBuilder();
      for (E c : type.getEnumConstants()) {
        names.append(names.length() == 0 ? "" : ", ").append(c.name().toLowerCase(Locale.ROOT).replace('_', '-'));
      }
      throw new IllegalArgumentException("must be one of " + names);
    }
  }

  private static int intIn(String v, int min, int max) {
    long n;
    try {
      n = Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a whole number");
    }
    if (n < min || n > max) {
      throw new IllegalArgumentException("must be " + min + ".." + max);
    }
    return (int) n;
  }

  private static long longIn(String v) {
    try {
      long n = Long.parseLong(v.trim());
      if (n < 0) {
        throw new IllegalArgumentException("must not be negative");
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a whole number");
    }
  }

  private static double seconds(String v, boolean zeroOk) {
    double d;
    try {
      d = Double.parseDouble(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a number of seconds");
    }
    if (!Double.isFinite(d) || d < 0 || (!zeroOk && d == 0)) {
      throw new IllegalArgumentException(zeroOk ? "must be 0 or more seconds" : "must be more than 0 seconds");
    }
    return d;
  }

  /** One human line, e.g. for the terminal. */
  public static String summary(LoadResult r) {
    StringBuilder b = new StringBuilder(r.scenario()).append(':');
    if (r.published() > 0 || r.delivered() > 0) {
      b.append(String.format(Locale.ROOT, " published %,.0f/s, delivered %,.0f/s, lost %d;", r.publishedPerSecond(),
          r.deliveredPerSecond(), r.lost()));
    }
    if (!Double.isNaN(r.latencyP50Micros())) {
      b.append(String.format(Locale.ROOT, " latency p50 %.0f us, p99 %.0f us, p99.9 %.0f us, max %.0f us;",
          r.latencyP50Micros(), r.latencyP99Micros(), r.latencyP999Micros(), r.latencyMaxMicros()));
    }
    if (!Double.isNaN(r.connectionsPerSecond())) {
      b.append(String.format(Locale.ROOT, " %,.0f connections/s;", r.connectionsPerSecond()));
    }
    if (!Double.isNaN(r.rssPerConnectionKiB())) {
      b.append(String.format(Locale.ROOT, " broker RSS %.1f KiB per connection;", r.rssPerConnectionKiB()));
    }
    if (!Double.isNaN(r.brokerCpuSeconds())) {
      b.append(String.format(Locale.ROOT, " broker CPU %.2f s (%.0f%% of all cores)", r.brokerCpuSeconds(),
          r.brokerCpuPercent()));
      if (!Double.isNaN(r.brokerCpuPerMillion())) {
        b.append(String.format(Locale.ROOT, ", %.2f s per million", r.brokerCpuPerMillion()));
      }
      b.append(String.format(Locale.ROOT, ", RSS %.0f MiB;", r.brokerRssKiB() / 1024));
    }
    b.append(String.format(Locale.ROOT, " generator CPU %.0f%% of all cores, %.1f s measured", r.generatorCpuPercent(),
        r.seconds()));
    return b.toString();
  }

  /** Warnings only, to stderr, so stdout holds just the JSON line. */
  private static void quietLogging() {
    try {
      if (LoggerFactory.getILoggerFactory() instanceof LoggerContext lc) {
        lc.reset();
        PatternLayoutEncoder enc = new PatternLayoutEncoder();
        enc.setContext(lc);
        enc.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{36} - %msg%n");
        enc.start();
        ConsoleAppender<ILoggingEvent> a = new ConsoleAppender<>();
        a.setContext(lc);
        a.setTarget("System.err");
        a.setEncoder(enc);
        a.start();
        ch.qos.logback.classic.Logger root = lc.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(a);
        root.setLevel(Level.WARN);
      }
    } catch (RuntimeException | LinkageError e) {
      // logging stays as it is
    }
  }
}
