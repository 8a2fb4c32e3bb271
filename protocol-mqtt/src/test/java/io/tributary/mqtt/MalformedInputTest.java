package io.tributary.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tributary.router.RouterOptions;
import io.tributary.router.counters.BrokerCounters;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.slf4j.LoggerFactory;

/**
 * Malformed and forbidden input over a raw socket against a real broker (MQTT 3.1.1).
 *
 * <p>Every bad packet is written out byte by byte here (never with the project's encoder). Each
 * test asserts that (a) the broker closes that socket promptly without answering the bad packet,
 * (b) nothing of the bad packet was stored or delivered (a Paho subscriber on '#' gets nothing,
 * {@code Broker.publishedCount()} does not move), (c) the violation is counted and logged with the
 * client id and a reason, and (d) everyone else is undisturbed: the subscriber, a publisher and two
 * raw bystander connections stay connected and a good publish sent afterwards is delivered.
 */
class MalformedInputTest {

  private static final int TIMEOUT_MS = 5_000;
  private static final int SMALL_MAX = 1024;

  private static Fixture def;
  private static Fixture small;
  private static ListAppender<ILoggingEvent> logs;
  private static ch.qos.logback.classic.Logger connectionLogger;

  private String name;

  @BeforeAll
  static void startBrokers() throws Exception {
    logs = new ListAppender<>();
    logs.start();
    connectionLogger = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.tributary.mqtt.MqttConnection");
    connectionLogger.addAppender(logs);
    def = new Fixture(TestBroker.start(), "def");
    small = new Fixture(TestBroker.start(2, new MqttOptions().setMaxPacketSize(SMALL_MAX), new RouterOptions()), "small");
  }

  @AfterAll
  static void stopBrokers() {
    try {
      if (def != null) {
        def.close();
      }
    } finally {
      try {
        if (small != null) {
          small.close();
        }
      } finally {
        connectionLogger.detachAppender(logs);
        logs.stop();
      }
    }
  }

  @BeforeEach
  void before(TestInfo info) {
    name = info.getTestMethod().orElseThrow().getName();
    def.got.clear();
    small.got.clear();
  }

  // ---- remaining length --------------------------------------------------------------------

  @Test
  void remainingLengthWithFifthContinuationByte() throws Exception {
    violationAfterConnect(bytes(0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0x00, 0x01, 'a', 'x'));
  }

  @Test
  void remainingLengthWithFifthContinuationByteSmallValue() throws Exception {
    violationAfterConnect(bytes(0x30, 0x80, 0x80, 0x80, 0x80, 0x01, 0x00, 0x01, 'a', 'x'));
  }

  @Test
  void remainingLengthWithFifthContinuationByteAsFirstPacket() throws Exception {
    violationAsFirstPacket(bytes(0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F));
  }

  // ---- reserved fixed-header flags ---------------------------------------------------------

  @Test
  void subscribeWithReservedFlags0000() throws Exception {
    violationAfterConnect(packet(0x80, u16(1), str("a/b"), bytes(0)));
  }

  @Test
  void subscribeWithReservedFlags0011() throws Exception {
    violationAfterConnect(packet(0x83, u16(1), str("a/b"), bytes(0)));
  }

  @Test
  void unsubscribeWithReservedFlags0000() throws Exception {
    violationAfterConnect(packet(0xA0, u16(1), str("a/b")));
  }

  @Test
  void pubrelWithReservedFlags0000() throws Exception {
    violationAfterConnect(packet(0x60, u16(1)));
  }

  @Test
  void pingreqWithReservedFlags0001() throws Exception {
    violationAfterConnect(bytes(0xC1, 0x00));
  }

  @Test
  void disconnectWithReservedFlags0001() throws Exception {
    violationAfterConnect(bytes(0xE1, 0x00));
  }

  @Test
  void pubackWithReservedFlags0001() throws Exception {
    violationAfterConnect(packet(0x41, u16(1)));
  }

  @Test
  void pubrecWithReservedFlags0010() throws Exception {
    violationAfterConnect(packet(0x52, u16(1)));
  }

  @Test
  void pubcompWithReservedFlags1000() throws Exception {
    violationAfterConnect(packet(0x78, u16(1)));
  }

  @Test
  void connectWithReservedFixedHeaderFlags() throws Exception {
    violationAsFirstPacket(packet(0x11, connectVariableHeader(0x02, 60), str(name)));
  }

