package io.tributary.mqtt.codec;

import static io.tributary.mqtt.codec.Codec5TestSupport.CONNACK_5;
import static io.tributary.mqtt.codec.Codec5TestSupport.CONNECT_5;
import static io.tributary.mqtt.codec.Codec5TestSupport.CONNECT_5_AUTH;
import static io.tributary.mqtt.codec.Codec5TestSupport.accepts5;
import static io.tributary.mqtt.codec.Codec5TestSupport.bytes5;
import static io.tributary.mqtt.codec.Codec5TestSupport.clientAccepts5;
import static io.tributary.mqtt.codec.Codec5TestSupport.clientRejects5;
import static io.tributary.mqtt.codec.Codec5TestSupport.noProps;
import static io.tributary.mqtt.codec.Codec5TestSupport.prop;
import static io.tributary.mqtt.codec.Codec5TestSupport.props;
import static io.tributary.mqtt.codec.Codec5TestSupport.rejects5;
import static io.tributary.mqtt.codec.Codec5TestSupport.sampleValue;
import static io.tributary.mqtt.codec.Codec5TestSupport.utf8;
import static io.tributary.mqtt.codec.Codec5TestSupport.vbi;
import static io.tributary.mqtt.codec.CodecTestSupport.ALLOC;
import static io.tributary.mqtt.codec.CodecTestSupport.b;
import static io.tributary.mqtt.codec.CodecTestSupport.concat;
import static io.tributary.mqtt.codec.CodecTestSupport.hex;
import static io.tributary.mqtt.codec.CodecTestSupport.lp;
import static io.tributary.mqtt.codec.CodecTestSupport.raw;
import static io.tributary.mqtt.codec.CodecTestSupport.str;
import static io.tributary.mqtt.codec.CodecTestSupport.u16;
import static io.tributary.mqtt.codec.MqttProperties.ASSIGNED_CLIENT_IDENTIFIER;
import static io.tributary.mqtt.codec.MqttProperties.AUTHENTICATION_DATA;
import static io.tributary.mqtt.codec.MqttProperties.AUTHENTICATION_METHOD;
import static io.tributary.mqtt.codec.MqttProperties.CONTENT_TYPE;
import static io.tributary.mqtt.codec.MqttProperties.CORRELATION_DATA;
import static io.tributary.mqtt.codec.MqttProperties.MAXIMUM_PACKET_SIZE;
import static io.tributary.mqtt.codec.MqttProperties.MAXIMUM_QOS;
import static io.tributary.mqtt.codec.MqttProperties.MESSAGE_EXPIRY_INTERVAL;
import static io.tributary.mqtt.codec.MqttProperties.PAYLOAD_FORMAT_INDICATOR;
import static io.tributary.mqtt.codec.MqttProperties.REASON_STRING;
import static io.tributary.mqtt.codec.MqttProperties.RECEIVE_MAXIMUM;
import static io.tributary.mqtt.codec.MqttProperties.REQUEST_PROBLEM_INFORMATION;
import static io.tributary.mqtt.codec.MqttProperties.REQUEST_RESPONSE_INFORMATION;
import static io.tributary.mqtt.codec.MqttProperties.RESPONSE_INFORMATION;
import static io.tributary.mqtt.codec.MqttProperties.RESPONSE_TOPIC;
import static io.tributary.mqtt.codec.MqttProperties.RETAIN_AVAILABLE;
import static io.tributary.mqtt.codec.MqttProperties.SERVER_KEEP_ALIVE;
import static io.tributary.mqtt.codec.MqttProperties.SERVER_REFERENCE;
import static io.tributary.mqtt.codec.MqttProperties.SESSION_EXPIRY_INTERVAL;
import static io.tributary.mqtt.codec.MqttProperties.SHARED_SUBSCRIPTION_AVAILABLE;
import static io.tributary.mqtt.codec.MqttProperties.SUBSCRIPTION_IDENTIFIER;
import static io.tributary.mqtt.codec.MqttProperties.SUBSCRIPTION_IDENTIFIER_AVAILABLE;
import static io.tributary.mqtt.codec.MqttProperties.TOPIC_ALIAS;
import static io.tributary.mqtt.codec.MqttProperties.TOPIC_ALIAS_MAXIMUM;
import static io.tributary.mqtt.codec.MqttProperties.USER_PROPERTY;
import static io.tributary.mqtt.codec.MqttProperties.WILDCARD_SUBSCRIPTION_AVAILABLE;
import static io.tributary.mqtt.codec.MqttProperties.WILL_DELAY_INTERVAL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every MQTT 5.0 rule the decoder enforces, each with its reason code, whole and byte by byte. */
class Mqtt5DecoderViolationTest {

  private static final int MALFORMED = MqttCodecException.MALFORMED_PACKET;
  private static final int PROTOCOL = MqttCodecException.PROTOCOL_ERROR;
  private static final int PAYLOAD_FORMAT = MqttCodecException.PAYLOAD_FORMAT_INVALID;
  private static final int TOO_LARGE = MqttCodecException.PACKET_TOO_LARGE;

  private static byte[] after5(byte[]... packets) {
    return concat(CONNECT_5, concat(packets));
  }

  private static byte[] afterConnAck(byte[]... packets) {
    return concat(CONNACK_5, concat(packets));
  }

  /** A PUBACK (from a client) with the given property block. */
  private static byte[] pubAck(byte[] propertyBlock) {
    return after5(raw(0x40, u16(1), b(0), propertyBlock));
  }

  private static byte[] connectWith(byte[] propertyBlock) {
    return raw(0x10, str("MQTT"), b(5, 0x02), u16(60), propertyBlock, str("c"));
  }

  private static byte[] connAckWith(byte[] propertyBlock) {
    return raw(0x20, b(0, 0), propertyBlock);
  }

  private static byte[] willWith(byte[] propertyBlock, byte[] payload) {
    return raw(0x10, str("MQTT"), b(5, 0x06), u16(60), noProps(), str("c"), propertyBlock,
        str("w"), lp(payload));
  }

  // ---------------------------------------------------------------- where each property may be

  /** One place properties are decoded: the spec's list of allowed identifiers (2.2.2.2). */
  private static final class Place {
    final String name;
    final boolean clientDecoder;
    final Function<byte[], byte[]> build;
    final Set<Integer> allowed;

    Place(String name, boolean clientDecoder, Function<byte[], byte[]> build,
        Integer... allowed) {
      this.name = name;
      this.clientDecoder = clientDecoder;
      this.build = build;
      this.allowed = Set.of(allowed);
    }

