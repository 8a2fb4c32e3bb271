package io.tributary.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

class SmokeTest {

  @Test
  void pahoPublishSubscribe() throws Exception {
    try (TestBroker broker = TestBroker.start()) {
      MqttClient sub = new MqttClient(broker.tcpUri(), "sub", new MemoryPersistence());
      sub.connect(new MqttConnectOptions());
      BlockingQueue<String> got = new ArrayBlockingQueue<>(10);
      sub.subscribe("a/#", 1, (t, m) -> got.add(t + "=" + new String(m.getPayload())));
      MqttClient pub = new MqttClient(broker.tcpUri(), "pub", new MemoryPersistence());
      pub.connect(new MqttConnectOptions());
      pub.publish("a/b", new MqttMessage("x".getBytes()));
      assertEquals("a/b=x", got.poll(10, TimeUnit.SECONDS));
      pub.disconnect();
      sub.disconnect();
      pub.close();
      sub.close();
    }
  }
}
