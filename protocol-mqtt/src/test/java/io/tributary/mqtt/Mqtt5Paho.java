package io.tributary.mqtt;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * An Eclipse Paho MQTT 5 client for the Mqtt5*Test classes: messages it receives are queued
 * (topic + message) so a test can take them with a bounded wait.
 */
final class Mqtt5Paho implements AutoCloseable {

  record Received(String topic, MqttMessage message) {
    String text() {
      return new String(message.getPayload(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  static final long WAIT_MS = 5000;

  final MqttAsyncClient client;
  final BlockingQueue<Received> messages = new LinkedBlockingQueue<>();
  volatile MqttDisconnectResponse disconnected;

  private Mqtt5Paho(MqttAsyncClient client) {
    this.client = client;
  }

  /** Connects with clean start, session expiry 0, unless {@code tune} changes the options. */
  static Mqtt5Paho connect(TestBroker broker, String clientId, Consumer<MqttConnectionOptions> tune)
      throws MqttException {
    MqttAsyncClient c = new MqttAsyncClient(broker.tcpUri(), clientId, new MemoryPersistence());
    Mqtt5Paho p = new Mqtt5Paho(c);
    c.setCallback(Paho5Callback.of((topic, message) -> p.messages.add(new Received(topic, message)),
        response -> p.disconnected = response));
    MqttConnectionOptions o = new MqttConnectionOptions();
    o.setCleanStart(true);
    o.setSessionExpiryInterval(0L);
    o.setAutomaticReconnect(false);
    o.setConnectionTimeout(5);
    o.setExecutorServiceTimeout(0); // do not wait a second for Paho's threads on close
    if (tune != null) {
      tune.accept(o);
    }
    c.connect(o).waitForCompletion(WAIT_MS);
    return p;
  }

  static Mqtt5Paho connect(TestBroker broker, String clientId) throws MqttException {
    return connect(broker, clientId, null);
  }

  /** Subscribes and waits for the SUBACK; returns the reason codes. */
  int[] subscribe(MqttSubscription sub, Integer subscriptionId) throws MqttException {
    MqttProperties props = new MqttProperties();
    if (subscriptionId != null) {
      props.setSubscriptionIdentifier(subscriptionId);
    }
    IMqttToken t = client.subscribe(new MqttSubscription[] {sub}, null, null, props);
    t.waitForCompletion(WAIT_MS);
    return t.getReasonCodes();
  }

  int[] subscribe(String filter, int qos) throws MqttException {
    return subscribe(new MqttSubscription(filter, qos), null);
  }

  /** Publishes and waits until the flow for its QoS completes; returns the ack's reason codes. */
  int[] publish(String topic, MqttMessage message) throws MqttException {
    IMqttToken t = client.publish(topic, message);
    t.waitForCompletion(WAIT_MS);
    return t.getReasonCodes();
  }

  int[] publish(String topic, String payload, int qos, boolean retain) throws MqttException {
    MqttMessage m = new MqttMessage(payload.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    m.setQos(qos);
    m.setRetained(retain);
    return publish(topic, m);
  }

  Received next() throws InterruptedException {
    Received r = messages.poll(WAIT_MS, TimeUnit.MILLISECONDS);
    assertNotNull(r, "expected a message within " + WAIT_MS + " ms");
    return r;
  }

  void expectNothing(long ms) throws InterruptedException {
    Received r = messages.poll(ms, TimeUnit.MILLISECONDS);
    assertNull(r, () -> "expected no message, got " + r.topic() + " " + r.text());
  }

  void disconnect() throws MqttException {
    if (client.isConnected()) {
      client.disconnect().waitForCompletion(WAIT_MS);
    }
  }

  @Override
  public void close() {
    try {
      if (client.isConnected()) {
        client.disconnectForcibly(100, 1000, false);
      }
    } catch (MqttException e) {
      // ignore
    }
    try {
      client.close(true);
    } catch (MqttException e) {
      // ignore
    }
  }
}
