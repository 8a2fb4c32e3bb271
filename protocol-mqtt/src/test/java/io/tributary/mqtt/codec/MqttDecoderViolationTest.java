package io.tributary.mqtt.codec;

import static io.tributary.mqtt.codec.CodecTestSupport.ALLOC;
import static io.tributary.mqtt.codec.CodecTestSupport.CONNECT_311;
import static io.tributary.mqtt.codec.CodecTestSupport.b;
import static io.tributary.mqtt.codec.CodecTestSupport.bytes;
import static io.tributary.mqtt.codec.CodecTestSupport.clientRejects;
import static io.tributary.mqtt.codec.CodecTestSupport.concat;
import static io.tributary.mqtt.codec.CodecTestSupport.connectHeader;
import static io.tributary.mqtt.codec.CodecTestSupport.decodeServer;
import static io.tributary.mqtt.codec.CodecTestSupport.hex;
import static io.tributary.mqtt.codec.CodecTestSupport.lp;
import static io.tributary.mqtt.codec.CodecTestSupport.raw;
import static io.tributary.mqtt.codec.CodecTestSupport.rejects;
import static io.tributary.mqtt.codec.CodecTestSupport.str;
import static io.tributary.mqtt.codec.CodecTestSupport.u16;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every MQTT 3.1.1 violation the decoder must catch, each with its reason code. */
class MqttDecoderViolationTest {

  private static final int MALFORMED = MqttCodecException.MALFORMED_PACKET;
  private static final int PROTOCOL = MqttCodecException.PROTOCOL_ERROR;
  private static final int VERSION = MqttCodecException.UNSUPPORTED_PROTOCOL_VERSION;
  private static final int TOO_LARGE = MqttCodecException.PACKET_TOO_LARGE;

  private static byte[] afterConnect(byte[]... packets) {
    return concat(CONNECT_311, concat(packets));
  }

  // ---------------------------------------------------------------- remaining length and size

  @Test
  void remainingLengthWithAFifthByteIsMalformed() {
    rejects(afterConnect(hex("30 FF FF FF FF")), MALFORMED, "longer than 4 bytes");
    rejects(afterConnect(hex("30 80 80 80 80 01")), MALFORMED, "longer than 4 bytes");
    rejects(afterConnect(hex("C0 80 80 80 80")), MALFORMED, "longer than 4 bytes");
  }

  @Test
  void largestFourByteRemainingLengthIsAcceptedAndAwaitsItsBody() throws Exception {
    MqttDecoder d = new MqttDecoder(Integer.MAX_VALUE, ALLOC);
    d.feed(Unpooled.wrappedBuffer(afterConnect(hex("30 FF FF FF 7F 00 01 61"))), p -> {});
    assertEquals(8, d.pendingBytes());
    d.release();
  }

  @Test
  void packetExactlyAtTheMaximumSizeIsAccepted() throws Exception {
    byte[] pub = bytes(new Publish("t", 1, false, false, 1, Unpooled.wrappedBuffer(new byte[500])));
    MqttDecoder d = new MqttDecoder(pub.length, ALLOC);
    List<Packet> out = CodecTestSupport.decode(d, afterConnect(pub, pub), 1);
    assertEquals(3, out.size());
    d.release();
  }

  @Test
  void packetOneByteOverTheMaximumIsRejectedBeforeItsBodyArrives() throws Exception {
    byte[] pub = bytes(new Publish("t", 1, false, false, 1, Unpooled.wrappedBuffer(new byte[500])));
    MqttDecoder d = new MqttDecoder(pub.length - 1, ALLOC);
    // only the fixed header: type byte + 2 length bytes
    d.feed(Unpooled.wrappedBuffer(afterConnect(Arrays.copyOf(pub, 2))), p -> {});
    MqttCodecException e =
        assertThrows(
            MqttCodecException.class,
            () -> d.feed(Unpooled.wrappedBuffer(pub, 2, 1), p -> {}));
    assertEquals(TOO_LARGE, e.reasonCode());
    assertTrue(e.getMessage().contains("exceeds the maximum packet size of " + (pub.length - 1)),
        e.getMessage());
    d.release();

    byte[] tooBig = afterConnect(pub);
    rejects(new MqttDecoder(pub.length - 1, ALLOC), new MqttDecoder(pub.length - 1, ALLOC),
        tooBig, TOO_LARGE, "PUBLISH packet of " + pub.length + " bytes");
  }

