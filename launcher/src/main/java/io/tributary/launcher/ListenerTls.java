package io.tributary.launcher;

import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SSLEngineOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.util.Set;

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
