package io.tributary.mqtt;

import static io.tributary.mqtt.MqttWire.T;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.mqtt.codec.Disconnect;
import io.tributary.mqtt.codec.MqttProperties;
import io.tributary.mqtt.codec.PacketType;
import io.tributary.mqtt.codec.Publish;
import io.tributary.router.RouterOptions;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * MQTT 5 CONNECT/CONNACK: the CONNACK properties say what the broker does (and it does it), Server
 * Keep Alive, Assigned Client Identifier, Response Information, and 3.1.1 and 5.0 clients on one
 * listener.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Mqtt5ConnectTest {

  private static final long QUIET = 500;

  @Test
  void connackAdvertisesLimitsAndCapabilitiesThatMatchBehaviour() throws Exception {
    MqttOptions opts = new MqttOptions().setReceiveMaximum(3).setMaxPacketSize(2048).setTopicAliasMaximum(5);
    try (TestBroker broker = TestBroker.start(2, opts, new RouterOptions());
        MqttWire c = MqttWire.connect5(broker.port(), "caps", true, (Long) null)) {
      MqttProperties p = c.connAck.properties();
      assertFalse(c.sessionPresent());
      assertEquals(3, p.receiveMaximum(), "Receive Maximum: " + p);
      assertEquals(2048L, p.maximumPacketSize(), "Maximum Packet Size: " + p);
      assertEquals(5, p.topicAliasMaximum(), "Topic Alias Maximum: " + p);
      // QoS 2 is supported, so Maximum QoS is absent (absent = 2, MQTT-3.2.2-9).
      assertNull(p.maximumQos(), "Maximum QoS must be absent: " + p);
      assertNotEquals(Boolean.FALSE, p.retainAvailable(), "Retain Available: " + p);
      assertNotEquals(Boolean.FALSE, p.wildcardSubscriptionAvailable(), "Wildcard Available: " + p);
      assertNotEquals(Boolean.FALSE, p.subscriptionIdentifierAvailable(), "Subscription Ids Available: " + p);
      assertNull(p.serverKeepAlive(), "no Server Keep Alive when the client's is accepted: " + p);
      assertNull(p.assignedClientIdentifier(), "no Assigned Client Identifier for a given id: " + p);
      assertNull(p.responseInformation(), "no Response Information unless requested: " + p);

      // Wildcards, subscription identifiers, QoS 2 and retained messages all work as advertised.
      assertEquals(2, c.subscribe("caps/+/x", 2, 42));
      try (MqttWire pub = MqttWire.connect5(broker.port(), "caps-pub", true, (Long) null)) {
        pub.publishAndComplete("caps/r/x", 2, true, "kept", MqttProperties.EMPTY);
        Publish live = c.nextPublishAcking(T);
        assertEquals("caps/r/x", live.topic());
        assertEquals(2, live.qos(), "QoS 2 delivered as QoS 2");
        assertEquals(List.of(42), live.properties().subscriptionIdentifiers());
        try (MqttWire late = MqttWire.connect5(broker.port(), "caps-late", true, (Long) null)) {
          late.subscribe("caps/#", 1);
          Publish retained = late.nextPublishAcking(T);
          assertTrue(retained.retain(), "retained message sent with the retain flag");
          assertEquals("kept", MqttWire.text(retained));
          late.disconnectAndWait();
        }

        // Shared subscriptions: whatever is advertised is what a $share subscribe gets.
        Boolean shared = p.sharedSubscriptionAvailable();
        int code = c.subscribe("$share/g/caps/shared", 1);
        if (Boolean.FALSE.equals(shared)) {
          assertEquals(0x9E, code, "advertised no shared subscriptions, so 0x9E");
        } else {
          assertEquals(1, code, "advertised shared subscriptions, so granted");
        }

        // Topic Alias Maximum 5: alias 5 is accepted, and the receiver gets the real topic.
        pub.publishAndComplete("caps/a/x", 1, false, "aliased", new MqttProperties().topicAlias(5));
        pub.publishAndComplete("", 1, false, "again", new MqttProperties().topicAlias(5));
        assertEquals("caps/a/x", c.nextPublishAcking(T).topic());
        assertEquals("caps/a/x", c.nextPublishAcking(T).topic());
        pub.publish("caps/b/x", 1, false, "too high", new MqttProperties().topicAlias(6));
        Disconnect d = pub.expectClosed(T);
        assertNotNull(d, "DISCONNECT before close");
        assertEquals(0x94, d.reasonCode(), "alias over the advertised maximum: " + d);
      }

      // Maximum Packet Size 2048: a larger PUBLISH is refused with 0x95.
      try (MqttWire big = MqttWire.connect5(broker.port(), "caps-big", true, (Long) null)) {
        big.publish("caps/big", 0, false, "x".repeat(2100), MqttProperties.EMPTY);
        Disconnect d = big.expectClosed(T);
        assertNotNull(d, "DISCONNECT before close");
        assertEquals(0x95, d.reasonCode(), "packet over the advertised maximum: " + d);
      }

      // Receive Maximum 3: a 4th unreleased QoS 2 PUBLISH is refused with 0x93.
      try (MqttWire q2 = MqttWire.connect5(broker.port(), "caps-q2", true, (Long) null)) {
        for (int i = 0; i < 3; i++) {
          q2.publish("caps/q2", 2, false, "m" + i, MqttProperties.EMPTY);
          q2.expectAck(PacketType.PUBREC, T);
        }
        q2.publish("caps/q2", 2, false, "m3", MqttProperties.EMPTY);
        Disconnect d = q2.expectClosed(T);
        assertNotNull(d, "DISCONNECT before close");
        assertEquals(0x93, d.reasonCode(), "over the advertised receive maximum: " + d);
      }
      c.disconnectAndWait();
    }
  }

  @Test
  void pahoV5SeesTheAdvertisedCapabilities() throws Exception {
    try (TestBroker broker = TestBroker.start()) {
      MqttClient paho = new MqttClient(broker.tcpUri(), "paho-caps", new MemoryPersistence());
      try {
        IMqttToken tok = paho.connectWithResult(pahoOptions());
        org.eclipse.paho.mqttv5.common.packet.MqttProperties p = tok.getResponseProperties();
        assertEquals(MqttOptions.DEFAULT_RECEIVE_MAXIMUM, p.getReceiveMaximum());
        assertEquals((long) MqttOptions.DEFAULT_MAX_PACKET_SIZE, p.getMaximumPacketSize());
        assertEquals(MqttOptions.DEFAULT_TOPIC_ALIAS_MAXIMUM, p.getTopicAliasMaximum());
        assertNull(p.getAssignedClientIdentifier());
        assertFalse(tok.getSessionPresent());
      } finally {
        closePaho(paho);
      }
    }
  }

  @Test
  void serverKeepAliveOverridesTheClientsAndIsEnforced() throws Exception {
    MqttOptions opts = new MqttOptions().setMaxKeepAliveSeconds(1);
    try (TestBroker broker = TestBroker.start(2, opts, new RouterOptions())) {
      // Asking for more than the maximum (60 > 1): told 1, and 1 is what is enforced.
      try (MqttWire c = MqttWire.connect5(broker.port(), "ka-long", true, 60, null, new MqttProperties())) {
        assertEquals(1, c.connAck.properties().serverKeepAlive(), "Server Keep Alive: " + c.connAck);
        long start = System.nanoTime();
        Disconnect d = c.expectClosed(T); // silent: 1.5 x 1 s, not 1.5 x 60 s
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertNotNull(d, "DISCONNECT before close");
        assertEquals(0x8D, d.reasonCode(), "keep alive timeout: " + d);
        assertTrue(ms >= 1000 && ms < 6000, "closed after the server keep alive grace, took " + ms + " ms");
      }
      // Asking for none (0): also told 1.
      try (MqttWire c = MqttWire.connect5(broker.port(), "ka-zero", true, 0, null, new MqttProperties())) {
        assertEquals(1, c.connAck.properties().serverKeepAlive(), "Server Keep Alive: " + c.connAck);
        c.disconnectAndWait();
      }
      // Paho v5 reads the Server Keep Alive, but 1.2.5 keeps pinging on the 60 s it asked for
      // (its pinger is not rescheduled), so the broker, enforcing 1 s, disconnects it.
      MqttClient paho = new MqttClient(broker.tcpUri(), "ka-paho", new MemoryPersistence());
      try {
        MqttConnectionOptions o = pahoOptions();
        o.setKeepAliveInterval(60);
        IMqttToken tok = paho.connectWithResult(o);
        assertEquals(1, tok.getResponseProperties().getServerKeepAlive());
        MqttWire.waitUntil("the broker disconnects the Paho client after 1.5 x 1 s", T, () -> !paho.isConnected());
      } finally {
        closePaho(paho);
      }
    }
    // A keep alive at or under the maximum is accepted: no Server Keep Alive.
    try (TestBroker broker = TestBroker.start(2, new MqttOptions().setMaxKeepAliveSeconds(100), new RouterOptions());
        MqttWire c = MqttWire.connect5(broker.port(), "ka-ok", true, 30, null, new MqttProperties())) {
      assertNull(c.connAck.properties().serverKeepAlive(), "no Server Keep Alive: " + c.connAck);
      c.disconnectAndWait();
    }
  }

  @Test
  void emptyClientIdGetsAnAssignedIdThatKeysTheSession() throws Exception {
    try (TestBroker broker = TestBroker.start()) {
      String assigned;
      try (MqttWire c = MqttWire.connect5(broker.port(), "", false, 300L)) {
        assigned = c.connAck.properties().assignedClientIdentifier();
        assertNotNull(assigned, "Assigned Client Identifier: " + c.connAck);
        assertFalse(assigned.isEmpty());
        assertFalse(c.sessionPresent());
        assertEquals(1, c.subscribe("assigned/t", 1));
        c.disconnectAndWait();
      }
      try (MqttWire pub = MqttWire.connect5(broker.port(), "assigned-pub", true, (Long) null)) {
        pub.publishAndComplete("assigned/t", 1, false, "while away", MqttProperties.EMPTY);
      }
      // The assigned id names the session: reconnecting with it finds the subscription and the
      // message queued while away.
      try (MqttWire c = MqttWire.connect5(broker.port(), assigned, false, 300L)) {
        assertTrue(c.sessionPresent(), "session present with the assigned id");
        assertNull(c.connAck.properties().assignedClientIdentifier(), "nothing assigned for a given id");
        assertEquals("while away", MqttWire.text(c.nextPublishAcking(T)));
        c.disconnect(0x00, new MqttProperties().sessionExpiryInterval(0L));
      }
      // Two empty ids get two different ids (Paho v5 reads the assigned one too).
      MqttClient a = new MqttClient(broker.tcpUri(), "", new MemoryPersistence());
      MqttClient b = new MqttClient(broker.tcpUri(), "", new MemoryPersistence());
      try {
        String ida = a.connectWithResult(pahoOptions()).getResponseProperties().getAssignedClientIdentifier();
        String idb = b.connectWithResult(pahoOptions()).getResponseProperties().getAssignedClientIdentifier();
        assertNotNull(ida);
        assertNotNull(idb);
        assertNotEquals(ida, idb);
        assertNotEquals(assigned, ida);
      } finally {
        closePaho(a);
        closePaho(b);
      }
    }
  }

  @Test
  void responseInformationOnlyWhenRequestedAndConfigured() throws Exception {
    MqttOptions opts = new MqttOptions().setResponseInformation("responses/");
    MqttProperties request = new MqttProperties().requestResponseInformation(true);
    try (TestBroker broker = TestBroker.start(2, opts, new RouterOptions())) {
      try (MqttWire c = MqttWire.connect5(broker.port(), "ri-yes", true, 60, null, request)) {
        assertEquals("responses/", c.connAck.properties().responseInformation(), "Response Information");
        c.disconnectAndWait();
      }
      try (MqttWire c = MqttWire.connect5(broker.port(), "ri-no", true, 60, null, new MqttProperties())) {
        assertNull(c.connAck.properties().responseInformation(), "not requested: " + c.connAck);
        c.disconnectAndWait();
      }
      try (MqttWire c = MqttWire.connect5(broker.port(), "ri-false", true, 60, null,
          new MqttProperties().requestResponseInformation(false))) {
        assertNull(c.connAck.properties().responseInformation(), "request 0: " + c.connAck);
        c.disconnectAndWait();
      }
      MqttClient paho = new MqttClient(broker.tcpUri(), "ri-paho", new MemoryPersistence());
      try {
        MqttConnectionOptions o = pahoOptions();
        o.setRequestResponseInfo(true);
        assertEquals("responses/", paho.connectWithResult(o).getResponseProperties().getResponseInfo());
      } finally {
        closePaho(paho);
      }
    }
    // Requested, but none configured: absent.
    try (TestBroker broker = TestBroker.start();
        MqttWire c = MqttWire.connect5(broker.port(), "ri-none", true, 60, null, request)) {
      assertNull(c.connAck.properties().responseInformation(), "none configured: " + c.connAck);
      c.disconnectAndWait();
    }
  }

  @Test
  void mqtt311AndMqtt5ClientsExchangeMessagesOnOneListener() throws Exception {
    try (FlowSupport.Closer closer = new FlowSupport.Closer();
        TestBroker broker = TestBroker.start()) {
      org.eclipse.paho.client.mqttv3.MqttClient v3 = FlowSupport.paho(closer, broker, "x-v3");
      FlowSupport.Collector v3got = new FlowSupport.Collector();
      v3.subscribe("x/to3", 1, v3got);

      MqttClient v5 = new MqttClient(broker.tcpUri(), "x-v5", new MemoryPersistence());
      closer.onClose(() -> closePaho(v5));
      LinkedBlockingQueue<Object[]> v5got = new LinkedBlockingQueue<>();
      v5.setCallback(new Callback(v5got));
      v5.connect(pahoOptions());
      v5.subscribe("x/to5", 1).waitForCompletion(T);

      // 5.0 -> 3.1.1 (with properties the 3.1.1 side simply does not see).
      MqttMessage m = new MqttMessage("from five".getBytes(StandardCharsets.UTF_8));
      m.setQos(1);
      org.eclipse.paho.mqttv5.common.packet.MqttProperties props = new org.eclipse.paho.mqttv5.common.packet.MqttProperties();
      props.setContentType("text/plain");
      m.setProperties(props);
      v5.publish("x/to3", m);
      FlowSupport.Received r = v3got.take();
      assertEquals("x/to3", r.topic);
      assertEquals("from five", r.text());
      assertEquals(1, r.qos);

      // 3.1.1 -> 5.0.
      v3.publish("x/to5", "from three".getBytes(StandardCharsets.UTF_8), 1, false);
      Object[] got = v5got.poll(T, TimeUnit.MILLISECONDS);
      assertNotNull(got, "the 5.0 client got the 3.1.1 client's message");
      assertEquals("x/to5", got[0]);
      MqttMessage mm = (MqttMessage) got[1];
      assertArrayEquals("from three".getBytes(StandardCharsets.UTF_8), mm.getPayload());
      assertEquals(1, mm.getQos());
      v3got.assertQuiet();
      assertNull(v5got.poll(QUIET, TimeUnit.MILLISECONDS));
    }
  }

  // ---- helpers -------------------------------------------------------------------------------

  static MqttConnectionOptions pahoOptions() {
    MqttConnectionOptions o = new MqttConnectionOptions();
    o.setCleanStart(true);
    o.setAutomaticReconnect(false);
    o.setConnectionTimeout(10);
    o.setKeepAliveInterval(60);
    return o;
  }

  static void closePaho(MqttClient c) {
    try {
      if (c.isConnected()) {
        c.disconnect(1000);
      }
    } catch (MqttException e) {
      try {
        c.disconnectForcibly(100, 100, false);
      } catch (MqttException ignored) {
        // already gone
      }
    }
    try {
      c.close();
    } catch (MqttException ignored) {
      // already closed
    }
  }

  /** Paho v5 callback that queues {topic, message}. */
  static final class Callback implements MqttCallback {
    private final LinkedBlockingQueue<Object[]> queue;

    Callback(LinkedBlockingQueue<Object[]> queue) {
      this.queue = queue;
    }

    @Override
    public void disconnected(MqttDisconnectResponse r) {}

    @Override
    public void mqttErrorOccurred(MqttException e) {}

    @Override
    public void messageArrived(String topic, MqttMessage message) {
      queue.add(new Object[] {topic, message});
    }

    @Override
    public void deliveryComplete(IMqttToken token) {}

    @Override
    public void connectComplete(boolean reconnect, String serverURI) {}

    @Override
    public void authPacketArrived(int reasonCode, org.eclipse.paho.mqttv5.common.packet.MqttProperties p) {}
  }
}
