package io.tributary.mqtt.codec;

import static io.tributary.mqtt.codec.Codec5TestSupport.CONNACK_5;
import static io.tributary.mqtt.codec.Codec5TestSupport.CONNECT_5_AUTH;
import static io.tributary.mqtt.codec.Codec5TestSupport.V5;
import static io.tributary.mqtt.codec.Codec5TestSupport.bytes5;
import static io.tributary.mqtt.codec.Codec5TestSupport.clientAccepts5;
import static io.tributary.mqtt.codec.Codec5TestSupport.accepts5;
import static io.tributary.mqtt.codec.CodecTestSupport.ALLOC;
import static io.tributary.mqtt.codec.CodecTestSupport.MAX;
import static io.tributary.mqtt.codec.CodecTestSupport.bytes;
import static io.tributary.mqtt.codec.CodecTestSupport.concat;
import static io.tributary.mqtt.codec.CodecTestSupport.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every MQTT 5.0 packet, with every property it may carry, through encoder and decoder. */
class Mqtt5CodecRoundTripTest {

  private static ByteBuf payload(int size) {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    return Unpooled.wrappedBuffer(bytes);
  }

  private static ByteBuf text(String s) {
    return Unpooled.wrappedBuffer(s.getBytes(StandardCharsets.UTF_8));
  }

  private static List<UserProperty> users() {
    return List.of(
        new UserProperty("a", "1"),
        new UserProperty("a", "2"),
        new UserProperty("", ""),
        new UserProperty("\u00fc\u20ac", "\ud83d\ude00"),
        new UserProperty("a", "1"));
  }

  // ---------------------------------------------------------------- full property sets

  static MqttProperties connectProperties() {
    return new MqttProperties()
        .sessionExpiryInterval(0xFFFF_FFFFL)
        .authenticationMethod(Codec5TestSupport.AUTH_METHOD)
        .authenticationData(new byte[] {1, 2, 3, 0, -1})
        .requestProblemInformation(false)
        .requestResponseInformation(true)
        .receiveMaximum(65535)
        .topicAliasMaximum(0)
        .userProperties(users())
        .maximumPacketSize(268_435_460L);
  }

  static MqttProperties willProperties() {
    return new MqttProperties()
        .payloadFormatIndicator(1)
        .messageExpiryInterval(0L)
        .contentType("text/plain; charset=utf-8")
        .responseTopic("reply/\u00fc")
        .correlationData(new byte[] {9, 8, 7})
        .willDelayInterval(4_000_000_000L)
        .userProperties(users());
  }

  static MqttProperties connAckProperties() {
    return new MqttProperties()
        .sessionExpiryInterval(3600L)
        .assignedClientIdentifier("auto-\u00e9")
        .serverKeepAlive(0)
        .authenticationMethod("x")
        .authenticationData(new byte[0])
        .responseInformation("resp/")
        .serverReference("other:1883")
        .reasonString("fine")
        .receiveMaximum(1)
        .topicAliasMaximum(65535)
        .maximumQos(1)
        .retainAvailable(false)
        .userProperties(users())
        .maximumPacketSize(1L)
        .wildcardSubscriptionAvailable(true)
        .subscriptionIdentifierAvailable(false)
        .sharedSubscriptionAvailable(true);
  }

  /** Everything a client PUBLISH may carry (no subscription identifier). */
  static MqttProperties clientPublishProperties() {
    return new MqttProperties()
        .payloadFormatIndicator(0)
        .messageExpiryInterval(60L)
        .contentType("application/octet-stream")
        .responseTopic("reply/to/me")
        .correlationData(new byte[] {1, 2})
        .topicAlias(7)
        .userProperties(users());
  }

  /** Everything a server PUBLISH may carry: several subscription identifiers too. */
  static MqttProperties serverPublishProperties() {
    return clientPublishProperties()
        .subscriptionIdentifiers(List.of(1, 127, 128, 16_383, 16_384, 268_435_455));
  }

  static MqttProperties ackProperties() {
    return new MqttProperties().reasonString("because \u00fc").userProperties(users());
  }

  // ---------------------------------------------------------------- client -> server

