package io.tributary.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.ChannelHandler;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.tributary.router.counters.BrokerCounters;
import io.tributary.router.logging.LogThrottle;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What {@link WebSocketTransport} relies on in Vert.x's internals (docs/architecture.md), checked
 * against the Vert.x on the class path: the upgraded WebSocket's handler context is reachable and
 * replaceable, the HTTP idle handler and the TLS file-transfer handler (removed by its name
 * {@code chunkedWriter}) are gone after the takeover, and binary frames reach the engine on the
 * connection's own Vert.x context.
 */
@Timeout(60)
class WebSocketInternalsTest {

  @org.junit.jupiter.api.io.TempDir
  static Path dir;

  private record TakenOver(List<String> names, List<ChannelHandler> handlers, Context upgradeContext,
      Context readContext, String read) {}

  @Test
  void theTransportReplacesVertxsWebSocketHandlerOverTls() throws Exception {
    SecureWebSocketTest.dir = dir; // its certificate() writes into the test's temporary directory
    Path[] pem = SecureWebSocketTest.certificate();
    Vertx vertx = Vertx.vertx();
    try {
      CompletableFuture<TakenOver> result = new CompletableFuture<>();
      HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)
          .setSsl(true).setIdleTimeout(30)
          .setKeyCertOptions(new PemKeyCertOptions().setCertPath(pem[0].toString()).setKeyPath(pem[1].toString())));
      server.webSocketHandler(ws -> {
        Context upgrade = Vertx.currentContext();
        WebSocketTransport t = WebSocketTransport.takeOver(ws, new BrokerCounters(), new LogThrottle(10, 1), 60_000);
        List<String> names = new ArrayList<>();
        List<ChannelHandler> handlers = new ArrayList<>();
        for (Map.Entry<String, ChannelHandler> e : t.pipeline()) {
          names.add(e.getKey());
          handlers.add(e.getValue());
        }
        t.handler(buf -> {
          String text = buf.toString(StandardCharsets.US_ASCII);
          buf.release();
          result.complete(new TakenOver(names, handlers, upgrade, Vertx.currentContext(), text));
        });
      });
      int port = server.listen().await(10, TimeUnit.SECONDS).actualPort();
      var client = vertx.createWebSocketClient(new WebSocketClientOptions().setSsl(true)
          .setTrustOptions(new PemTrustOptions().addCertPath(pem[0].toString())));
      var ws = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/mqtt")
          .setSsl(true)).await(10, TimeUnit.SECONDS);
      ws.writeBinaryMessage(Buffer.buffer("ping"));
      TakenOver t = result.get(10, TimeUnit.SECONDS);
      assertTrue(t.names().contains("mqtt-ws"), "the transport is in the pipeline: " + t.names());
      assertTrue(t.handlers().stream().noneMatch(h -> h instanceof ChunkedWriteHandler),
          "Vert.x's file-transfer handler (removed by its name 'chunkedWriter') is still there: " + t.names());
      assertTrue(t.handlers().stream().noneMatch(h -> h instanceof IdleStateHandler),
          "the HTTP idle handler is still there: " + t.names());
      assertTrue(t.handlers().stream().noneMatch(h -> h.getClass().getName().startsWith("io.vertx.core.http.impl")),
          "a Vert.x WebSocket handler is still in the pipeline: " + t.names());
      assertEquals("ping", t.read());
      assertNotNull(t.readContext(), "no Vert.x context while the engine handles a frame");
      assertSame(t.upgradeContext(), t.readContext(), "frames are handled on another context than the connection's");
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
