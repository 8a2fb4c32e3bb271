package io.tributary.cluster;

import java.util.ArrayList;
import java.util.List;

/**
 * How a node joins its cluster: the Hazelcast member it runs (cluster name, bind address, TCP/IP
 * join list, or an XML file for everything else), the event bus port, and this node's stable name.
 */
public final class ClusterOptions {

  public static final String DEFAULT_NAME = "tributary";
  public static final int DEFAULT_PORT = 5701;
  public static final int DEFAULT_BACKUP_COUNT = 1;
  public static final int DEFAULT_FORWARD_TIMEOUT_MS = 10_000;
  public static final int DEFAULT_FORWARD_BATCH_BYTES = 1 << 20;

  private String name = DEFAULT_NAME;
  private String nodeName;
  private String host = "127.0.0.1";
  private int port = DEFAULT_PORT;
  private int busPort;
  private int forwardPort;
  private List<String> members = new ArrayList<>();
  private String hazelcastConfig;
  private int backupCount = DEFAULT_BACKUP_COUNT;
  private int forwardTimeoutMs = DEFAULT_FORWARD_TIMEOUT_MS;
  private int forwardBatchBytes = DEFAULT_FORWARD_BATCH_BYTES;

  public ClusterOptions() {
  }

  public ClusterOptions(ClusterOptions other) {
    name = other.name;
    nodeName = other.nodeName;
    host = other.host;
    port = other.port;
    busPort = other.busPort;
    forwardPort = other.forwardPort;
    members = new ArrayList<>(other.members);
    hazelcastConfig = other.hazelcastConfig;
    backupCount = other.backupCount;
    forwardTimeoutMs = other.forwardTimeoutMs;
    forwardBatchBytes = other.forwardBatchBytes;
  }

  /** The Hazelcast cluster name: members with another name never join this cluster. */
  public String getName() {
    return name;
  }

  public ClusterOptions setName(String name) {
    this.name = name;
    return this;
  }

  /**
   * This node's name in the cluster, the same across restarts (forward positions are kept by it);
   * unique among the members.
   */
  public String getNodeName() {
    return nodeName;
  }

  public ClusterOptions setNodeName(String nodeName) {
    this.nodeName = nodeName;
    return this;
  }

  /** The address Hazelcast and the event bus bind to and tell the other members. */
  public String getHost() {
    return host;
  }

  public ClusterOptions setHost(String host) {
    this.host = host;
    return this;
  }

  /** Hazelcast's member port. */
  public int getPort() {
    return port;
  }

  public ClusterOptions setPort(int port) {
    this.port = port;
    return this;
  }

  /** The event bus's port (retained sync and session hand-offs travel there); 0 picks a free one. */
  public int getBusPort() {
    return busPort;
  }

  public ClusterOptions setBusPort(int busPort) {
    this.busPort = busPort;
    return this;
  }

  /** The port on {@link #getHost()} where other nodes' forwards arrive; 0 picks a free one. */
  public int getForwardPort() {
    return forwardPort;
  }

  public ClusterOptions setForwardPort(int forwardPort) {
    this.forwardPort = forwardPort;
    return this;
  }

  /** {@code host:port} of members to join through (TCP/IP join; multicast is off). */
  public List<String> getMembers() {
    return members;
  }

  public ClusterOptions setMembers(List<String> members) {
    this.members = new ArrayList<>(members);
    return this;
  }

  /** A Hazelcast XML file that replaces the settings above but for the node name; null for none. */
  public String getHazelcastConfig() {
    return hazelcastConfig;
  }

  public ClusterOptions setHazelcastConfig(String hazelcastConfig) {
    this.hazelcastConfig = hazelcastConfig;
    return this;
  }

  /** Copies of the cluster's maps (sessions, routes) other members keep besides the owner's. */
  public int getBackupCount() {
    return backupCount;
  }

  public ClusterOptions setBackupCount(int backupCount) {
    this.backupCount = backupCount;
    return this;
  }

  /** How long a forward batch waits for the other node's answer before it is sent again. */
  public int getForwardTimeoutMs() {
    return forwardTimeoutMs;
  }

  public ClusterOptions setForwardTimeoutMs(int forwardTimeoutMs) {
    this.forwardTimeoutMs = forwardTimeoutMs;
    return this;
  }

  /** The most bytes of messages one forward batch carries. */
  public int getForwardBatchBytes() {
    return forwardBatchBytes;
  }

  public ClusterOptions setForwardBatchBytes(int forwardBatchBytes) {
    this.forwardBatchBytes = forwardBatchBytes;
    return this;
  }
}
