package io.tributary.websocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.mqtt.MqttOptions;
import io.tributary.router.counters.BrokerCounters.Counter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The WebSocket listener under hostile clients, over real sockets: RFC 6455 closing rules, floods
 * of pings or PINGREQs from a peer that never reads, slow and idle HTTP connections.
 */
// A guard against a hang (a client library waiting forever), not a performance bound.
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class WebSocketHardeningTest {

  private static final int OP_TEXT = 0x1;
  private static final int OP_BINARY = 0x2;
  private static final int OP_CLOSE = 0x8;
  /** Far more than the kernel buffers on both sides and the broker's write budget can hold. */
  private static final long FLOOD_LIMIT = 256L << 20;
  /** What a broker that stops reading lets through: kernel buffers (several MB each way) and one read. */
  private static final long STALL_BOUND = 64L << 20;

  static byte[] str(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[b.length + 2];
    out[0] = (byte) (b.length >> 8);
    out[1] = (byte) b.length;
    System.arraycopy(b, 0, out, 2, b.length);
    return out;
  }

  static byte[] connect(int level, String clientId) {
    ByteArrayOutputStream vh = new ByteArrayOutputStream();
    vh.writeBytes(str("MQTT"));
    vh.write(level);
    vh.write(0x02); // clean session / clean start
    vh.write(0);
    vh.write(60);
    if (level == 5) {
      vh.write(0); // no properties
    }
    vh.writeBytes(str(clientId));
    byte[] body = vh.toByteArray();
    byte[] out = new byte[body.length + 2];
    out[0] = 0x10;
    out[1] = (byte) body.length;
    System.arraycopy(body, 0, out, 2, body.length);
    return out;
  }

  private static RawSocketWs.Frame last(List<RawSocketWs.Frame> frames) {
    assertTrue(!frames.isEmpty(), "the broker closed without a Close frame");
    return frames.get(frames.size() - 1);
  }

  @Test
  void rsvBitsWithoutAnExtensionCloseWith1002() throws Exception {
    try (WsTestBroker broker = WsTestBroker.start(); RawSocketWs ws = new RawSocketWs(broker.wsPort(), 10_000)) {
      long before = broker.broker().counters().get(Counter.WEBSOCKET_PROTOCOL_ERRORS);
      // FIN + RSV1 + binary: RSV1 means "compressed" only when permessage-deflate was agreed.
      ws.send(RawSocketWs.frame(0xC2, connect(4, "rsv")));
      List<RawSocketWs.Frame> frames = ws.readUntilEof();
      RawSocketWs.Frame close = last(frames);
      assertEquals(OP_CLOSE, close.opcode());
      assertEquals(1002, close.closeStatus());
      assertEquals(1, frames.size(), "frames besides the Close: " + frames);
      assertEquals(before + 1, broker.broker().counters().get(Counter.WEBSOCKET_PROTOCOL_ERRORS));
    }
  }

  @Test
  void aPeerThatNeverClosesIsCutOffAfterTheDrain() throws Exception {
    try (WsTestBroker broker = WsTestBroker.start(); RawSocketWs ws = new RawSocketWs(broker.wsPort(), 10_000)) {
      ws.send(RawSocketWs.frame(0xC2, connect(4, "stays"))); // 1002, then the broker shuts its side
      assertEquals(1002, last(ws.readUntilEof()).closeStatus());
      // Keep sending and never close: the broker drains for a bounded time, then closes, after
      // which our writes fail (the connection is reset).
      boolean cut = false;
      for (int i = 0; i < 100 && !cut; i++) {
        try {
          ws.send(RawSocketWs.binary(new byte[] {(byte) 0xC0, 0x00}));
          Thread.sleep(100);
        } catch (IOException e) {
          cut = true;
        }
      }
      assertTrue(cut, "the broker kept draining a peer that never closed");
    }
  }

  @Test
  void textFrameClosesWith1003AndNothingFollowsTheClose() throws Exception {
    try (WsTestBroker broker = WsTestBroker.start(); RawSocketWs ws = new RawSocketWs(broker.wsPort(), 10_000)) {
      ws.send(RawSocketWs.binary(connect(4, "text")));
      RawSocketWs.Frame connack = ws.read();
      assertArrayEquals(new byte[] {0x20, 0x02, 0x00, 0x00}, connack.payload());
      // A text frame, then a PINGREQ in the same write: the PINGRESP must not follow the Close.
      ws.send(concat(RawSocketWs.frame(0x81, "hello".getBytes(StandardCharsets.UTF_8)),
          RawSocketWs.binary(new byte[] {(byte) 0xC0, 0x00})));
      List<RawSocketWs.Frame> frames = ws.readUntilEof();
      RawSocketWs.Frame close = last(frames);
      assertEquals(OP_CLOSE, close.opcode());
      assertEquals(1003, close.closeStatus());
      assertEquals(1, frames.size(), "frames besides the Close: " + frames);
    }
  }

  @Test
  void unsupportedProtocolLevelGetsItsConnAckThenTheConnectionCloses() throws Exception {
    try (WsTestBroker broker = WsTestBroker.start(); RawSocketWs ws = new RawSocketWs(broker.wsPort(), 10_000)) {
      ws.send(RawSocketWs.binary(connect(9, "level9")));
      List<RawSocketWs.Frame> frames = ws.readUntilEof();
      assertEquals(2, frames.size(), "CONNACK, then Close: " + frames);
      assertEquals(OP_BINARY, frames.get(0).opcode());
      assertArrayEquals(new byte[] {0x20, 0x02, 0x00, 0x01}, frames.get(0).payload());
      assertEquals(OP_CLOSE, frames.get(1).opcode());
    }
  }

  @Test
  void mqtt5TakeoverSendsDisconnect0x8EOverWebSocket() throws Exception {
    try (WsTestBroker broker = WsTestBroker.start(); RawSocketWs first = new RawSocketWs(broker.wsPort(), 10_000)) {
      first.send(RawSocketWs.binary(connect(5, "taken")));
      assertEquals(0x20, first.read().payload()[0] & 0xFF);
      try (RawSocketWs second = new RawSocketWs(broker.wsPort(), 10_000)) {
        second.send(RawSocketWs.binary(connect(5, "taken")));
        List<RawSocketWs.Frame> frames = first.readUntilEof();
        assertEquals(2, frames.size(), "DISCONNECT, then Close: " + frames);
        byte[] disconnect = frames.get(0).payload();
        assertEquals(0xE0, disconnect[0] & 0xFF, "a DISCONNECT: " + Arrays.toString(disconnect));
        assertEquals(0x8E, disconnect[2] & 0xFF, "reason 0x8E session taken over");
        assertEquals(OP_CLOSE, frames.get(1).opcode());
        assertEquals(0x20, second.read().payload()[0] & 0xFF, "the new connection got its CONNACK");
      }
    }
  }

  /** Writes {@code unit} over and over until the broker stops reading; returns the bytes written. */
  private static long floodUntilStalled(Socket socket, byte[] unit) throws Exception {
    AtomicLong written = new AtomicLong();
    Thread writer = new Thread(() -> {
      try {
        OutputStream out = socket.getOutputStream();
        byte[] chunk = new byte[(65536 / unit.length) * unit.length];
        for (int i = 0; i < chunk.length; i += unit.length) {
          System.arraycopy(unit, 0, chunk, i, unit.length);
        }
        while (written.get() < FLOOD_LIMIT) {
          out.write(chunk);
          written.addAndGet(chunk.length);
        }
      } catch (IOException e) {
        // closed by the broker or by the test
      }
    }, "flood");
    writer.setDaemon(true);
    writer.start();
    long last = -1;
    // Bounded: the flood ends when the broker stops reading (no progress for 2 s) or at the limit.
    for (int i = 0; i < 600 && writer.isAlive(); i++) {
      Thread.sleep(2000);
      long now = written.get();
      if (now == last) {
        break;
      }
      last = now;
    }
    return written.get();
  }

  private static void assertControlClientWorks(WsTestBroker broker) throws Exception {
    try (RawSocketWs control = new RawSocketWs(broker.wsPort(), 10_000)) {
      control.send(RawSocketWs.binary(connect(4, "control")));
      assertArrayEquals(new byte[] {0x20, 0x02, 0x00, 0x00}, control.read().payload());
      control.send(RawSocketWs.binary(new byte[] {(byte) 0xC0, 0x00}));
      assertArrayEquals(new byte[] {(byte) 0xD0, 0x00}, control.read().payload(), "PINGRESP");
    }
  }

  @Test
  void pingFloodFromAPeerThatNeverReadsStopsBeingReadThenIsClosed() throws Exception {
    MqttOptions mqtt = new MqttOptions().setWriteStallTimeoutMs(1000);
    try (WsTestBroker broker = WsTestBroker.start(o -> { }, mqtt);
        RawSocketWs ws = new RawSocketWs(broker.wsPort(), 10_000)) {
      long before = broker.broker().counters().get(Counter.SLOW_CONSUMERS_CLOSED);
      byte[] payload = new byte[125];
      long written = floodUntilStalled(ws.socket, RawSocketWs.frame(0x89, payload));
      assertTrue(written < STALL_BOUND, "the broker kept reading pings whose pongs were not read: "
          + (written >> 20) + " MiB written");
      assertControlClientWorks(broker);
      for (int i = 0; i < 200 && broker.broker().counters().get(Counter.SLOW_CONSUMERS_CLOSED) == before; i++) {
        Thread.sleep(50);
      }
      assertEquals(before + 1, broker.broker().counters().get(Counter.SLOW_CONSUMERS_CLOSED),
          "the peer that reads no PONG was not closed after the stall timeout");
    }
  }

  @Test
  void pingreqFloodFromAPeerThatNeverReadsStopsBeingReadThenIsClosed() throws Exception {
    MqttOptions mqtt = new MqttOptions().setWriteStallTimeoutMs(1000);
    try (WsTestBroker broker = WsTestBroker.start(o -> { }, mqtt);
        RawSocketWs ws = new RawSocketWs(broker.wsPort(), 10_000)) {
      ws.send(RawSocketWs.binary(connect(4, "pinger")));
      long before = broker.broker().counters().get(Counter.SLOW_CONSUMERS_CLOSED);
      byte[] pingreqs = new byte[8192];
      for (int i = 0; i < pingreqs.length; i += 2) {
        pingreqs[i] = (byte) 0xC0;
      }
      long written = floodUntilStalled(ws.socket, RawSocketWs.binary(pingreqs));
      assertTrue(written < STALL_BOUND, "the broker kept reading PINGREQs whose PINGRESPs were not read: "
          + (written >> 20) + " MiB written");
      assertControlClientWorks(broker);
      // It holds a descriptor and a full queue, and reads nothing: closed after the stall timeout.
      for (int i = 0; i < 200 && broker.broker().counters().get(Counter.SLOW_CONSUMERS_CLOSED) == before; i++) {
        Thread.sleep(50);
      }
      assertEquals(before + 1, broker.broker().counters().get(Counter.SLOW_CONSUMERS_CLOSED));
    }
  }

  /** Reads until end of stream; fails if the socket stays open for the whole read timeout. */
  private static void assertClosedByBroker(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    byte[] buf = new byte[4096];
    try {
      while (in.read(buf) >= 0) {
        // discard the response, if any
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the broker did not close the connection", e);
    } catch (IOException e) {
      // reset: closed too
    }
  }

  @Test
  void slowRequestHeadIsClosedAtItsDeadline() throws Exception {
    try (WsTestBroker broker = WsTestBroker.start(o -> o.setRequestTimeoutMs(1000).setIdleTimeoutMs(1500));
        Socket s = new Socket("127.0.0.1", broker.wsPort())) {
      long before = broker.broker().counters().get(Counter.HTTP_TIMEOUTS);
      s.setSoTimeout(15_000);
      OutputStream out = s.getOutputStream();
      out.write("GET /health HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
      // One header byte every 300 ms keeps the idle timeout from firing; the head deadline must.
      Thread trickle = new Thread(() -> {
        try {
          for (int i = 0; i < 100; i++) {
            out.write('x');
            out.flush();
            Thread.sleep(300);
          }
        } catch (IOException | InterruptedException e) {
          // closed by the broker
        }
      });
      trickle.setDaemon(true);
      trickle.start();
      assertClosedByBroker(s);
      assertTrue(broker.broker().counters().get(Counter.HTTP_TIMEOUTS) > before, "counted as an HTTP timeout");
    }
  }

  @Test
  void idleKeepAliveConnectionIsClosedAfterTheIdleTimeout() throws Exception {
    try (WsTestBroker broker = WsTestBroker.start(o -> o.setRequestTimeoutMs(60_000).setIdleTimeoutMs(1000));
        Socket s = new Socket("127.0.0.1", broker.wsPort())) {
      long before = broker.broker().counters().get(Counter.HTTP_TIMEOUTS);
      s.setSoTimeout(15_000);
      s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      String head = io.tributary.mqtt.WebSocketStreams.readHead(s.getInputStream());
      assertTrue(head.startsWith("HTTP/1.1 200"), head);
      assertClosedByBroker(s);
      assertEquals(before + 1, broker.broker().counters().get(Counter.HTTP_TIMEOUTS));
    }
  }

  @Test
  void aRefusedUpgradeLeavesAnHttpConnectionWithItsIdleDeadline() throws Exception {
    try (WsTestBroker broker = WsTestBroker.start(o -> o.setRequestTimeoutMs(60_000).setIdleTimeoutMs(1000));
        Socket s = new Socket("127.0.0.1", broker.wsPort())) {
      s.setSoTimeout(15_000);
      // The MQTT path without an upgrade: 426, and the connection stays open as HTTP.
      s.getOutputStream().write("GET /mqtt HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      String head = io.tributary.mqtt.WebSocketStreams.readHead(s.getInputStream());
      assertTrue(head.startsWith("HTTP/1.1 426"), head);
      assertClosedByBroker(s);
    }
  }

  @Test
  void upgradedMqttConnectionOutlivesTheHttpTimeouts() throws Exception {
    try (WsTestBroker broker = WsTestBroker.start(o -> o.setRequestTimeoutMs(300).setIdleTimeoutMs(300));
        RawSocketWs ws = new RawSocketWs(broker.wsPort(), 10_000)) {
      ws.send(RawSocketWs.binary(connect(4, "patient")));
      assertNotNull(ws.read());
      Thread.sleep(1500); // several HTTP timeouts: MQTT's keep alive (60 s) governs now
      ws.send(RawSocketWs.binary(new byte[] {(byte) 0xC0, 0x00}));
      assertArrayEquals(new byte[] {(byte) 0xD0, 0x00}, ws.read().payload());
    }
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      b.writeBytes(p);
    }
    return b.toByteArray();
  }
}
