package io.tributary.mqtt.codec;

import static io.tributary.mqtt.codec.MqttCodecException.MALFORMED_PACKET;
import static io.tributary.mqtt.codec.MqttCodecException.PROTOCOL_ERROR;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import io.tributary.router.topic.Topics;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The one reader of MQTT's wire primitives the packet decoders share: a cursor over the packet
 * being decoded ({@code in} from {@code pos} to {@code end}) and what the connection's CONNECT (or
 * CONNACK) fixed for every later packet. One per {@link MqttDecoder}, single-threaded. The family
 * decoders ({@link ConnectDecoder}, {@link PublishDecoder}, {@link SubscribeDecoder},
 * {@link SessionEndDecoder}, {@link PropertiesDecoder}) read through it.
 */
final class WireReader {

  /** Stops at the first byte that is 0x00 or not ASCII (negative as a signed byte). */
  private static final ByteProcessor FIND_NON_ASCII_OR_NUL = value -> value > 0;
  /** Stops at the first byte that is not ASCII. */
  private static final ByteProcessor FIND_NON_ASCII = value -> value >= 0;

  // The packet being decoded (valid only while MqttDecoder decodes one).
  ByteBuf in;
  int pos;
  int end;

  final boolean serverSide;
  /** 0 until CONNECT (server side); given up front on the client side. */
  int protocolLevel;
  /** Server side: a CONNECT was decoded. Client side: a CONNACK was decoded. */
  boolean connected;
  /** The client id of the CONNECT being or last decoded, or null. */
  String connectClientId;
  /** Server side, 5.0: the CONNECT's Authentication Method, or null. */
  String connectAuthenticationMethod;
  /** Server side, 5.0: the CONNECT's Session Expiry Interval (0 when absent). */
  long connectSessionExpiry;
  /** Inside a property block: error messages name the properties rather than the packet. */
  boolean inProperties;
  /** User properties one packet may carry, and their total bytes on the wire (names + values). */
  int maxUserProperties = Integer.MAX_VALUE;
  int maxUserPropertyBytes = Integer.MAX_VALUE;
  // Of the property block being read.
  int userPropertyCount;
  int userPropertyBytes;
  private final CharsetDecoder utf8 =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);

  WireReader(boolean serverSide, int protocolLevel) {
    this.serverSide = serverSide;
    this.protocolLevel = protocolLevel;
  }

  /** Starts on the packet in {@code buf} from {@code pos} to {@code end}. */
  void start(ByteBuf buf, int pos, int end) {
    this.in = buf;
    this.pos = pos;
    this.end = end;
  }

  int readByte(String what) throws MqttCodecException {
    if (pos >= end) {
      throw tooShort(what);
    }
    return in.getUnsignedByte(pos++);
  }

  /** The two-byte length before a string or binary field; the error text is built only on error. */
  int readLength(String what) throws MqttCodecException {
    if (end - pos < 2) {
      throw tooShort(what + " length");
    }
    int v = in.getUnsignedShort(pos);
    pos += 2;
    return v;
  }

  int readU16(String what) throws MqttCodecException {
    if (end - pos < 2) {
      throw tooShort(what);
    }
    int v = in.getUnsignedShort(pos);
    pos += 2;
    return v;
  }

  /**
   * A Variable Byte Integer (1.5.5): at most 4 bytes, minimally encoded (a longer encoding than
   * needed is malformed in 5.0 [MQTT-1.5.5-1]).
   */
  int readVariableByteInteger(String what) throws MqttCodecException {
    int value = 0;
    for (int i = 0; i < 4; i++) {
      if (pos >= end) {
        throw tooShort(what);
      }
      int b = in.getUnsignedByte(pos++);
      value |= (b & 0x7F) << (7 * i);
      if ((b & 0x80) == 0) {
        if (b == 0 && i > 0) {
          throw new MqttCodecException(
              MALFORMED_PACKET, what + " is not minimally encoded (" + (i + 1) + " bytes for " + value
                  + ")");
        }
        return value;
      }
    }
    throw new MqttCodecException(MALFORMED_PACKET, what + " is longer than 4 bytes");
  }

  int readPacketId(PacketType type) throws MqttCodecException {
    if (end - pos < 2) {
      throw tooShort(type + " packet id"); // the text only when it is needed: this runs per packet
    }
    int id = in.getUnsignedShort(pos);
    pos += 2;
    if (id == 0) {
      throw new MqttCodecException(PROTOCOL_ERROR, type + " with packet id 0");
    }
    return id;
  }

  String readFilter(String packet) throws MqttCodecException {
    String filter = readString(packet + " topic filter");
    if (!Topics.isValidFilter(filter)) {
      throw new MqttCodecException(
          MALFORMED_PACKET,
          filter.isEmpty()
              ? packet + " topic filter is empty"
              : packet + " topic filter " + quote(filter)
                  + " is invalid ('#' only as the last whole level, '+' only as a whole level)");
    }
    return filter;
  }

  /** Two-byte length, then that many bytes of well-formed UTF-8 without U+0000. */
  String readString(String what) throws MqttCodecException {
    int len = readLength(what);
    if (len > end - pos) {
      throw new MqttCodecException(
          MALFORMED_PACKET,
          what + " length " + len + " exceeds the " + (end - pos)
              + " bytes left in the " + (inProperties ? "properties" : "packet"));
    }
    int index = pos;
    pos += len;
    int stop = len == 0 ? -1 : in.forEachByte(index, len, FIND_NON_ASCII_OR_NUL);
    if (stop < 0) {
      return in.toString(index, len, StandardCharsets.US_ASCII);
    }
    if (in.getByte(stop) == 0) {
      throw new MqttCodecException(MALFORMED_PACKET, what + " contains U+0000");
    }
    String s;
    try {
      s = utf8.decode(in.nioBuffer(index, len)).toString();
    } catch (CharacterCodingException e) {
      throw new MqttCodecException(
          MALFORMED_PACKET, what + " is not well-formed UTF-8 (" + e.getMessage() + ")");
    }
    if (s.indexOf('\u0000') >= 0) {
      throw new MqttCodecException(MALFORMED_PACKET, what + " contains U+0000");
    }
    return s;
  }

  /** Two-byte length, then that many bytes. */
  byte[] readBinary(String what) throws MqttCodecException {
    int len = readLength(what);
    if (len > end - pos) {
      throw new MqttCodecException(
          MALFORMED_PACKET,
          what + " length " + len + " exceeds the " + (end - pos)
              + " bytes left in the " + (inProperties ? "properties" : "packet"));
    }
    byte[] bytes = new byte[len];
    in.getBytes(pos, bytes);
    pos += len;
    return bytes;
  }

  MqttCodecException tooShort(String what) {
    return new MqttCodecException(
        MALFORMED_PACKET,
        (inProperties ? "property length" : "remaining length") + " too short: " + what
            + " is missing");
  }

  boolean isV5() {
    return protocolLevel == MqttVersion.V5;
  }

  /** An unknown reason code for the packet type is malformed. */
  static void checkReasonCode(PacketType type, int code) throws MqttCodecException {
    if (!ReasonCodes.isValid(type, code)) {
      throw new MqttCodecException(
          MALFORMED_PACKET, type + " reason code 0x" + Integer.toHexString(code) + " is not valid");
    }
  }

  /**
   * DISCONNECT and AUTH: an unknown code is malformed; a code only the other side may send is a
   * protocol error.
   */
  void checkDirectedReasonCode(PacketType type, int code) throws MqttCodecException {
    checkReasonCode(type, code);
    boolean ok =
        serverSide
            ? ReasonCodes.isValidFromClient(type, code)
            : ReasonCodes.isValidFromServer(type, code);
    if (!ok) {
      throw new MqttCodecException(
          PROTOCOL_ERROR, type + " reason code " + ReasonCodes.describe(code) + " is not sent by a "
              + (serverSide ? "client" : "server"));
    }
  }

  /**
   * Well-formed UTF-8 (Unicode 3.9, RFC 3629): no overlong forms, no surrogates, nothing above
   * U+10FFFF, no truncated sequence. U+0000 is allowed (a payload is not an MQTT string).
   */
  static boolean isWellFormedUtf8(ByteBuf buf, int index, int length) {
    if (length == 0) {
      return true;
    }
    int i = buf.forEachByte(index, length, FIND_NON_ASCII);
    if (i < 0) {
      return true;
    }
    int limit = index + length;
    while (i < limit) {
      int b0 = buf.getByte(i);
      if (b0 >= 0) {
        i++;
        continue;
      }
      b0 &= 0xFF;
      if (b0 < 0xC2 || b0 > 0xF4) {
        return false; // continuation byte, overlong 2-byte lead, or beyond U+10FFFF
      }
      int n = b0 < 0xE0 ? 2 : b0 < 0xF0 ? 3 : 4;
      if (limit - i < n) {
        return false;
      }
      int b1 = buf.getByte(i + 1) & 0xFF;
      if ((b1 & 0xC0) != 0x80) {
        return false;
      }
      if ((b0 == 0xE0 && b1 < 0xA0) // overlong 3-byte
          || (b0 == 0xED && b1 > 0x9F) // surrogates
          || (b0 == 0xF0 && b1 < 0x90) // overlong 4-byte
          || (b0 == 0xF4 && b1 > 0x8F)) { // above U+10FFFF
        return false;
      }
      for (int k = 2; k < n; k++) {
        if ((buf.getByte(i + k) & 0xC0) != 0x80) {
          return false;
        }
      }
      i += n;
    }
    return true;
  }

  /** Client text in an error message, which ends up in a log line: escaped and capped. */
  static String quote(String s) {
    return "'" + io.tributary.router.logging.LogSafe.text(s) + "'";
  }

  static String bits(int flags) {
    String s = Integer.toBinaryString(flags | 0x10);
    return s.substring(s.length() - 4);
  }
}