  static Stream<Packet> clientPackets() {
    return Stream.of(
        new Publish("a/b", 0, false, false, 0, payload(10), MqttProperties.EMPTY),
        new Publish("a/b", 1, true, true, 65535, payload(1000), clientPublishProperties()),
        new Publish("a/b", 2, false, false, 3, text("h\u00e9llo \ud83d\ude00 \u0000"),
            new MqttProperties().payloadFormatIndicator(1)),
        new Publish("", 1, false, false, 9, payload(5), new MqttProperties().topicAlias(3)),
        new Publish("", 0, false, false, 0, Unpooled.EMPTY_BUFFER,
            new MqttProperties().topicAlias(0)),
        new Publish("big", 0, false, false, 0, payload(200_000), clientPublishProperties()),
        new Ack(PacketType.PUBACK, 1),
        new Ack(PacketType.PUBACK, 2, ReasonCodes.NO_MATCHING_SUBSCRIBERS),
        new Ack(PacketType.PUBACK, 3, ReasonCodes.SUCCESS, ackProperties()),
        new Ack(PacketType.PUBREC, 4, ReasonCodes.PAYLOAD_FORMAT_INVALID, ackProperties()),
        new Ack(PacketType.PUBREC, 5, ReasonCodes.QUOTA_EXCEEDED),
        new Ack(PacketType.PUBREL, 6),
        new Ack(PacketType.PUBREL, 7, ReasonCodes.PACKET_IDENTIFIER_NOT_FOUND, ackProperties()),
        new Ack(PacketType.PUBCOMP, 8),
        new Ack(PacketType.PUBCOMP, 9, ReasonCodes.PACKET_IDENTIFIER_NOT_FOUND),
        new Subscribe(
            10,
            List.of(
                new TopicSubscription("a/+/c", 0),
                new TopicSubscription("#", 1, true, false, 0),
                new TopicSubscription("sport/tennis/#", 2, false, true, 1),
                new TopicSubscription("$share/g/x/#", 1, false, true, 2),
                new TopicSubscription("+", 2, true, true, 2)),
            new MqttProperties().subscriptionIdentifier(268_435_455).userProperties(users())),
        new Subscribe(11, List.of(new TopicSubscription("a", 0)),
            new MqttProperties().subscriptionIdentifier(1)),
        new Unsubscribe(12, List.of("a/+/c", "#"), new MqttProperties().userProperties(users())),
        new Unsubscribe(13, List.of("x")),
        PingReq.INSTANCE,
        Disconnect.INSTANCE,
        new Disconnect(ReasonCodes.DISCONNECT_WITH_WILL_MESSAGE),
        new Disconnect(ReasonCodes.NORMAL_DISCONNECTION, new MqttProperties().reasonString("bye")),
        new Disconnect(ReasonCodes.MESSAGE_RATE_TOO_HIGH,
            new MqttProperties().serverReference("elsewhere").reasonString("r")
                .userProperties(users())),
        new Auth(ReasonCodes.CONTINUE_AUTHENTICATION,
            new MqttProperties().authenticationMethod("x").authenticationData(new byte[] {1})
                .reasonString("step 2").userProperties(users())),
        new Auth(ReasonCodes.RE_AUTHENTICATE, new MqttProperties().authenticationMethod("x")));
  }

  @ParameterizedTest
  @MethodSource("clientPackets")
  void clientToServerPacketsRoundTrip(Packet p) throws Exception {
    List<Packet> decoded = accepts5(concat(CONNECT_5_AUTH, bytes5(p)));
    assertEquals(2, decoded.size());
    assertEquals(p, decoded.get(1));
    assertEquals(p.properties(), decoded.get(1).properties());
    if (p.properties().isEmpty()) {
      assertSame(MqttProperties.EMPTY, decoded.get(1).properties());
    }
    assertEquals(bytes5(p).length, MqttEncoder.encodedSize(p, V5));
  }

  static Stream<Connect> connects() {
    return Stream.of(
        new Connect(V5, "c5", true, 60, null, null, null),
        new Connect(V5, "", false, 0, null, null, null, connectProperties()),
        // 5.0: a password without a username
        new Connect(V5, "c", true, 10, null, new byte[] {1, 2}, null),
        new Connect(V5, "c", true, 10, "u", new byte[0],
            new Will("w/t", new byte[] {1, 2, 3}, 1, true)),
        new Connect(V5, "\u00fc\u20ac\ud83d\ude00", false, 65535, "\u00e9l\u00e8ve",
            "p".getBytes(StandardCharsets.UTF_8),
            new Will("will/\u00fc", "gone \u00fc".getBytes(StandardCharsets.UTF_8), 2, false,
                willProperties()),
            connectProperties()));
  }

  @ParameterizedTest
  @MethodSource("connects")
  void connectRoundTrip(Connect c) throws Exception {
    MqttDecoder d = new MqttDecoder(MAX, ALLOC);
    List<Packet> decoded = CodecTestSupport.decode(d, bytes5(c), 1);
    assertEquals(List.of(c), decoded);
    assertEquals(V5, d.protocolLevel());
    Connect got = (Connect) decoded.get(0);
    assertEquals(c.properties(), got.properties());
    assertEquals(c.will(), got.will());
    if (c.will() != null) {
      assertEquals(c.will().properties(), got.will().properties());
    }
    assertEquals(c.cleanSession(), got.cleanStart());
    assertEquals(bytes5(c).length, MqttEncoder.encodedSize(c, V5));
    d.release();
  }

