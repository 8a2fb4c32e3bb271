package io.tributary.mqtt;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Test PKI made with the openssl command: a CA with a server certificate for localhost /
 * 127.0.0.1 and a client certificate (CN=dev1), and a second, unrelated CA with its own client.
 */
public final class TestCerts {

  public final Path dir;

  private TestCerts(Path dir) {
    this.dir = dir;
  }

  public static TestCerts create() throws Exception {
    Path dir = Files.createTempDirectory("tributary-tls");
    TestCerts c = new TestCerts(dir);
    c.ca("ca");
    c.ca("otherca");
    c.issue("ca", "server", "localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
    c.issue("ca", "client", "dev1", "extendedKeyUsage=clientAuth\n");
    c.issue("otherca", "stranger", "dev1", "extendedKeyUsage=clientAuth\n");
    for (String name : List.of("client", "stranger")) {
      c.openssl("pkcs12", "-export", "-in", name + ".pem", "-inkey", name + ".key", "-out", name + ".p12",
          "-passout", "pass:changeit", "-name", name);
    }
    return c;
  }

  /** Deletes the directory and everything in it. */
  public void delete() throws java.io.IOException {
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }

  public Path path(String file) {
    return dir.resolve(file);
  }

  public String pem(String file) {
    return dir.resolve(file).toString();
  }

  private void ca(String name) throws Exception {
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "2", "-keyout", name + ".key",
        "-out", name + ".pem", "-subj", "/CN=test " + name, "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign");
  }

  private void issue(String ca, String name, String cn, String ext) throws Exception {
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-sha256", "-keyout", name + ".key", "-out", name + ".csr",
        "-subj", "/CN=" + cn);
    Files.writeString(dir.resolve(name + ".ext"), "basicConstraints=CA:FALSE\n" + ext);
    openssl("x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem", "-CAkey", ca + ".key", "-CAcreateserial",
        "-sha256", "-days", "2", "-extfile", name + ".ext", "-out", name + ".pem");
  }

  private void openssl(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add("openssl");
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("openssl " + String.join(" ", args) + " failed: " + out);
    }
  }

  /** A client context trusting {@code ca.pem}, presenting {@code clientName}'s certificate (null: none). */
  public SSLContext clientContext(String clientName, String... protocols) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (var in = Files.newInputStream(dir.resolve("ca.pem"))) {
      trust.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    KeyManagerFactory kmf = null;
    if (clientName != null) {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      try (FileInputStream in = new FileInputStream(dir.resolve(clientName + ".p12").toFile())) {
        keys.load(in, "changeit".toCharArray());
      }
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, "changeit".toCharArray());
    }
    SSLContext ctx = SSLContext.getInstance(protocols.length == 0 ? "TLS" : protocols[0]);
    ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
    return ctx;
  }
}
