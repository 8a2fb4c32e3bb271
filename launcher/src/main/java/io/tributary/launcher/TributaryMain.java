package io.tributary.launcher;

import io.tributary.cluster.HazelcastSetup;
import io.vertx.core.Deployable;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.launcher.application.ExitCodes;
import io.vertx.launcher.application.HookContext;
import io.vertx.launcher.application.VertxApplication;
import io.vertx.launcher.application.VertxApplicationHooks;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar tributary.jar [-conf conf/broker.json] [-instances N] [-options vertx.json]}:
 * the Vert.x application launcher, with the broker's config validated before Vert.x starts and the
 * transport chosen from it; {@code java -jar tributary.jar log inspect DIR} ({@link LogCommand}) and
 * {@code java -jar tributary.jar passwd ...} ({@link PasswdCommand}).
 */
public final class TributaryMain implements VertxApplicationHooks {

  private static final Logger log = LoggerFactory.getLogger(TributaryMain.class);

  private final Integer instancesFlag;
  /** The -conf argument, or null for the built-in configuration. */
  private final String confArgument;
  private BrokerConfig config;
  private JsonObject configJson;
  private volatile BrokerVerticle verticle;

  private TributaryMain(String[] args) {
    this.instancesFlag = instancesFlag(args);
    this.confArgument = ConfigFile.argument(args);
  }

  public static void main(String[] args) {
    if (LogCommand.asked(args)) {
      System.exit(LogCommand.run(args, System.out, System.err));
    }
    if (PasswdCommand.asked(args)) {
      System.exit(PasswdCommand.run(args, System.in, System.out, System.err));
    }
    if (Usage.asked(args)) {
      Usage.print(System.out);
      return;
    }
    new VertxApplication(withClusterFlag(args), new TributaryMain(args)).launch();
  }

  /**
   * The launcher builds a clustered Vert.x only when asked on the command line ({@code -cluster});
   * a config with {@code cluster.enabled} asks for it. A config that cannot be read is left to
   * {@link #afterConfigParsed}, which reports it.
   */
  static String[] withClusterFlag(String[] args) {
    List<String> list = Arrays.asList(args);
    if (list.contains("-cluster") || list.contains("--cluster") || list.contains("-c")) {
      return args;
    }
    try {
      String conf = ConfigFile.argument(args);
      JsonObject json = conf == null ? BrokerConfig.defaults() : ConfigFile.load(conf);
      JsonObject cluster = json.getJsonObject("cluster");
      if (cluster != null && Boolean.TRUE.equals(cluster.getValue("enabled"))) {
        String[] clustered = Arrays.copyOf(args, args.length + 1);
        clustered[args.length] = "-cluster";
        return clustered;
      }
    } catch (RuntimeException e) {
      // reported by afterConfigParsed
    }
    return args;
  }

  @Override
  public JsonObject afterDeploymentOptionsParsed(JsonObject deploymentOptions) {
    return deploymentOptions;
  }

  /**
   * The launcher's parse of {@code -conf} is replaced by {@link ConfigFile}'s, which stops on what
   * the launcher would only warn about; without {@code -conf}, the built-in configuration.
   */
  @Override
  public JsonObject afterConfigParsed(JsonObject conf) {
    JsonObject json;
    try {
      json = confArgument == null ? BrokerConfig.defaults() : ConfigFile.load(confArgument);
    } catch (ConfigException e) {
      fail(e.getMessage());
      return null;
    }
    if (instancesFlag != null) {
      // -instances sets the number of event loops; the broker verticle itself is deployed once.
      json = json.copy().put("instances", instancesFlag);
    }
    try {
      config = BrokerConfig.from(json);
    } catch (ConfigException e) {
      fail(e.getMessage());
    }
    configJson = json;
    return json;
  }

