package io.tributary.launcher;

import static io.tributary.launcher.ConfigException.check;

import io.tributary.cluster.ClusterOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code cluster} block: off by default (one node). On, the launcher builds Vert.x clustered on
 * Hazelcast (see {@link io.tributary.cluster.HazelcastSetup}) and the broker joins as one node.
 */
public final class ClusterConfig {

  public boolean enabled = false;
  /** The Hazelcast cluster name. */
  public String name = ClusterOptions.DEFAULT_NAME;
  /** This node's name; null = {@code host:port}, which is unique among members by construction. */
  public String nodeName;
  public String host = "127.0.0.1";
  public int port = ClusterOptions.DEFAULT_PORT;
  public int busPort = 0;
  /** Where other nodes' forwards arrive; 0 = any free port (announced through the cluster). */
  public int forwardPort = 0;
  public List<String> members = new ArrayList<>();
  public String hazelcastConfig;
  public int backupCount = ClusterOptions.DEFAULT_BACKUP_COUNT;
  /** How long a forward batch waits for the other node's answer before it is sent again. */
  public int forwardTimeoutMs = ClusterOptions.DEFAULT_FORWARD_TIMEOUT_MS;

  void validate() {
    check(name != null && !name.isBlank(), "cluster.name", "must be a name");
    check(nodeName == null || (!nodeName.isBlank() && nodeName.chars().allMatch(c -> c > 32 && c < 127 && c != '/')),
        "cluster.nodeName", "must be printable ASCII without spaces or '/'");
    check(host != null && !host.isBlank(), "cluster.host", "is required");
    check(port > 0 && port <= 65535, "cluster.port", "must be 1..65535, was " + port);
    check(busPort >= 0 && busPort <= 65535, "cluster.busPort", "must be 0 (any free port) to 65535, was " + busPort);
    check(busPort == 0 || busPort != port, "cluster.busPort", "must differ from cluster.port");
    check(forwardPort >= 0 && forwardPort <= 65535, "cluster.forwardPort",
        "must be 0 (any free port) to 65535, was " + forwardPort);
    check(forwardPort == 0 || (forwardPort != port && forwardPort != busPort), "cluster.forwardPort",
        "must differ from cluster.port and cluster.busPort");
    check(members != null, "cluster.members", "must be a list of host:port ([] for none)");
    for (int i = 0; i < members.size(); i++) {
      String m = members.get(i);
      check(m != null && m.matches("[^\\s:]+(:\\d{1,5})?"), "cluster.members[" + i + "]",
          "must be host or host:port, was " + m);
    }
    check(hazelcastConfig == null || Files.isReadable(Path.of(hazelcastConfig)), "cluster.hazelcastConfig",
        "file " + hazelcastConfig + " cannot be read");
    check(forwardTimeoutMs >= 100 && forwardTimeoutMs <= 600_000, "cluster.forwardTimeoutMs",
        "must be 100 to 600000, was " + forwardTimeoutMs);
    check(backupCount >= 0 && backupCount <= 6, "cluster.backupCount", "must be 0 to 6, was " + backupCount);
  }

  ClusterOptions options() {
    return new ClusterOptions().setName(name).setNodeName(nodeName != null ? nodeName : host + ":" + port)
        .setHost(host).setPort(port).setBusPort(busPort).setForwardPort(forwardPort).setMembers(members).setHazelcastConfig(hazelcastConfig)
        .setBackupCount(backupCount).setForwardTimeoutMs(forwardTimeoutMs);
  }

  String describe() {
    return enabled ? "node '" + options().getNodeName() + "' of cluster '" + name + "', Hazelcast on " + host + ":"
        + port + ", joining through " + (members.isEmpty() ? "no other member" : String.join(", ", members))
        : "off (one node)";
  }
}