  @Test
  void connectIsWrittenInTheLayoutOfItsOwnLevel() {
    Connect c = new Connect(V5, "c", true, 60, null, null, null);
    assertArrayEquals(bytes(c, 4), bytes(c, 5));
    // "MQTT" 5, clean start, keep alive 60, property length 0, client id "c"
    assertArrayEquals(hex("10 0E 0004 4D515454 05 02 003C 00 0001 63"), bytes5(c));
  }

  // ---------------------------------------------------------------- server -> client

  static Stream<Packet> serverPackets() {
    return Stream.of(
        new Publish("a/b", 0, false, false, 0, payload(10), serverPublishProperties()),
        new Publish("", 1, true, false, 99, payload(1000),
            new MqttProperties().topicAlias(65535).subscriptionIdentifier(7)),
        new Publish("a", 2, false, true, 65535, Unpooled.EMPTY_BUFFER, MqttProperties.EMPTY),
        new Ack(PacketType.PUBACK, 1, ReasonCodes.NOT_AUTHORIZED, ackProperties()),
        new Ack(PacketType.PUBREC, 2, ReasonCodes.PACKET_IDENTIFIER_IN_USE),
        new Ack(PacketType.PUBREL, 3, 0, ackProperties()),
        new Ack(PacketType.PUBCOMP, 4),
        new SubAck(5, List.of(0, 1, 2, 0x80, 0x83, 0x87, 0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2),
            ackProperties()),
        new SubAck(6, List.of(1)),
        new UnsubAck(7, List.of(0x00, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91), ackProperties()),
        new UnsubAck(8, List.of(0)),
        PingResp.INSTANCE,
        new Disconnect(ReasonCodes.SESSION_TAKEN_OVER),
        new Disconnect(ReasonCodes.SERVER_MOVED,
            new MqttProperties().serverReference("b:1883").reasonString("moved")
                .userProperties(users())),
        new Disconnect(ReasonCodes.KEEP_ALIVE_TIMEOUT, new MqttProperties().reasonString("late")),
        new Auth(ReasonCodes.SUCCESS, MqttProperties.EMPTY),
        new Auth(ReasonCodes.SUCCESS, new MqttProperties().authenticationMethod("x")),
        new Auth(ReasonCodes.CONTINUE_AUTHENTICATION,
            new MqttProperties().authenticationMethod("SCRAM-SHA-1")
                .authenticationData(new byte[] {5, 6}).reasonString("more")
                .userProperties(users())));
  }

  @ParameterizedTest
  @MethodSource("serverPackets")
  void serverToClientPacketsRoundTrip(Packet p) throws Exception {
    ConnAck connAck = new ConnAck(true, 0, connAckProperties());
    List<Packet> decoded = clientAccepts5(concat(bytes5(connAck), bytes5(p)));
    assertEquals(List.of(connAck, p), decoded);
    assertEquals(p.properties(), decoded.get(1).properties());
    assertEquals(bytes5(p).length, MqttEncoder.encodedSize(p, V5));
  }

  @ParameterizedTest
  @ValueSource(ints = {0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8A,
      0x8C, 0x90, 0x95, 0x97, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9F})
  void connAckRoundTripsEveryReasonCode(int reasonCode) throws Exception {
    ConnAck a = new ConnAck(reasonCode == 0, reasonCode,
        new MqttProperties().reasonString("rc " + reasonCode));
    assertEquals(List.of(a), clientAccepts5(bytes5(a)));
  }

  @Test
  void connAckWithEveryPropertyRoundTrips() throws Exception {
    ConnAck a = new ConnAck(false, 0, connAckProperties());
    ConnAck got = (ConnAck) clientAccepts5(bytes5(a)).get(0);
    assertEquals(a, got);
    MqttProperties p = got.properties();
    assertEquals(3600L, p.sessionExpiryInterval());
    assertEquals("auto-\u00e9", p.assignedClientIdentifier());
    assertEquals(0, p.serverKeepAlive());
    assertEquals("x", p.authenticationMethod());
    assertArrayEquals(new byte[0], p.authenticationData());
    assertEquals("resp/", p.responseInformation());
    assertEquals("other:1883", p.serverReference());
    assertEquals("fine", p.reasonString());
    assertEquals(1, p.receiveMaximum());
    assertEquals(65535, p.topicAliasMaximum());
    assertEquals(1, p.maximumQos());
    assertEquals(false, p.retainAvailable());
    assertEquals(users(), p.userProperties());
    assertEquals(1L, p.maximumPacketSize());
    assertEquals(true, p.wildcardSubscriptionAvailable());
    assertEquals(false, p.subscriptionIdentifierAvailable());
    assertEquals(true, p.sharedSubscriptionAvailable());
  }

