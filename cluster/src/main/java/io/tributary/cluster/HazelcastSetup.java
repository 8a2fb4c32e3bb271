package io.tributary.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.FileSystemXmlConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.FileNotFoundException;
import java.io.UncheckedIOException;

/**
 * The Hazelcast member a clustered node runs inside Vert.x's {@link HazelcastClusterManager}: the
 * cluster name, the bind address and port, TCP/IP join with multicast off, fast failure detection
 * (a killed node is out of the cluster in about five seconds, not Hazelcast's default minute), and
 * Hazelcast's logging through SLF4J. Or, with {@code hazelcastConfig}, the user's XML as it is.
 */
public final class HazelcastSetup {

  /** Seconds without a heartbeat after which a member is taken for dead. */
  static final int NO_HEARTBEAT_SECONDS = 5;

  private HazelcastSetup() {
  }

  /** The cluster manager to build Vert.x with ({@code Vertx.builder().withClusterManager(...)}). */
  public static HazelcastClusterManager clusterManager(ClusterOptions options) {
    return new HazelcastClusterManager(config(options));
  }

  /** The event bus settings: forwards travel over it between nodes. */
  public static VertxOptions eventBus(VertxOptions vertx, ClusterOptions options) {
    vertx.getEventBusOptions().setHost(options.getHost()).setPort(options.getBusPort());
    return vertx;
  }

  static Config config(ClusterOptions options) {
    if (options.getHazelcastConfig() != null) {
      try {
        return new FileSystemXmlConfig(options.getHazelcastConfig());
      } catch (FileNotFoundException e) {
        throw new UncheckedIOException(e);
      }
    }
    Config config = ConfigUtil.loadConfig(); // Vert.x's own maps (event bus subscriptions, node info)
    config.setClusterName(options.getName());
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.shutdownhook.enabled", "false"); // Vert.x leaves the cluster on close
    config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    config.setProperty("hazelcast.max.no.heartbeat.seconds", String.valueOf(NO_HEARTBEAT_SECONDS));
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.socket.bind.any", "false");
    config.getMapConfigs().values().forEach(m -> m.setBackupCount(options.getBackupCount()));
    config.getMultiMapConfigs().values().forEach(m -> m.setBackupCount(options.getBackupCount()));
    config.getMapConfig(ClusterSessions.SESSIONS).setBackupCount(options.getBackupCount());
    config.getMapConfig(ClusterSessions.REPLICAS).setBackupCount(options.getBackupCount());
    config.getMapConfig(ClusterWills.WILLS).setBackupCount(options.getBackupCount());
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(options.getPort()).setPortAutoIncrement(false);
    network.getInterfaces().setEnabled(true).addInterface(options.getHost());
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setConnectionTimeoutSeconds(2).setMembers(options.getMembers());
    return config;
  }
}
