package io.tributary.tcp;

import io.tributary.router.counters.BrokerCounters;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** identify: client-certificate over TLS, with a CA, server and client certificate made by openssl. */
class ClientCertificateTest {

  @TempDir
  static Path dir;

  @BeforeAll
  static void certificates() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl is needed for the TLS tests");
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "2", "-keyout", "ca.key",
        "-out", "ca.pem", "-subj", "/CN=test CA", "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    issue("server", "localhost", "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
        + "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
    issue("client", "meter-42", "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n");
    openssl("pkcs12", "-export", "-in", "client.pem", "-inkey", "client.key", "-out", "client.p12",
        "-passout", "pass:changeit");
  }

  private static void issue(String name, String cn, String ext) throws Exception {
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-sha256", "-keyout", name + ".key", "-out", name + ".csr",
        "-subj", "/CN=" + cn);
    Files.writeString(dir.resolve(name + ".ext"), ext);
    openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-sha256", "-days", "2", "-extfile", name + ".ext", "-out", name + ".pem");
  }

  private static void openssl(String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
  }

  private static NetServerOptions tls() {
    return new NetServerOptions().setSsl(true)
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(dir.resolve("server.pem").toString())
            .setKeyPath(dir.resolve("server.key").toString()))
        .setTrustOptions(new PemTrustOptions().addCertPath(dir.resolve("ca.pem").toString()))
        .setClientAuth(ClientAuth.REQUEST);
  }

  private static SSLSocket connect(int port, boolean withCertificate) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(dir.resolve("ca.pem"))) {
      trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    javax.net.ssl.KeyManager[] kms = null;
    if (withCertificate) {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(dir.resolve("client.p12"))) {
        keys.load(in, "changeit".toCharArray());
      }
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, "changeit".toCharArray());
      kms = kmf.getKeyManagers();
    }
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kms, tmf.getTrustManagers(), null);
    SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port);
    s.setSoTimeout(10_000);
    s.startHandshake();
    return s;
  }

  @Test
  void certificateCnIsTheDeviceId() throws Exception {
    RawTcpOptions o = new RawTcpOptions().setIdentify(RawTcpOptions.Identify.CLIENT_CERTIFICATE);
    try (DeviceFixture f = new DeviceFixture(o, tls())) {
      MqttClient sub = new MqttClient(f.mqttUri(), "tls-sub", new MemoryPersistence());
      sub.connect();
      BlockingQueue<String> got = new LinkedBlockingQueue<>();
      sub.subscribe("devices/+/up", 1, (t, m) -> got.add(t + " " + new String(m.getPayload(), StandardCharsets.UTF_8)));
      try (SSLSocket d = connect(f.devicePort, true)) {
        d.getOutputStream().write("reading=7\n".getBytes(StandardCharsets.UTF_8));
        d.getOutputStream().flush();
        String r = got.poll(10, TimeUnit.SECONDS);
        assertNotNull(r);
        assertEquals("devices/meter-42/up reading=7", r);
        // downlink over TLS
        sub.publish("devices/meter-42/down", "ok".getBytes(StandardCharsets.UTF_8), 1, false);
        byte[] b = new byte[3];
        new java.io.DataInputStream(d.getInputStream()).readFully(b);
        assertEquals("ok\n", new String(b, StandardCharsets.UTF_8));
      }
      long rejected = f.broker.counters().get(BrokerCounters.Counter.DEVICES_REJECTED);
      long published = f.broker.publishedCount();
      try (SSLSocket d = connect(f.devicePort, false)) {
        d.getOutputStream().write("sneaky\n".getBytes(StandardCharsets.UTF_8));
        d.getOutputStream().flush();
        assertTrue(RawTcpListenerTest.closedByBroker(d));
      } catch (javax.net.ssl.SSLException closedDuringWrite) {
        // closed before our write: as good
      }
      assertEquals(rejected + 1, f.broker.counters().get(BrokerCounters.Counter.DEVICES_REJECTED));
      assertEquals(published, f.broker.publishedCount());
      sub.disconnect();
      sub.close();
    }
  }
}