    @Override
    public String toString() {
      return (clientDecoder ? "to client " : "to server ") + name;
    }
  }

  static List<Place> places() {
    Integer[] ack = {REASON_STRING, USER_PROPERTY};
    Integer[] publish = {PAYLOAD_FORMAT_INDICATOR, MESSAGE_EXPIRY_INTERVAL, CONTENT_TYPE,
        RESPONSE_TOPIC, CORRELATION_DATA, SUBSCRIPTION_IDENTIFIER, TOPIC_ALIAS, USER_PROPERTY};
    Integer[] disconnect = {SESSION_EXPIRY_INTERVAL, SERVER_REFERENCE, REASON_STRING,
        USER_PROPERTY};
    Integer[] auth = {AUTHENTICATION_METHOD, AUTHENTICATION_DATA, REASON_STRING, USER_PROPERTY};
    return List.of(
        new Place("CONNECT", false, Mqtt5DecoderViolationTest::connectWith,
            SESSION_EXPIRY_INTERVAL, AUTHENTICATION_METHOD, AUTHENTICATION_DATA,
            REQUEST_PROBLEM_INFORMATION, REQUEST_RESPONSE_INFORMATION, RECEIVE_MAXIMUM,
            TOPIC_ALIAS_MAXIMUM, USER_PROPERTY, MAXIMUM_PACKET_SIZE),
        new Place("will", false, pb -> willWith(pb, b(1)),
            PAYLOAD_FORMAT_INDICATOR, MESSAGE_EXPIRY_INTERVAL, CONTENT_TYPE, RESPONSE_TOPIC,
            CORRELATION_DATA, WILL_DELAY_INTERVAL, USER_PROPERTY),
        new Place("PUBLISH", false, pb -> after5(raw(0x32, str("t"), u16(1), pb, b('x'))),
            publish),
        new Place("PUBACK", false, pb -> after5(raw(0x40, u16(1), b(0), pb)), ack),
        new Place("PUBREC", false, pb -> after5(raw(0x50, u16(1), b(0), pb)), ack),
        new Place("PUBREL", false, pb -> after5(raw(0x62, u16(1), b(0), pb)), ack),
        new Place("PUBCOMP", false, pb -> after5(raw(0x70, u16(1), b(0), pb)), ack),
        new Place("SUBSCRIBE", false, pb -> after5(raw(0x82, u16(1), pb, str("a"), b(0))),
            SUBSCRIPTION_IDENTIFIER, USER_PROPERTY),
        new Place("UNSUBSCRIBE", false, pb -> after5(raw(0xA2, u16(1), pb, str("a"))),
            USER_PROPERTY),
        new Place("DISCONNECT", false, pb -> after5(raw(0xE0, b(0), pb)), disconnect),
        new Place("AUTH", false, pb -> concat(CONNECT_5_AUTH, raw(0xF0, b(0x18), pb)), auth),
        new Place("CONNACK", true, Mqtt5DecoderViolationTest::connAckWith,
            SESSION_EXPIRY_INTERVAL, ASSIGNED_CLIENT_IDENTIFIER, SERVER_KEEP_ALIVE,
            AUTHENTICATION_METHOD, AUTHENTICATION_DATA, RESPONSE_INFORMATION, SERVER_REFERENCE,
            REASON_STRING, RECEIVE_MAXIMUM, TOPIC_ALIAS_MAXIMUM, MAXIMUM_QOS, RETAIN_AVAILABLE,
            USER_PROPERTY, MAXIMUM_PACKET_SIZE, WILDCARD_SUBSCRIPTION_AVAILABLE,
            SUBSCRIPTION_IDENTIFIER_AVAILABLE, SHARED_SUBSCRIPTION_AVAILABLE),
        new Place("PUBLISH", true, pb -> afterConnAck(raw(0x30, str("t"), pb, b('x'))),
            publish),
        new Place("PUBACK", true, pb -> afterConnAck(raw(0x40, u16(1), b(0x10), pb)), ack),
        new Place("SUBACK", true, pb -> afterConnAck(raw(0x90, u16(1), pb, b(0))), ack),
        new Place("UNSUBACK", true, pb -> afterConnAck(raw(0xB0, u16(1), pb, b(0))), ack),
        new Place("DISCONNECT", true, pb -> afterConnAck(raw(0xE0, b(0x8E), pb)), disconnect),
        new Place("AUTH", true, pb -> afterConnAck(raw(0xF0, b(0x18), pb)), auth));
  }

  private static MqttCodecException rejectsAt(Place place, byte[] data, int rc, String part) {
    return place.clientDecoder ? clientRejects5(data, rc, part) : rejects5(data, rc, part);
  }

