package io.tributary.launcher;

import io.tributary.bridge.Bridge;
import io.tributary.cluster.ClusterNode;
import io.tributary.router.Broker;
import io.tributary.router.ConnectionGate;
import io.tributary.router.security.AccessRules;
import io.tributary.router.security.Authorizer;
import io.tributary.router.security.PasswordAuthenticator;
import io.tributary.router.security.PasswordFile;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole broker as one verticle: deploy it with a {@link JsonObject} config (the format of
 * conf/broker.json; an empty config means the built-in defaults) into any Vert.x instance. It
 * creates the shared broker core and deploys one {@link CoreVerticle} per event loop.
 */
public final class BrokerVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(BrokerVerticle.class);

  private final List<CoreVerticle> cores = new CopyOnWriteArrayList<>();
  private BrokerConfig config;
  private Broker broker;
  private ConnectionGate gate;
  private String coresDeployment;
  private AcceptGuard acceptGuard;
  private final List<AuthFileReloader> reloaders = new CopyOnWriteArrayList<>();
  private ClusterNode clusterNode;
  private final List<Bridge> bridges = new CopyOnWriteArrayList<>();

  @Override
  public Future<?> start() {
    JsonObject json = config();
    try {
      config = BrokerConfig.from(json == null || json.isEmpty() ? BrokerConfig.defaults() : json);
      for (int i = 0; i < config.listeners.size(); i++) {
        BrokerConfig.Listener l = config.listeners.get(i);
        if (l.tls != null) {
          ListenerTls.checkKeyMatchesCertificate(vertx, l.tls, "listeners[" + i + "].tls");
        }
      }
    } catch (ConfigException e) {
      return Future.failedFuture(e);
    }
    broker = new Broker(config.routerOptions());
    broker.setAuthorizer(config.auth.authorizer());
    gate = connectionGate();
    int instances = config.effectiveInstances();
    ListenerStates states = new ListenerStates(config.listeners, instances);
    LauncherAdminHost adminHost = new LauncherAdminHost(config, states, () -> reloaders, this::reloadTls);
    return vertx.deployVerticle(() -> {
          CoreVerticle core = new CoreVerticle(broker, config, states, cores.size(), adminHost);
          cores.add(core);
          return core;
        }, new DeploymentOptions().setInstances(instances))
        .compose(id -> {
          coresDeployment = id;
          if (!config.cluster.enabled) {
            return Future.succeededFuture(id);
          }
          return ClusterNode.start(vertx, broker, config.cluster.options()).map(node -> {
            clusterNode = node;
            return id;
          });
        })
        .onSuccess(id -> {
          startBridges();
          log.info("Tributary started: transport {}, {} event loop{}", transportName(), instances,
              instances == 1 ? "" : "s");
          guardListenerPorts();
          logLimits(gate);
          log.info("authentication (MQTT): {}", config.auth.describe());
          log.info("authorization: {}", config.auth.describeAcl());
          log.info("cluster: {}", config.cluster.describe());
          log.info("$SYS topics: {}", config.sys.intervalSeconds == 0 ? "off (sys.intervalSeconds 0)"
              : "$SYS/broker/... every " + config.sys.intervalSeconds + " s");
          startReloaders();
          for (int i = 0; i < config.listeners.size(); i++) {
            BrokerConfig.Listener l = config.listeners.get(i);
            if ("mqtt-ws".equals(l.protocol)) {
              String scheme = l.tls != null ? "wss" : "ws";
              int port = addressOf(i).port();
              StringBuilder urls = new StringBuilder();
              for (String path : l.webSocketOptions().getPaths()) {
                urls.append(urls.length() == 0 ? "" : ", ").append(scheme).append("://<host>:").append(port).append(path);
              }
              log.info("listener '{}' ({}) on {}: MQTT at {}, console at {}://<host>:{}/, origins: {}",
                  l.name, l.protocol, addressOf(i), urls, l.tls != null ? "https" : "http", port,
                  l.allowedOrigins == null || l.allowedOrigins.isEmpty() ? "any" : l.allowedOrigins);
            } else if ("admin".equals(l.protocol)) {
              String scheme = l.tls != null ? "https" : "http";
              log.info("listener '{}' ({}) on {}: {}://<host>:{}/metrics, /health, /api/v1 ({})", l.name, l.protocol,
                  addressOf(i), scheme, addressOf(i).port(), config.admin.describe());
            } else if ("raw-tcp".equals(l.protocol)) {
              BrokerConfig.Device d = l.device;
              log.info("listener '{}' ({}) on {}: devices, framing {}, identify {}, uplink {} (QoS {}), downlink {}",
                  l.name, l.protocol, addressOf(i), d.framing, d.identify, d.uplink, d.qos, d.downlink);
            } else {
              log.info("listener '{}' ({}) on {}", l.name, l.protocol, addressOf(i));
            }
            if (l.tls != null) {
              log.info("listener '{}': TLS 1.2/1.3, engine {}, client certificates {}", l.name,
                  ListenerTls.resolve(config.tls.engine), l.tls.clientAuth);
            }
          }
        })
        .onFailure(e -> broker.close());
  }

  /**
   * The connection bounds, enforced at accept where this Vert.x runs on the launcher's guarded
   * transport (always, with the packaged jar); an application that embeds the broker in its own
   * Vert.x gets them by building it with {@link #guardedTransport}.
   */
  private ConnectionGate connectionGate() {
    ConnectionGate gate = new ConnectionGate(config.limits.effectiveMaxConnections(), broker.counters());
    ConnectionGate.ListenerLimits perListener = new ConnectionGate.ListenerLimits(
        config.limits.effectiveMaxConnectionsPerListener(), config.limits.connectionRate, config.limits.connectionBurst);
    for (BrokerConfig.Listener l : config.listeners) {
      gate.listener(l.name, perListener);
    }
    if (((VertxInternal) vertx).transport() instanceof GuardedTransport guarded) {
      guarded.guard().attach(gate, broker.counters());
      acceptGuard = guarded.guard();
    }
    return gate;
  }

  /** Tells the accept guard which listener each bound port is, for the per-listener bounds. */
  private void guardListenerPorts() {
    for (int i = 0; i < config.listeners.size(); i++) {
      SocketAddress a = addressOf(i);
      if (acceptGuard != null && a != null) {
        acceptGuard.listenerOnPort(a.port(), config.listeners.get(i).name);
      }
    }
  }

  private void logLimits(ConnectionGate gate) {
    long fds = LimitsConfig.openFileLimit();
    if (acceptGuard == null) {
      log.warn("connection limits are not enforced: this Vert.x was not built with BrokerVerticle.guardedTransport(...)");
    } else {
      log.info("limits: {} connections in all{}, {} per listener, {} new connections/s per listener (burst {})",
          gate.maxConnections(), config.limits.maxConnections > 0 ? "" : " (open-file limit " + fds + " less headroom)",
          config.limits.effectiveMaxConnectionsPerListener(),
          config.limits.connectionRate == 0 ? "unlimited" : config.limits.connectionRate, config.limits.connectionBurst);
    }
    LimitsConfig l = config.limits;
    log.info("limits: {} sessions, {} subscriptions per client, {} retained messages / {} MiB, flapping {}, "
        + "publish rate per connection {}", l.maxSessions, l.maxSubscriptionsPerClient, l.maxRetainedMessages,
        l.maxRetainedBytes >> 20, l.flappingConnects == 0 ? "off" : "over " + l.flappingConnects + " connects in "
            + l.flappingWindowSeconds + " s refused for " + l.flappingBanSeconds + " s",
        l.publishRate == 0 && l.publishBytesRate == 0 ? "unlimited"
            : (l.publishRate == 0 ? "any" : l.publishRate) + " msg/s, "
                + (l.publishBytesRate == 0 ? "any" : l.publishBytesRate) + " B/s");
    log.info("commit log: {} ({}), flush {}, keeps up to {} MiB and {} h of records",
        config.log.storage, config.log.storage.equals("disk") ? java.nio.file.Path.of(config.log.dir).toAbsolutePath()
            : "off-heap", config.log.flush, config.log.retentionBytes >> 20,
        config.log.retentionMs == 0 ? "unlimited" : String.valueOf(config.log.retentionMs / 3_600_000));
  }

  /**
   * {@code transport} with the broker's accept guard on every listening socket: build the Vert.x
   * you embed the broker in with it ({@code Vertx.builder().withTransport(...)}) to have
   * {@code limits.*} enforced before TLS or any read.
   */
  public static io.vertx.core.transport.Transport guardedTransport(io.vertx.core.transport.Transport transport) {
    return GuardedTransport.wrap(transport);
  }

  /** The password and ACL files are reloaded when they change on disk. */
  private void startReloaders() {
    AuthConfig auth = config.auth;
    if (auth.passwordFile != null) {
      PasswordAuthenticator passwords = auth.authenticator();
      reloaders.add(new AuthFileReloader(vertx, "password file", Path.of(auth.passwordFile), file -> {
        PasswordFile reloaded = PasswordFile.load(file);
        passwords.replace(reloaded);
        return reloaded.users().size() + " user(s)";
      }, () -> "the previous " + passwords.users() + " user(s) stay"));
    }
    if (auth.aclFile != null) {
      Authorizer authorizer = auth.authorizer();
      reloaders.add(new AuthFileReloader(vertx, "ACL file", Path.of(auth.aclFile), file -> {
        AccessRules reloaded = AccessRules.load(file);
        authorizer.replace(reloaded);
        return reloaded.ruleCount() + " rule(s) for " + reloaded.userCount() + " user(s)";
      }, () -> "the previous " + authorizer.rules().ruleCount() + " rule(s) stay"));
    }
    reloaders.forEach(AuthFileReloader::start);
  }

  /**
   * Reads the password and ACL files again now (the launcher calls it on SIGHUP); they are also
   * reloaded by themselves when they change on disk. No-op without {@code auth} files.
   */
  public void reloadAuth() {
    reloaders.forEach(AuthFileReloader::reloadNow); // each logs its outcome
  }

  /**
   * Reads every TLS listener's certificate and key again (SIGHUP, {@code POST /api/v1/reload}), for
   * certificates rotated in place: connections made from now on get the new ones, open ones keep
   * theirs. A key that does not belong to its certificate, or files that cannot be read, are
   * refused and the pair in force stays. Completes with one line per TLS listener.
   */
  public Future<List<String>> reloadTls() {
    List<Future<String>> each = new ArrayList<>();
    for (int i = 0; i < config.listeners.size(); i++) {
      BrokerConfig.Listener l = config.listeners.get(i);
      if (l.tls == null) {
        continue;
      }
      int index = i;
      each.add(vertx.executeBlocking(() -> ListenerTls.checkKeyMatchesCertificate(vertx, l.tls,
              "listeners[" + index + "].tls"), false)
          .compose(cert -> {
            List<Future<Boolean>> perCore = new ArrayList<>();
            io.vertx.core.net.ServerSSLOptions ssl = ListenerTls.sslOptions(l.tls);
            cores.forEach(core -> perCore.add(core.updateTls(index, ssl)));
            return Future.all(perCore).map(v -> "listener '" + l.name + "': TLS certificate " + cert.getSubjectX500Principal()
                + ", valid until " + cert.getNotAfter().toInstant() + ", from " + l.tls.certPath);
          })
          .andThen(ar -> {
            if (ar.succeeded()) {
              log.info("{} (reloaded)", ar.result());
            } else {
              log.warn("listener '{}': TLS not reloaded, the certificate in force stays: {}", l.name,
                  ar.cause().getMessage());
            }
          })
          .recover(e -> Future.succeededFuture("listener '" + l.name + "': not reloaded: " + e.getMessage())));
    }
    return Future.join(each).map(v -> each.stream().map(Future::result).toList());
  }

  @Override
  public Future<?> stop() {
    reloaders.forEach(AuthFileReloader::stop);
    // When the broker verticle is undeployed, Vert.x has already undeployed its per-core children
    // (each listener's connections, then the listener); a caller may also stop the children alone.
    boolean childrenUp = coresDeployment != null && vertx.deploymentIDs().contains(coresDeployment);
    Future<Void> bridgesStopped = Future.join(bridges.stream().map(Bridge::stop).toList()).mapEmpty();
    Future<Void> leave = bridgesStopped.transform(ar -> clusterNode != null ? clusterNode.stop()
        : Future.succeededFuture());
    Future<Void> undeploy = leave.transform(ar -> childrenUp ? vertx.undeploy(coresDeployment)
        : Future.succeededFuture());
    return undeploy.andThen(ar -> {
      broker.close();
      log.info("Tributary stopped: connections closed, then listeners; {} messages published since start",
          broker.publishedCount());
    });
  }

  /** One bridge per {@code bridges} entry, each on a dispatcher of its own in turn. */
  private void startBridges() {
    List<io.tributary.router.delivery.Dispatcher> dispatchers = broker.dispatchers();
    for (BridgeConfig c : config.bridges) {
      io.tributary.bridge.BridgeOptions o = c.options();
      if (c.clientId == null && clusterNode != null) {
        // Every node runs the same bridges: with one client id they would take it from each other.
        o.setClientId(o.getClientId() + "-" + clusterNode.name());
      }
      Bridge b = new Bridge(o, broker, dispatchers.get(bridges.size() % dispatchers.size()), vertx);
      bridges.add(b);
      b.start();
    }
  }

  /** The bridges to other brokers, in config order. */
  public List<Bridge> bridges() {
    return bridges;
  }

  /** This broker as a cluster node, or null when {@code cluster.enabled} is false. */
  public ClusterNode clusterNode() {
    return clusterNode;
  }

  /** The connection limits as enforced at accept, with the connections open now (tests, metrics). */
  public ConnectionGate connectionLimits() {
    return gate;
  }

  /** The broker core, for embedding applications and tests. */
  public Broker broker() {
    return broker;
  }

  /** Addresses the listeners are bound to, in config order (actual ports when 0 was asked). */
  public List<SocketAddress> listenerAddresses() {
    List<SocketAddress> out = new ArrayList<>();
    for (int i = 0; i < config.listeners.size(); i++) {
      out.add(addressOf(i));
    }
    return out;
  }

  private SocketAddress addressOf(int listener) {
    return cores.isEmpty() ? null : cores.get(0).boundAddresses().get(listener);
  }

  private String transportName() {
    return Transports.nameOf(((VertxInternal) vertx).transport());
  }
}
