package io.tributary.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.router.Broker;
import io.tributary.router.delivery.Dispatcher;
import io.tributary.router.RouterOptions;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** MQTT over TLS with real clients, and the client-certificate policies (mutual TLS). */
class MqttTlsTest {

  static TestCerts certs;

  @BeforeAll
  static void pki() throws Exception {
    certs = TestCerts.create();
  }

  @AfterAll
  static void cleanup() throws Exception {
    certs.delete();
  }

  /** A broker with one TLS listener, built the way the launcher builds it. */
  static final class TlsBroker implements AutoCloseable {
    final Vertx vertx = Vertx.vertx();
    final int port = TestBroker.freePort();

    final Broker broker = new Broker(new RouterOptions());

    TlsBroker(ClientAuth auth) throws Exception {
      this(auth, new MqttOptions());
    }

    TlsBroker(ClientAuth auth, MqttOptions mqtt) throws Exception {
      NetServerOptions options = new NetServerOptions().setHost("127.0.0.1").setPort(port).setTcpNoDelay(true)
          .setSsl(true)
          .setKeyCertOptions(new PemKeyCertOptions().setCertPath(certs.pem("server.pem")).setKeyPath(certs.pem("server.key")))
          .setEnabledSecureTransportProtocols(Set.of("TLSv1.2", "TLSv1.3"))
          .setClientAuth(auth);
      if (auth != ClientAuth.NONE) {
        options.setTrustOptions(new PemTrustOptions().addCertPath(certs.pem("ca.pem")));
      }
      vertx.deployVerticle(() -> new VerticleBase() {
        MqttListener listener;
        Dispatcher core;

        @Override
        public Future<?> start() {
          core = broker.addDispatcher(task -> context.runOnContext(v -> task.run()), "tls-" + context.hashCode());
          listener = new MqttListener(vertx, broker, core, options, mqtt);
          return listener.listen();
        }

        @Override
        public Future<?> stop() {
          return listener.close().andThen(ar -> broker.removeDispatcher(core));
        }
      }, new DeploymentOptions().setInstances(2)).await(20, TimeUnit.SECONDS);
    }

    String uri() {
      return "ssl://localhost:" + port;
    }

    @Override
    public void close() throws Exception {
      vertx.close().await(20, TimeUnit.SECONDS);
    }
  }

  static MqttClient connectV3(TlsBroker b, String id, SSLContext ctx) throws MqttException {
    MqttClient c = new MqttClient(b.uri(), id, new MemoryPersistence());
    MqttConnectOptions o = new MqttConnectOptions();
    o.setSocketFactory(ctx.getSocketFactory());
    o.setConnectionTimeout(10);
    c.connect(o);
    return c;
  }

  static void roundTrip(MqttClient c) throws Exception {
    BlockingQueue<String> got = new ArrayBlockingQueue<>(4);
    c.subscribe("tls/#", 1, (t, m) -> got.add(t + " " + new String(m.getPayload(), StandardCharsets.UTF_8)));
    c.publish("tls/a", new MqttMessage("secret".getBytes(StandardCharsets.UTF_8)));
    assertEquals("tls/a secret", got.poll(10, TimeUnit.SECONDS));
  }