  /**
   * Vert.x is built with Micrometer metrics (vertx-micrometer-metrics) on a Prometheus registry,
   * which the admin listener's {@code /metrics} serves with the broker's own meters: JVM, GC and the
   * worker pools (where password hashing waits) come from it. Vert.x's per-socket and per-request
   * categories stay off: the broker counts its connections and traffic itself, per event loop, and
   * they would put a meter update on every read.
   */
  @Override
  public VertxBuilder createVertxBuilder(VertxOptions options) {
    try {
      options.setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true)
          .setDisabledMetricsCategories(Set.of(MetricsDomain.NET_SERVER.toCategory(),
              MetricsDomain.NET_CLIENT.toCategory(), MetricsDomain.HTTP_SERVER.toCategory(),
              MetricsDomain.HTTP_CLIENT.toCategory(), MetricsDomain.DATAGRAM_SOCKET.toCategory(),
              MetricsDomain.EVENT_BUS.toCategory())));
      VertxBuilder builder = Vertx.builder();
      if (config.cluster.enabled) {
        HazelcastSetup.eventBus(options, config.cluster.options());
        builder.withClusterManager(HazelcastSetup.clusterManager(config.cluster.options()));
      }
      return builder.with(options)
          .withMetrics(new MicrometerMetricsFactory(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)))
          .withTransport(GuardedTransport.wrap(Transports.choose(config.transport)));
    } catch (ConfigException e) {
      fail(e.getMessage());
      return null;
    }
  }

  @Override
  public Supplier<? extends Deployable> verticleSupplier() {
    return () -> {
      BrokerVerticle v = new BrokerVerticle();
      verticle = v;
      return v;
    };
  }

  /**
   * SIGHUP reloads the password and ACL files and the TLS certificates (rotated in place), as it
   * reloads Mosquitto's configuration (the JVM would otherwise treat SIGHUP as a request to exit). SIGTERM stops the broker as the JVM would
   * (the launcher's shutdown hook closes listeners, then connections, MQTT 5 clients told 0x8B,
   * then the log and state), but exits 0: a stop that was asked for is not a failure, and a
   * systemd unit reads the JVM's own 143 as one. {@code sun.misc.Signal} (module jdk.unsupported):
   * Java has no public API for signals; only the launcher's own process registers them, never an
   * application embedding the verticle.
   */
  @Override
  public void afterVerticleDeployed(HookContext context) {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> {
        log.info("SIGHUP: reloading the password and ACL files and the TLS certificates");
        verticle.reloadAuth();
        verticle.reloadTls();
      });
      sun.misc.Signal.handle(new sun.misc.Signal("TERM"), signal -> {
        log.info("SIGTERM: stopping");
        System.exit(0); // runs the shutdown hooks: the graceful stop
      });
    } catch (IllegalArgumentException e) {
      log.debug("signals cannot be handled here: {}", e.toString());
    }
  }

  @Override
  public void beforeDeployingVerticle(HookContext context) {
    // One broker verticle; it deploys the per-core verticles itself.
    context.deploymentOptions().setInstances(1).setConfig(configJson);
  }

  @Override
  public void beforeStoppingVertx(HookContext context) {
    log.info("Tributary stopping: closing connections, then listeners");
  }

  @Override
  public void afterFailureToDeployVerticle(HookContext context, Throwable t) {
    fail(t instanceof ConfigException ? t.getMessage() : "start-up failed: " + t);
  }

  private static void fail(String line) {
    log.error(line);
    System.err.flush();
    // halt, not exit: nothing started needs a graceful stop, and the launcher's shutdown hook would
    // otherwise log a stack trace after our one line.
    Runtime.getRuntime().halt(ExitCodes.USAGE);
  }

  private static Integer instancesFlag(String[] args) {
    int i = Arrays.asList(args).indexOf("-instances");
    if (i < 0) {
      i = Arrays.asList(args).indexOf("--instances");
    }
    if (i >= 0 && i + 1 < args.length) {
      try {
        return Integer.valueOf(args[i + 1]);
      } catch (NumberFormatException e) {
        return null; // the launcher's own parser reports it
      }
    }
    return null;
  }
}
