package io.tributary.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * conf/cluster/node1..3.json as three broker processes (ports moved to free ones, logs under a
 * temporary directory): Debian's mosquitto_pub on one node reaching mosquitto_sub on another, a
 * node killed with SIGKILL while QoS 1 traffic flows between the other two, and restarted.
 */
class ClusterIT {

  @TempDir
  Path dir;
  private final List<BrokerProcess> nodes = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (BrokerProcess p : nodes) {
      p.close();
    }
  }

  /** conf/cluster/nodeN.json with free ports, written to dir. */
  private final int[] admin = new int[3];

  private List<Path> configs(int[] mqtt) throws Exception {
    int[] hz = new int[3];
    JsonArray members = new JsonArray();
    for (int i = 0; i < 3; i++) {
      hz[i] = io.tributary.mqtt.TestBroker.freePort();
      members.add("127.0.0.1:" + hz[i]);
      mqtt[i] = io.tributary.mqtt.TestBroker.freePort();
    }
    List<Path> out = new ArrayList<>();
    String clusterName = "it-" + System.nanoTime();
    for (int i = 0; i < 3; i++) {
      JsonObject json = new JsonObject(Files.readString(Path.of("../conf/cluster/node" + (i + 1) + ".json")));
      json.put("instances", 2);
      JsonArray listeners = json.getJsonArray("listeners");
      listeners.getJsonObject(0).put("host", "127.0.0.1").put("port", mqtt[i]);
      admin[i] = io.tributary.mqtt.TestBroker.freePort();
      listeners.getJsonObject(1).put("port", admin[i]);
      json.getJsonObject("log").put("dir", dir.resolve("node" + (i + 1)).toString());
      json.getJsonObject("cluster").put("name", clusterName).put("port", hz[i]).put("members", members);
      Path p = dir.resolve("node" + (i + 1) + ".json");
      Files.writeString(p, json.encodePrettily());
      out.add(p);
    }
    return out;
  }

  @Test
  void threeProcessesServeEachOtherAndLoseNothingAcknowledgedWhenOneIsKilled() throws Exception {
    int[] mqtt = new int[3];
    List<Path> conf = configs(mqtt);
    for (int i = 0; i < 3; i++) {
      BrokerProcess p = new BrokerProcess();
      nodes.add(p);
      p.start("-conf", conf.get(i).toString());
    }
    for (int i = 0; i < 3; i++) {
      nodes.get(i).awaitLine("Tributary started");
    }
    for (BrokerProcess p : nodes) {
      awaitLineCount(p, "is up; forwarding it", 2);
    }

    // The README's first example: mosquitto_sub on node2, mosquitto_pub on node1.
    Process sub = new ProcessBuilder("mosquitto_sub", "-p", Integer.toString(mqtt[1]), "-t", "greetings/#", "-v",
        "-C", "1", "-W", "20").redirectErrorStream(true).start();
    Thread.sleep(1_000);
    assertEquals(0, new ProcessBuilder("mosquitto_pub", "-p", Integer.toString(mqtt[0]), "-t", "greetings/node1",
        "-m", "hello from node1", "-q", "1").start().waitFor());
    assertTrue(sub.waitFor(20, TimeUnit.SECONDS));
    assertEquals("greetings/node1 hello from node1",
        new String(sub.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());

    // QoS 1 from node1 to a subscriber on node2; node3 is killed mid-stream.
    BlockingQueue<Long> got = new LinkedBlockingQueue<>();
    MqttClient subscriber = new MqttClient("tcp://127.0.0.1:" + mqtt[1], "kill-sub", new MemoryPersistence());
    subscriber.connect(options());
    subscriber.subscribe("stream/#", 1, (t, m) -> got.add(Long.parseLong(new String(m.getPayload(), StandardCharsets.UTF_8))));
    // node3 subscribes too, so it is in the routes when it dies
    MqttClient onNode3 = new MqttClient("tcp://127.0.0.1:" + mqtt[2], "kill-sub3", new MemoryPersistence());
    onNode3.connect(options());
    onNode3.subscribe("stream/#", 1, (t, m) -> { });
    // A client with a will on node3; its will is to reach a subscriber on node2 when node3 dies.
    BlockingQueue<String> wills = new LinkedBlockingQueue<>();
    MqttClient willWatcher = new MqttClient("tcp://127.0.0.1:" + mqtt[1], "will-watcher", new MemoryPersistence());
    willWatcher.connect(options());
    willWatcher.subscribe("wills/#", 1, (t, m) -> wills.add(t + " " + new String(m.getPayload(), StandardCharsets.UTF_8)));
    MqttClient withWill = new MqttClient("tcp://127.0.0.1:" + mqtt[2], "with-will", new MemoryPersistence());
    MqttConnectOptions willOptions = options();
    willOptions.setWill("wills/with-will", "node3 died with me".getBytes(StandardCharsets.UTF_8), 1, false);
    withWill.connect(willOptions);
    // A persistent session on node3: its subscription is replicated, so node1 resumes it after node3 dies.
    MqttClient persistent = new MqttClient("tcp://127.0.0.1:" + mqtt[2], "replicated", new MemoryPersistence());
    MqttConnectOptions keep = options();
    keep.setCleanSession(false);
    persistent.connect(keep);
    persistent.subscribe("replica/#", 1);
    Thread.sleep(500);
    AtomicLong acked = new AtomicLong(-1);
    Thread publisher = new Thread(() -> {
      try {
        MqttClient pub = new MqttClient("tcp://127.0.0.1:" + mqtt[0], "kill-pub", new MemoryPersistence());
        pub.connect(options());
        for (long i = 0; i < 20_000; i++) {
          pub.publish("stream/x", Long.toString(i).getBytes(StandardCharsets.UTF_8), 1, false);
          acked.set(i);
        }
        pub.disconnect();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
    publisher.start();
    Thread.sleep(1_000);
    nodes.get(2).kill();
    publisher.join(120_000);
    assertEquals(19_999, acked.get(), "node1 went on acknowledging while node3 was gone");
    Set<Long> seen = new HashSet<>();
    long deadline = System.currentTimeMillis() + 60_000;
    while (seen.size() < 20_000 && System.currentTimeMillis() < deadline) {
      Long v = got.poll(1, TimeUnit.SECONDS);
      if (v != null) {
        seen.add(v);
      }
    }
    assertEquals(20_000, seen.size(), "every message node1 acknowledged reached the subscriber on node2");
    nodes.get(0).awaitLine("left the cluster");
    assertEquals("wills/with-will node3 died with me", wills.poll(30, TimeUnit.SECONDS),
        "a survivor published the will of node3's client");
    assertEquals(null, wills.poll(1, TimeUnit.SECONDS), "once");
    willWatcher.disconnect();
    // The session of node3's persistent client resumes on node1 from its replica, with what node2
    // stored for it after node3 died.
    assertEquals(0, new ProcessBuilder("mosquitto_pub", "-p", Integer.toString(mqtt[1]), "-t", "replica/after",
        "-m", "stored on node2 while node3 was gone", "-q", "1").start().waitFor());
    BlockingQueue<String> resumed = new LinkedBlockingQueue<>();
    MqttClient back = new MqttClient("tcp://127.0.0.1:" + mqtt[0], "replicated", new MemoryPersistence());
    back.setCallback(new org.eclipse.paho.client.mqttv3.MqttCallback() {
      @Override
      public void connectionLost(Throwable cause) {
      }

      @Override
      public void messageArrived(String t, org.eclipse.paho.client.mqttv3.MqttMessage m) {
        resumed.add(t + " " + new String(m.getPayload(), StandardCharsets.UTF_8));
      }

      @Override
      public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {
      }
    });
    assertTrue(back.connectWithResult(keep).getSessionPresent(), "node1 resumed the session of dead node3");
    assertEquals("replica/after stored on node2 while node3 was gone", resumed.poll(20, TimeUnit.SECONDS));
    back.disconnect();
    String metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create("http://127.0.0.1:" + admin[0] + "/metrics")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    assertTrue(metrics.contains("tributary_cluster_members 2.0"), metrics);
    java.util.regex.Matcher out = java.util.regex.Pattern.compile("(?m)^tributary_cluster_messages_forwarded_out_total (\\S+)")
        .matcher(metrics);
    assertTrue(out.find(), metrics);
    assertTrue(Double.parseDouble(out.group(1)) >= 20_001, "forwards counted: " + out.group(1));
    assertTrue(metrics.contains("tributary_cluster_forward_lag_records 0.0"), metrics);
    subscriber.disconnect();

    // node3 comes back on its directory and is served again.
    BrokerProcess node3 = new BrokerProcess();
    nodes.set(2, node3);
    node3.start("-conf", conf.get(2).toString());
    node3.awaitLine("Tributary started");
    awaitLineCount(node3, "is up; forwarding it", 2);
    // Its copy of the session that node1 resumed is ended, not left holding routes.
    node3.awaitLine("client replicated: the session restored here ended: the client is at node 'node1'");
    Process sub3 = new ProcessBuilder("mosquitto_sub", "-p", Integer.toString(mqtt[2]), "-t", "back/#", "-v",
        "-C", "1", "-W", "20").redirectErrorStream(true).start();
    Thread.sleep(1_000);
    assertEquals(0, new ProcessBuilder("mosquitto_pub", "-p", Integer.toString(mqtt[1]), "-t", "back/node2",
        "-m", "welcome back").start().waitFor());
    assertTrue(sub3.waitFor(20, TimeUnit.SECONDS));
    assertEquals("back/node2 welcome back", new String(sub3.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
  }

  private static MqttConnectOptions options() {
    MqttConnectOptions o = new MqttConnectOptions();
    o.setCleanSession(true);
    o.setMaxInflight(1000);
    return o;
  }

  private static void awaitLineCount(BrokerProcess p, String fragment, int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (p.outputText().split(java.util.regex.Pattern.quote(fragment), -1).length - 1 < count) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(count + " lines with '" + fragment + "' expected in:\n" + p.outputText());
      }
      Thread.sleep(50);
    }
  }
}