  /**
   * A DISCONNECT with bad flags is a protocol error, not a graceful DISCONNECT: the connection's
   * will must be published (MQTT 3.1.1 §3.1.2.5).
   */
  @Test
  void disconnectWithReservedFlagsIsNotGracefulAndPublishesTheWill() throws Exception {
    String willTopic = "will/" + name;
    long published = def.broker.broker().publishedCount();
    long violations = violationCount();
    try (MqttWire raw = MqttWire.open311(def.port())) {
      raw.sendBytes(packet(0x10, connectVariableHeader(0x06, 60), str(clientId()), str(willTopic), str("gone")));
      expectConnAck(raw);
      raw.sendBytes(bytes(0xE1, 0x00));
      assertEquals("", hex(raw.awaitCloseBytes(TIMEOUT_MS)), "broker answered the bad DISCONNECT");
      assertViolationCounted(violations);
      assertViolationLogged(clientId(), raw.localPort());
    }
    assertUndisturbed(def, published + 1, List.of(willTopic + "=gone"));
  }

  // ---- PUBLISH fixed header ----------------------------------------------------------------

  @Test
  void publishWithQos3() throws Exception {
    violationAfterConnect(packet(0x36, str("a/b"), u16(7), ascii("x")));
  }

  @Test
  void publishWithQos3AndRetain() throws Exception {
    violationAfterConnect(packet(0x37, str("a/b"), u16(7), ascii("x")));
  }

  @Test
  void publishWithDupAndQos0() throws Exception {
    violationAfterConnect(packet(0x38, str("a/b"), ascii("x")));
  }

  // ---- strings: UTF-8 well-formedness and U+0000 -------------------------------------------

  @Test
  void publishTopicWithOverlongUtf8() throws Exception {
    violationAfterConnect(packet(0x30, lp(bytes('a', 0xC0, 0xAF)), ascii("x")));
  }

  @Test
  void publishTopicWithOverlongNul() throws Exception {
    violationAfterConnect(packet(0x30, lp(bytes('a', 0xC0, 0x80)), ascii("x")));
  }

  @Test
  void publishTopicWithLoneContinuationByte() throws Exception {
    violationAfterConnect(packet(0x30, lp(bytes('a', 0x80, 'b')), ascii("x")));
  }

  @Test
  void publishTopicWithEncodedSurrogate() throws Exception {
    violationAfterConnect(packet(0x30, lp(bytes('a', 0xED, 0xA0, 0x80)), ascii("x")));
  }

  @Test
  void publishTopicWithTruncatedMultiByteSequence() throws Exception {
    violationAfterConnect(packet(0x30, lp(bytes('a', 0xE2, 0x82)), ascii("x")));
  }

  @Test
  void publishTopicWithNul() throws Exception {
    violationAfterConnect(packet(0x30, lp(bytes('a', 0x00, 'b')), ascii("x")));
  }

  @Test
  void publishQos1TopicWithNul() throws Exception {
    violationAfterConnect(packet(0x32, lp(bytes('a', '/', 0x00)), u16(3), ascii("x")));
  }

  @Test
  void connectClientIdWithNul() throws Exception {
    violationAsFirstPacket(packet(0x10, connectVariableHeader(0x02, 60), lp(bytes('c', 0x00, 'd'))));
  }

  @Test
  void connectClientIdWithInvalidUtf8() throws Exception {
    violationAsFirstPacket(packet(0x10, connectVariableHeader(0x02, 60), lp(bytes('c', 0xC0, 0xAF))));
  }

  @Test
  void connectUsernameWithNul() throws Exception {
    violationAsFirstPacket(packet(0x10, connectVariableHeader(0x82, 60), str(clientId()), lp(bytes('u', 0x00, 'x'))));
  }

  @Test
  void connectUsernameWithEncodedSurrogate() throws Exception {
    violationAsFirstPacket(
        packet(0x10, connectVariableHeader(0x82, 60), str(clientId()), lp(bytes('u', 0xED, 0xA0, 0x80))));
  }

  @Test
  void connectWillTopicWithNul() throws Exception {
    violationAsFirstPacket(
        packet(0x10, connectVariableHeader(0x06, 60), str(clientId()), lp(bytes('w', 0x00, 't')), str("boom")));
  }

  @Test
  void connectWillTopicWithInvalidUtf8() throws Exception {
    violationAsFirstPacket(
        packet(0x10, connectVariableHeader(0x06, 60), str(clientId()), lp(bytes('w', 0x80)), str("boom")));
  }

  @Test
  void connectWillTopicWithWildcard() throws Exception {
    violationAsFirstPacket(
        packet(0x10, connectVariableHeader(0x06, 60), str(clientId()), str("w/#"), str("boom")));
  }