  @Test
  void serverPublishCarriesAllItsSubscriptionIdentifiersInOrder() throws Exception {
    Publish p = new Publish("t", 0, false, false, 0, payload(1), serverPublishProperties());
    Publish got = (Publish) clientAccepts5(concat(CONNACK_5, bytes5(p))).get(1);
    assertEquals(List.of(1, 127, 128, 16_383, 16_384, 268_435_455),
        got.properties().subscriptionIdentifiers());
    assertEquals(1, got.properties().subscriptionIdentifier());
    assertEquals(7, got.properties().topicAlias());
    assertEquals(users(), got.properties().userProperties());
  }

  @Test
  void everyPropertyIsCoveredByTheRoundTrips() {
    long seen = 0;
    for (MqttProperties p : List.of(connectProperties(), willProperties(), connAckProperties(),
        serverPublishProperties(), ackProperties())) {
      seen |= p.presentMask();
    }
    seen |= new MqttProperties().serverReference("s").presentMask();
    for (int id : Codec5TestSupport.allIds()) {
      assertTrue((seen & (1L << id)) != 0, PropertyIds.describe(id));
    }
    assertEquals(27, Codec5TestSupport.allIds().size());
  }

  // ---------------------------------------------------------------- exact wire bytes

  @Test
  void wireBytesMatchTheSpecification() {
    assertArrayEquals(hex("20 03 01 00 00"), bytes5(new ConnAck(true, 0)));
    assertArrayEquals(hex("20 06 00 00 03 21 00 0A"),
        bytes5(new ConnAck(false, 0, new MqttProperties().receiveMaximum(10))));
    assertArrayEquals(hex("20 03 00 87 00"), bytes5(new ConnAck(false, 0x87)));
    // acks: reason code and properties left out when 0x00 and none; properties left out if none
    assertArrayEquals(hex("40 02 00 0A"), bytes5(new Ack(PacketType.PUBACK, 10)));
    assertArrayEquals(hex("40 03 00 0A 10"), bytes5(new Ack(PacketType.PUBACK, 10, 0x10)));
    assertArrayEquals(hex("40 08 00 0A 00 04 1F 0001 78"),
        bytes5(new Ack(PacketType.PUBACK, 10, 0, new MqttProperties().reasonString("x"))));
    assertArrayEquals(hex("62 03 00 0A 92"), bytes5(new Ack(PacketType.PUBREL, 10, 0x92)));
    assertArrayEquals(hex("50 02 00 0A"), bytes5(new Ack(PacketType.PUBREC, 10)));
    assertArrayEquals(hex("70 02 00 0A"), bytes5(new Ack(PacketType.PUBCOMP, 10)));
    assertArrayEquals(hex("90 05 00 0A 00 01 87"), bytes5(new SubAck(10, List.of(1, 0x87))));
    assertArrayEquals(hex("B0 05 00 0A 00 00 11"), bytes5(new UnsubAck(10, List.of(0, 0x11))));
    assertArrayEquals(hex("E0 00"), bytes5(Disconnect.INSTANCE));
    assertArrayEquals(hex("E0 01 04"), bytes5(new Disconnect(4)));
    assertArrayEquals(hex("E0 07 00 05 11 0000003C"),
        bytes5(new Disconnect(0, new MqttProperties().sessionExpiryInterval(60L))));
    assertArrayEquals(hex("F0 00"), bytes5(new Auth(0, MqttProperties.EMPTY)));
    assertArrayEquals(hex("F0 06 18 04 15 0001 6D"),
        bytes5(new Auth(0x18, new MqttProperties().authenticationMethod("m"))));
    assertArrayEquals(hex("C0 00"), bytes5(PingReq.INSTANCE));
    assertArrayEquals(hex("D0 00"), bytes5(PingResp.INSTANCE));
    // options: QoS 1 | No Local | Retain As Published | Retain Handling 2 = 0x2D
    assertArrayEquals(hex("82 09 0001 02 0B 05 0001 61 2D"),
        bytes5(new Subscribe(1, List.of(new TopicSubscription("a", 1, true, true, 2)),
            new MqttProperties().subscriptionIdentifier(5))));
    assertArrayEquals(hex("A2 06 0002 00 0001 2B"), bytes5(new Unsubscribe(2, List.of("+"))));
    // empty topic with a topic alias
    assertArrayEquals(hex("30 07 0000 03 23 0005 41"),
        bytes5(new Publish("", 0, false, false, 0, Unpooled.wrappedBuffer(hex("41")),
            new MqttProperties().topicAlias(5))));
    // two subscription identifiers, the second one 4 bytes long
    assertArrayEquals(hex("30 0C 0001 74 07 0B 01 0B FFFFFF7F 41"),
        bytes5(new Publish("t", 0, false, false, 0, Unpooled.wrappedBuffer(hex("41")),
            new MqttProperties().subscriptionIdentifiers(List.of(1, 268_435_455)))));
    assertArrayEquals(hex("3B 09 0003 612F62 0007 00 FF"),
        bytes5(new Publish("a/b", 1, true, true, 7, Unpooled.wrappedBuffer(hex("FF")))));
    // user properties in order, duplicates kept
    assertArrayEquals(hex("40 12 000A 00 0E 26 0001 61 0001 31 26 0001 61 0001 31"),
        bytes5(new Ack(PacketType.PUBACK, 10, 0, new MqttProperties()
            .addUserProperty("a", "1").addUserProperty("a", "1"))));
  }

