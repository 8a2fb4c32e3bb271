package io.tributary.launcher;

import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SSLEngineOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Set;
import javax.net.ssl.X509KeyManager;

/**
 * The one place a listener's {@code tls} block becomes Vert.x options, for every listener kind:
 * {@code mqtt} and {@code raw-tcp} take ready {@link NetServerOptions} from
 * {@link #serverOptions(BrokerConfig.Listener, BrokerConfig.TlsEngine)}; {@code mqtt-ws} takes
 * {@link #sslOptions(BrokerConfig.Tls)} and {@link #engineOptions(BrokerConfig.TlsEngine)}.
 * Protocol modules never see the configuration, only these options.
 */
public final class ListenerTls {

  /** TLS 1.2 and 1.3 only, on every listener. */
  public static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");

  /**
   * The engine {@code auto} picks when it is available: OpenSSL (BoringSSL via
   * netty-tcnative) measured faster than the JDK's SSLEngine on handshakes and on MQTT
   * throughput over TLS (see README, TLS).
   */
  static final BrokerConfig.TlsEngine PREFERRED = BrokerConfig.TlsEngine.openssl;

  private ListenerTls() {
  }

  /**
   * Server options of a TCP listener (mqtt, raw-tcp): host, port, TCP_NODELAY and, when the
   * listener has a {@code tls} block, TLS with the given engine.
   */
  public static NetServerOptions serverOptions(BrokerConfig.Listener listener, BrokerConfig.TlsEngine engine) {
    NetServerOptions o = new NetServerOptions().setHost(listener.host).setPort(listener.port).setTcpNoDelay(true);
    if (listener.tls != null) {
      apply(listener.tls, engine, o);
    }
    return o;
  }

  /** Turns on TLS in {@code options} (NetServerOptions or HttpServerOptions) as {@code tls} says. */
  /** HTTP server options of an admin listener: host, port and, with a tls block, TLS. */
  public static io.vertx.core.http.HttpServerOptions adminServerOptions(BrokerConfig.Listener listener,
      BrokerConfig.TlsEngine engine) {
    io.vertx.core.http.HttpServerOptions o = new io.vertx.core.http.HttpServerOptions().setHost(listener.host)
        .setPort(listener.port).setIdleTimeout(io.tributary.admin.AdminOptions.DEFAULT_IDLE_TIMEOUT_SECONDS);
    return listener.tls == null ? o : apply(listener.tls, engine, o);
  }

  public static <T extends NetServerOptions> T apply(BrokerConfig.Tls tls, BrokerConfig.TlsEngine engine, T options) {
    ServerSSLOptions ssl = sslOptions(tls);
    options.setSsl(true)
        .setKeyCertOptions(ssl.getKeyCertOptions())
        .setTrustOptions(ssl.getTrustOptions())
        .setClientAuth(ssl.getClientAuth())
        .setEnabledSecureTransportProtocols(ssl.getEnabledSecureTransportProtocols());
    options.setSslEngineOptions(engineOptions(engine));
    return options;
  }

  /**
   * Stops the start when the private key at {@code tls.keyPath} does not belong to the certificate
   * at {@code tls.certPath} (or either cannot be loaded): Vert.x would start the listener anyway
   * and every handshake would fail. Checked by signing with the key and verifying with the
   * certificate's public key, whatever the algorithm. Returns the certificate.
   */
  static X509Certificate checkKeyMatchesCertificate(io.vertx.core.Vertx vertx, BrokerConfig.Tls tls, String key) {
    X509KeyManager keys;
    try {
      keys = (X509KeyManager) new PemKeyCertOptions().setCertPath(tls.certPath).setKeyPath(tls.keyPath)
          .getKeyManagerFactory(vertx).getKeyManagers()[0];
    } catch (Exception e) {
      throw new ConfigException("configuration key '" + key + ".keyPath': cannot load the key " + tls.keyPath
          + " with the certificate " + tls.certPath + ": " + e.getMessage());
    }
    for (String type : new String[] {"RSA", "EC", "EdDSA", "Ed25519", "RSASSA-PSS"}) {
      String[] aliases = keys.getServerAliases(type, null);
      if (aliases == null) {
        continue;
      }
      for (String alias : aliases) {
        PrivateKey privateKey = keys.getPrivateKey(alias);
        X509Certificate[] chain = keys.getCertificateChain(alias);
        if (privateKey != null && chain != null && chain.length > 0) {
          ConfigException.check(signsFor(privateKey, chain[0].getPublicKey()), key + ".keyPath",
              "the key " + tls.keyPath + " does not match the certificate " + tls.certPath);
          return chain[0];
        }
      }
    }
    throw new ConfigException("configuration key '" + key + ".keyPath': no usable private key in " + tls.keyPath);
  }

  private static boolean signsFor(PrivateKey privateKey, PublicKey publicKey) {
    String algorithm = switch (privateKey.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "RSASSA-PSS" -> "RSASSA-PSS";
      default -> privateKey.getAlgorithm(); // EdDSA, Ed25519
    };
    try {
      byte[] challenge = new byte[32];
      new SecureRandom().nextBytes(challenge);
      // One instance signs, then verifies (init resets it; the PSS parameters stay).
      Signature signature = Signature.getInstance(algorithm);
      if (algorithm.equals("RSASSA-PSS")) {
        signature.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
      }
      signature.initSign(privateKey);
      signature.update(challenge);
      byte[] signed = signature.sign();
      signature.initVerify(publicKey);
      signature.update(challenge);
      return signature.verify(signed);
    } catch (GeneralSecurityException e) {
      return false; // a key of another algorithm than the certificate's
    }
  }

  /** Key and certificate, client-certificate policy and CA bundle, protocols. */
  public static ServerSSLOptions sslOptions(BrokerConfig.Tls tls) {
    ServerSSLOptions ssl = new ServerSSLOptions()
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.certPath).setKeyPath(tls.keyPath))
        .setEnabledSecureTransportProtocols(PROTOCOLS)
        .setClientAuth(clientAuth(tls.clientAuth));
    if (tls.caPath != null) {
      ssl.setTrustOptions(new PemTrustOptions().addCertPath(tls.caPath));
    }
    return ssl;
  }

  static ClientAuth clientAuth(BrokerConfig.ClientAuthMode mode) {
    switch (mode == null ? BrokerConfig.ClientAuthMode.none : mode) {
      case request:
        return ClientAuth.REQUEST;
      case require:
        return ClientAuth.REQUIRED;
      default:
        return ClientAuth.NONE;
    }
  }

  /** The SSL engine the configured {@code tls.engine} resolves to on this machine. */
  public static SSLEngineOptions engineOptions(BrokerConfig.TlsEngine engine) {
    return resolve(engine) == BrokerConfig.TlsEngine.openssl ? new OpenSSLEngineOptions() : new JdkSSLEngineOptions();
  }

  /**
   * {@code jdk} or {@code openssl} as configured; {@code auto} is the preferred engine when it is
   * available and the JDK's otherwise. An explicit {@code openssl} that is not available is
   * refused by the configuration check.
   */
  public static BrokerConfig.TlsEngine resolve(BrokerConfig.TlsEngine engine) {
    if (engine == null || engine == BrokerConfig.TlsEngine.auto) {
      return PREFERRED == BrokerConfig.TlsEngine.openssl && !openSslAvailable()
          ? BrokerConfig.TlsEngine.jdk : PREFERRED;
    }
    return engine;
  }

  public static boolean openSslAvailable() {
    try {
      return OpenSSLEngineOptions.isAvailable();
    } catch (Throwable e) {
      return false;
    }
  }
}
