package io.tributary.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What {@link TcpTransport} relies on in Vert.x's internals (docs/architecture.md, "Vert.x and Netty
 * internals"), checked against the Vert.x on the class path so an upgrade that changes it fails
 * here rather than in production: the socket's handler context is reachable and replaceable, the
 * file-transfer handler Vert.x adds on TLS is named {@code chunkedWriter} (we remove it by name),
 * and bytes read reach the engine on the connection's own Vert.x context.
 */
@Timeout(60)
class VertxInternalsTest {

  private static TestCerts certs;

  @BeforeAll
  static void pki() throws Exception {
    certs = TestCerts.create();
  }

  @AfterAll
  static void cleanup() throws Exception {
    certs.delete();
  }

  /** The pipeline after the takeover, and the context reads were handed to the engine on. */
  private record TakenOver(List<String> names, List<ChannelHandler> handlers, Context acceptContext,
      Context readContext, String read) {}

  private static TakenOver takeOver(boolean tls) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      NetServerOptions options = new NetServerOptions().setHost("127.0.0.1").setPort(0);
      if (tls) {
        options.setSsl(true).setKeyCertOptions(
            new PemKeyCertOptions().setCertPath(certs.pem("server.pem")).setKeyPath(certs.pem("server.key")));
      }
      CompletableFuture<TakenOver> result = new CompletableFuture<>();
      NetServer server = vertx.createNetServer(options);
      server.connectHandler(socket -> {
        Context accept = Vertx.currentContext();
        TcpTransport transport = TcpTransport.takeOver((NetSocketInternal) socket);
        ChannelPipeline pipeline = transport.ctx().pipeline();
        List<String> names = new ArrayList<>();
        List<ChannelHandler> handlers = new ArrayList<>();
        for (Map.Entry<String, ChannelHandler> e : pipeline) {
          names.add(e.getKey());
          handlers.add(e.getValue());
        }
        transport.handler(buf -> {
          String text = buf.toString(StandardCharsets.US_ASCII);
          buf.release();
          result.complete(new TakenOver(names, handlers, accept, Vertx.currentContext(), text));
        });
      });
      int port = server.listen().await(10, TimeUnit.SECONDS).actualPort();
      try (Socket s = tls ? tlsSocket(port) : new Socket("127.0.0.1", port)) {
        s.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        return result.get(10, TimeUnit.SECONDS);
      }
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static Socket tlsSocket(int port) throws Exception {
    SSLSocket s = (SSLSocket) certs.clientContext(null).getSocketFactory().createSocket("127.0.0.1", port);
    s.startHandshake();
    return s;
  }

  @Test
  void theTransportReplacesVertxsHandlerAndTheTlsFileHandlerIsGone() throws Exception {
    TakenOver t = takeOver(true);
    assertTrue(t.names().contains("mqtt"), "the transport is in the pipeline: " + t.names());
    assertTrue(t.handlers().stream().noneMatch(h -> h instanceof ChunkedWriteHandler),
        "Vert.x's file-transfer handler (removed by its name 'chunkedWriter') is still there: " + t.names());
    assertTrue(t.handlers().stream().noneMatch(h -> h.getClass().getName().startsWith("io.vertx.core.net.impl")),
        "a Vert.x socket handler is still in the pipeline: " + t.names());
    assertEquals("ping", t.read());
  }

  @Test
  void readsReachTheEngineOnTheConnectionsOwnContext() throws Exception {
    TakenOver t = takeOver(false);
    assertNotNull(t.readContext(), "no Vert.x context while the engine handles a read");
    assertSame(t.acceptContext(), t.readContext(), "reads run on another context than the connection's");
    assertTrue(t.readContext().isEventLoopContext());
    assertNull(t.handlers().stream().filter(h -> h instanceof ChunkedWriteHandler).findAny().orElse(null));
  }
}