  @Test
  void pahoV3AndV5OverTls() throws Exception {
    try (TlsBroker b = new TlsBroker(ClientAuth.NONE)) {
      MqttClient v3 = connectV3(b, "v3", certs.clientContext(null));
      roundTrip(v3);
      org.eclipse.paho.mqttv5.client.MqttClient v5 =
          new org.eclipse.paho.mqttv5.client.MqttClient(b.uri(), "v5", new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
      MqttConnectionOptions o5 = new MqttConnectionOptions();
      o5.setSocketFactory(certs.clientContext(null).getSocketFactory());
      v5.connect(o5);
      BlockingQueue<String> at5 = new ArrayBlockingQueue<>(4);
      v5.subscribe(new org.eclipse.paho.mqttv5.common.MqttSubscription[] {new org.eclipse.paho.mqttv5.common.MqttSubscription("x/#", 1)},
          new org.eclipse.paho.mqttv5.client.IMqttMessageListener[] {(t, m) -> at5.add(t + " " + new String(m.getPayload(), StandardCharsets.UTF_8))});
      v3.publish("x/from3", new MqttMessage("hi".getBytes(StandardCharsets.UTF_8)));
      assertEquals("x/from3 hi", at5.poll(10, TimeUnit.SECONDS));
      v5.disconnect();
      v5.close();
      v3.disconnect();
      v3.close();
    }
  }

  @Test
  void replayOverTlsDeliversTheHistoryThenLiveMessages() throws Exception {
    try (TlsBroker b = new TlsBroker(ClientAuth.NONE)) {
      MqttClient pub = connectV3(b, "history-pub", certs.clientContext(null));
      for (int i = 0; i < 5; i++) {
        pub.publish("hist/" + i, new MqttMessage(("old" + i).getBytes(StandardCharsets.UTF_8)));
      }
      MqttClient sub = connectV3(b, "history-sub", certs.clientContext(null));
      BlockingQueue<String> got = new ArrayBlockingQueue<>(16);
      // Deliveries carry their original topics, which Paho does not match to a listener of the
      // "$replay/..." filter: they come to the client's callback.
      sub.setCallback(new org.eclipse.paho.client.mqttv3.MqttCallback() {
        @Override
        public void connectionLost(Throwable cause) {
        }

        @Override
        public void messageArrived(String topic, MqttMessage m) {
          got.add(topic + " " + new String(m.getPayload(), StandardCharsets.UTF_8));
        }

        @Override
        public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {
        }
      });
      sub.subscribe("$replay/earliest/hist/#", 1);
      for (int i = 0; i < 5; i++) {
        assertEquals("hist/" + i + " old" + i, got.poll(10, TimeUnit.SECONDS), "history in log order, original topics");
      }
      pub.publish("hist/live", new MqttMessage("new".getBytes(StandardCharsets.UTF_8)));
      assertEquals("hist/live new", got.poll(10, TimeUnit.SECONDS), "then live");
      sub.disconnect();
      sub.close();
      pub.disconnect();
      pub.close();
    }
  }

  @Test
  void requireAcceptsCertificateFromTheCa() throws Exception {
    try (TlsBroker b = new TlsBroker(ClientAuth.REQUIRED)) {
      MqttClient c = connectV3(b, "dev1", certs.clientContext("client"));
      roundTrip(c);
      c.disconnect();
      c.close();
    }
  }

  @Test
  void requireRefusesClientWithoutCertificate() throws Exception {
    try (TlsBroker b = new TlsBroker(ClientAuth.REQUIRED)) {
      assertThrows(MqttException.class, () -> connectV3(b, "anon", certs.clientContext(null)));
      assertHandshakeRefused(b, certs.clientContext(null));
    }
  }

  @Test
  void requireRefusesCertificateFromAnotherCa() throws Exception {
    try (TlsBroker b = new TlsBroker(ClientAuth.REQUIRED)) {
      assertThrows(MqttException.class, () -> connectV3(b, "stranger", certs.clientContext("stranger")));
      assertHandshakeRefused(b, certs.clientContext("stranger"));
    }
  }

  @Test
  void requestAcceptsClientWithoutCertificate() throws Exception {
    try (TlsBroker b = new TlsBroker(ClientAuth.REQUEST)) {
      MqttClient anon = connectV3(b, "anon", certs.clientContext(null));
      roundTrip(anon);
      MqttClient dev = connectV3(b, "dev1", certs.clientContext("client"));
      dev.disconnect();
      dev.close();
      anon.disconnect();
      anon.close();
    }
  }

  @Test
  void onlyTls12And13AreSpoken() throws Exception {
    try (TlsBroker b = new TlsBroker(ClientAuth.NONE)) {
      // TLS 1.1 offered alone: refused (by the server, or already by the JDK's own policy).
      try (SSLSocket s = (SSLSocket) certs.clientContext(null).getSocketFactory().createSocket("localhost", b.port)) {
        s.setSoTimeout(10_000);
        s.setEnabledProtocols(new String[] {"TLSv1.1"});
        assertThrows(java.io.IOException.class, s::startHandshake);
      } catch (IllegalArgumentException jdkHasNoTls11) {
        // the JDK no longer knows TLSv1.1 at all
      }
      for (String p : new String[] {"TLSv1.2", "TLSv1.3"}) {
        try (SSLSocket s = (SSLSocket) certs.clientContext(null).getSocketFactory().createSocket("localhost", b.port)) {
          s.setSoTimeout(10_000);
          s.setEnabledProtocols(new String[] {p});
          s.startHandshake();
          assertEquals(p, s.getSession().getProtocol());
        }
      }
    }
  }

  /**
   * With TLS 1.3 the client may finish its side before the server rejects its certificate, so
   * the refusal shows on the first read: an alert (SSLException) or a closed socket, never data.
   */
  static void assertHandshakeRefused(TlsBroker b, SSLContext ctx) throws Exception {
    try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("localhost", b.port)) {
      s.setSoTimeout(10_000);
      boolean refused;
      try {
        s.startHandshake();
        // MQTT CONNECT: a broker that accepted the handshake would answer with CONNACK.
        s.getOutputStream().write(new byte[] {0x10, 0x0d, 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 60, 0, 1, 'z'});
        s.getOutputStream().flush();
        refused = s.getInputStream().read() < 0;
      } catch (java.io.IOException e) {
        refused = true;
      }
      assertTrue(refused, "the broker talked to a client it should have refused");
    }
  }