  @Test
  void connectOverTheMaximumSizeIsRejected() {
    rejects(new MqttDecoder(CONNECT_311.length - 1, ALLOC),
        new MqttDecoder(CONNECT_311.length - 1, ALLOC), CONNECT_311, TOO_LARGE, "CONNECT");
  }

  @Test
  void hugeDeclaredLengthIsRejectedWithoutBuffering() throws Exception {
    MqttDecoder d = new MqttDecoder(1024, ALLOC);
    d.feed(Unpooled.wrappedBuffer(CONNECT_311), p -> {});
    MqttCodecException e = assertThrows(MqttCodecException.class,
        () -> d.feed(Unpooled.wrappedBuffer(hex("30 FF FF FF 7F")), p -> {}));
    assertEquals(TOO_LARGE, e.reasonCode());
    d.release();
  }

  // ---------------------------------------------------------------- fixed header first byte

  static Stream<Arguments> wrongReservedFlags() {
    List<Arguments> cases = new ArrayList<>();
    for (PacketType t : PacketType.values()) {
      if (t == PacketType.PUBLISH || t == PacketType.AUTH) {
        continue;
      }
      int required =
          t == PacketType.PUBREL || t == PacketType.SUBSCRIBE || t == PacketType.UNSUBSCRIBE
              ? 0b0010 : 0;
      for (int flags = 0; flags < 16; flags++) {
        if (flags != required) {
          cases.add(Arguments.of(t, flags));
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} flags {1}")
  @MethodSource("wrongReservedFlags")
  void reservedFixedHeaderFlagsMustMatch(PacketType type, int flags) {
    byte[] packet = raw((type.value() << 4) | flags, u16(1));
    byte[] data = type == PacketType.CONNECT ? packet : afterConnect(packet);
    rejects(data, MALFORMED, type + " fixed header flags must be");
  }

  @ParameterizedTest
  @ValueSource(ints = {0b0110, 0b0111, 0b1110, 0b1111})
  void publishWithQos3IsMalformed(int flags) {
    rejects(afterConnect(raw(0x30 | flags, str("t"), u16(1))), MALFORMED, "QoS 3");
  }

  @ParameterizedTest
  @ValueSource(ints = {0b1000, 0b1001})
  void publishWithDupAndQos0IsMalformed(int flags) {
    rejects(afterConnect(raw(0x30 | flags, str("t"))), MALFORMED, "DUP=1 and QoS 0");
  }

  @Test
  void packetType0IsMalformed() {
    rejects(hex("00 00"), MALFORMED, "reserved packet type 0");
    rejects(afterConnect(hex("00 00")), MALFORMED, "reserved packet type 0");
  }

  @Test
  void authIsMalformedIn311() {
    rejects(hex("F0 00"), MALFORMED, "AUTH");
    rejects(afterConnect(hex("F0 00")), MALFORMED, "AUTH");
  }

  @Test
  void authIsNotSupportedYetAtLevel5() {
    byte[] connect5 = bytes(new Connect(MqttVersion.V5, "c", true, 0, null, null, null));
    rejects(concat(connect5, hex("F0 00")), PROTOCOL, "AUTH");
  }

  // ---------------------------------------------------------------- order and direction

  @ParameterizedTest
  @ValueSource(strings = {"30 03 00 01 74", "40 02 00 01", "62 02 00 01", "82 06 00 01 00 01 61 00",
      "A2 05 00 01 00 01 61", "C0 00", "E0 00"})
  void firstPacketMustBeConnect(String packet) {
    rejects(hex(packet), PROTOCOL, "first packet must be CONNECT");
  }

  @Test
  void secondConnectIsAProtocolError() {
    rejects(afterConnect(CONNECT_311), PROTOCOL, "second CONNECT");
  }

  @ParameterizedTest
  @ValueSource(strings = {"20 02 00 00", "90 03 00 01 00", "B0 02 00 01", "D0 00"})
  void serverToClientPacketsAreProtocolErrors(String packet) {
    rejects(afterConnect(hex(packet)), PROTOCOL, "sent by servers only");
  }

  // ---------------------------------------------------------------- remaining length vs content

  @ParameterizedTest
  @ValueSource(strings = {"C0 01 00", "E0 01 00", "E0 02 00 00", "40 01 00", "40 03 00 01 00",
      "50 00", "62 03 00 01 00", "70 01 01", "40 00"})
  void fixedSizePacketsWithAnotherRemainingLengthAreMalformed(String packet) {
    rejects(afterConnect(hex(packet)), MALFORMED, "remaining length must be");
  }

  @Test
  void wrongFixedRemainingLengthIsRejectedBeforeTheBody() throws Exception {
    MqttDecoder d = new MqttDecoder(1024, ALLOC);
    d.feed(Unpooled.wrappedBuffer(CONNECT_311), p -> {});
    MqttCodecException e = assertThrows(MqttCodecException.class,
        () -> d.feed(Unpooled.wrappedBuffer(hex("C0 05")), p -> {}));
    assertEquals(MALFORMED, e.reasonCode());
    assertTrue(e.getMessage().contains("PINGREQ remaining length must be 0, got 5"));
    d.release();
  }

  private static final byte[] FULL_CONNECT_BODY =
      concat(connectHeader(0xEE), str("client"), str("will/t"), lp(b(1, 2, 3)), str("user"),
          lp(b(9, 9)));

  @Test
  void fullConnectBodyIsValid() throws Exception {
    List<Packet> out = decodeServer(raw(0x10, FULL_CONNECT_BODY));
    Connect c = (Connect) out.get(0);
    assertEquals("client", c.clientId());
    assertEquals("user", c.username());
    assertEquals(new Will("will/t", b(1, 2, 3), 1, true, MqttProperties.EMPTY), c.will());
  }

  static Stream<Integer> connectPrefixes() {
    return Stream.iterate(0, i -> i < FULL_CONNECT_BODY.length, i -> i + 1);
  }

  @ParameterizedTest
  @MethodSource("connectPrefixes")
  void truncatedConnectIsMalformed(int length) {
    rejects(raw(0x10, Arrays.copyOf(FULL_CONNECT_BODY, length)), MALFORMED, "");
  }

  @Test
  void connectWithTrailingBytesIsMalformed() {
    rejects(raw(0x10, FULL_CONNECT_BODY, b(0)), MALFORMED, "CONNECT has 1 unexpected trailing");
    rejects(raw(0x10, connectHeader(0x02), str("c"), str("x")), MALFORMED, "trailing");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6})
  void truncatedPublishIsMalformed(int length) {
    byte[] body = concat(str("a/b"), u16(1));
    rejects(afterConnect(raw(0x32, Arrays.copyOf(body, length))), MALFORMED, "");
  }

  @Test
  void publishQos1WithoutPacketIdIsMalformed() {
    rejects(afterConnect(hex("32 05 00 03 61 2F 62")), MALFORMED, "PUBLISH packet id is missing");
    rejects(afterConnect(hex("34 06 00 03 61 2F 62 00")), MALFORMED, "packet id is missing");
  }

  @Test
  void publishWhoseTopicLengthRunsPastTheRemainingLengthIsMalformed() {
    rejects(afterConnect(hex("30 04 00 05 61 62")), MALFORMED, "topic name length 5 exceeds");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 3, 4, 5})
  void truncatedSubscribeIsMalformed(int length) {
    byte[] body = concat(u16(1), str("ab"), b(1));
    rejects(afterConnect(raw(0x82, Arrays.copyOf(body, length))), MALFORMED, "");
  }

  @Test
  void subscribeWithTrailingBytesIsMalformed() {
    rejects(afterConnect(raw(0x82, u16(1), str("a"), b(0), b(0))), MALFORMED, "");
    rejects(afterConnect(raw(0x82, u16(1), str("a"), b(0), str("b"))), MALFORMED,
        "requested QoS is missing");
  }

  @Test
  void unsubscribeWithTrailingBytesIsMalformed() {
    rejects(afterConnect(raw(0xA2, u16(1), str("a"), b(0))), MALFORMED, "length is missing");
    rejects(afterConnect(raw(0xA2, u16(1), str("a"), b(0, 5, 0x61))), MALFORMED,
        "length 5 exceeds");
  }

  // ---------------------------------------------------------------- UTF-8 strings

  /** Bad sequences, each embedded as "a" + bad + "b". */
  static Stream<Arguments> badUtf8() {
    return Stream.of(
        Arguments.of("overlong 2-byte '/'", b(0xC0, 0xAF), "UTF-8"),
        Arguments.of("overlong 3-byte '/'", b(0xE0, 0x80, 0xAF), "UTF-8"),
        Arguments.of("overlong U+0000", b(0xC0, 0x80), "UTF-8"),
        Arguments.of("lone continuation byte", b(0x80), "UTF-8"),
        Arguments.of("encoded surrogate U+D800", b(0xED, 0xA0, 0x80), "UTF-8"),
        Arguments.of("encoded surrogate U+DFFF", b(0xED, 0xBF, 0xBF), "UTF-8"),
        Arguments.of("truncated sequence", b(0xE2, 0x82), "UTF-8"),
        Arguments.of("above U+10FFFF", b(0xF4, 0x90, 0x80, 0x80), "UTF-8"),
        Arguments.of("invalid byte FF", b(0xFF), "UTF-8"),
        Arguments.of("U+0000", b(0x00), "U+0000"),
        Arguments.of("U+0000 after non-ASCII", b(0xC3, 0xA9, 0x00), "U+0000"));
  }

  /** Where a string goes: field name in the message, and how to build a stream around it. */
  static Stream<Arguments> stringFields() {
    List<Arguments> fields = new ArrayList<>();
    fields.add(Arguments.of("protocol name", (Function<byte[], byte[]>)
        s -> raw(0x10, s, b(4, 2), u16(60), str("c"))));
    fields.add(Arguments.of("client id", (Function<byte[], byte[]>)
        s -> raw(0x10, connectHeader(0x02), s)));
    fields.add(Arguments.of("will topic", (Function<byte[], byte[]>)
        s -> raw(0x10, connectHeader(0x06), str("c"), s, lp(b(1)))));
    fields.add(Arguments.of("username", (Function<byte[], byte[]>)
        s -> raw(0x10, connectHeader(0x82), str("c"), s)));
    fields.add(Arguments.of("topic name", (Function<byte[], byte[]>)
        s -> afterConnect(raw(0x30, s, b(1, 2)))));
    fields.add(Arguments.of("SUBSCRIBE topic filter", (Function<byte[], byte[]>)
        s -> afterConnect(raw(0x82, u16(1), s, b(1)))));
    fields.add(Arguments.of("UNSUBSCRIBE topic filter", (Function<byte[], byte[]>)
        s -> afterConnect(raw(0xA2, u16(1), str("ok"), s))));
    return fields.stream();
  }

  static Stream<Arguments> badStrings() {
    List<Arguments> cases = new ArrayList<>();
    stringFields().forEach(field -> badUtf8().forEach(bad -> cases.add(Arguments.of(
        field.get()[0], bad.get()[0], field.get()[1], bad.get()[1], bad.get()[2]))));
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("badStrings")
  void badUtf8InAnyStringIsMalformed(
      String field, String what, Function<byte[], byte[]> build, byte[] bad, String expected) {
    byte[] s = lp(concat(b('a'), bad, b('b')));
    rejects(build.apply(s), MALFORMED, field + " " + (expected.equals("U+0000")
        ? "contains U+0000" : "is not well-formed UTF-8"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stringFields")
  void wellFormedNonAsciiIsAcceptedInAnyString(String field, Function<byte[], byte[]> build)
      throws Exception {
    if (field.equals("protocol name")) {
      return; // must be exactly "MQTT"
    }
    // a/<U+00FC><U+20AC><U+1F600><BOM><U+FFFF> : 1 to 4 byte sequences, BOM kept, noncharacter ok
    String value = "a/\u00fc\u20ac\ud83d\ude00\ufeff\uffff";
    List<Packet> out = decodeServer(build.apply(str(value)));
    Packet last = out.get(out.size() - 1);
    String got;
    if (last instanceof Connect) {
      Connect c = (Connect) last;
      got = field.equals("client id") ? c.clientId()
          : field.equals("will topic") ? c.will().topic() : c.username();
    } else if (last instanceof Publish) {
      got = ((Publish) last).topic();
    } else if (last instanceof Subscribe) {
      got = ((Subscribe) last).subscriptions().get(0).filter();
    } else {
      got = ((Unsubscribe) last).filters().get(1);
    }
    assertEquals(value, got);
  }

  // ---------------------------------------------------------------- CONNECT

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 3, 6, 7, 255})
  void unsupportedProtocolLevel(int level) throws Exception {
    byte[] connect = raw(0x10, str("MQTT"), b(level, 2), u16(60), str("c"));
    rejects(connect, VERSION, "unsupported protocol level " + level);
    MqttDecoder d = new MqttDecoder(1024, ALLOC);
    assertThrows(MqttCodecException.class, () -> d.feed(Unpooled.wrappedBuffer(connect), p -> {}));
    assertEquals(0, d.protocolLevel());
    d.release();
  }

  @Test
  void mqtt31IsNotSupported() {
    rejects(raw(0x10, str("MQIsdp"), b(3, 2), u16(60), str("c")), VERSION, "MQIsdp");
  }

  @ParameterizedTest
  @ValueSource(strings = {"MQTX", "mqtt", "MQTT ", "", "MQ"})
  void unknownProtocolName(String name) {
    rejects(raw(0x10, str(name), b(4, 2), u16(60), str("c")), VERSION,
        "unsupported protocol name");
  }

  @Test
  void connectReservedFlagIsMalformed() {
    rejects(raw(0x10, connectHeader(0x03), str("c")), MALFORMED, "reserved flag (bit 0)");
  }

  @ParameterizedTest
  @ValueSource(ints = {0x08, 0x10, 0x18, 0x20, 0x28})
  void willQosAndRetainMustBe0WithoutWillFlag(int willBits) {
    rejects(raw(0x10, connectHeader(0x02 | willBits), str("c")), MALFORMED,
        "will QoS and will retain must be 0 when the will flag is 0");
  }

  @Test
  void willQos3IsMalformed() {
    rejects(raw(0x10, connectHeader(0x1E), str("c"), str("w"), lp(b(1))), MALFORMED,
        "will QoS 3");
  }

  @Test
  void passwordWithoutUsernameIsMalformedIn311() {
    rejects(raw(0x10, connectHeader(0x42), str("c"), lp(b(1))), MALFORMED,
        "password flag set without the username flag");
  }

  @Test
  void flaggedFieldsMustBePresent() {
    rejects(raw(0x10, connectHeader(0x82), str("c")), MALFORMED, "username length is missing");
    rejects(raw(0x10, connectHeader(0xC2), str("c"), str("u")), MALFORMED,
        "password length is missing");
    rejects(raw(0x10, connectHeader(0x06), str("c")), MALFORMED, "will topic length is missing");
    rejects(raw(0x10, connectHeader(0x06), str("c"), str("w")), MALFORMED,
        "will message length is missing");
    rejects(raw(0x10, connectHeader(0x02)), MALFORMED, "client id length is missing");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a/#", "+", "a/+/b", "#"})
  void invalidWillTopicIsMalformed(String topic) {
    rejects(raw(0x10, connectHeader(0x06), str("c"), str(topic), lp(b(1))), MALFORMED,
        "invalid will topic");
  }

  @Test
  void emptyClientIdIsLeftToTheConnection() throws Exception {
    Connect c = (Connect) decodeServer(raw(0x10, connectHeader(0x02), str(""))).get(0);
    assertEquals("", c.clientId());
    assertEquals(null, c.username());
    assertEquals(null, c.password());
    assertEquals(null, c.will());
  }

  // ---------------------------------------------------------------- PUBLISH

  @Test
  void publishWithEmptyTopicIsMalformed() {
    rejects(afterConnect(raw(0x30, str(""), b(1))), MALFORMED, "PUBLISH topic name is empty");
  }

  @ParameterizedTest
  @ValueSource(strings = {"#", "+", "a/#", "a/+/b", "a+", "sport/tennis#"})
  void publishTopicWithWildcardIsMalformed(String topic) {
    rejects(afterConnect(raw(0x30, str(topic), b(1))), MALFORMED, "contains a wildcard");
  }

  @ParameterizedTest
  @ValueSource(ints = {0x32, 0x34, 0x3A, 0x3D})
  void publishQos1Or2WithPacketId0IsAProtocolError(int firstByte) {
    rejects(afterConnect(raw(firstByte, str("t"), u16(0), b(1))), PROTOCOL, "with packet id 0");
  }

  // ---------------------------------------------------------------- acks

  @ParameterizedTest
  @ValueSource(ints = {0x40, 0x50, 0x62, 0x70})
  void ackWithPacketId0IsAProtocolError(int firstByte) {
    rejects(afterConnect(raw(firstByte, u16(0))), PROTOCOL, "with packet id 0");
  }

  @Test
  void unsubAckWithPacketId0IsAProtocolError() {
    clientRejects(
        concat(hex("20 02 00 00"), hex("B0 02 00 00")), PROTOCOL, "UNSUBACK with packet id 0");
  }

  // ---------------------------------------------------------------- SUBSCRIBE

  @Test
  void subscribeWithPacketId0IsAProtocolError() {
    rejects(afterConnect(raw(0x82, u16(0), str("a"), b(0))), PROTOCOL,
        "SUBSCRIBE with packet id 0");
  }

  @Test
  void subscribeWithoutFiltersIsAProtocolError() {
    rejects(afterConnect(raw(0x82, u16(1))), PROTOCOL, "SUBSCRIBE without any topic filter");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a/#/b", "a#", "#/", "a/b#", "a+", "+a/b", "a/b+", "a/++/b", "##"})
  void subscribeWithInvalidFilterIsMalformed(String filter) {
    rejects(afterConnect(raw(0x82, u16(1), str("ok/#"), b(0), str(filter), b(1))), MALFORMED,
        "SUBSCRIBE topic filter");
  }

  @Test
  void subscribeRequestedQos3IsMalformed() {
    rejects(afterConnect(raw(0x82, u16(1), str("a"), b(3))), MALFORMED, "requested QoS 3");
  }

  @ParameterizedTest
  @ValueSource(ints = {0x04, 0x08, 0x80, 0x41, 0xFC, 0xFF})
  void subscribeRequestedQosReservedBitsAreMalformed(int options) {
    rejects(afterConnect(raw(0x82, u16(1), str("a"), b(options))), MALFORMED,
        "reserved bits 7-2 set");
  }

  // ---------------------------------------------------------------- UNSUBSCRIBE

  @Test
  void unsubscribeWithPacketId0IsAProtocolError() {
    rejects(afterConnect(raw(0xA2, u16(0), str("a"))), PROTOCOL, "UNSUBSCRIBE with packet id 0");
  }

  @Test
  void unsubscribeWithoutFiltersIsAProtocolError() {
    rejects(afterConnect(raw(0xA2, u16(1))), PROTOCOL, "UNSUBSCRIBE without any topic filter");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a/#/b", "a#", "a+", "+a"})
  void unsubscribeWithInvalidFilterIsMalformed(String filter) {
    rejects(afterConnect(raw(0xA2, u16(1), str(filter))), MALFORMED, "UNSUBSCRIBE topic filter");
  }

  // ---------------------------------------------------------------- client-side decoder

  @Test
  void clientSideFirstPacketMustBeConnAck() {
    clientRejects(hex("D0 00"), PROTOCOL, "first packet must be CONNACK");
  }

  @ParameterizedTest
  @EnumSource(value = PacketType.class, names = {"CONNECT", "SUBSCRIBE", "UNSUBSCRIBE", "PINGREQ"})
  void clientSideRejectsClientPackets(PacketType type) {
    byte[] packet = bytes(
        type == PacketType.CONNECT ? new Connect(4, "c", true, 0, null, null, null)
            : type == PacketType.SUBSCRIBE
                ? new Subscribe(1, List.of(new TopicSubscription("a", 0)))
            : type == PacketType.UNSUBSCRIBE ? new Unsubscribe(1, List.of("a"))
            : PingReq.INSTANCE);
    clientRejects(concat(hex("20 02 00 00"), packet), PROTOCOL, "sent by clients only");
  }

  @Test
  void clientSideChecksConnAckAndSubAck() {
    clientRejects(hex("E0 00"), PROTOCOL, "first packet must be CONNACK");
    clientRejects(concat(hex("20 02 00 00"), hex("E0 00")), PROTOCOL,
        "never sends DISCONNECT in 3.1.1");
    clientRejects(hex("20 02 02 00"), MALFORMED, "acknowledge flags");
    clientRejects(hex("20 02 00 06"), MALFORMED, "return code 6 is reserved");
    clientRejects(hex("20 02 01 01"), PROTOCOL, "session present");
    clientRejects(concat(hex("20 02 00 00"), hex("20 02 00 00")), PROTOCOL, "second CONNACK");
    clientRejects(concat(hex("20 02 00 00"), hex("90 03 00 01 03")), MALFORMED,
        "SUBACK return code 0x3 is reserved");
    clientRejects(concat(hex("20 02 00 00"), hex("90 02 00 01")), PROTOCOL,
        "SUBACK without any return code");
  }
}