  @Test
  void subscribeFilterWithNul() throws Exception {
    violationAfterConnect(packet(0x82, u16(1), lp(bytes('a', 0x00)), bytes(0)));
  }

  @Test
  void subscribeFilterWithEncodedSurrogate() throws Exception {
    violationAfterConnect(packet(0x82, u16(1), lp(bytes('a', 0xED, 0xB0, 0x80)), bytes(0)));
  }

  @Test
  void unsubscribeFilterWithNul() throws Exception {
    violationAfterConnect(packet(0xA2, u16(1), lp(bytes('a', 0x00))));
  }

  // ---- PUBLISH topic name ------------------------------------------------------------------

  @Test
  void publishTopicWithPlus() throws Exception {
    violationAfterConnect(packet(0x30, str("a/+/b"), ascii("x")));
  }

  @Test
  void publishTopicWithHash() throws Exception {
    violationAfterConnect(packet(0x30, str("a/#"), ascii("x")));
  }

  @Test
  void publishQos1TopicWithPlusInsideALevel() throws Exception {
    violationAfterConnect(packet(0x32, str("a+b"), u16(9), ascii("x")));
  }

  @Test
  void publishRetainedTopicWithHash() throws Exception {
    violationAfterConnect(packet(0x31, str("#"), ascii("x")));
  }

  @Test
  void publishEmptyTopic() throws Exception {
    violationAfterConnect(packet(0x30, str(""), ascii("x")));
  }

  // ---- SUBSCRIBE / UNSUBSCRIBE payload ------------------------------------------------------

  @Test
  void subscribeFilterHashNotLast() throws Exception {
    violationAfterConnect(packet(0x82, u16(1), str("a/#/b"), bytes(0)));
  }

  @Test
  void subscribeFilterPlusInsideALevel() throws Exception {
    violationAfterConnect(packet(0x82, u16(1), str("a+"), bytes(0)));
  }

  @Test
  void subscribeFilterHashInsideALevel() throws Exception {
    violationAfterConnect(packet(0x82, u16(1), str("a#"), bytes(0)));
  }

  @Test
  void subscribeBadFilterAfterAGoodOne() throws Exception {
    violationAfterConnect(packet(0x82, u16(1), str("ok/+"), bytes(1), str("a/#/b"), bytes(0)));
  }

  @Test
  void subscribeEmptyFilter() throws Exception {
    violationAfterConnect(packet(0x82, u16(1), str(""), bytes(0)));
  }

  @Test
  void subscribeWithQos3() throws Exception {
    violationAfterConnect(packet(0x82, u16(1), str("a/b"), bytes(3)));
  }

  @Test
  void subscribeWithReservedOptionBit2() throws Exception {
    violationAfterConnect(packet(0x82, u16(1), str("a/b"), bytes(0x04)));
  }

  @Test
  void subscribeWithReservedOptionBit7() throws Exception {
    violationAfterConnect(packet(0x82, u16(1), str("a/b"), bytes(0x81)));
  }

  @Test
  void subscribeWithNoFilters() throws Exception {
    violationAfterConnect(packet(0x82, u16(1)));
  }

  @Test
  void unsubscribeWithNoFilters() throws Exception {
    violationAfterConnect(packet(0xA2, u16(1)));
  }

  @Test
  void unsubscribeBadFilter() throws Exception {
    violationAfterConnect(packet(0xA2, u16(1), str("a/#/b")));
  }

  // ---- packet id 0 -------------------------------------------------------------------------

  @Test
  void publishQos1WithPacketId0() throws Exception {
    violationAfterConnect(packet(0x32, str("a/b"), u16(0), ascii("x")));
  }

  @Test
  void publishQos2WithPacketId0() throws Exception {
    violationAfterConnect(packet(0x34, str("a/b"), u16(0), ascii("x")));
  }

  @Test
  void subscribeWithPacketId0() throws Exception {
    violationAfterConnect(packet(0x82, u16(0), str("a/b"), bytes(0)));
  }

  @Test
  void unsubscribeWithPacketId0() throws Exception {
    violationAfterConnect(packet(0xA2, u16(0), str("a/b")));
  }

  @Test
  void pubackWithPacketId0() throws Exception {
    violationAfterConnect(packet(0x40, u16(0)));
  }

  @Test
  void pubrelWithPacketId0() throws Exception {
    violationAfterConnect(packet(0x62, u16(0)));
  }

  // ---- packet order ------------------------------------------------------------------------

