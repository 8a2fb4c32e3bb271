package io.tributary.launcher;

import io.tributary.router.Broker;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
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
  private String coresDeployment;

  @Override
  public Future<?> start() {
    JsonObject json = config();
    try {
      config = BrokerConfig.from(json == null || json.isEmpty() ? BrokerConfig.defaults() : json);
    } catch (ConfigException e) {
      return Future.failedFuture(e);
    }
    broker = new Broker(config.routerOptions());
    int instances = config.effectiveInstances();
    ListenerStates states = new ListenerStates(config.listeners, instances);
    return vertx.deployVerticle(() -> {
          CoreVerticle core = new CoreVerticle(broker, config, states);
          cores.add(core);
          return core;
        }, new DeploymentOptions().setInstances(instances))
        .onSuccess(id -> {
          coresDeployment = id;
          log.info("Tributary started: transport {}, {} event loop{}", transportName(), instances,
              instances == 1 ? "" : "s");
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

  @Override
  public Future<?> stop() {
    // When the broker verticle is undeployed, Vert.x has already undeployed its per-core children
    // (listeners first, then their connections); a caller may also stop the children alone.
    boolean childrenUp = coresDeployment != null && vertx.deploymentIDs().contains(coresDeployment);
    Future<Void> undeploy = childrenUp ? vertx.undeploy(coresDeployment) : Future.succeededFuture();
    return undeploy.andThen(ar -> {
      broker.close();
      log.info("Tributary stopped: listeners closed, then connections; {} messages published since start",
          broker.publishedCount());
    });
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