  @Test
  void propertiesAreWrittenInIdentifierOrder() {
    MqttProperties p = new MqttProperties()
        .userProperties(List.of(new UserProperty("k", "v")))
        .reasonString("r");
    assertArrayEquals(hex("40 0F 0001 00 0B 1F 0001 72 26 0001 6B 0001 76"),
        bytes5(new Ack(PacketType.PUBACK, 1, 0, p)));
  }

  // ---------------------------------------------------------------- sizes

  static Stream<Packet> allPackets() {
    List<Packet> all = new ArrayList<>();
    clientPackets().forEach(all::add);
    serverPackets().forEach(all::add);
    connects().forEach(all::add);
    all.add(new ConnAck(false, 0, connAckProperties()));
    return all.stream();
  }

  @ParameterizedTest
  @MethodSource("allPackets")
  void encodedSizeIsTheSizeWritten(Packet p) {
    assertEquals(bytes5(p).length, MqttEncoder.encodedSize(p, V5));
    if (p.type() != PacketType.AUTH
        && !(p instanceof Ack && p.type() == PacketType.UNSUBACK)) {
      assertEquals(bytes(p, 4).length, MqttEncoder.encodedSize(p, 4));
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 100, 16_000, 2_097_000})
  void publishSizeIsTheSizeWritten(int payloadLength) {
    ByteBuf payload = Unpooled.wrappedBuffer(new byte[payloadLength]);
    for (int level : new int[] {4, 5}) {
      for (int qos = 0; qos <= 2; qos++) {
        for (MqttProperties props : List.of(MqttProperties.EMPTY, serverPublishProperties())) {
          ByteBuf frame = MqttEncoder.encodePublish(
              level, "a/\u00fc", qos, false, false, qos == 0 ? 0 : 1, props, payload, ALLOC);
          assertEquals(frame.readableBytes(),
              MqttEncoder.publishSize(level, "a/\u00fc", qos, props, payloadLength));
          frame.release();
        }
      }
    }
  }

  @Test
  void publishSizeAtTheLimit() {
    // remaining length 268435455: topic "t" (3) + property length 0 (1) + payload
    int payload = MqttEncoder.MAX_REMAINING_LENGTH - 4;
    assertEquals(1 + 4 + MqttEncoder.MAX_REMAINING_LENGTH,
        MqttEncoder.publishSize(5, "t", 0, MqttProperties.EMPTY, payload));
    assertThrows(IllegalArgumentException.class,
        () -> MqttEncoder.publishSize(5, "t", 0, MqttProperties.EMPTY, payload + 1));
    assertThrows(IllegalArgumentException.class,
        () -> MqttEncoder.publishSize(5, "t", 0, MqttProperties.EMPTY, Integer.MAX_VALUE));
    assertEquals(1 + 4 + MqttEncoder.MAX_REMAINING_LENGTH,
        MqttEncoder.publishSize(4, "t", 0, serverPublishProperties(), payload + 1));
  }

  // ---------------------------------------------------------------- zero copy

  @Test
  void encodePublishWithPropertiesSharesThePayload() throws Exception {
    ByteBuf payload = ALLOC.directBuffer(1000).writeBytes(new byte[1000]);
    MqttProperties props = serverPublishProperties();
    ByteBuf frame = MqttEncoder.encodePublish(V5, "t/1", 1, false, false, 5, props, payload,
        ALLOC);
    assertEquals(2, payload.refCnt());
    Publish expected = new Publish("t/1", 1, false, false, 5, payload, props);
    assertArrayEquals(bytes5(expected), ByteBufUtil.getBytes(frame));
    payload.setByte(999, 43);
    assertEquals(43, frame.getByte(frame.writerIndex() - 1));
    frame.release();
    assertEquals(1, payload.refCnt());
    payload.release();
  }

  @Test
  void encodePublishAliasOnlyWithEmptyPayloadIsJustTheHeader() {
    ByteBuf frame = MqttEncoder.encodePublish(V5, "", 0, true, false, 0,
        new MqttProperties().topicAlias(1), Unpooled.EMPTY_BUFFER, ALLOC);
    assertArrayEquals(hex("31 06 0000 03 23 0001"), ByteBufUtil.getBytes(frame));
    assertTrue(frame.release());
  }