  @Test
  void publishAsFirstPacket() throws Exception {
    violationAsFirstPacket(packet(0x30, str("a/b"), ascii("x")));
  }

  @Test
  void publishQos1AsFirstPacket() throws Exception {
    violationAsFirstPacket(packet(0x32, str("a/b"), u16(1), ascii("x")));
  }

  @Test
  void pingreqAsFirstPacket() throws Exception {
    violationAsFirstPacket(bytes(0xC0, 0x00));
  }

  @Test
  void subscribeAsFirstPacket() throws Exception {
    violationAsFirstPacket(packet(0x82, u16(1), str("#"), bytes(0)));
  }

  @Test
  void secondConnect() throws Exception {
    violationAfterConnect(packet(0x10, connectVariableHeader(0x02, 60), str(clientId())));
  }

  @Test
  void secondConnectWithOtherClientId() throws Exception {
    violationAfterConnect(packet(0x10, connectVariableHeader(0x02, 60), str(clientId() + "-2")));
  }

  // ---- CONNECT flags -----------------------------------------------------------------------

  @Test
  void connectReservedFlagBit0() throws Exception {
    violationAsFirstPacket(packet(0x10, connectVariableHeader(0x03, 60), str(clientId())));
  }

  @Test
  void connectWillQos3() throws Exception {
    violationAsFirstPacket(
        packet(0x10, connectVariableHeader(0x02 | 0x04 | 0x18, 60), str(clientId()), str("w/t"), str("boom")));
  }

  @Test
  void connectWillRetainWithoutWillFlag() throws Exception {
    violationAsFirstPacket(packet(0x10, connectVariableHeader(0x02 | 0x20, 60), str(clientId())));
  }

  @Test
  void connectWillQosWithoutWillFlag() throws Exception {
    violationAsFirstPacket(packet(0x10, connectVariableHeader(0x02 | 0x08, 60), str(clientId())));
  }

  @Test
  void connectPasswordWithoutUsername() throws Exception {
    violationAsFirstPacket(packet(0x10, connectVariableHeader(0x02 | 0x40, 60), str(clientId()), str("secret")));
  }

  // ---- remaining length vs. content --------------------------------------------------------

  @Test
  void pingreqWithNonZeroRemainingLength() throws Exception {
    violationAfterConnect(bytes(0xC0, 0x01, 0x00));
  }

  @Test
  void disconnectWithNonZeroRemainingLength() throws Exception {
    violationAfterConnect(bytes(0xE0, 0x01, 0x00));
  }

  @Test
  void pubackWithRemainingLength1() throws Exception {
    violationAfterConnect(bytes(0x40, 0x01, 0x00));
  }

  @Test
  void pubackWithRemainingLength3() throws Exception {
    violationAfterConnect(bytes(0x40, 0x03, 0x00, 0x01, 0x00));
  }

  @Test
  void publishQos1TooShortForPacketId() throws Exception {
    // remaining length 5 holds the topic "a/b" but not the packet id QoS 1 needs
    violationAfterConnect(bytes(0x32, 0x05, 0x00, 0x03, 'a', '/', 'b'));
  }

  @Test
  void publishTopicLengthBeyondRemainingLength() throws Exception {
    // topic length says 5, the packet holds 1 byte after it
    violationAfterConnect(bytes(0x30, 0x03, 0x00, 0x05, 'a'));
  }

  @Test
  void publishTooShortForTopicLength() throws Exception {
    violationAfterConnect(bytes(0x30, 0x01, 0x00));
  }

  @Test
  void subscribeTooShortForRequestedQos() throws Exception {
    violationAfterConnect(bytes(0x82, 0x05, 0x00, 0x01, 0x00, 0x01, 'a'));
  }

  @Test
  void unsubscribeTooShortForPacketId() throws Exception {
    violationAfterConnect(bytes(0xA2, 0x01, 0x00));
  }

  @Test
  void connectTooShortForClientId() throws Exception {
    violationAsFirstPacket(packet(0x10, connectVariableHeader(0x02, 60)));
  }

  @Test
  void connectTooShortForWillMessage() throws Exception {
    violationAsFirstPacket(packet(0x10, connectVariableHeader(0x06, 60), str(clientId()), str("w/t")));
  }

  @Test
  void connectWithTrailingBytes() throws Exception {
    violationAsFirstPacket(packet(0x10, connectVariableHeader(0x02, 60), str(clientId()), bytes(0x00)));
  }

  // ---- maximum packet size -----------------------------------------------------------------

