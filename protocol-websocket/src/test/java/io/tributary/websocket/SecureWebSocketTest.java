package io.tributary.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** wss: the same MQTT over WebSocket over TLS, with a PEM certificate and key made by openssl. */
class SecureWebSocketTest {

  @TempDir
  static Path dir;

  static Path[] certificate() throws Exception {
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    if (!Files.exists(cert)) {
      Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
          "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
          "-keyout", key.toString(), "-out", cert.toString())
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "openssl failed: " + out);
    }
    return new Path[] {cert, key};
  }

  static SSLContext trusting(Path cert) throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(cert)) {
      trust.setCertificateEntry("broker", (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  @Test
  void wssCarriesMqttToAndFromTcp() throws Exception {
    Path[] pem = certificate();
    try (WsTestBroker broker = WsTestBroker.start(o -> o.setTls(pem[0].toString(), pem[1].toString()))) {
      assertTrue(broker.wsUri().startsWith("wss://"));
      MqttConnectOptions tls = new MqttConnectOptions();
      tls.setSocketFactory(trusting(pem[0]).getSocketFactory());
      MqttClient wss = new MqttClient(broker.wsUri(), "wss-client", new MemoryPersistence());
      wss.connect(tls);
      MqttClient tcp = WebSocketFlowTest.connect(broker.tcpUri(), "tcp-peer", true);
      try {
        BlockingQueue<MqttMessage> atWss = WebSocketFlowTest.subscribe(wss, "secure/in", 1);
        BlockingQueue<MqttMessage> atTcp = WebSocketFlowTest.subscribe(tcp, "secure/out", 1);
        tcp.publish("secure/in", "to wss".getBytes(StandardCharsets.UTF_8), 1, false);
        assertEquals("to wss", new String(atWss.poll(10, TimeUnit.SECONDS).getPayload(), StandardCharsets.UTF_8));
        wss.publish("secure/out", "from wss".getBytes(StandardCharsets.UTF_8), 1, false);
        assertEquals("from wss", new String(atTcp.poll(10, TimeUnit.SECONDS).getPayload(), StandardCharsets.UTF_8));
      } finally {
        WebSocketFlowTest.close(wss);
        WebSocketFlowTest.close(tcp);
      }

      // Only TLS 1.2 and 1.3 are offered.
      SSLContext old = trusting(pem[0]);
      try (SSLSocket s = (SSLSocket) old.getSocketFactory().createSocket("127.0.0.1", broker.wsPort())) {
        s.setEnabledProtocols(new String[] {"TLSv1.1"});
        assertThrows(Exception.class, s::startHandshake);
      } catch (IllegalArgumentException unsupportedByThisJdk) {
        // the JDK itself no longer speaks TLS 1.1
      }
      // Plain ws on the wss port gets no MQTT.
      MqttClient plain = new MqttClient("ws://127.0.0.1:" + broker.wsPort() + "/mqtt", "plain", new MemoryPersistence());
      MqttConnectOptions quick = new MqttConnectOptions();
      quick.setConnectionTimeout(3);
      assertThrows(Exception.class, () -> plain.connect(quick));
      plain.close(true);
    }
  }

}
