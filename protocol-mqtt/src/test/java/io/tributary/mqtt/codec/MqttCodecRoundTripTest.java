package io.tributary.mqtt.codec;

import static io.tributary.mqtt.codec.CodecTestSupport.ALLOC;
import static io.tributary.mqtt.codec.CodecTestSupport.CONNECT_311;
import static io.tributary.mqtt.codec.CodecTestSupport.bytes;
import static io.tributary.mqtt.codec.CodecTestSupport.concat;
import static io.tributary.mqtt.codec.CodecTestSupport.decodeClient;
import static io.tributary.mqtt.codec.CodecTestSupport.decodeServer;
import static io.tributary.mqtt.codec.CodecTestSupport.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every packet type through encoder and decoder, and the exact wire bytes of a few. */
class MqttCodecRoundTripTest {

  private static ByteBuf payload(int size) {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    return Unpooled.wrappedBuffer(bytes);
  }

  static Stream<Packet> clientPackets() {
    return Stream.of(
        new Publish("a/b", 0, false, false, 0, payload(10)),
        new Publish("a/b", 0, true, false, 0, Unpooled.EMPTY_BUFFER),
        new Publish("x", 1, false, false, 1, payload(100)),
        new Publish("x/y/z", 1, true, true, 65535, payload(1)),
        new Publish("q2", 2, false, true, 7, payload(128)),
        new Publish("big/\u00fc/\u20ac/\ud83d\ude00", 2, true, false, 300, payload(200_000)),
        new Publish("/", 0, false, false, 0, payload(16_384 - 5)),
        new Publish("$SYS/x", 0, false, false, 0, payload(3)),
        new Ack(PacketType.PUBACK, 1),
        new Ack(PacketType.PUBREC, 0x1234),
        new Ack(PacketType.PUBREL, 65535),
        new Ack(PacketType.PUBCOMP, 2),
        new Subscribe(
            10,
            List.of(
                new TopicSubscription("a/+/c", 0),
                new TopicSubscription("#", 1),
                new TopicSubscription("sport/tennis/#", 2),
                new TopicSubscription("+", 2),
                new TopicSubscription("\u00e9t\u00e9/+/\ud83d\ude00", 1))),
        new Subscribe(1, List.of(new TopicSubscription("a", 0))),
        new Unsubscribe(11, List.of("a/+/c", "#", "x")),
        new Unsubscribe(65535, List.of("/")),
        PingReq.INSTANCE,
        Disconnect.INSTANCE);
  }

  @ParameterizedTest
  @MethodSource("clientPackets")
  void clientToServerPacketsRoundTrip(Packet p) throws Exception {
    List<Packet> decoded = decodeServer(concat(CONNECT_311, bytes(p)));
    assertEquals(2, decoded.size());
    assertEquals(p, decoded.get(1));
    assertEquals(p.type(), decoded.get(1).type());
    assertSame(MqttProperties.EMPTY, decoded.get(1).properties());
  }

  static Stream<Connect> connects() {
    return Stream.of(
        new Connect(MqttVersion.V3_1_1, "c1", true, 60, null, null, null),
        new Connect(MqttVersion.V3_1_1, "", true, 0, null, null, null),
        new Connect(MqttVersion.V3_1_1, "c", false, 65535, "user", null, null),
        new Connect(MqttVersion.V3_1_1, "c", false, 1, "user", new byte[] {0, 1, 2, -1}, null),
        new Connect(MqttVersion.V3_1_1, "c", false, 1, "", new byte[0], null),
        new Connect(
            MqttVersion.V3_1_1, "c", true, 10, null, null,
            new Will("will/topic", new byte[] {1, 2, 3}, 0, false, MqttProperties.EMPTY)),
        new Connect(
            MqttVersion.V3_1_1, "c", true, 10, null, null,
            new Will("w", new byte[0], 1, true, MqttProperties.EMPTY)),
        new Connect(
            MqttVersion.V3_1_1, "\u00fc\u20ac\ud83d\ude00", false, 30, "\u00e9l\u00e8ve",
            "p\u00e4ss".getBytes(StandardCharsets.UTF_8),
            new Will("\u00fc/\ud83d\ude00", new byte[300], 2, true, MqttProperties.EMPTY)),
        // level 5 is accepted (3.1.1 layout until the 5.0 issue); password without username ok
        new Connect(MqttVersion.V5, "c5", true, 60, null, new byte[] {9}, null));
  }