  /** Only the fixed header of a 2048-byte PUBLISH: the broker must not wait for the body. */
  @Test
  void packetOverMaxClosesOnTheHeaderAlone() throws Exception {
    assertViolation(small, true, bytes(0x30, 0x80, 0x10));
  }

  @Test
  void packetOneByteOverMaxCloses() throws Exception {
    byte[] bad = publishOfTotalSize(SMALL_MAX + 1, 0x30, "max/over");
    assertEquals(SMALL_MAX + 1, bad.length);
    assertViolation(small, true, bad);
  }

  @Test
  void packetOverMaxAsFirstPacketClosesOnTheHeaderAlone() throws Exception {
    assertViolation(small, false, bytes(0x10, 0x80, 0x10));
  }

  @Test
  void packetExactlyAtMaxIsAcceptedAndDelivered() throws Exception {
    byte[] good = publishOfTotalSize(SMALL_MAX, 0x32, "max/exact");
    assertEquals(SMALL_MAX, good.length);
    assertAcceptedAndDelivered(small, good, "max/exact");
  }

  /** The default maximum is 1 MiB: a header announcing 1 MiB + 1 byte closes at once. */
  @Test
  void defaultMaxPacketSizeIsOneMebibyte() throws Exception {
    int max = MqttOptions.DEFAULT_MAX_PACKET_SIZE;
    assertEquals(1024 * 1024, max);
    // 1 + 3 length bytes + remaining: total max + 1
    byte[] header = concat(bytes(0x30), remainingLength(max + 1 - 4));
    assertEquals(4, header.length);
    violationAfterConnect(header);
  }

  @Test
  void packetExactlyAtDefaultMaxIsAcceptedAndDelivered() throws Exception {
    byte[] good = publishOfTotalSize(MqttOptions.DEFAULT_MAX_PACKET_SIZE, 0x32, "max/default");
    assertEquals(MqttOptions.DEFAULT_MAX_PACKET_SIZE, good.length);
    assertAcceptedAndDelivered(def, good, "max/default");
  }

  // ---- logging, counting, isolation ----------------------------------------------------------

  @Test
  void violationIsLoggedAsWarnWithClientIdAndReason() throws Exception {
    String cid = "mal-log-" + UUID.randomUUID().toString().substring(0, 8);
    long violations = violationCount();
    int localPort;
    try (MqttWire raw = MqttWire.open311(def.port())) {
      connect(raw, cid, 60);
      localPort = raw.localPort();
      raw.sendBytes(packet(0x30, str("a/+"), ascii("x")));
      assertEquals("", hex(raw.awaitCloseBytes(TIMEOUT_MS)));
    }
    assertViolationCounted(violations);
    ILoggingEvent e = assertViolationLogged(cid, localPort);
    String msg = e.getFormattedMessage();
    assertEquals(Level.WARN, e.getLevel());
    assertTrue(msg.toLowerCase(Locale.ROOT).contains("publish"), "the reason should name the packet: " + msg);
  }

  /**
   * A violation inside CONNECT found after the client id field was read (here: U+0000 in the
   * username): the client id is known by then, so the log line must name it too.
   */
  @Test
  void connectViolationAfterTheClientIdIsLoggedWithTheClientId() throws Exception {
    String cid = clientId();
    long published = def.broker.broker().publishedCount();
    long violations = violationCount();
    try (MqttWire raw = MqttWire.open311(def.port())) {
      raw.sendBytes(packet(0x10, connectVariableHeader(0x82, 60), str(cid), lp(bytes('u', 0x00, 'x'))));
      assertEquals("", hex(raw.awaitCloseBytes(TIMEOUT_MS)));
      assertViolationCounted(violations);
      assertViolationLogged(null, raw.localPort());
      assertViolationLogged(cid, raw.localPort());
    }
    assertUndisturbed(def, published, List.of());
  }

  @Test
  void violationCountIncreasesByOnePerViolation() throws Exception {
    long before = violationCount();
    for (int i = 0; i < 3; i++) {
      try (MqttWire raw = MqttWire.open311(def.port())) {
        connect(raw, clientId() + i, 60);
        raw.sendBytes(bytes(0xC1, 0x00));
        raw.awaitCloseBytes(TIMEOUT_MS);
      }
      assertViolationCounted(before + i);
    }
    // bounded settle, then exact: three violations, three counts
    Thread.sleep(100);
    assertEquals(before + 3, violationCount());
  }

