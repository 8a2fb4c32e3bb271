package io.tributary.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The crash test of issue 12, with the packaged broker on its default configuration (log on disk,
 * flush none): a Paho publisher sends numbered messages and records each acknowledgement, the
 * broker is killed with SIGKILL at a random moment mid-stream and started again on the same
 * directory, and then a persistent subscriber that was offline throughout gets every acknowledged
 * message (QoS 1: duplicates allowed; QoS 2: none), its session comes back present, and the
 * retained message is intact.
 */
class CrashRecoveryIT {

  @TempDir
  Path dir;
  private final BrokerProcess broker = new BrokerProcess();

  @AfterEach
  void stop() throws Exception {
    broker.close();
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2})
  void everyAcknowledgedMessageSurvivesSigkillMidStream(int qos) throws Exception {
    int port = io.tributary.mqtt.TestBroker.freePort();
    Path conf = BrokerProcess.defaultConfig(dir, port);
    String uri = "tcp://127.0.0.1:" + port;
    broker.start("-conf", conf.toString());
    broker.awaitLine("Tributary started");

    MqttClient sub = new MqttClient(uri, "crash-sub", new MemoryPersistence());
    sub.connect(options(false));
    sub.subscribe("crash/#", qos);
    sub.disconnect();
    MqttClient statusPub = new MqttClient(uri, "crash-status", new MemoryPersistence());
    statusPub.connect(options(true));
    statusPub.publish("status/crash", "up".getBytes(StandardCharsets.UTF_8), 1, true);
    statusPub.disconnect();
    statusPub.close();

    AtomicLong acked = new AtomicLong(-1);
    Thread publisher = new Thread(() -> {
      try {
        MqttClient pub = new MqttClient(uri, "crash-pub", new MemoryPersistence());
        pub.connect(options(true));
        for (long i = 0; i < 1_000_000; i++) {
          pub.publish("crash/" + (i % 4), Long.toString(i).getBytes(StandardCharsets.UTF_8), qos, false);
          acked.set(i); // publish returned: PUBACK (QoS 1) or PUBCOMP (QoS 2) received
        }
      } catch (Exception expected) {
        // the broker was killed
      }
    });
    publisher.setDaemon(true);
    publisher.start();
    Thread.sleep(ThreadLocalRandom.current().nextLong(800, 2_500));
    broker.kill();
    publisher.join(30_000);
    long lastAcked = acked.get();
    assertTrue(lastAcked > 100, "the publisher got acknowledgements before the kill: " + lastAcked);

    broker.clearOutput();
    broker.start("-conf", conf.toString());
    broker.awaitLine("restored 1 persistent session(s)");
    broker.awaitLine("Tributary started");

    BlockingQueue<Long> got = new LinkedBlockingQueue<>();
    sub.setCallback(new MqttCallback() {
      @Override
      public void connectionLost(Throwable cause) {
      }

      @Override
      public void messageArrived(String topic, MqttMessage message) {
        got.add(Long.parseLong(new String(message.getPayload(), StandardCharsets.UTF_8)));
      }

      @Override
      public void deliveryComplete(IMqttDeliveryToken token) {
      }
    });
    sub.connect(options(false));
    try {
      Set<Long> seen = new HashSet<>();
      List<Long> duplicates = new ArrayList<>();
      long expectNext = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (expectNext <= lastAcked && System.nanoTime() < deadline) {
        Long n = got.poll(1, TimeUnit.SECONDS);
        if (n == null) {
          continue;
        }
        if (!seen.add(n)) {
          duplicates.add(n);
          continue;
        }
        assertEquals(expectNext, n, "in order, none missing");
        expectNext++;
      }
      assertTrue(expectNext > lastAcked, "every acknowledged message arrived: got 0.." + (expectNext - 1)
          + ", acknowledged 0.." + lastAcked);
      if (qos == 2) {
        assertEquals(List.of(), duplicates, "exactly once");
      }
    } finally {
      sub.disconnect();
      sub.close();
    }

    MqttClient reader = new MqttClient(uri, "crash-reader", new MemoryPersistence());
    BlockingQueue<String> retained = new LinkedBlockingQueue<>();
    reader.connect(options(true));
    reader.subscribe("status/crash", 1, (t, m) -> retained.add(new String(m.getPayload(), StandardCharsets.UTF_8)
        + (m.isRetained() ? " (retained)" : "")));
    assertEquals("up (retained)", retained.poll(10, TimeUnit.SECONDS));
    reader.disconnect();
    reader.close();
  }

  private static MqttConnectOptions options(boolean clean) {
    MqttConnectOptions o = new MqttConnectOptions();
    o.setCleanSession(clean);
    o.setAutomaticReconnect(false);
    o.setConnectionTimeout(10);
    o.setMaxInflight(100);
    return o;
  }
}