  @ParameterizedTest
  @MethodSource("connects")
  void connectRoundTrip(Connect c) throws Exception {
    MqttDecoder d = new MqttDecoder(CodecTestSupport.MAX, ALLOC);
    assertEquals(0, d.protocolLevel());
    List<Packet> decoded = CodecTestSupport.decode(d, bytes(c), 1 << 20);
    assertEquals(List.of(c), decoded);
    Connect got = (Connect) decoded.get(0);
    assertEquals(c.protocolLevel(), d.protocolLevel());
    assertEquals("MQTT", got.protocolName());
    assertEquals(c.username(), got.username());
    assertArrayEquals(c.password(), got.password());
    assertEquals(c.will(), got.will());
    d.release();
  }

  static Stream<Packet> serverPackets() {
    return Stream.of(
        new Publish("a/b", 0, false, false, 0, payload(10)),
        new Publish("a/b", 1, true, true, 99, payload(1000)),
        new Publish("a/b", 2, false, false, 65535, Unpooled.EMPTY_BUFFER),
        new Ack(PacketType.PUBACK, 1),
        new Ack(PacketType.PUBREC, 2),
        new Ack(PacketType.PUBREL, 3),
        new Ack(PacketType.PUBCOMP, 4),
        new SubAck(5, List.of(0, 1, 2, 0x80)),
        new SubAck(65535, List.of(1)),
        new Ack(PacketType.UNSUBACK, 6),
        PingResp.INSTANCE);
  }