  // ---------------------------------------------------------------- streams

  private static List<Packet> session5() {
    List<Packet> s = new ArrayList<>();
    s.add(new Connect(V5, "stream5", false, 30, "u", new byte[] {1},
        new Will("w/t", "bye".getBytes(StandardCharsets.UTF_8), 1, false, willProperties()),
        connectProperties()));
    clientPackets().forEach(s::add);
    return s;
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 5, 7, 64, 1000, 65_536, Integer.MAX_VALUE})
  void anySplitGivesTheSamePackets(int chunkSize) throws Exception {
    List<byte[]> parts = new ArrayList<>();
    for (Packet p : session5()) {
      parts.add(bytes5(p));
    }
    byte[] data = concat(parts.toArray(new byte[0][]));
    MqttDecoder d = new MqttDecoder(MAX, PooledByteBufAllocator.DEFAULT);
    assertEquals(session5(), CodecTestSupport.decode(d, data, Math.min(chunkSize, data.length)));
    assertNull(d.cumulation());
    d.release();
  }

  // ---------------------------------------------------------------- 5.0 objects at 3.1.1

  @Test
  void whatThreeOneOneCannotCarryIsLeftOut() throws Exception {
    assertArrayEquals(hex("20 02 00 00"), bytes(new ConnAck(false, 0, connAckProperties()), 4));
    assertArrayEquals(hex("40 02 00 0A"),
        bytes(new Ack(PacketType.PUBACK, 10, 0x87, ackProperties()), 4));
    assertArrayEquals(hex("B0 02 00 0A"), bytes(new UnsubAck(10, List.of(0x11)), 4));
    assertArrayEquals(hex("E0 00"), bytes(new Disconnect(0x8E, ackProperties()), 4));
    assertArrayEquals(hex("82 06 0001 0001 61 01"),
        bytes(new Subscribe(1, List.of(new TopicSubscription("a", 1, true, true, 2)),
            new MqttProperties().subscriptionIdentifier(3)), 4));
    Publish p = new Publish("t", 0, false, false, 0, Unpooled.wrappedBuffer(hex("41")),
        serverPublishProperties());
    assertArrayEquals(hex("30 04 0001 74 41"), bytes(p, 4));
    assertArrayEquals(hex("30 04 0001 74 41"), ByteBufUtil.getBytes(MqttEncoder.encodePublish(4,
        "t", 0, false, false, 0, serverPublishProperties(), Unpooled.wrappedBuffer(hex("41")),
        ALLOC)));
    // 3.1.1 has one SUBACK failure code
    assertArrayEquals(hex("90 07 000A 00 01 02 80 80"),
        bytes(new SubAck(10, List.of(0, 1, 2, 0x80, 0xA2)), 4));
    // 5.0 CONNACK refusals as the nearest 3.1.1 return code
    assertArrayEquals(hex("20 02 00 01"), bytes(new ConnAck(false, 0x84), 4));
    assertArrayEquals(hex("20 02 00 02"), bytes(new ConnAck(false, 0x85), 4));
    assertArrayEquals(hex("20 02 00 04"), bytes(new ConnAck(false, 0x86), 4));
    assertArrayEquals(hex("20 02 00 05"), bytes(new ConnAck(false, 0x87), 4));
    assertArrayEquals(hex("20 02 00 03"), bytes(new ConnAck(false, 0x89), 4));
    assertArrayEquals(hex("20 02 00 03"), bytes(new ConnAck(false, 0x88), 4));
    // a 3.1.1 client decoder accepts all of them
    CodecTestSupport.decodeClient(concat(bytes(new ConnAck(false, 0, connAckProperties()), 4),
        bytes(new UnsubAck(10, List.of(0x11)), 4), bytes(new SubAck(1, List.of(0xA2)), 4)));
  }

  @Test
  void encoderRejectsWhatTheWireCannotCarry() {
    // a 5.0 UNSUBACK needs a reason code per filter
    assertThrows(IllegalArgumentException.class,
        () -> MqttEncoder.encode(new Ack(PacketType.UNSUBACK, 1), V5, ALLOC));
    assertThrows(IllegalArgumentException.class,
        () -> MqttEncoder.encode(new UnsubAck(1, List.of()), V5, ALLOC));
    assertThrows(IllegalArgumentException.class,
        () -> MqttEncoder.encode(new Auth(0x18, MqttProperties.EMPTY), 4, ALLOC));
    // properties a packet type cannot carry
    assertThrows(IllegalArgumentException.class, () -> MqttEncoder.encode(
        new Ack(PacketType.PUBACK, 1, 0, new MqttProperties().topicAlias(1)), V5, ALLOC));
    assertThrows(IllegalArgumentException.class, () -> MqttEncoder.encode(
        new ConnAck(false, 0, new MqttProperties().topicAlias(1)), V5, ALLOC));
    assertThrows(IllegalArgumentException.class, () -> MqttEncoder.encodePublish(V5, "t", 0,
        false, false, 0, new MqttProperties().receiveMaximum(1), Unpooled.EMPTY_BUFFER, ALLOC));
    assertThrows(IllegalArgumentException.class, () -> MqttEncoder.encode(
        new Connect(V5, "c", true, 0, null, null,
            new Will("w", new byte[0], 0, false, new MqttProperties().sessionExpiryInterval(1L))),
        V5, ALLOC));
    assertThrows(IllegalArgumentException.class, () -> MqttEncoder.encode(
        new Subscribe(1, List.of(new TopicSubscription("a", 0)),
            new MqttProperties().subscriptionIdentifiers(List.of(1, 2))), V5, ALLOC));
    // strings and binary data over 65535 bytes
    assertThrows(IllegalArgumentException.class, () -> MqttEncoder.encode(
        new Disconnect(0, new MqttProperties().reasonString("x".repeat(65536))), V5, ALLOC));
    assertThrows(IllegalArgumentException.class, () -> MqttEncoder.encode(
        new Auth(0x18, new MqttProperties().authenticationMethod("m")
            .authenticationData(new byte[65536])), V5, ALLOC));
    assertThrows(IllegalArgumentException.class, () -> MqttEncoder.encodedSize(
        new Disconnect(0, new MqttProperties().addUserProperty("k", "v".repeat(70_000))), V5));
  }

  // ---------------------------------------------------------------- MqttProperties

  @Test
  void gettersAreNullUntilSet() {
    MqttProperties p = new MqttProperties();
    assertTrue(p.isEmpty());
    assertNull(p.payloadFormatIndicator());
    assertNull(p.messageExpiryInterval());
    assertNull(p.contentType());
    assertNull(p.responseTopic());
    assertNull(p.correlationData());
    assertEquals(List.of(), p.subscriptionIdentifiers());
    assertNull(p.subscriptionIdentifier());
    assertNull(p.sessionExpiryInterval());
    assertNull(p.assignedClientIdentifier());
    assertNull(p.serverKeepAlive());
    assertNull(p.authenticationMethod());
    assertNull(p.authenticationData());
    assertNull(p.requestProblemInformation());
    assertNull(p.willDelayInterval());
    assertNull(p.requestResponseInformation());
    assertNull(p.responseInformation());
    assertNull(p.serverReference());
    assertNull(p.reasonString());
    assertNull(p.receiveMaximum());
    assertNull(p.topicAliasMaximum());
    assertNull(p.topicAlias());
    assertNull(p.maximumQos());
    assertNull(p.retainAvailable());
    assertEquals(List.of(), p.userProperties());
    assertNull(p.maximumPacketSize());
    assertNull(p.wildcardSubscriptionAvailable());
    assertNull(p.subscriptionIdentifierAvailable());
    assertNull(p.sharedSubscriptionAvailable());
    assertEquals(MqttProperties.EMPTY, p);
    assertEquals(MqttProperties.EMPTY.hashCode(), p.hashCode());
    assertEquals("{}", p.toString());
  }

  @Test
  void settersGettersEqualityAndCopy() {
    MqttProperties a = willProperties();
    MqttProperties b = willProperties();
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
    assertEquals(1, a.payloadFormatIndicator());
    assertEquals(4_000_000_000L, a.willDelayInterval());
    assertTrue(a.contains(MqttProperties.WILL_DELAY_INTERVAL));
    assertFalse(a.contains(MqttProperties.TOPIC_ALIAS));
    b.correlationData(new byte[] {9, 8, 6});
    assertNotEquals(a, b);
    MqttProperties c = a.copy();
    assertEquals(a, c);
    c.contentType(null);
    assertNull(c.contentType());
    assertEquals("text/plain; charset=utf-8", a.contentType());
    assertFalse(c.contains(MqttProperties.CONTENT_TYPE));
    c.addUserProperty("z", "z");
    assertEquals(users().size(), a.userProperties().size());
    assertEquals(users().size() + 1, c.userProperties().size());
    assertThrows(UnsupportedOperationException.class, () -> a.userProperties().clear());
    c.userProperties(null).subscriptionIdentifiers(List.of());
    assertEquals(List.of(), c.userProperties());
    String s = a.toString();
    assertTrue(s.contains("willDelayInterval=4000000000"), s);
    assertTrue(s.contains("correlationData=<3 bytes>"), s);
    assertTrue(s.contains("userProperties=[a=1, a=2"), s);
    assertTrue(new MqttProperties().retainAvailable(false).toString()
        .contains("retainAvailable=false"));
    // user properties: order matters, duplicates count
    assertNotEquals(new MqttProperties().addUserProperty("a", "1").addUserProperty("b", "2"),
        new MqttProperties().addUserProperty("b", "2").addUserProperty("a", "1"));
    assertNotEquals(new MqttProperties().addUserProperty("a", "1"),
        new MqttProperties().addUserProperty("a", "1").addUserProperty("a", "1"));
    assertEquals(List.of(3, 4),
        new MqttProperties().addSubscriptionIdentifier(3).addSubscriptionIdentifier(4)
            .subscriptionIdentifiers());
  }

  @Test
  void emptyIsImmutable() {
    assertThrows(UnsupportedOperationException.class,
        () -> MqttProperties.EMPTY.reasonString("x"));
    assertThrows(UnsupportedOperationException.class,
        () -> MqttProperties.EMPTY.addUserProperty("a", "b"));
    assertTrue(MqttProperties.EMPTY.isEmpty());
    MqttProperties copy = MqttProperties.EMPTY.copy().reasonString("x");
    assertEquals("x", copy.reasonString());
    assertTrue(MqttProperties.EMPTY.isEmpty());
  }

  @Test
  void settersRejectWhatTheWireCannotCarry() {
    MqttProperties p = new MqttProperties();
    assertThrows(IllegalArgumentException.class, () -> p.receiveMaximum(65536));
    assertThrows(IllegalArgumentException.class, () -> p.topicAlias(-1));
    assertThrows(IllegalArgumentException.class, () -> p.sessionExpiryInterval(1L << 32));
    assertThrows(IllegalArgumentException.class, () -> p.messageExpiryInterval(-1L));
    assertThrows(IllegalArgumentException.class, () -> p.maximumQos(256));
    assertThrows(IllegalArgumentException.class, () -> p.addSubscriptionIdentifier(268_435_456));
    assertThrows(IllegalArgumentException.class,
        () -> p.subscriptionIdentifiers(List.of(1, -1)));
    assertThrows(NullPointerException.class, () -> p.addUserProperty(null, "v"));
    assertTrue(p.isEmpty());
    // values only the protocol forbids stay settable, so tests can send them
    p.receiveMaximum(0).topicAlias(0).maximumQos(2).addSubscriptionIdentifier(0);
    assertEquals(0, p.receiveMaximum());
  }

  @Test
  void topicSubscriptionOptions() {
    TopicSubscription t = new TopicSubscription("a", 2, true, false, 1);
    assertEquals(0x16, t.options());
    assertTrue(t.noLocal());
    assertFalse(t.retainAsPublished());
    assertEquals(1, t.retainHandling());
    assertEquals(new TopicSubscription("a", 1), new TopicSubscription("a", 1, false, false, 0));
    assertNotEquals(new TopicSubscription("a", 1), new TopicSubscription("a", 1, true, false, 0));
    assertThrows(IllegalArgumentException.class, () -> new TopicSubscription("a", 0, false,
        false, 3));
    assertEquals("a@2,noLocal,retainHandling=1", t.toString());
  }

  @Test
  void reasonCodeTables() {
    assertTrue(ReasonCodes.isValidFromClient(PacketType.DISCONNECT, 0x04));
    assertFalse(ReasonCodes.isValidFromServer(PacketType.DISCONNECT, 0x04));
    assertTrue(ReasonCodes.isValidFromServer(PacketType.DISCONNECT, 0x8E));
    assertFalse(ReasonCodes.isValidFromClient(PacketType.DISCONNECT, 0x8E));
    assertTrue(ReasonCodes.isValidFromClient(PacketType.AUTH, 0x19));
    assertFalse(ReasonCodes.isValidFromServer(PacketType.AUTH, 0x19));
    assertFalse(ReasonCodes.isValid(PacketType.PUBACK, 0x92));
    assertTrue(ReasonCodes.isValid(PacketType.PUBCOMP, 0x92));
    assertEquals("0x99 Payload format invalid", ReasonCodes.describe(0x99));
    assertEquals("reserved", ReasonCodes.name(0x05));
  }

  @Test
  void toStringsShowProperties() {
    assertTrue(new Ack(PacketType.PUBACK, 1, 0x10, ackProperties()).toString()
        .contains("reasonString=because"));
    assertTrue(new Publish("t", 0, false, false, 0, payload(1), serverPublishProperties())
        .toString().contains("subscriptionIdentifiers=[1, 127"));
    assertEquals("Disconnect", Disconnect.INSTANCE.toString());
    assertTrue(new Auth(0x18, new MqttProperties().authenticationMethod("m")).toString()
        .contains("authenticationMethod=m"));
  }
}
