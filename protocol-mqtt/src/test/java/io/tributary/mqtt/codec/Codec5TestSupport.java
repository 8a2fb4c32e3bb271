package io.tributary.mqtt.codec;

import static io.tributary.mqtt.codec.CodecTestSupport.ALLOC;
import static io.tributary.mqtt.codec.CodecTestSupport.MAX;
import static io.tributary.mqtt.codec.CodecTestSupport.b;
import static io.tributary.mqtt.codec.CodecTestSupport.concat;
import static io.tributary.mqtt.codec.CodecTestSupport.lp;
import static io.tributary.mqtt.codec.CodecTestSupport.str;
import static io.tributary.mqtt.codec.CodecTestSupport.u16;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** MQTT 5.0 builders and decode helpers (on top of {@link CodecTestSupport}). */
final class Codec5TestSupport {

  static final int V5 = MqttVersion.V5;

  /** Authentication Method of {@link #CONNECT_5_AUTH}; equals the sample string value "x". */
  static final String AUTH_METHOD = "x";

  /** A minimal valid 5.0 CONNECT, no properties. */
  static final byte[] CONNECT_5 = bytes5(new Connect(V5, "c5", true, 60, null, null, null));

  /** A 5.0 CONNECT naming an Authentication Method, so that AUTH may follow. */
  static final byte[] CONNECT_5_AUTH =
      bytes5(new Connect(V5, "c5", true, 60, null, null, null,
          new MqttProperties().authenticationMethod(AUTH_METHOD)));

  /** A 5.0 CONNACK, success, no properties: "20 03 00 00 00". */
  static final byte[] CONNACK_5 = bytes5(new ConnAck(false, 0, MqttProperties.EMPTY));

  private Codec5TestSupport() {}

  static byte[] bytes5(Packet p) {
    return CodecTestSupport.bytes(p, V5);
  }

  /** A Variable Byte Integer, minimally encoded. */
  static byte[] vbi(int v) {
    ByteBuf buf = Unpooled.buffer();
    MqttEncoder.writeRemainingLength(buf, v);
    byte[] r = new byte[buf.readableBytes()];
    buf.readBytes(r);
    return r;
  }

  /** One property: identifier (one byte) and raw value. */
  static byte[] prop(int id, byte[]... value) {
    return concat(b(id), concat(value));
  }

  /** A property block: property length (VBI) + the properties. */
  static byte[] props(byte[]... properties) {
    byte[] body = concat(properties);
    return concat(vbi(body.length), body);
  }

  /** Property length 0. */
  static byte[] noProps() {
    return b(0);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** A valid value of the property's data type (for identifier/placement tests). */
  static byte[] sampleValue(int id) {
    switch (PropertyIds.TYPE[id]) {
      case PropertyIds.T_BYTE:
      case PropertyIds.T_BOOLEAN:
        return b(0);
      case PropertyIds.T_TWO_BYTE:
        return u16(5);
      case PropertyIds.T_FOUR_BYTE:
        return b(0, 0, 0, 5);
      case PropertyIds.T_VBI:
        return vbi(5);
      case PropertyIds.T_STRING:
        return str("x");
      case PropertyIds.T_BINARY:
        return lp(b(1));
      case PropertyIds.T_PAIR:
        return concat(str("k"), str("v"));
      default:
        throw new IllegalArgumentException("no property " + id);
    }
  }

  /** Every defined property identifier. */
  static List<Integer> allIds() {
    List<Integer> ids = new java.util.ArrayList<>();
    for (int id = 0; id < PropertyIds.ID_LIMIT; id++) {
      if (PropertyIds.TYPE[id] != 0) {
        ids.add(id);
      }
    }
    return ids;
  }

  static List<Packet> decodeServer5(byte[] data) throws MqttCodecException {
    return CodecTestSupport.decodeServer(data);
  }

  static List<Packet> decodeClient5(byte[] data) throws MqttCodecException {
    return decodeClient5(data, Math.max(1, data.length));
  }

  static List<Packet> decodeClient5(byte[] data, int chunkSize) throws MqttCodecException {
    MqttDecoder d = MqttDecoder.forClient(MAX, V5, ALLOC);
    try {
      return CodecTestSupport.decode(d, data, chunkSize);
    } finally {
      d.release();
    }
  }

  /** Server decoder, whole and byte by byte. */
  static MqttCodecException rejects5(byte[] data, int reasonCode, String messagePart) {
    return CodecTestSupport.rejects(data, reasonCode, messagePart);
  }

  /** Level-5 client decoder, whole and byte by byte. */
  static MqttCodecException clientRejects5(byte[] data, int reasonCode, String messagePart) {
    return CodecTestSupport.rejects(
        MqttDecoder.forClient(MAX, V5, ALLOC),
        MqttDecoder.forClient(MAX, V5, ALLOC),
        data, reasonCode, messagePart);
  }

  /** Accepted both whole and byte by byte; returns the packets of the whole feed. */
  static List<Packet> accepts5(byte[] data) throws MqttCodecException {
    List<Packet> whole = decodeServer5(data);
    MqttDecoder d = new MqttDecoder(MAX, ALLOC);
    try {
      List<Packet> byByte = CodecTestSupport.decode(d, data, 1);
      org.junit.jupiter.api.Assertions.assertEquals(whole, byByte);
    } finally {
      d.release();
    }
    return whole;
  }

  /** Client side: accepted both whole and byte by byte. */
  static List<Packet> clientAccepts5(byte[] data) throws MqttCodecException {
    List<Packet> whole = decodeClient5(data);
    org.junit.jupiter.api.Assertions.assertEquals(whole, decodeClient5(data, 1));
    return whole;
  }
}
