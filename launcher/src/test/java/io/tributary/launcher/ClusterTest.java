package io.tributary.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.mqtt.Paho5Callback;
import io.tributary.router.counters.BrokerCounters.Counter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Three broker nodes clustered in one JVM, used through Paho on each node's own MQTT port. */
class ClusterTest {

  private static ClusterNodes cluster;
  private final List<MqttClient> clients = new ArrayList<>();

  @BeforeAll
  static void startThreeNodes() throws Exception {
    cluster = new ClusterNodes(3);
    for (int i = 0; i < 3; i++) {
      cluster.start(i);
    }
    cluster.awaitMembers(3);
  }

  @AfterAll
  static void stopNodes() {
    cluster.close();
  }

  @org.junit.jupiter.api.AfterEach
  void closeClients() {
    for (MqttClient c : clients) {
      try {
        if (c.isConnected()) {
          c.disconnect();
        }
        c.close();
      } catch (Exception e) {
        // closing anyway
      }
    }
  }

  private MqttClient client(int node, String id) throws Exception {
    MqttClient c = new MqttClient(cluster.get(node).uri(), id, new MemoryPersistence());
    MqttConnectOptions o = new MqttConnectOptions();
    o.setCleanSession(true);
    o.setMaxInflight(4096);
    c.connect(o);
    clients.add(c);
    return c;
  }

  private static void publish(MqttClient c, String topic, String payload, int qos, boolean retained) throws Exception {
    MqttMessage m = new MqttMessage(payload.getBytes());
    m.setQos(qos);
    m.setRetained(retained);
    c.publish(topic, m);
  }