  @ParameterizedTest
  @MethodSource("serverPackets")
  void serverToClientPacketsRoundTrip(Packet p) throws Exception {
    ConnAck connAck = new ConnAck(true, 0);
    List<Packet> decoded = decodeClient(concat(bytes(connAck), bytes(p)));
    assertEquals(List.of(connAck, p), decoded);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 3, 4, 5})
  void connAckRoundTrip(int returnCode) throws Exception {
    ConnAck a = new ConnAck(returnCode == 0, returnCode);
    assertEquals(List.of(a), decodeClient(bytes(a)));
  }

  @Test
  void wireBytesMatchTheSpecification() {
    assertArrayEquals(hex("20 02 01 00"), bytes(new ConnAck(true, 0)));
    assertArrayEquals(hex("20 02 00 05"), bytes(new ConnAck(false, 5)));
    assertArrayEquals(hex("40 02 00 0A"), bytes(new Ack(PacketType.PUBACK, 10)));
    assertArrayEquals(hex("50 02 00 0A"), bytes(new Ack(PacketType.PUBREC, 10)));
    assertArrayEquals(hex("62 02 00 0A"), bytes(new Ack(PacketType.PUBREL, 10)));
    assertArrayEquals(hex("70 02 00 0A"), bytes(new Ack(PacketType.PUBCOMP, 10)));
    assertArrayEquals(hex("B0 02 00 0A"), bytes(new Ack(PacketType.UNSUBACK, 10)));
    assertArrayEquals(hex("90 05 00 0A 00 01 80"), bytes(new SubAck(10, List.of(0, 1, 0x80))));
    assertArrayEquals(hex("C0 00"), bytes(PingReq.INSTANCE));
    assertArrayEquals(hex("D0 00"), bytes(PingResp.INSTANCE));
    assertArrayEquals(hex("E0 00"), bytes(new Disconnect()));
    // reason codes are MQTT 5.0: not written for 3.1.1
    assertArrayEquals(hex("40 02 00 0A"), bytes(new Ack(PacketType.PUBACK, 10, 0x10)));
    assertArrayEquals(
        hex("3B 08 00 03 61 2F 62 00 07 FF"),
        bytes(new Publish("a/b", 1, true, true, 7, Unpooled.wrappedBuffer(hex("FF")))));
    assertArrayEquals(
        hex("30 04 00 01 78 41"),
        bytes(new Publish("x", 0, false, false, 0, Unpooled.wrappedBuffer(hex("41")))));
    assertArrayEquals(
        hex("82 08 00 01 00 03 61 2F 23 02"),
        bytes(new Subscribe(1, List.of(new TopicSubscription("a/#", 2)))));
    assertArrayEquals(hex("A2 05 00 02 00 01 2B"), bytes(new Unsubscribe(2, List.of("+"))));
    // CONNECT: "MQTT" level 4, flags: username, password, will retain, will qos 1, will, clean
    assertArrayEquals(
        hex("10 1B 0004 4D515454 04 EE 003C 0001 63 0001 77 0002 0102 0001 75 0002 7070"),
        bytes(
            new Connect(
                MqttVersion.V3_1_1, "c", true, 60, "u", "pp".getBytes(StandardCharsets.US_ASCII),
                new Will("w", new byte[] {1, 2}, 1, true, MqttProperties.EMPTY))));
  }

  @Test
  void remainingLengthEncoding() {
    int[][] cases = {
      {0, 1}, {127, 1}, {128, 2}, {16_383, 2}, {16_384, 3}, {2_097_151, 3}, {2_097_152, 4},
      {268_435_455, 4}
    };
    String[] expected = {
      "00", "7F", "8001", "FF7F", "808001", "FFFF7F", "80808001", "FFFFFF7F"
    };
    for (int i = 0; i < cases.length; i++) {
      assertEquals(cases[i][1], MqttEncoder.remainingLengthSize(cases[i][0]));
      ByteBuf buf = Unpooled.buffer();
      MqttEncoder.writeRemainingLength(buf, cases[i][0]);
      assertEquals(expected[i], ByteBufUtil.hexDump(buf).toUpperCase());
    }
    assertThrows(
        IllegalArgumentException.class, () -> MqttEncoder.remainingLengthSize(268_435_456));
    assertThrows(IllegalArgumentException.class, () -> MqttEncoder.remainingLengthSize(-1));
  }

  @Test
  void encodePublishSharesThePayloadWithoutCopying() throws Exception {
    ByteBuf payload = ALLOC.directBuffer(1000).writeBytes(new byte[1000]);
    payload.setByte(0, 42);
    int readerIndex = payload.readerIndex();
    ByteBuf frame =
        MqttEncoder.encodePublish(MqttVersion.V3_1_1, "t/1", 1, false, false, 5, payload, ALLOC);
    assertEquals(2, payload.refCnt(), "the frame holds its own reference");
    assertEquals(readerIndex, payload.readerIndex(), "payload indexes untouched");
    Publish expected = new Publish("t/1", 1, false, false, 5, payload);
    assertArrayEquals(bytes(expected), ByteBufUtil.getBytes(frame));
    // same payload memory: a change to the payload shows through the frame
    payload.setByte(0, 43);
    assertEquals(43, frame.getByte(frame.writerIndex() - 1000));
    frame.release();
    assertEquals(1, payload.refCnt());
    payload.release();
  }

  @Test
  void encodePublishWithEmptyPayloadIsJustTheHeader() {
    ByteBuf frame =
        MqttEncoder.encodePublish(4, "t", 0, true, false, 0, Unpooled.EMPTY_BUFFER, ALLOC);
    assertArrayEquals(hex("31 03 00 01 74"), ByteBufUtil.getBytes(frame));
    assertTrue(frame.release());
  }

  @Test
  void encoderRejectsWhatTheWireCannotCarry() {
    ByteBuf p = Unpooled.EMPTY_BUFFER;
    assertThrows(
        IllegalArgumentException.class,
        () -> MqttEncoder.encodePublish(4, "t", 1, false, false, 0, p, ALLOC));
    assertThrows(
        IllegalArgumentException.class,
        () -> MqttEncoder.encodePublish(4, "t", 3, false, false, 1, p, ALLOC));
    assertThrows(
        IllegalArgumentException.class,
        () -> MqttEncoder.encodePublish(4, "t", 0, false, true, 0, p, ALLOC));
    assertThrows(
        IllegalArgumentException.class,
        () -> MqttEncoder.encodePublish(4, "x".repeat(65536), 0, false, false, 0, p, ALLOC));
    assertThrows(
        IllegalArgumentException.class,
        () -> MqttEncoder.encode(new Ack(PacketType.PUBACK, 0), 4, ALLOC));
    assertThrows(
        IllegalArgumentException.class,
        () -> MqttEncoder.encode(new Subscribe(1, List.of()), 4, ALLOC));
    assertThrows(IllegalArgumentException.class, () -> new Ack(PacketType.PUBLISH, 1));
  }

  @Test
  void packetTypeValues() {
    for (PacketType t : PacketType.values()) {
      assertSame(t, PacketType.of(t.value()));
    }
    assertEquals(1, PacketType.CONNECT.value());
    assertEquals(15, PacketType.AUTH.value());
    assertThrows(IllegalArgumentException.class, () -> PacketType.of(0));
    assertThrows(IllegalArgumentException.class, () -> PacketType.of(16));
  }
}