  /** tls.identity username: the certificate's CN is the user name, no password asked; none, no entry. */
  @Test
  void certificateCommonNameAsUserName() throws Exception {
    MqttOptions mqtt = new MqttOptions().setTlsIdentity(TlsIdentity.USERNAME).setLoginAuthenticator(
        new io.tributary.router.security.PasswordAuthenticator(io.tributary.router.security.PasswordFile.empty(),
            io.tributary.router.security.PasswordAuthenticator.Anonymous.DENY));
    try (TlsBroker b = new TlsBroker(ClientAuth.REQUEST, mqtt)) {
      b.broker.setAuthorizer(new io.tributary.router.security.Authorizer(io.tributary.router.security.AccessRules
          .parse(java.util.List.of("user dev1", "topic readwrite tls/#"), "test.acl")));
      MqttClient dev1 = connectV3(b, "any-id", certs.clientContext("client")); // CN=dev1, no password
      roundTrip(dev1); // the rules of user dev1 apply
      dev1.disconnect();
      dev1.close();
      MqttException e = org.junit.jupiter.api.Assertions.assertThrows(MqttException.class, () -> {
        MqttClient c = new MqttClient(b.uri(), "no-cert", new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setSocketFactory(certs.clientContext(null).getSocketFactory());
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setUserName("dev1"); // a user name of its own does not count: only the certificate does
        c.connect(o);
      });
      assertEquals(MqttException.REASON_CODE_NOT_AUTHORIZED, e.getReasonCode());
    }
  }

  /** tls.identity clientId: the CN is the client id, whatever the CONNECT said (MQTT 5 is told). */
  @Test
  void certificateCommonNameAsClientId() throws Exception {
    try (TlsBroker b = new TlsBroker(ClientAuth.REQUIRED, new MqttOptions().setTlsIdentity(TlsIdentity.CLIENT_ID))) {
      org.eclipse.paho.mqttv5.client.MqttAsyncClient v5 = new org.eclipse.paho.mqttv5.client.MqttAsyncClient(b.uri(),
          "asked-for", new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
      MqttConnectionOptions o5 = new MqttConnectionOptions();
      o5.setSocketFactory(certs.clientContext("client").getSocketFactory());
      org.eclipse.paho.mqttv5.client.IMqttToken t = v5.connect(o5);
      t.waitForCompletion(10_000);
      assertEquals("dev1", t.getResponseProperties().getAssignedClientIdentifier());
      // Another connection with the same certificate is the same client: it takes the session over.
      MqttClient again = connectV3(b, "something-else", certs.clientContext("client"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (v5.isConnected() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      org.junit.jupiter.api.Assertions.assertFalse(v5.isConnected(), "taken over by the same CN");
      assertEquals(1, b.broker.sessionCount());
      again.disconnect();
      again.close();
      v5.close();
    }
  }
}