  /** Packets before the violation in the same TCP segment were valid: they are not lost. */
  @Test
  void goodPublishBeforeTheBadPacketInTheSameWriteIsDelivered() throws Exception {
    long published = def.broker.broker().publishedCount();
    long violations = violationCount();
    String topic = "before/" + name;
    try (MqttWire raw = MqttWire.open311(def.port())) {
      connect(raw, clientId(), 60);
      raw.sendBytes(concat(packet(0x30, str(topic), ascii("kept")), packet(0x30, str("a/#"), ascii("bad"))));
      assertEquals("", hex(raw.awaitCloseBytes(TIMEOUT_MS)));
      assertViolationCounted(violations);
      assertViolationLogged(clientId(), raw.localPort());
    }
    assertUndisturbed(def, published + 1, List.of(topic + "=kept"));
  }

  /** Many violating connections at once: each is closed, the others carry on. */
  @Test
  void concurrentViolationsCloseOnlyTheViolators() throws Exception {
    long published = def.broker.broker().publishedCount();
    long violations = violationCount();
    List<MqttWire> raws = new ArrayList<>();
    try {
      for (int i = 0; i < 8; i++) {
        MqttWire r = MqttWire.open311(def.port());
        raws.add(r);
        connect(r, clientId() + "-" + i, 60);
      }
      for (MqttWire r : raws) {
        r.sendBytes(packet(0x36, str("a/b"), u16(1), ascii("x")));
      }
      for (MqttWire r : raws) {
        assertEquals("", hex(r.awaitCloseBytes(TIMEOUT_MS)));
      }
    } finally {
      for (MqttWire r : raws) {
        r.close();
      }
    }
    assertViolationCounted(violations + 7);
    assertUndisturbed(def, published, List.of());
  }

  // ---- scenario helpers --------------------------------------------------------------------

  private String clientId() {
    return "mal-" + name;
  }

  private void violationAfterConnect(byte[] bad) throws Exception {
    assertViolation(def, true, bad);
  }

  private void violationAsFirstPacket(byte[] bad) throws Exception {
    assertViolation(def, false, bad);
  }

  /**
   * Sends {@code bad} on a fresh socket (after a good CONNECT if {@code connectFirst}) and checks
   * the close, the count, the log line, and that nothing and no one else was affected.
   */
  private void assertViolation(Fixture f, boolean connectFirst, byte[] bad) throws Exception {
    long published = f.broker.broker().publishedCount();
    long violations = violationCount();
    try (MqttWire raw = MqttWire.open311(f.port())) {
      if (connectFirst) {
        connect(raw, clientId(), 60);
      }
      raw.sendBytes(bad);
      byte[] answer = raw.awaitCloseBytes(TIMEOUT_MS);
      assertEquals("", hex(answer), "the broker answered the bad packet " + hex(bad) + " instead of closing");
      assertViolationCounted(violations);
      assertViolationLogged(connectFirst ? clientId() : null, raw.localPort());
    }
    assertUndisturbed(f, published, List.of());
  }

  /** A good QoS 1 PUBLISH is acknowledged, delivered, and the connection stays usable. */
  private void assertAcceptedAndDelivered(Fixture f, byte[] publish, String topic) throws Exception {
    long published = f.broker.broker().publishedCount();
    long violations = violationCount();
    int payloadLength;
    try (MqttWire raw = MqttWire.open311(f.port())) {
      connect(raw, clientId(), 60);
      raw.sendBytes(publish);
      assertEquals(hex(bytes(0x40, 0x02, 0x00, 0x2A)), hex(raw.readExactly(4, TIMEOUT_MS)), "PUBACK for packet id 42");
      raw.sendBytes(bytes(0xC0, 0x00));
      assertEquals(hex(bytes(0xD0, 0x00)), hex(raw.readExactly(2, TIMEOUT_MS)), "PINGRESP after the max-size packet");
      raw.sendBytes(bytes(0xE0, 0x00));
      assertEquals("", hex(raw.awaitCloseBytes(TIMEOUT_MS)));
    }
    Received r = f.got.poll(10, TimeUnit.SECONDS);
    assertTrue(r != null, "max-size packet was not delivered");
    assertEquals(topic, r.topic);
    payloadLength = r.payload.length;
    int expectedPayload = publish.length - 1 - remainingLengthBytes(publish) - 2 - topic.length() - 2;
    assertEquals(expectedPayload, payloadLength);
    for (byte b : r.payload) {
      if (b != 'p') {
        fail("payload corrupted");
      }
    }
    assertEquals(violations, violationCount(), "a good packet was counted as a violation");
    assertUndisturbed(f, published + 1, List.of());
  }

