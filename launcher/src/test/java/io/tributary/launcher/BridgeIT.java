package io.tributary.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged broker bridging QoS 2 to Debian's mosquitto is killed with SIGKILL in the middle of
 * the stream and started again on its directory: no message reaches the remote twice, and every
 * message the broker acknowledged reaches it.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class BridgeIT {

  @TempDir
  Path dir;
  private Process mosquitto;
  private final BrokerProcess broker = new BrokerProcess();

  @AfterEach
  void stop() throws Exception {
    broker.close();
    if (mosquitto != null) {
      mosquitto.destroy();
      mosquitto.waitFor(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void qos2ReachesTheRemoteOnceAcrossASigkillOfThisBroker() throws Exception {
    int local = io.tributary.mqtt.TestBroker.freePort();
    int remote = io.tributary.mqtt.TestBroker.freePort();
    Path conf = Files.writeString(dir.resolve("mosquitto.conf"), "listener " + remote + " 127.0.0.1\n"
        + "allow_anonymous true\nmax_queued_messages 100000\n");
    mosquitto = new ProcessBuilder("/usr/sbin/mosquitto", "-c", conf.toString()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
    for (int i = 0; i < 200 && !BridgeTest.listening(remote); i++) {
      Thread.sleep(50);
    }
    Map<String, Integer> atRemote = new HashMap<>();
    BlockingQueue<String> arrivals = new LinkedBlockingQueue<>();
    MqttClient sub = new MqttClient("tcp://127.0.0.1:" + remote, "it-remote-sub", new MemoryPersistence());
    sub.setCallback(new MqttCallback() {
      @Override
      public void connectionLost(Throwable cause) {
      }

      @Override
      public void messageArrived(String topic, MqttMessage m) {
        arrivals.add(new String(m.getPayload(), StandardCharsets.UTF_8));
      }

      @Override
      public void deliveryComplete(IMqttDeliveryToken token) {
      }
    });
    sub.connect(options());
    sub.subscribe("site/#", 2);

    JsonObject json = new JsonObject()
        .put("listeners", new JsonArray().add(new JsonObject().put("name", "mqtt").put("protocol", "mqtt")
            .put("host", "127.0.0.1").put("port", local)))
        .put("log", new JsonObject().put("dir", dir.resolve("data").toString()))
        .put("bridges", new JsonArray().add(new JsonObject().put("name", "it").put("address", "127.0.0.1:" + remote)
            .put("reconnectMinMs", 100).put("reconnectMaxMs", 500).put("topics", new JsonArray().add("chat/# out 2 \"\" site/"))));
    Path brokerConf = Files.writeString(dir.resolve("broker.json"), json.encodePrettily());
    broker.start("-conf", brokerConf.toString());
    broker.awaitLine("bridge 'it': connected");

    // Phase a: publish until the remote has 1,000, then SIGKILL with the stream running.
    AtomicInteger acked = new AtomicInteger(-1);
    Thread publisher = new Thread(() -> {
      try {
        MqttClient pub = new MqttClient("tcp://127.0.0.1:" + local, "it-pub-a", new MemoryPersistence());
        pub.connect(options());
        for (int i = 0; i < 100_000; i++) {
          pub.publish("chat/a", String.format("a%06d", i).getBytes(StandardCharsets.UTF_8), 2, false);
          acked.set(i);
        }
      } catch (Exception e) {
        // the broker was killed
      }
    });
    publisher.start();
    int received = 0;
    while (received < 1_000) {
      String s = arrivals.poll(30, TimeUnit.SECONDS);
      assertTrue(s != null, "messages reach the remote");
      atRemote.merge(s, 1, Integer::sum);
      received++;
    }
    broker.kill();
    publisher.join(30_000);
    int lastAcked = acked.get();

    // Phase b: started again on its directory; the bridge resumes where its saved state says.
    broker.clearOutput();
    broker.start("-conf", brokerConf.toString());
    broker.awaitLine("Tributary started");
    MqttClient pub = new MqttClient("tcp://127.0.0.1:" + local, "it-pub-b", new MemoryPersistence());
    pub.connect(options());
    for (int i = 0; i < 500; i++) {
      pub.publish("chat/b", String.format("b%06d", i).getBytes(StandardCharsets.UTF_8), 2, false);
    }
    pub.disconnect();
    for (String s; (s = arrivals.poll(15, TimeUnit.SECONDS)) != null; ) {
      atRemote.merge(s, 1, Integer::sum);
      if (atRemote.containsKey("b000499") && arrivals.isEmpty()) {
        String late = arrivals.poll(2, TimeUnit.SECONDS); // anything still coming would be a duplicate
        if (late == null) {
          break;
        }
        atRemote.merge(late, 1, Integer::sum);
      }
    }
    List<String> twice = atRemote.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).sorted()
        .toList();
    assertEquals(List.of(), twice, "no message reached the remote twice");
    for (int i = 0; i <= lastAcked; i++) {
      assertTrue(atRemote.containsKey(String.format("a%06d", i)), "acknowledged a" + i + " reached the remote");
    }
    for (int i = 0; i < 500; i++) {
      assertTrue(atRemote.containsKey(String.format("b%06d", i)), "b" + i + " reached the remote");
    }
    assertTrue(lastAcked >= 999, "the kill came mid-stream: " + lastAcked + " acknowledged");
    sub.disconnect();
  }

  private static MqttConnectOptions options() {
    MqttConnectOptions o = new MqttConnectOptions();
    o.setMaxInflight(1_000);
    return o;
  }
}