  static Stream<Arguments> propertiesOutOfPlace() {
    List<Arguments> cases = new ArrayList<>();
    for (Place place : places()) {
      for (int id : Codec5TestSupport.allIds()) {
        if (!place.allowed.contains(id)) {
          cases.add(Arguments.of(place, id));
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}: property 0x{1}")
  @MethodSource("propertiesOutOfPlace")
  void propertyNotAllowedInThePacketIsMalformed(Place place, int id) {
    byte[] data = place.build.apply(props(prop(id, sampleValue(id))));
    rejectsAt(place, data, MALFORMED, PropertyIds.describe(id) + " is not allowed in");
  }

  static Stream<Arguments> propertiesThatMustNotRepeat() {
    List<Arguments> cases = new ArrayList<>();
    for (Place place : places()) {
      for (int id : place.allowed) {
        boolean repeatable = id == USER_PROPERTY
            || (id == SUBSCRIPTION_IDENTIFIER && place.name.equals("PUBLISH"));
        if (!repeatable) {
          cases.add(Arguments.of(place, id));
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}: property 0x{1}")
  @MethodSource("propertiesThatMustNotRepeat")
  void repeatedPropertyIsAProtocolError(Place place, int id) {
    byte[] data =
        place.build.apply(props(prop(id, sampleValue(id)), prop(id, sampleValue(id))));
    rejectsAt(place, data, PROTOCOL, PropertyIds.describe(id) + " more than once");
  }

  @Test
  void userPropertiesRepeatEverywhere() throws Exception {
    byte[] pair = prop(USER_PROPERTY, str("k"), str("v"));
    for (Place place : places()) {
      if (place.name.equals("AUTH")) {
        continue; // needs its Authentication Method too: see authRules
      }
      byte[] data = place.build.apply(props(pair, pair, pair));
      List<Packet> out = place.clientDecoder ? clientAccepts5(data) : accepts5(data);
      Packet last = out.get(out.size() - 1);
      MqttProperties p = place.name.equals("will")
          ? ((Connect) last).will().properties() : last.properties();
      assertEquals(3, p.userProperties().size(), place.toString());
    }
  }

  // ---------------------------------------------------------------- property encoding

  @ParameterizedTest
  @ValueSource(ints = {0x00, 0x04, 0x05, 0x06, 0x07, 0x0A, 0x0C, 0x10, 0x14, 0x1B, 0x1D, 0x1E,
      0x20, 0x2B, 0x7F})
  void unknownPropertyIdentifierIsMalformed(int id) {
    rejects5(pubAck(props(prop(id, b(0)))), MALFORMED, "unknown property identifier 0x"
        + Integer.toHexString(id));
  }

  @Test
  void multiByteAndNonMinimalPropertyIdentifiers() {
    // 0x80 0x01 = 128: no such property
    rejects5(pubAck(props(b(0x80, 0x01), b(0))), MALFORMED, "unknown property identifier 0x80");
    // 0x9F 0x00 = 0x1F (Reason String) in two bytes: not minimal
    rejects5(pubAck(props(b(0x9F, 0x00), str("r"))), MALFORMED,
        "property identifier is not minimally encoded");
  }

  @Test
  void propertyLengthMustBeMinimallyEncoded() {
    rejects5(pubAck(b(0x80, 0x00)), MALFORMED, "property length is not minimally encoded");
    rejects5(pubAck(concat(b(0x84, 0x00), prop(REASON_STRING, str("r")))), MALFORMED,
        "not minimally encoded");
    rejects5(connectWith(b(0x80, 0x80, 0x00)), MALFORMED, "CONNECT property length is not");
  }

  @Test
  void propertyLengthOfFiveBytesIsMalformed() {
    rejects5(pubAck(b(0x80, 0x80, 0x80, 0x80, 0x01)), MALFORMED,
        "property length is longer than 4 bytes");
  }

  @Test
  void propertyLengthBeyondThePacketIsMalformed() {
    rejects5(pubAck(concat(b(5), prop(REASON_STRING, str("")))), MALFORMED,
        "PUBACK property length 5 exceeds the 3 bytes left");
    rejects5(pubAck(b(0x81)), MALFORMED, "property length is missing");
  }

  @Test
  void propertyValueRunningPastThePropertyLengthIsMalformed() {
    // property length 2 covers the identifier and one of the Receive Maximum's two bytes; the
    // packet has more bytes after it, but they are not part of the properties
    rejects5(connectWith(concat(b(2), b(RECEIVE_MAXIMUM, 0))), MALFORMED,
        "property length too short: receiveMaximum (0x21) is missing");
    rejects5(pubAck(concat(b(3), b(REASON_STRING, 0, 5), b('a', 'b', 'c'))), MALFORMED,
        "reasonString (0x1F) length 5 exceeds the 0 bytes left in the properties");
    rejects5(after5(raw(0x30, str("t"), concat(b(2), b(MESSAGE_EXPIRY_INTERVAL, 0)),
        b(0, 0, 0, 0))), MALFORMED, "messageExpiryInterval (0x02) is missing");
    rejects5(after5(raw(0x30, str("t"), concat(b(2), b(USER_PROPERTY)), str("k"))), MALFORMED,
        "");
  }

  @Test
  void propertyLengthMissingIsMalformed() {
    rejects5(after5(raw(0x82, u16(1))), MALFORMED, "SUBSCRIBE property length is missing");
    rejects5(after5(raw(0xA2, u16(1))), MALFORMED, "UNSUBSCRIBE property length is missing");
    rejects5(raw(0x10, str("MQTT"), b(5, 0x02), u16(60)), MALFORMED,
        "CONNECT property length is missing");
    rejects5(after5(raw(0x30, str("t"))), MALFORMED, "PUBLISH property length is missing");
    clientRejects5(hex("20 02 00 00"), MALFORMED, "CONNACK property length is missing");
  }

  // ---------------------------------------------------------------- property values

  @Test
  void receiveMaximumZeroIsAProtocolError() {
    rejects5(connectWith(props(prop(RECEIVE_MAXIMUM, u16(0)))), PROTOCOL,
        "receiveMaximum (0x21) must not be 0");
    clientRejects5(connAckWith(props(prop(RECEIVE_MAXIMUM, u16(0)))), PROTOCOL,
        "receiveMaximum (0x21) must not be 0");
  }

  @Test
  void maximumPacketSizeZeroIsAProtocolError() {
    rejects5(connectWith(props(prop(MAXIMUM_PACKET_SIZE, b(0, 0, 0, 0)))), PROTOCOL,
        "maximumPacketSize (0x27) must not be 0");
    clientRejects5(connAckWith(props(prop(MAXIMUM_PACKET_SIZE, b(0, 0, 0, 0)))), PROTOCOL,
        "maximumPacketSize (0x27) must not be 0");
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 3, 0xFF})
  void maximumQosOver1IsAProtocolError(int value) {
    clientRejects5(connAckWith(props(prop(MAXIMUM_QOS, b(value)))), PROTOCOL,
        "maximumQos (0x24) must be 0 or 1, got " + value);
  }

  @ParameterizedTest
  @ValueSource(ints = {REQUEST_PROBLEM_INFORMATION, REQUEST_RESPONSE_INFORMATION})
  void connectBooleanOver1IsAProtocolError(int id) {
    rejects5(connectWith(props(prop(id, b(2)))), PROTOCOL, "must be 0 or 1, got 2");
  }

  @ParameterizedTest
  @ValueSource(ints = {RETAIN_AVAILABLE, WILDCARD_SUBSCRIPTION_AVAILABLE,
      SUBSCRIPTION_IDENTIFIER_AVAILABLE, SHARED_SUBSCRIPTION_AVAILABLE})
  void connAckBooleanOver1IsAProtocolError(int id) {
    clientRejects5(connAckWith(props(prop(id, b(2)))), PROTOCOL, "must be 0 or 1, got 2");
  }

  @Test
  void payloadFormatIndicatorOver1IsAProtocolError() {
    rejects5(after5(raw(0x30, str("t"), props(prop(PAYLOAD_FORMAT_INDICATOR, b(2))))), PROTOCOL,
        "payloadFormatIndicator (0x01) must be 0 or 1");
    rejects5(willWith(props(prop(PAYLOAD_FORMAT_INDICATOR, b(0x80))), b(1)), PROTOCOL,
        "will payloadFormatIndicator (0x01) must be 0 or 1");
  }

  @Test
  void booleanPropertiesDecodeAsBooleans() throws Exception {
    Connect c = (Connect) accepts5(connectWith(props(
        prop(REQUEST_PROBLEM_INFORMATION, b(0)), prop(REQUEST_RESPONSE_INFORMATION, b(1)))))
        .get(0);
    assertEquals(false, c.properties().requestProblemInformation());
    assertEquals(true, c.properties().requestResponseInformation());
  }

  @Test
  void fourByteIntegersAreUnsigned() throws Exception {
    Connect c = (Connect) accepts5(connectWith(props(
        prop(SESSION_EXPIRY_INTERVAL, b(0xFF, 0xFF, 0xFF, 0xFF)),
        prop(MAXIMUM_PACKET_SIZE, b(0x80, 0, 0, 0))))).get(0);
    assertEquals(0xFFFF_FFFFL, c.properties().sessionExpiryInterval());
    assertEquals(0x8000_0000L, c.properties().maximumPacketSize());
  }

  @Test
  void subscriptionIdentifierZeroIsAProtocolError() {
    rejects5(after5(raw(0x82, u16(1), props(prop(SUBSCRIPTION_IDENTIFIER, vbi(0))), str("a"),
        b(0))), PROTOCOL, "subscriptionIdentifier (0x0B) must not be 0");
    clientRejects5(afterConnAck(raw(0x30, str("t"), props(prop(SUBSCRIPTION_IDENTIFIER, vbi(1)),
        prop(SUBSCRIPTION_IDENTIFIER, vbi(0))))), PROTOCOL, "must not be 0");
  }

  @Test
  void subscriptionIdentifierEncodings() throws Exception {
    Subscribe s = (Subscribe) accepts5(after5(raw(0x82, u16(1),
        props(prop(SUBSCRIPTION_IDENTIFIER, b(0xFF, 0xFF, 0xFF, 0x7F))), str("a"), b(0)))).get(1);
    assertEquals(268_435_455, s.properties().subscriptionIdentifier());
    // non-minimal: 1 in two bytes
    rejects5(after5(raw(0x82, u16(1), props(prop(SUBSCRIPTION_IDENTIFIER, b(0x81, 0x00))),
        str("a"), b(0))), MALFORMED, "subscriptionIdentifier (0x0B) is not minimally encoded");
    // five bytes: more than 268435455 cannot be written
    rejects5(after5(raw(0x82, u16(1),
        props(prop(SUBSCRIPTION_IDENTIFIER, b(0xFF, 0xFF, 0xFF, 0xFF, 0x01))), str("a"), b(0))),
        MALFORMED, "subscriptionIdentifier (0x0B) is longer than 4 bytes");
  }

  @Test
  void clientPublishWithASubscriptionIdentifierIsAProtocolError() {
    rejects5(after5(raw(0x30, str("t"), props(prop(SUBSCRIPTION_IDENTIFIER, vbi(3))), b('x'))),
        PROTOCOL, "a client PUBLISH must not carry a subscriptionIdentifier");
  }

  @Test
  void serverPublishMayCarrySeveralSubscriptionIdentifiers() throws Exception {
    Publish p = (Publish) clientAccepts5(afterConnAck(raw(0x30, str("t"),
        props(prop(SUBSCRIPTION_IDENTIFIER, vbi(3)), prop(SUBSCRIPTION_IDENTIFIER, vbi(3)),
            prop(SUBSCRIPTION_IDENTIFIER, vbi(200))), b('x')))).get(1);
    assertEquals(List.of(3, 3, 200), p.properties().subscriptionIdentifiers());
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 65535})
  void topicAliasIsHandedToTheConnectionWhateverItsValue(int alias) throws Exception {
    Publish p = (Publish) accepts5(after5(raw(0x30, str(""),
        props(prop(TOPIC_ALIAS, u16(alias))), b('x')))).get(1);
    assertEquals(alias, p.properties().topicAlias());
    assertEquals("", p.topic());
  }

  // ---------------------------------------------------------------- strings in properties

  static Stream<Arguments> badStrings() {
    return Stream.of(
        Arguments.of("overlong", b(0xC0, 0xAF), "is not well-formed UTF-8"),
        Arguments.of("surrogate", b(0xED, 0xA0, 0x80), "is not well-formed UTF-8"),
        Arguments.of("truncated", b(0xE2, 0x82), "is not well-formed UTF-8"),
        Arguments.of("U+0000", b(0), "contains U+0000"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badStrings")
  void badStringsInPropertiesAreMalformed(String what, byte[] bad, String expected) {
    byte[] s = lp(concat(b('a'), bad));
    rejects5(pubAck(props(prop(REASON_STRING, s))), MALFORMED, "reasonString (0x1F) " + expected);
    rejects5(pubAck(props(prop(USER_PROPERTY, s, str("v")))), MALFORMED,
        "user property name " + expected);
    rejects5(pubAck(props(prop(USER_PROPERTY, str("k"), s))), MALFORMED,
        "user property value " + expected);
    rejects5(after5(raw(0x30, str("t"), props(prop(CONTENT_TYPE, s)))), MALFORMED,
        "contentType (0x03) " + expected);
    rejects5(connectWith(props(prop(AUTHENTICATION_METHOD, s))), MALFORMED,
        "authenticationMethod (0x15) " + expected);
    clientRejects5(connAckWith(props(prop(ASSIGNED_CLIENT_IDENTIFIER, s))), MALFORMED,
        "assignedClientIdentifier (0x12) " + expected);
    clientRejects5(connAckWith(props(prop(RESPONSE_INFORMATION, s))), MALFORMED, expected);
    clientRejects5(connAckWith(props(prop(SERVER_REFERENCE, s))), MALFORMED, expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a/#", "+", "a/+/b"})
  void responseTopicMustBeATopicName(String topic) {
    rejects5(after5(raw(0x30, str("t"), props(prop(RESPONSE_TOPIC, str(topic))))), MALFORMED,
        "responseTopic (0x08) '" + topic + "' is not a valid topic name");
    rejects5(willWith(props(prop(RESPONSE_TOPIC, str(topic))), b(1)), MALFORMED,
        "will responseTopic");
  }

  // ---------------------------------------------------------------- payload format

  static Stream<Arguments> badPayloads() {
    return Stream.of(
        Arguments.of("overlong 2-byte", b(0xC0, 0xAF)),
        Arguments.of("overlong 3-byte", b(0xE0, 0x80, 0xAF)),
        Arguments.of("overlong 4-byte", b(0xF0, 0x80, 0x80, 0xAF)),
        Arguments.of("lone continuation", b(0x80)),
        Arguments.of("surrogate", b(0xED, 0xA0, 0x80)),
        Arguments.of("truncated 3-byte", b(0xE2, 0x82)),
        Arguments.of("truncated at the end", b(0xF0, 0x9F, 0x98)),
        Arguments.of("above U+10FFFF", b(0xF4, 0x90, 0x80, 0x80)),
        Arguments.of("F5", b(0xF5, 0x80, 0x80, 0x80)),
        Arguments.of("FF", b(0xFF)),
        Arguments.of("bad second continuation", b(0xE2, 0x82, 0x41)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badPayloads")
  void utf8PayloadThatIsNotUtf8IsPayloadFormatInvalid(String what, byte[] bad) {
    byte[] payload = concat(utf8("ok \u00fc "), bad);
    rejects5(after5(raw(0x30, str("t"), props(prop(PAYLOAD_FORMAT_INDICATOR, b(1))), payload)),
        PAYLOAD_FORMAT, "PUBLISH payload is not well-formed UTF-8");
    rejects5(willWith(props(prop(PAYLOAD_FORMAT_INDICATOR, b(1))), payload), PAYLOAD_FORMAT,
        "will message is not well-formed UTF-8");
    assertFalse(WireReader.isWellFormedUtf8(Unpooled.wrappedBuffer(payload), 0, payload.length));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badPayloads")
  void unspecifiedPayloadIsNotChecked(String what, byte[] bad) throws Exception {
    accepts5(after5(raw(0x30, str("t"), props(prop(PAYLOAD_FORMAT_INDICATOR, b(0))), bad)));
    accepts5(after5(raw(0x30, str("t"), noProps(), bad)));
    accepts5(willWith(noProps(), bad));
  }

  @Test
  void wellFormedUtf8PayloadIsAccepted() throws Exception {
    byte[] payload = utf8("a\u0000\u00fc\u07ff\u0800\u20ac\ud7ff\ue000\uffff\ud800\udc00"
        + "\ud83d\ude00\udbff\udfff");
    Publish p = (Publish) accepts5(after5(raw(0x30, str("t"),
        props(prop(PAYLOAD_FORMAT_INDICATOR, b(1))), payload))).get(1);
    assertEquals(payload.length, p.payload().readableBytes());
    accepts5(willWith(props(prop(PAYLOAD_FORMAT_INDICATOR, b(1))), payload));
    accepts5(after5(raw(0x30, str("t"), props(prop(PAYLOAD_FORMAT_INDICATOR, b(1))))));
    assertTrue(WireReader.isWellFormedUtf8(Unpooled.wrappedBuffer(payload), 0, payload.length));
    assertTrue(WireReader.isWellFormedUtf8(Unpooled.wrappedBuffer(payload), 1, 0));
  }

  // ---------------------------------------------------------------- CONNECT

  @Test
  void passwordWithoutUsernameIsAllowedIn5() throws Exception {
    Connect c = (Connect) accepts5(raw(0x10, str("MQTT"), b(5, 0x42), u16(60), noProps(),
        str("c"), lp(b(1, 2)))).get(0);
    assertNull(c.username());
    assertEquals(2, c.password().length);
  }

  @Test
  void authenticationDataWithoutMethodIsAProtocolError() {
    rejects5(connectWith(props(prop(AUTHENTICATION_DATA, lp(b(1))))), PROTOCOL,
        "Authentication Data without an Authentication Method");
  }

  @Test
  void willPropertiesComeBeforeTheWillTopic() throws Exception {
    Connect c = (Connect) accepts5(willWith(props(prop(WILL_DELAY_INTERVAL, b(0, 0, 1, 0)),
        prop(CONTENT_TYPE, str("t/p"))), b(7))).get(0);
    assertEquals("w", c.will().topic());
    assertEquals(256L, c.will().properties().willDelayInterval());
    assertEquals("t/p", c.will().properties().contentType());
    assertSame(MqttProperties.EMPTY, c.properties());
    // 3.1.1 layout at level 5: the topic length is read as the property length
    rejects5(raw(0x10, str("MQTT"), b(5, 0x06), u16(60), noProps(), str("c"), str("w"),
        lp(b(1))), MALFORMED, "");
  }

  @Test
  void connectWithTrailingBytesIsMalformed() {
    rejects5(raw(0x10, str("MQTT"), b(5, 0x02), u16(60), noProps(), str("c"), b(0)),
        MALFORMED, "trailing");
  }

  @Test
  void threeOneOneLayoutAtLevel5IsMalformed() {
    // no property length: the client id's length bytes are misread
    rejects5(raw(0x10, str("MQTT"), b(5, 0x02), u16(60), str("client")), MALFORMED, "");
  }

  // ---------------------------------------------------------------- PUBLISH

  @Test
  void emptyTopicWithoutTopicAliasIsAProtocolError() {
    rejects5(after5(raw(0x30, str(""), noProps(), b('x'))), PROTOCOL,
        "PUBLISH topic name is empty and there is no Topic Alias");
    rejects5(after5(raw(0x32, str(""), u16(1), props(prop(MESSAGE_EXPIRY_INTERVAL,
        b(0, 0, 0, 1))))), PROTOCOL, "no Topic Alias");
  }

  @ParameterizedTest
  @ValueSource(strings = {"#", "+", "a/#", "a/+/b"})
  void publishTopicWithWildcardIsStillMalformed(String topic) {
    rejects5(after5(raw(0x30, str(topic), props(prop(TOPIC_ALIAS, u16(1))))), MALFORMED,
        "contains a wildcard");
  }

  @Test
  void publishPacketIdZeroIsStillAProtocolError() {
    rejects5(after5(raw(0x32, str("t"), u16(0), noProps())), PROTOCOL, "with packet id 0");
  }

  @Test
  void publishWithoutPropertiesAndPayload() throws Exception {
    Publish p = (Publish) accepts5(after5(raw(0x30, str("t"), noProps()))).get(1);
    assertEquals(0, p.payload().readableBytes());
    assertSame(MqttProperties.EMPTY, p.properties());
  }

  // ---------------------------------------------------------------- acks

  @ParameterizedTest
  @ValueSource(ints = {0x40, 0x50, 0x62, 0x70})
  void ackForms(int firstByte) throws Exception {
    PacketType type = PacketType.of(firstByte >>> 4);
    int rc = type == PacketType.PUBREL || type == PacketType.PUBCOMP ? 0x92 : 0x10;
    List<Packet> out = accepts5(after5(
        raw(firstByte, u16(1)),
        raw(firstByte, u16(2), b(rc)),
        raw(firstByte, u16(3), b(0), noProps()),
        raw(firstByte, u16(4), b(rc), props(prop(REASON_STRING, str("why"))))));
    assertEquals(new Ack(type, 1), out.get(1));
    assertEquals(new Ack(type, 2, rc), out.get(2));
    assertEquals(new Ack(type, 3), out.get(3));
    assertSame(MqttProperties.EMPTY, out.get(3).properties());
    assertEquals(new Ack(type, 4, rc, new MqttProperties().reasonString("why")), out.get(4));
  }

  static Stream<Arguments> invalidAckReasonCodes() {
    List<Arguments> cases = new ArrayList<>();
    int[] pubAck = {0x01, 0x02, 0x04, 0x11, 0x18, 0x81, 0x82, 0x8F, 0x92, 0x95, 0xA2, 0xFF};
    int[] pubRel = {0x01, 0x10, 0x80, 0x83, 0x87, 0x91, 0x97, 0x99, 0xFF};
    for (int rc : pubAck) {
      cases.add(Arguments.of(0x40, rc));
      cases.add(Arguments.of(0x50, rc));
    }
    for (int rc : pubRel) {
      cases.add(Arguments.of(0x62, rc));
      cases.add(Arguments.of(0x70, rc));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "0x{0} reason 0x{1}")
  @MethodSource("invalidAckReasonCodes")
  void ackWithAReasonCodeOfAnotherPacketIsMalformed(int firstByte, int rc) {
    String type = PacketType.of(firstByte >>> 4).toString();
    rejects5(after5(raw(firstByte, u16(1), b(rc))), MALFORMED,
        type + " reason code 0x" + Integer.toHexString(rc) + " is not valid");
    rejects5(after5(raw(firstByte, u16(1), b(rc), noProps())), MALFORMED, "is not valid");
  }

  @Test
  void everyValidAckReasonCodeIsAccepted() throws Exception {
    for (int rc : new int[] {0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99}) {
      accepts5(after5(raw(0x40, u16(1), b(rc)), raw(0x50, u16(1), b(rc))));
    }
    clientAccepts5(afterConnAck(raw(0x70, u16(1), b(0x92)), raw(0x62, u16(1), b(0x92))));
  }

  @Test
  void ackWithTrailingBytesAfterThePropertiesIsMalformed() {
    rejects5(after5(raw(0x40, u16(1), b(0), noProps(), b(0))), MALFORMED,
        "PUBACK has 1 unexpected trailing byte");
  }

  @Test
  void ackPacketIdZeroIsStillAProtocolError() {
    rejects5(after5(raw(0x40, u16(0), b(0x10))), PROTOCOL, "PUBACK with packet id 0");
  }

  @ParameterizedTest
  @ValueSource(strings = {"40 01 00", "40 00", "62 01 00"})
  void ackShorterThanAPacketIdIsMalformed(String packet) {
    rejects5(after5(hex(packet)), MALFORMED, "packet id is missing");
  }

  // ---------------------------------------------------------------- SUBSCRIBE

  @Test
  void subscriptionOptionsAreDecoded() throws Exception {
    Subscribe s = (Subscribe) accepts5(after5(raw(0x82, u16(7), noProps(),
        str("a"), b(0x00), str("b"), b(0x05), str("c"), b(0x0A), str("d"), b(0x1E),
        str("e"), b(0x21), str("$share/g/f"), b(0x08)))).get(1);
    assertEquals(List.of(
        new TopicSubscription("a", 0, false, false, 0),
        new TopicSubscription("b", 1, true, false, 0),
        new TopicSubscription("c", 2, false, true, 0),
        new TopicSubscription("d", 2, true, true, 1),
        new TopicSubscription("e", 1, false, false, 2),
        new TopicSubscription("$share/g/f", 0, false, true, 0)), s.subscriptions());
  }

  @ParameterizedTest
  @ValueSource(ints = {0x40, 0x80, 0xC0, 0x41, 0xFF})
  void subscriptionOptionsReservedBitsAreMalformed(int options) {
    rejects5(after5(raw(0x82, u16(1), noProps(), str("a"), b(options))), MALFORMED,
        "have reserved bits 7-6 set");
  }

  @ParameterizedTest
  @ValueSource(ints = {0x03, 0x07, 0x0F, 0x23})
  void subscribeMaximumQos3IsAProtocolError(int options) {
    rejects5(after5(raw(0x82, u16(1), noProps(), str("a"), b(options))), PROTOCOL,
        "SUBSCRIBE maximum QoS 3 for 'a'");
  }

  @ParameterizedTest
  @ValueSource(ints = {0x30, 0x31, 0x3C})
  void retainHandling3IsAProtocolError(int options) {
    rejects5(after5(raw(0x82, u16(1), noProps(), str("a"), b(options))), PROTOCOL,
        "SUBSCRIBE retain handling 3 for 'a'");
  }

  @Test
  void noLocalOnASharedSubscriptionIsAProtocolError() {
    rejects5(after5(raw(0x82, u16(1), noProps(), str("x"), b(0x04), str("$share/g/a/#"),
        b(0x05))), PROTOCOL, "No Local on the shared subscription '$share/g/a/#'");
  }

  @Test
  void subscribeWithoutFiltersIsStillAProtocolError() {
    rejects5(after5(raw(0x82, u16(1), props(prop(SUBSCRIPTION_IDENTIFIER, vbi(1))))), PROTOCOL,
        "SUBSCRIBE without any topic filter");
    rejects5(after5(raw(0xA2, u16(1), noProps())), PROTOCOL,
        "UNSUBSCRIBE without any topic filter");
  }

  @Test
  void subscribeOptionsMissingIsMalformed() {
    rejects5(after5(raw(0x82, u16(1), noProps(), str("a"))), MALFORMED,
        "SUBSCRIBE subscription options is missing");
  }

  // ---------------------------------------------------------------- SUBACK / UNSUBACK

  @ParameterizedTest
  @ValueSource(ints = {0x03, 0x04, 0x10, 0x11, 0x81, 0x82, 0x84, 0x92, 0x99, 0xA0, 0xA3})
  void subAckWithAnInvalidReasonCodeIsMalformed(int rc) {
    clientRejects5(afterConnAck(raw(0x90, u16(1), noProps(), b(0, rc))), MALFORMED,
        "SUBACK reason code 0x" + Integer.toHexString(rc) + " is not valid");
  }

  @ParameterizedTest
  @ValueSource(ints = {0x01, 0x02, 0x10, 0x81, 0x82, 0x84, 0x90, 0x92, 0x97, 0xA2})
  void unsubAckWithAnInvalidReasonCodeIsMalformed(int rc) {
    clientRejects5(afterConnAck(raw(0xB0, u16(1), noProps(), b(0, rc))), MALFORMED,
        "UNSUBACK reason code 0x" + Integer.toHexString(rc) + " is not valid");
  }

  @Test
  void subAckAndUnsubAckNeedReasonCodes() {
    clientRejects5(afterConnAck(raw(0x90, u16(1), noProps())), PROTOCOL,
        "SUBACK without any return code");
    clientRejects5(afterConnAck(raw(0xB0, u16(1), noProps())), PROTOCOL,
        "UNSUBACK without any reason code");
    // the 3.1.1 UNSUBACK (packet id only) lacks the property length in 5.0
    clientRejects5(afterConnAck(hex("B0 02 00 01")), MALFORMED,
        "UNSUBACK property length is missing");
  }

  @Test
  void unsubAckDecodesAsUnsubAckIn5() throws Exception {
    Packet p = clientAccepts5(afterConnAck(raw(0xB0, u16(9), noProps(), b(0x00, 0x11)))).get(1);
    assertEquals(new UnsubAck(9, List.of(0, 0x11)), p);
  }

  // ---------------------------------------------------------------- DISCONNECT

  @Test
  void disconnectForms() throws Exception {
    List<Packet> out = accepts5(after5(hex("E0 00")));
    assertSame(Disconnect.INSTANCE, out.get(1));
    assertEquals(new Disconnect(4), accepts5(after5(hex("E0 01 04"))).get(1));
    assertEquals(new Disconnect(0x80), accepts5(after5(hex("E0 02 80 00"))).get(1));
    assertEquals(new Disconnect(0x98, new MqttProperties().reasonString("r")),
        accepts5(after5(raw(0xE0, b(0x98), props(prop(REASON_STRING, str("r")))))).get(1));
  }

  @ParameterizedTest
  @ValueSource(ints = {0x87, 0x89, 0x8B, 0x8D, 0x8E, 0x8F, 0x9A, 0x9C, 0x9D, 0xA0, 0xA2})
  void clientDisconnectWithAServerReasonCodeIsAProtocolError(int rc) {
    rejects5(after5(raw(0xE0, b(rc))), PROTOCOL, "is not sent by a client");
  }

  @ParameterizedTest
  @ValueSource(ints = {0x01, 0x05, 0x10, 0x18, 0x84, 0x8A, 0x91, 0xA3, 0xFF})
  void disconnectWithAnUnknownReasonCodeIsMalformed(int rc) {
    rejects5(after5(raw(0xE0, b(rc))), MALFORMED, "DISCONNECT reason code 0x"
        + Integer.toHexString(rc) + " is not valid");
    clientRejects5(afterConnAck(raw(0xE0, b(rc))), MALFORMED, "is not valid");
  }

  @Test
  void serverDisconnectWithAClientReasonCodeIsAProtocolError() {
    clientRejects5(afterConnAck(raw(0xE0, b(0x04))), PROTOCOL, "is not sent by a server");
  }

  @Test
  void sessionExpiryOnDisconnect() throws Exception {
    // CONNECT without a Session Expiry Interval (0): a non-zero one on DISCONNECT is an error
    rejects5(after5(raw(0xE0, b(0), props(prop(SESSION_EXPIRY_INTERVAL, b(0, 0, 0, 5))))),
        PROTOCOL, "DISCONNECT sets the Session Expiry Interval to 5 but the CONNECT's was 0");
    accepts5(after5(raw(0xE0, b(0), props(prop(SESSION_EXPIRY_INTERVAL, b(0, 0, 0, 0))))));
    // CONNECT with one: the client may change it
    byte[] connect = bytes5(new Connect(5, "c", true, 0, null, null, null,
        new MqttProperties().sessionExpiryInterval(10L)));
    Disconnect d = (Disconnect) accepts5(concat(connect,
        raw(0xE0, b(0), props(prop(SESSION_EXPIRY_INTERVAL, b(0, 0, 0, 99)))))).get(1);
    assertEquals(99L, d.properties().sessionExpiryInterval());
    // a server never sends one
    clientRejects5(afterConnAck(raw(0xE0, b(0x8B), props(prop(SESSION_EXPIRY_INTERVAL,
        b(0, 0, 0, 0))))), PROTOCOL, "server DISCONNECT must not carry a Session Expiry");
  }

  // ---------------------------------------------------------------- AUTH

  @Test
  void authRules() throws Exception {
    byte[] method = prop(AUTHENTICATION_METHOD, str(Codec5TestSupport.AUTH_METHOD));
    // the continue and re-authenticate flows
    List<Packet> out = accepts5(concat(CONNECT_5_AUTH,
        raw(0xF0, b(0x18), props(method, prop(AUTHENTICATION_DATA, lp(b(1, 2))))),
        raw(0xF0, b(0x19), props(method, prop(USER_PROPERTY, str("a"), str("b")),
            prop(USER_PROPERTY, str("a"), str("b"))))));
    assertEquals(new Auth(0x18, new MqttProperties().authenticationMethod("x")
        .authenticationData(new byte[] {1, 2})), out.get(1));
    assertEquals(2, out.get(2).properties().userProperties().size());
    // no Authentication Method in the CONNECT [MQTT-4.12.0-7]
    rejects5(after5(raw(0xF0, b(0x18), props(method))), PROTOCOL,
        "AUTH without an Authentication Method in the CONNECT");
    rejects5(after5(hex("F0 00")), PROTOCOL, "AUTH");
    // a client does not send 0x00; remaining length 0 means 0x00
    rejects5(concat(CONNECT_5_AUTH, hex("F0 00")), PROTOCOL, "is not sent by a client");
    rejects5(concat(CONNECT_5_AUTH, raw(0xF0, b(0), props(method))), PROTOCOL,
        "AUTH reason code 0x00 Success is not sent by a client");
    // unknown reason code
    rejects5(concat(CONNECT_5_AUTH, raw(0xF0, b(0x17), props(method))), MALFORMED,
        "AUTH reason code 0x17 is not valid");
    // a reason code without a property length
    rejects5(concat(CONNECT_5_AUTH, hex("F0 01 18")), MALFORMED,
        "AUTH with a reason code must have a property length");
    // the method is required, and must be the CONNECT's [MQTT-4.12.0-5]
    rejects5(concat(CONNECT_5_AUTH, raw(0xF0, b(0x18), noProps())), PROTOCOL,
        "AUTH without an Authentication Method");
    rejects5(concat(CONNECT_5_AUTH, raw(0xF0, b(0x18),
        props(prop(AUTHENTICATION_METHOD, str("y"))))), PROTOCOL,
        "AUTH Authentication Method 'y' differs from the CONNECT's 'x'");
    // AUTH does not exist before a level-5 CONNECT
    rejects5(hex("F0 00"), MALFORMED, "AUTH");
  }

  @Test
  void clientSideAuth() throws Exception {
    byte[] method = prop(AUTHENTICATION_METHOD, str("m"));
    // the server may challenge before its CONNACK
    List<Packet> out = clientAccepts5(concat(raw(0xF0, b(0x18), props(method)), CONNACK_5,
        hex("F0 00"), raw(0xF0, b(0x00), props(method))));
    assertEquals(4, out.size());
    assertEquals(new Auth(0, MqttProperties.EMPTY), out.get(2));
    // a server does not send 0x19
    clientRejects5(afterConnAck(raw(0xF0, b(0x19), props(method))), PROTOCOL,
        "is not sent by a server");
    clientRejects5(afterConnAck(raw(0xF0, b(0x18), noProps())), PROTOCOL,
        "AUTH without an Authentication Method");
    // other packets before the CONNACK are still protocol errors
    clientRejects5(hex("D0 00"), PROTOCOL, "first packet must be CONNACK");
  }

  // ---------------------------------------------------------------- CONNACK

  @ParameterizedTest
  @ValueSource(ints = {0x01, 0x02, 0x04, 0x05, 0x10, 0x8B, 0x8D, 0x8E, 0x8F, 0x91, 0x9E, 0xA0})
  void connAckWithAnInvalidReasonCodeIsMalformed(int rc) {
    clientRejects5(raw(0x20, b(0, rc), noProps()), MALFORMED,
        "CONNACK reason code 0x" + Integer.toHexString(rc) + " is not valid");
  }

  @Test
  void connAckChecks() throws Exception {
    clientRejects5(raw(0x20, b(1, 0x87), noProps()), PROTOCOL,
        "CONNACK with reason code 0x87 Not authorized and session present");
    clientRejects5(raw(0x20, b(2, 0), noProps()), MALFORMED, "acknowledge flags");
    clientRejects5(raw(0x20, b(0, 0), noProps(), b(0)), MALFORMED, "trailing");
    ConnAck a = (ConnAck) clientAccepts5(raw(0x20, b(1, 0), noProps())).get(0);
    assertTrue(a.sessionPresent());
    assertSame(MqttProperties.EMPTY, a.properties());
  }

  // ---------------------------------------------------------------- fixed header at level 5

  @ParameterizedTest
  @ValueSource(strings = {"C0 80 00", "E0 80 00", "40 82 00 00 01", "30 83 80 00"})
  void nonMinimalRemainingLengthIsMalformedIn5(String packet) {
    rejects5(after5(hex(packet)), MALFORMED, "remaining length is not minimally encoded");
  }

  @Test
  void pingReqStillHasNoBody() {
    rejects5(after5(hex("C0 01 00")), MALFORMED, "PINGREQ remaining length must be 0");
    clientRejects5(afterConnAck(hex("D0 01 00")), MALFORMED, "PINGRESP remaining length must be 0");
  }

  @Test
  void serverOnlyPacketsFromAClientAreStillProtocolErrors() {
    rejects5(after5(raw(0xB0, u16(1), noProps(), b(0))), PROTOCOL, "sent by servers only");
    rejects5(after5(CONNACK_5), PROTOCOL, "sent by servers only");
  }

  @Test
  void packetOverTheMaximumSizeIsStillTooLarge() throws Exception {
    byte[] pub = bytes5(new Publish("t", 1, false, false, 1,
        Unpooled.wrappedBuffer(new byte[300]), new MqttProperties().contentType("c")));
    int max = pub.length - 1;
    CodecTestSupport.rejects(new MqttDecoder(max, ALLOC), new MqttDecoder(max, ALLOC),
        after5(pub), TOO_LARGE, "PUBLISH packet of " + pub.length + " bytes");
    MqttDecoder d = new MqttDecoder(pub.length, ALLOC);
    assertEquals(2, CodecTestSupport.decode(d, after5(pub), 1).size());
    d.release();
  }

  @Test
  void protocolLevel5IsRecordedAndUsedForLaterPackets() throws Exception {
    MqttDecoder d = new MqttDecoder(CodecTestSupport.MAX, ALLOC);
    List<Packet> out = CodecTestSupport.decode(d, after5(hex("40 03 00 01 10")), 3);
    assertEquals(5, d.protocolLevel());
    assertEquals(new Ack(PacketType.PUBACK, 1, 0x10), out.get(1));
    d.release();
    // the same bytes after a 3.1.1 CONNECT are malformed
    CodecTestSupport.rejects(concat(CodecTestSupport.CONNECT_311, hex("40 03 00 01 10")),
        MALFORMED, "PUBACK remaining length must be 2");
  }

  @Test
  void decoderIsUnusableAfterA5Violation() throws Exception {
    MqttDecoder d = new MqttDecoder(CodecTestSupport.MAX, ALLOC);
    MqttCodecException e = assertThrows(MqttCodecException.class, () -> d.feed(
        Unpooled.wrappedBuffer(after5(raw(0x30, str("t"),
            props(prop(PAYLOAD_FORMAT_INDICATOR, b(1))), b(0xFF)))), p -> {}));
    assertEquals(PAYLOAD_FORMAT, e.reasonCode());
    assertNull(d.cumulation());
    assertThrows(IllegalStateException.class,
        () -> d.feed(Unpooled.wrappedBuffer(hex("C0 00")), p -> {}));
    d.release();
  }
}
