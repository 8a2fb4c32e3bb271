package io.tributary.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.HazelcastInstance;
import io.tributary.router.counters.BrokerCounters.Counter;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The forward channel between two nodes (in this JVM) through a TCP proxy the test controls:
 * node1's forwards to node2 go through it, so the test can cut the connection, or swallow node2's
 * answers so that node1 sends batches node2 already stored.
 */
class ForwardChannelTest {

  private static ClusterNodes cluster;
  private static Proxy proxy;

  @BeforeAll
  static void startTwoNodesWithAProxyBetween() throws Exception {
    // A short answer timeout, so that the test sees node1 give up on unanswered batches.
    cluster = new ClusterNodes(2, new io.vertx.core.json.JsonObject().put("forwardTimeoutMs", 1_000));
    ClusterNodes.Node node2 = cluster.start(1);
    // node2 announced where its forwards arrive; node1 (not started yet) is told the proxy instead.
    HazelcastInstance hz = ((HazelcastClusterManager) ((VertxInternal) node2.vertx()).clusterManager())
        .getHazelcastInstance();
    Map<String, String> addresses = hz.getReplicatedMap("tributary.forward-addresses");
    String member = hz.getCluster().getLocalMember().getUuid().toString();
    String real = addresses.get(member);
    assertTrue(real != null && real.startsWith("127.0.0.1:"), "node2 announced its forward address: " + real);
    proxy = new Proxy(Integer.parseInt(real.substring(real.indexOf(':') + 1)));
    addresses.put(member, "127.0.0.1:" + proxy.port);
    cluster.start(0);
    cluster.awaitMembers(2);
  }

  @AfterAll
  static void stop() {
    cluster.close();
    proxy.vertx.close();
  }

  @Test
  void forwardsCutMidStreamOrUnansweredArriveOnceEachInOrder() throws Exception {
    int n = 4_000;
    BlockingQueue<String> got = new LinkedBlockingQueue<>();
    MqttClient sub = client(1, "fc-sub");
    sub.subscribe("fc/#", 1, (t, m) -> got.add(new String(m.getPayload())));
    MqttClient pub = client(0, "fc-pub");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    // The route reaches node1 and the first forward goes through the proxy.
    while (got.isEmpty() && System.nanoTime() < deadline) {
      publish(pub, "fc/warm", "warm");
      Thread.sleep(50);
    }
    assertTrue(proxy.accepted.get() >= 1, "node1's forwards go through the proxy");
    Thread.sleep(200);
    got.clear();
    long retriesBefore = counter(0, Counter.CLUSTER_FORWARD_RETRIES);
    int connectionsBefore = proxy.accepted.get();
    // Four phases of 1,000, each received before the next step. First with node2's answers
    // swallowed and the connection left open: node1 gives up after forwardTimeoutMs, connects
    // again and sends the unanswered batches again (node2 drops what it stored).
    proxy.swallow(true);
    publishAndReceive(pub, got, 0, 1_000, -1);
    long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (counter(0, Counter.CLUSTER_FORWARD_RETRIES) == retriesBefore && System.nanoTime() < waitUntil) {
      Thread.sleep(50);
    }
    proxy.swallow(false);
    assertTrue(counter(0, Counter.CLUSTER_FORWARD_RETRIES) > retriesBefore,
        "node1 gave up on the unanswered batches after forwardTimeoutMs");
    assertTrue(proxy.accepted.get() > connectionsBefore, "node1 closed the silent connection and connected again");
    // Then a cut of an idle connection; answers swallowed through a phase and a cut after it; a
    // last phase cut in the middle of the stream.
    proxy.cut();
    publishAndReceive(pub, got, 1_000, 2_000, -1);
    long retriesBeforeCut = counter(0, Counter.CLUSTER_FORWARD_RETRIES);
    proxy.swallow(true);
    for (int i = 2_000; i < 3_000; i++) {
      publish(pub, "fc/x", Integer.toString(i));
    }
    Thread.sleep(300); // node2 stores what comes (as much as node1's window lets out); node1 hears nothing
    proxy.cut();
    proxy.swallow(false);
    receive(got, 2_000, 3_000);
    publishAndReceive(pub, got, 3_000, n, 3_500);
    assertNull(got.poll(1, TimeUnit.SECONDS), "no message twice");
    assertTrue(proxy.accepted.get() >= connectionsBefore + 2, "node1 connected again after the cuts: "
        + proxy.accepted.get() + " connections, " + connectionsBefore + " before");
    assertTrue(counter(0, Counter.CLUSTER_FORWARD_RETRIES) > retriesBeforeCut,
        "node1 sent the batches unanswered at the cut again (the receiving node dropped what it had)");
  }

  /** Publishes from..to-1 (cutting the proxy before cutAt), then takes them in order from got. */
  private static void publishAndReceive(MqttClient pub, BlockingQueue<String> got, int from, int to, int cutAt)
      throws Exception {
    for (int i = from; i < to; i++) {
      if (i == cutAt) {
        proxy.cut();
      }
      publish(pub, "fc/x", Integer.toString(i));
    }
    receive(got, from, to);
  }

  private static void receive(BlockingQueue<String> got, int from, int to) throws InterruptedException {
    for (int i = from; i < to; i++) {
      assertEquals(Integer.toString(i), got.poll(30, TimeUnit.SECONDS),
          "message " + i + " (proxy connections so far: " + proxy.accepted + ")");
    }
  }

  private static long counter(int node, Counter c) {
    return cluster.get(node).broker().broker().counters().get(c);
  }

  private static MqttClient client(int node, String id) throws Exception {
    MqttClient c = new MqttClient(cluster.get(node).uri(), id, new MemoryPersistence());
    MqttConnectOptions o = new MqttConnectOptions();
    o.setCleanSession(true);
    o.setMaxInflight(4096);
    c.connect(o);
    return c;
  }

  private static void publish(MqttClient c, String topic, String payload) throws Exception {
    MqttMessage m = new MqttMessage(payload.getBytes());
    m.setQos(1);
    c.publish(topic, m);
  }

  /** A TCP proxy to 127.0.0.1:target that can cut its connections or stop passing answers back. */
  private static final class Proxy {
    final Vertx vertx = Vertx.vertx();
    final AtomicInteger accepted = new AtomicInteger();
    final int port;
    private final Set<NetSocket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean swallow;

    Proxy(int target) throws Exception {
      NetClient client = vertx.createNetClient();
      NetServer server = vertx.createNetServer().connectHandler(in -> {
        in.pause();
        accepted.incrementAndGet();
        client.connect(target, "127.0.0.1").onSuccess(out -> {
          open.add(in);
          open.add(out);
          in.handler(out::write);
          out.handler(b -> {
            if (!swallow) {
              in.write(b);
            }
          });
          in.closeHandler(v -> out.close());
          out.closeHandler(v -> in.close());
          in.resume();
        }).onFailure(e -> in.close());
      });
      port = server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
    }

    void cut() {
      open.forEach(NetSocket::close);
      open.clear();
    }

    /** While on, what the receiving node sends back is dropped. */
    void swallow(boolean on) {
      swallow = on;
    }
  }
}