  /** MQTT protocol violations counted by both fixtures' brokers. */
  private static long violationCount() {
    return def.broker.broker().counters().get(BrokerCounters.Counter.MQTT_PROTOCOL_VIOLATIONS)
        + small.broker.broker().counters().get(BrokerCounters.Counter.MQTT_PROTOCOL_VIOLATIONS);
  }

  private static void assertViolationCounted(long before) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
    while (violationCount() <= before && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertTrue(violationCount() > before,
        "violation count did not increase (still " + violationCount() + ")");
  }

  /** A WARN "protocol violation" line for this connection, naming the client id and a reason. */
  private static ILoggingEvent assertViolationLogged(String clientId, int localPort) throws InterruptedException {
    String port = ":" + localPort;
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
    List<String> seen = new ArrayList<>();
    do {
      List<ILoggingEvent> events;
      synchronized (logs) {
        events = new ArrayList<>(logs.list);
      }
      seen.clear();
      for (ILoggingEvent e : events) {
        String msg = e.getFormattedMessage();
        if (!msg.contains(port)) {
          continue;
        }
        seen.add(e.getLevel() + " " + msg);
        int at = msg.indexOf("protocol violation");
        if (e.getLevel() == Level.WARN && at >= 0 && (clientId == null || msg.contains(clientId))) {
          String reason = msg.substring(at + "protocol violation".length()).replace("; closing", "")
              .replaceAll("^[:\\s]+", "").trim();
          assertFalse(reason.isEmpty(), "violation logged without a reason: " + msg);
          return e;
        }
      }
      Thread.sleep(5);
    } while (System.nanoTime() < deadline);
    fail("no WARN 'protocol violation' line naming " + (clientId == null ? "the connection" : clientId)
        + " (port " + localPort + "); lines for that connection: " + seen);
    return null;
  }

