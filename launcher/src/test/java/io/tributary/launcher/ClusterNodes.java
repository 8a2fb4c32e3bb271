package io.tributary.launcher;

import io.tributary.cluster.ClusterOptions;
import io.tributary.cluster.HazelcastSetup;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Broker nodes clustered in this JVM: each its own clustered Vert.x (a Hazelcast member of its
 * own, the event bus over loopback TCP) with a broker verticle and one MQTT listener, as separate
 * processes would be but quicker to start.
 */
final class ClusterNodes implements AutoCloseable {

  /** One running node. */
  record Node(String name, Vertx vertx, BrokerVerticle broker, int mqttPort, int hazelcastPort, JsonObject config) {
    String uri() {
      return "tcp://127.0.0.1:" + mqttPort;
    }
  }

  private final String clusterName = "test-" + System.nanoTime();
  private final List<Integer> hazelcastPorts = new ArrayList<>();
  /** Settings of the {@code cluster} block every node gets besides its own name and ports. */
  private final JsonObject clusterSettings;
  final List<Node> nodes = new ArrayList<>();

  ClusterNodes(int size) throws IOException {
    this(size, new JsonObject());
  }

  ClusterNodes(int size, JsonObject clusterSettings) throws IOException {
    this.clusterSettings = clusterSettings;
    for (int i = 0; i < size; i++) {
      hazelcastPorts.add(EmbeddedBrokerTest.freePort());
    }
  }

  /** Starts the i-th node (0-based) with a fresh log; its members are all the others. */
  Node start(int i) throws Exception {
    return start(i, EmbeddedBrokerTest.freshLog());
  }

  Node start(int i, JsonObject logConfig) throws Exception {
    int mqtt = EmbeddedBrokerTest.freePort();
    JsonArray members = new JsonArray();
    hazelcastPorts.forEach(p -> members.add("127.0.0.1:" + p));
    JsonObject cluster = new JsonObject().put("enabled", true).put("name", clusterName).put("nodeName", "node" + (i + 1))
        .put("host", "127.0.0.1").put("port", hazelcastPorts.get(i)).put("members", members);
    clusterSettings.forEach(e -> cluster.put(e.getKey(), e.getValue()));
    JsonObject config = new JsonObject()
        .put("instances", 2)
        .put("log", logConfig)
        .put("listeners", new JsonArray().add(new JsonObject()
            .put("name", "mqtt").put("protocol", "mqtt").put("host", "127.0.0.1").put("port", mqtt)))
        .put("cluster", cluster);
    ClusterOptions options = BrokerConfig.from(config).cluster.options();
    Vertx vertx = Vertx.builder().with(HazelcastSetup.eventBus(new VertxOptions(), options))
        .withClusterManager(HazelcastSetup.clusterManager(options)).buildClustered().await(60, TimeUnit.SECONDS);
    BrokerVerticle broker = new BrokerVerticle();
    vertx.deployVerticle(broker, new DeploymentOptions().setConfig(config)).await(60, TimeUnit.SECONDS);
    Node node = new Node("node" + (i + 1), vertx, broker, mqtt, hazelcastPorts.get(i), config);
    while (nodes.size() <= i) {
      nodes.add(null);
    }
    nodes.set(i, node);
    return node;
  }

  Node get(int i) {
    return nodes.get(i);
  }

  /** Stops a node the way a clean shutdown does (it leaves the cluster). */
  void stop(int i) throws Exception {
    Node n = nodes.get(i);
    if (n != null) {
      n.vertx().close().await(60, TimeUnit.SECONDS);
      nodes.set(i, null);
    }
  }

  /** Waits until every running node sees size members. */
  void awaitMembers(int size) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    for (Node n : nodes) {
      if (n == null) {
        continue;
      }
      while (n.broker().clusterNode().members().await(10, TimeUnit.SECONDS).size() != size) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError(n.name() + " sees " + n.broker().clusterNode().members().await() + ", not "
              + size + " members");
        }
        Thread.sleep(50);
      }
    }
  }

  @Override
  public void close() {
    for (int i = 0; i < nodes.size(); i++) {
      try {
        stop(i);
      } catch (Exception e) {
        // the others still stop
      }
    }
  }
}
