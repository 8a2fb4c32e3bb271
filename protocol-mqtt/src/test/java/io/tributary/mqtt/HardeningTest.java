package io.tributary.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tributary.mqtt.codec.Ack;
import io.tributary.mqtt.codec.Disconnect;
import io.tributary.mqtt.codec.MqttProperties;
import io.tributary.mqtt.codec.PacketType;
import io.tributary.router.counters.BrokerCounters.Counter;
import io.tributary.router.message.Message;
import io.tributary.router.RouterOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/** The MQTT engine's bounds, each crossed with a real socket. */
// A guard against a hang (a client library waiting forever), not a performance bound.
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class HardeningTest {

  private static MqttProperties userProperties(int count, int valueLength) {
    MqttProperties p = new MqttProperties();
    String value = "v".repeat(valueLength);
    for (int i = 0; i < count; i++) {
      p.addUserProperty("k" + i, value);
    }
    return p;
  }

  private static void assertRefusedWith0x95(TestBroker broker, MqttProperties props) throws IOException {
    long refused = broker.broker().counters().get(Counter.USER_PROPERTIES_REFUSED);
    long published = broker.broker().publishedCount();
    try (MqttWire c = MqttWire.connect5(broker.port(), "props")) {
      c.publish("up/t", 1, false, "x".getBytes(StandardCharsets.UTF_8), props);
      Disconnect d = c.expect(Disconnect.class, 10_000);
      assertEquals(0x95, d.reasonCode());
    }
    assertEquals(refused + 1, broker.broker().counters().get(Counter.USER_PROPERTIES_REFUSED));
    assertEquals(published, broker.broker().publishedCount(), "nothing of the refused packet was stored");
  }

  @Test
  void moreUserPropertiesThanTheLimitAreRefusedWith0x95() throws Exception {
    try (TestBroker broker = TestBroker.start()) {
      assertRefusedWith0x95(broker, userProperties(MqttOptions.DEFAULT_MAX_USER_PROPERTIES + 1, 1));
    }
  }

  @Test
  void userPropertiesOverTheByteLimitAreRefusedWith0x95() throws Exception {
    try (TestBroker broker = TestBroker.start(2, new MqttOptions().setMaxUserPropertyBytes(10_000), new RouterOptions())) {
      assertRefusedWith0x95(broker, userProperties(3, 4000));
    }
  }

  @Test
  void userPropertiesUpToTheLimitsAreAccepted() throws Exception {
    try (TestBroker broker = TestBroker.start(); MqttWire c = MqttWire.connect5(broker.port(), "many")) {
      c.publish("up/t", 1, false, "x".getBytes(StandardCharsets.UTF_8),
          userProperties(MqttOptions.DEFAULT_MAX_USER_PROPERTIES, 100));
      Ack ack = c.expectAck(PacketType.PUBACK, 10_000);
      assertTrue(ack.reasonCode() < 0x80, "PUBACK " + ack.reasonCode());
    }
  }

  @Test
  void aForgedClientIdCannotStartALogLine() throws Exception {
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    ch.qos.logback.classic.Logger logger =
        (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.tributary.mqtt.MqttConnection");
    logger.addAppender(logs);
    String forged = "x\n01:02:03.456 ERROR [main] TributaryMain - forged";
    try (TestBroker broker = TestBroker.start(); MqttWire c = MqttWire.connect5(broker.port(), forged)) {
      c.sendBytes(MqttWire.bytes5(MqttWire.connectPacket5(forged, true, 60, MqttProperties.EMPTY))); // second CONNECT
      c.expect(Disconnect.class, 10_000);
      String line = null;
      for (int i = 0; i < 200 && line == null; i++) {
        synchronized (logs) {
          for (ILoggingEvent e : new ArrayList<>(logs.list)) {
            if (e.getFormattedMessage().contains("second CONNECT")) {
              line = e.getFormattedMessage();
            }
          }
        }
        Thread.sleep(10);
      }
      assertTrue(line != null, "no violation line logged");
      assertFalse(line.contains("\n"), "a line break reached the log: " + line);
      assertTrue(line.contains("x\\n01:02:03.456 ERROR"), "the id is shown escaped: " + line);
    } finally {
      logger.detachAppender(logs);
    }
  }

  /**
   * The broker closes a connection while the client is still sending: a socket closed with input
   * still arriving answers it with a TCP reset, and a client whose send fails with "connection
   * reset" may never read the packet that told it why (Paho's test_flow_control2 saw that). The
   * broker shuts its side after the last packet and drains: the client's sends go through, then it
   * reads the packet and an orderly end of stream.
   */
  @Test
  void theLastPacketIsFollowedByAnOrderlyCloseWhileTheClientIsStillSending() throws Exception {
    byte[] level9 = {0x10, 0x0D, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x09, 0x02, 0x00, 0x3C, 0x00, 0x01, 'c'};
    byte[] chunk = new byte[16 * 1024];
    try (TestBroker broker = TestBroker.start()) {
      for (int i = 0; i < 5; i++) {
        try (Socket s = new Socket("127.0.0.1", broker.port())) {
          s.setSoTimeout(10_000);
          OutputStream out = s.getOutputStream();
          out.write(level9);
          out.flush();
          byte[] connack = s.getInputStream().readNBytes(4);
          assertEquals("20020001", java.util.HexFormat.of().formatHex(connack), "CONNACK 0x01, round " + i);
          Thread.sleep(50); // the broker has closed its side by now
          for (int k = 0; k < 16; k++) {
            out.write(chunk); // a reset would fail these ("Broken pipe" / "Connection reset")
            out.flush();
            Thread.sleep(2);
          }
          assertEquals(-1, s.getInputStream().read(), "an orderly end of stream, round " + i);
        }
      }
    }
  }

  @Test
  void aSessionThatIsNotReadingIsReportedWhileItLosesRecordsToRetention() throws Exception {
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    ch.qos.logback.classic.Logger logger =
        (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.tributary.router.session.SessionRegistry");
    logger.addAppender(logs);
    RouterOptions router = new RouterOptions().setRetentionReportMs(100)
        .setLog(new io.tributary.commitlog.CommitLogOptions().setSegmentBytes(1024).setRetentionBytes(4096));
    try (TestBroker broker = TestBroker.start(2, new MqttOptions(), router)) {
      try (MqttWire away = MqttWire.connect5(broker.port(), "away", true,
          new MqttProperties().sessionExpiryInterval(3600L))) {
        away.subscribe("loss/#", 1);
      }
      try (MqttWire pub = MqttWire.connect5(broker.port(), "feeder")) {
        for (int i = 0; i < 200; i++) {
          pub.publish("loss/t", 1, false, new byte[200], MqttProperties.EMPTY);
          pub.expectAck(PacketType.PUBACK, 10_000);
        }
      }
      String line = null;
      for (int i = 0; i < 100 && line == null; i++) {
        synchronized (logs) {
          for (ILoggingEvent e : new ArrayList<>(logs.list)) {
            if (e.getFormattedMessage().startsWith("client away is not reading")) {
              line = e.getFormattedMessage();
            }
          }
        }
        Thread.sleep(50);
      }
      assertTrue(line != null, "no report while the session was away");
      assertTrue(line.matches("client away is not reading: \\d+ more records removed by retention.*"), line);
    } finally {
      logger.detachAppender(logs);
    }
  }

  @Test
  void pingreqFloodOverTcpStopsBeingReadAndIsClosedAfterTheStallTimeout() throws Exception {
    MqttOptions options = new MqttOptions().setWriteStallTimeoutMs(1000);
    try (TestBroker broker = TestBroker.start(2, options, new RouterOptions());
        Socket s = new Socket("127.0.0.1", broker.port())) {
      long before = broker.broker().counters().get(Counter.SLOW_CONSUMERS_CLOSED);
      OutputStream out = s.getOutputStream();
      out.write(MqttWire.bytes5(MqttWire.connectPacket5("flood", true, 0, MqttProperties.EMPTY)));
      byte[] chunk = new byte[65536];
      for (int i = 0; i < chunk.length; i += 2) {
        chunk[i] = (byte) 0xC0;
      }
      AtomicLong written = new AtomicLong();
      Thread writer = new Thread(() -> {
        try {
          while (written.get() < (256L << 20)) {
            out.write(chunk);
            written.addAndGet(chunk.length);
          }
        } catch (IOException e) {
          // closed by the broker
        }
      });
      writer.setDaemon(true);
      writer.start();
      for (int i = 0; i < 300 && broker.broker().counters().get(Counter.SLOW_CONSUMERS_CLOSED) == before; i++) {
        Thread.sleep(100);
      }
      assertEquals(before + 1, broker.broker().counters().get(Counter.SLOW_CONSUMERS_CLOSED),
          "the connection that reads nothing was not closed as a slow consumer");
      assertTrue(written.get() < (64L << 20), "the broker read " + (written.get() >> 20)
          + " MiB of PINGREQs whose PINGRESPs were never read");
    }
  }
}