  /**
   * Everyone else is fine: a good publish sent now reaches the '#' subscriber, and before it only
   * {@code expectedFirst} arrived (nothing of the bad packet); the broker stored exactly
   * {@code publishedBefore} + 1 messages; subscriber, publisher and bystanders are still connected.
   */
  private void assertUndisturbed(Fixture f, long publishedBefore, List<String> expectedFirst) throws Exception {
    String marker = "good/" + name;
    String payload = UUID.randomUUID().toString();
    f.pub.publish(marker, payload.getBytes(StandardCharsets.UTF_8), 1, false);
    List<String> first = new ArrayList<>();
    boolean found = false;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!found && System.nanoTime() < deadline) {
      Received r = f.got.poll(100, TimeUnit.MILLISECONDS);
      if (r == null) {
        continue;
      }
      if (r.topic.equals(marker) && r.text().equals(payload)) {
        found = true;
      } else {
        first.add(r.toString());
      }
    }
    assertTrue(found, "the subscriber did not receive a good publish sent after the violation; got " + first);
    assertEquals(expectedFirst, first, "the subscriber on '#' received messages it should not have");
    assertEquals(publishedBefore + 1, f.broker.broker().publishedCount(),
        "Broker.publishedCount(): something other than the good publish was stored");
    assertTrue(f.sub.isConnected(), "subscriber was disconnected");
    assertTrue(f.pub.isConnected(), "publisher was disconnected");
    assertEquals(null, f.lost.get(), "subscriber lost its connection");
    for (MqttWire b : f.bystanders) {
      b.sendBytes(bytes(0xC0, 0x00));
      assertEquals(hex(bytes(0xD0, 0x00)), hex(b.readExactly(2, TIMEOUT_MS)), "a bystander connection was disturbed");
    }
  }

  // ---- byte builders (hand-written wire format) ----------------------------------------------

  static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] u16(int v) {
    return bytes(v >>> 8, v & 0xFF);
  }

  /** Two-byte length prefix then the bytes as given (may be invalid UTF-8 on purpose). */
  static byte[] lp(byte[] content) {
    return concat(u16(content.length), content);
  }

  static byte[] str(String s) {
    return lp(s.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** MQTT variable-length remaining length (1 to 4 bytes), written here on purpose. */
  static byte[] remainingLength(int value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    do {
      int digit = value % 128;
      value /= 128;
      if (value > 0) {
        digit |= 0x80;
      }
      out.write(digit);
    } while (value > 0);
    return out.toByteArray();
  }

  static int remainingLengthBytes(byte[] packet) {
    int n = 1;
    while ((packet[n] & 0x80) != 0) {
      n++;
    }
    return n;
  }

  /** First byte, remaining length, then the parts. */
  static byte[] packet(int firstByte, byte[]... parts) {
    byte[] body = concat(parts);
    return concat(bytes(firstByte), remainingLength(body.length), body);
  }

  /** Protocol name "MQTT", level 4, connect flags, keep alive. */
  static byte[] connectVariableHeader(int flags, int keepAlive) {
    return concat(str("MQTT"), bytes(4, flags), u16(keepAlive));
  }

  /** A PUBLISH of exactly {@code total} bytes (payload of 'p'); QoS 1/2 ones carry packet id 42. */
  static byte[] publishOfTotalSize(int total, int firstByte, String topic) {
    boolean hasId = ((firstByte >>> 1) & 3) > 0;
    int fixed = 2 + topic.length() + (hasId ? 2 : 0);
    for (int rlBytes = 1; rlBytes <= 4; rlBytes++) {
      int remaining = total - 1 - rlBytes;
      if (remainingLength(remaining).length == rlBytes) {
        byte[] payload = new byte[remaining - fixed];
        Arrays.fill(payload, (byte) 'p');
        return packet(firstByte, str(topic), hasId ? u16(42) : new byte[0], payload);
      }
    }
    throw new IllegalArgumentException("no encoding for " + total);
  }

  static String hex(byte[] b) {
    StringBuilder sb = new StringBuilder();
    int n = Math.min(b.length, 64);
    for (int i = 0; i < n; i++) {
      sb.append(String.format("%02X", b[i] & 0xFF));
      if (i + 1 < n) {
        sb.append(' ');
      }
    }
    if (b.length > n) {
      sb.append(" ... (").append(b.length).append(" bytes)");
    }
    return sb.toString();
  }

  // ---- fixture -------------------------------------------------------------------------------

  private record Received(String topic, byte[] payload) {
    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
      return topic + "=" + (payload.length > 64 ? "(" + payload.length + " bytes)" : text());
    }
  }

  /** A broker, a Paho subscriber on '#', a Paho publisher and two raw bystander connections. */
  private static final class Fixture implements AutoCloseable {
    final TestBroker broker;
    final MqttClient sub;
    final MqttClient pub;
    final List<MqttWire> bystanders = new ArrayList<>();
    final LinkedBlockingQueue<Received> got = new LinkedBlockingQueue<>();
    final AtomicReference<Throwable> lost = new AtomicReference<>();

    Fixture(TestBroker broker, String tag) throws Exception {
      this.broker = broker;
      MqttConnectOptions o = new MqttConnectOptions();
      o.setCleanSession(true);
      o.setAutomaticReconnect(false);
      o.setConnectionTimeout(10);
      o.setKeepAliveInterval(60);
      sub = new MqttClient(broker.tcpUri(), "mal-sub-" + tag, new MemoryPersistence());
      sub.setTimeToWait(10_000);
      sub.setCallback(new MqttCallback() {
        @Override
        public void connectionLost(Throwable cause) {
          lost.set(cause == null ? new IllegalStateException("connection lost") : cause);
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
          got.add(new Received(topic, message.getPayload()));
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
        }
      });
      sub.connect(o);
      sub.subscribe("#", 1);
      pub = new MqttClient(broker.tcpUri(), "mal-pub-" + tag, new MemoryPersistence());
      pub.setTimeToWait(10_000);
      pub.connect(o);
      for (int i = 0; i < 2; i++) {
        MqttWire b = MqttWire.open311(broker.port());
        bystanders.add(b);
        connect(b, "mal-bystander-" + tag + "-" + i, 0);
      }
    }

    int port() {
      return broker.port();
    }

    @Override
    public void close() {
      for (MqttWire b : bystanders) {
        b.close();
      }
      closeQuietly(pub);
      closeQuietly(sub);
      broker.close();
    }

    private static void closeQuietly(MqttClient c) {
      try {
        if (c.isConnected()) {
          c.disconnect(2_000);
        }
      } catch (Exception ignored) {
        // closing anyway
      }
      try {
        c.close();
      } catch (Exception ignored) {
        // closing anyway
      }
    }
  }

  /** A valid 3.1.1 CONNECT (clean session) in bytes of our own, and its CONNACK 0x00. */
  private static void connect(MqttWire raw, String clientId, int keepAlive) throws IOException {
    raw.sendBytes(packet(0x10, connectVariableHeader(0x02, keepAlive), str(clientId)));
    expectConnAck(raw);
  }

  private static void expectConnAck(MqttWire raw) throws IOException {
    assertArrayEquals(bytes(0x20, 0x02, 0x00, 0x00), raw.readExactly(4, TIMEOUT_MS), "CONNACK accepted");
  }
}