  @Test
  void aSubscriberOnOneNodeGetsWhatIsPublishedOnAnotherAtEveryQos() throws Exception {
    BlockingQueue<String> onNode2 = new LinkedBlockingQueue<>();
    MqttClient sub = client(1, "x-sub");
    sub.subscribe("cross/#", 2, (t, m) -> onNode2.add(t + " " + new String(m.getPayload()) + " q" + m.getQos()));
    MqttClient pub = client(0, "x-pub");
    // Published right after the SUBACK: the route may reach node 1 after the publish (lookback).
    for (int qos = 0; qos <= 2; qos++) {
      publish(pub, "cross/q" + qos, "m" + qos, qos, false);
    }
    List<String> got = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String s = onNode2.poll(10, TimeUnit.SECONDS);
      if (s != null) {
        got.add(s);
      }
    }
    got.sort(null);
    assertEquals(List.of("cross/q0 m0 q0", "cross/q1 m1 q1", "cross/q2 m2 q2"), got);
    assertNull(onNode2.poll(300, TimeUnit.MILLISECONDS), "each message once");
    assertTrue(cluster.get(0).broker().broker().counters().get(Counter.CLUSTER_MESSAGES_FORWARDED_OUT) >= 3);
    assertEquals(3, cluster.get(0).broker().broker().cluster().members());
    assertEquals(0, topicsIn(2, "cross/"), "node3 has no subscriber: nothing was forwarded to it");
  }

  /** Records in a node's log whose topic starts with prefix. */
  private static int topicsIn(int node, String prefix) {
    var log = cluster.get(node).broker().broker().log();
    int[] n = new int[1];
    log.read(log.startOffset(), Integer.MAX_VALUE, (o, m) -> {
      n[0] += m.topic().startsWith(prefix) ? 1 : 0;
      return true;
    });
    return n[0];
  }

  @Test
  void manyMessagesToSubscribersOnTwoNodesArriveInOrderOncePerNode() throws Exception {
    int n = 2000;
    BlockingQueue<String> on2 = new LinkedBlockingQueue<>();
    BlockingQueue<String> on3 = new LinkedBlockingQueue<>();
    client(1, "many-2").subscribe("many/+", 1, (t, m) -> on2.add(new String(m.getPayload())));
    client(2, "many-3").subscribe("many/#", 1, (t, m) -> on3.add(new String(m.getPayload())));
    Thread.sleep(200); // routes: not tested here
    MqttClient pub = client(0, "many-pub");
    for (int i = 0; i < n; i++) {
      publish(pub, "many/x", Integer.toString(i), 1, false);
    }
    for (BlockingQueue<String> q : List.of(on2, on3)) {
      for (int i = 0; i < n; i++) {
        assertEquals(Integer.toString(i), q.poll(20, TimeUnit.SECONDS));
      }
      assertNull(q.poll(300, TimeUnit.MILLISECONDS));
    }
  }

  @Test
  void aPersistentSessionMovesToTheNodeItReconnectsToWithItsQueueInOrder() throws Exception {
    MqttConnectOptions persistent = new MqttConnectOptions();
    persistent.setCleanSession(false);
    persistent.setMaxInflight(100);
    BlockingQueue<String> got = new LinkedBlockingQueue<>();
    MqttClient mover = new MqttClient(cluster.get(0).uri(), "mover", new MemoryPersistence());
    mover.setCallback(payloadsTo(got));
    clients.add(mover);
    mover.connect(persistent);
    mover.subscribe("moving/#", 1);
    mover.disconnect();
    Thread.sleep(300); // the route reaches node2
    MqttClient pub = client(1, "mover-pub");
    for (int i = 0; i < 50; i++) {
      publish(pub, "moving/x", "queued-" + i, 1, false);
    }
    Thread.sleep(500); // forwarded to node1, where the session waits offline

    // Back on node3: the session comes along, with what was queued for it, in order.
    MqttClient back = new MqttClient(cluster.get(2).uri(), "mover", new MemoryPersistence());
    back.setCallback(payloadsTo(got));
    clients.add(back);
    var token = back.connectWithResult(persistent);
    assertTrue(token.getSessionPresent(), "session present on node3");
    for (int i = 0; i < 50; i++) {
      assertEquals("queued-" + i, got.poll(10, TimeUnit.SECONDS));
    }
    // Live from here: published on node1 (where it was) and on node2.
    Thread.sleep(300);
    publish(client(0, "mover-pub1"), "moving/y", "live-node1", 1, false);
    assertEquals("live-node1", got.poll(10, TimeUnit.SECONDS));
    publish(pub, "moving/z", "live-node2", 1, false);
    assertEquals("live-node2", got.poll(10, TimeUnit.SECONDS));
    assertNull(got.poll(300, TimeUnit.MILLISECONDS), "nothing twice");
    assertEquals(0, cluster.get(0).broker().broker().sessionCount() - countOthers(0), "the session left node1");
    back.disconnect();
  }

  /** A callback that queues each payload (a callback acknowledges QoS 1; a listener per subscribe would not outlive a reconnect). */
  private static org.eclipse.paho.client.mqttv3.MqttCallback payloadsTo(BlockingQueue<String> got) {
    return new org.eclipse.paho.client.mqttv3.MqttCallback() {
      @Override
      public void connectionLost(Throwable cause) {
      }

      @Override
      public void messageArrived(String topic, MqttMessage message) {
        got.add(new String(message.getPayload()));
      }

      @Override
      public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {
      }
    };
  }

  /** Sessions on a node other than the mover's. */
  private static int countOthers(int node) throws Exception {
    return (int) cluster.get(node).broker().broker().sessions(id -> !id.equals("mover")).get(10, TimeUnit.SECONDS)
        .stream().count();
  }

  @Test
  void aConnectionOnAnotherNodeTakesTheClientIdOver() throws Exception {
    MqttClient first = client(0, "twice");
    MqttClient second = client(1, "twice");
    long deadline = System.currentTimeMillis() + 10_000;
    while (first.isConnected() && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    assertTrue(!first.isConnected(), "the first connection was closed");
    assertTrue(second.isConnected());
  }

  /** MQTT 5 across nodes: the connection taken over hears why, DISCONNECT 0x8E (session taken over). */
  @Test
  void anMqtt5ConnectionTakenOverFromAnotherNodeIsToldSo() throws Exception {
    BlockingQueue<Integer> reasons = new LinkedBlockingQueue<>();
    var first = client5(0, "twice-v5", new LinkedBlockingQueue<>(), reasons);
    var second = client5(2, "twice-v5", new LinkedBlockingQueue<>(), null);
    assertEquals(0x8E, reasons.poll(10, TimeUnit.SECONDS), "DISCONNECT 0x8E to the first connection");
    assertTrue(second.isConnected());
    second.disconnect();
    first.close();
  }

  /** An MQTT 5 client (Paho v5) on a node whose messages are queued as payloads. */
  private org.eclipse.paho.mqttv5.client.MqttClient client5(int node, String id, BlockingQueue<String> got)
      throws Exception {
    return client5(node, id, got, null);
  }

  /** As above; the reason code of a DISCONNECT from the broker goes to reasons (if not null). */
  private org.eclipse.paho.mqttv5.client.MqttClient client5(int node, String id, BlockingQueue<String> got,
      BlockingQueue<Integer> reasons) throws Exception {
    var c = new org.eclipse.paho.mqttv5.client.MqttClient(cluster.get(node).uri(), id,
        new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
    c.setCallback(Paho5Callback.of((t, message) -> got.add(new String(message.getPayload())), response -> {
      if (reasons != null) {
        reasons.add(response.getReturnCode());
      }
    }));
    c.connect(new org.eclipse.paho.mqttv5.client.MqttConnectionOptions());
    return c;
  }

  @Test
  void aSharedGroupWithMembersOnTwoNodesGetsEachMessageOnceInTheCluster() throws Exception {
    BlockingQueue<String> on1 = new LinkedBlockingQueue<>();
    BlockingQueue<String> on2 = new LinkedBlockingQueue<>();
    var m1 = client5(0, "worker-1", on1);
    var m2 = client5(1, "worker-2", on2);
    m1.subscribe("$share/workers/jobs/#", 1);
    m2.subscribe("$share/workers/jobs/#", 1);
    Thread.sleep(500); // each node sees the other's group
    MqttClient pub1 = client(0, "jobs-pub-1");
    MqttClient pub3 = client(2, "jobs-pub-3");
    int n = 400;
    for (int i = 0; i < n; i++) {
      publish(i % 2 == 0 ? pub1 : pub3, "jobs/" + (i % 5), "job-" + i, 1, false);
    }
    java.util.Set<String> seen = new java.util.HashSet<>();
    List<String> twice = new ArrayList<>();
    long deadline = System.currentTimeMillis() + 20_000;
    int fromNode1 = 0;
    int fromNode2 = 0;
    while (seen.size() < n && System.currentTimeMillis() < deadline) {
      String a = on1.poll(20, TimeUnit.MILLISECONDS);
      String b = on2.poll(1, TimeUnit.MILLISECONDS);
      for (String s : new String[] {a, b}) {
        if (s != null && !seen.add(s)) {
          twice.add(s);
        }
      }
      fromNode1 += a != null ? 1 : 0;
      fromNode2 += b != null ? 1 : 0;
    }
    Thread.sleep(500);
    for (String s : on1) {
      twice.add(s);
    }
    for (String s : on2) {
      twice.add(s);
    }
    assertEquals(n, seen.size(), "every job delivered");
    assertEquals(List.of(), twice, "no job delivered twice");
    assertTrue(fromNode1 > n / 5 && fromNode2 > n / 5, "both members worked: " + fromNode1 + " / " + fromNode2);
    m1.disconnect();
    m2.disconnect();
    m1.close();
    m2.close();
  }

  @Test
  void retainedMessagesPublishedOnOneNodeAreRetainedOnEvery() throws Exception {
    MqttClient pub = client(0, "ret-pub");
    publish(pub, "ret/a", "kept", 1, true);
    for (int node = 1; node < 3; node++) {
      BlockingQueue<String> got = new LinkedBlockingQueue<>();
      long deadline = System.currentTimeMillis() + 10_000;
      String s = null;
      while (s == null && System.currentTimeMillis() < deadline) {
        MqttClient sub = client(node, "ret-sub-" + node + "-" + System.nanoTime());
        sub.subscribe("ret/#", 1, (t, m) -> got.add(t + " " + new String(m.getPayload()) + " " + m.isRetained()));
        s = got.poll(500, TimeUnit.MILLISECONDS);
        sub.disconnect();
      }
      assertEquals("ret/a kept true", s, "node" + (node + 1));
    }
  }
}
