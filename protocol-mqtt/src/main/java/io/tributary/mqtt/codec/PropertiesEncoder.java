package io.tributary.mqtt.codec;

import static io.tributary.mqtt.codec.PropertyIds.NAME;
import static io.tributary.mqtt.codec.PropertyIds.TYPE;
import static io.tributary.mqtt.codec.PropertyIds.T_BINARY;
import static io.tributary.mqtt.codec.PropertyIds.T_BOOLEAN;
import static io.tributary.mqtt.codec.PropertyIds.T_BYTE;
import static io.tributary.mqtt.codec.PropertyIds.T_FOUR_BYTE;
import static io.tributary.mqtt.codec.PropertyIds.T_PAIR;
import static io.tributary.mqtt.codec.PropertyIds.T_STRING;
import static io.tributary.mqtt.codec.PropertyIds.T_TWO_BYTE;
import static io.tributary.mqtt.codec.PropertyIds.T_VBI;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.List;

/** The wire form of a property block (MQTT 5.0, 2.2.2): its length, and the bytes. */
final class PropertiesEncoder {

  private PropertiesEncoder() {}

  /**
   * Bytes of the encoded properties, without the property length in front.
   *
   * @throws IllegalArgumentException if a string or binary value is over 65535 bytes or the
   *     total over the largest Variable Byte Integer
   */
  static int encodedLength(PropertySet<?> p) {
    int cached = p.encodedLength;
    if (cached >= 0) {
      return cached;
    }
    long n = 0;
    long bits = p.present;
    while (bits != 0) {
      int id = Long.numberOfTrailingZeros(bits);
      bits &= bits - 1;
      Object v = p.values[id];
      switch (TYPE[id]) {
        case T_BYTE:
        case T_BOOLEAN:
          n += 2;
          break;
        case T_TWO_BYTE:
          n += 3;
          break;
        case T_FOUR_BYTE:
          n += 5;
          break;
        case T_STRING:
          n += 3 + utf8Length((String) v, NAME[id]);
          break;
        case T_BINARY:
          n += 3 + binaryLength((byte[]) v, NAME[id]);
          break;
        case T_VBI:
          for (Object o : (List<?>) v) {
            n += 1 + MqttEncoder.remainingLengthSize((Integer) o);
          }
          break;
        case T_PAIR:
          for (Object o : (List<?>) v) {
            UserProperty u = (UserProperty) o;
            n += 5 + utf8Length(u.name(), "user property name")
                + utf8Length(u.value(), "user property value");
          }
          break;
        default:
          throw new IllegalStateException("property " + id);
      }
    }
    if (n > MqttProperties.MAX_VARIABLE_BYTE_INTEGER) {
      throw new IllegalArgumentException("properties too large: " + n + " bytes");
    }
    p.encodedLength = (int) n;
    return (int) n;
  }

  /** Writes the properties (without the property length), in identifier order. */
  static void writeTo(PropertySet<?> p, ByteBuf buf) {
    long bits = p.present;
    while (bits != 0) {
      int id = Long.numberOfTrailingZeros(bits);
      bits &= bits - 1;
      Object v = p.values[id];
      switch (TYPE[id]) {
        case T_BYTE:
        case T_BOOLEAN:
          buf.writeByte(id).writeByte((Integer) v);
          break;
        case T_TWO_BYTE:
          buf.writeByte(id).writeShort((Integer) v);
          break;
        case T_FOUR_BYTE:
          buf.writeByte(id).writeInt((int) (long) (Long) v);
          break;
        case T_STRING:
          buf.writeByte(id);
          writeString(buf, (String) v);
          break;
        case T_BINARY:
          byte[] b = (byte[]) v;
          buf.writeByte(id).writeShort(b.length).writeBytes(b);
          break;
        case T_VBI:
          for (Object o : (List<?>) v) {
            buf.writeByte(id);
            MqttEncoder.writeRemainingLength(buf, (Integer) o);
          }
          break;
        case T_PAIR:
          for (Object o : (List<?>) v) {
            UserProperty u = (UserProperty) o;
            buf.writeByte(id);
            writeString(buf, u.name());
            writeString(buf, u.value());
          }
          break;
        default:
          throw new IllegalStateException("property " + id);
      }
    }
  }

  private static void writeString(ByteBuf buf, String s) {
    int len = ByteBufUtil.utf8Bytes(s);
    buf.writeShort(len);
    ByteBufUtil.reserveAndWriteUtf8(buf, s, len);
  }

  private static int utf8Length(String s, String what) {
    int len = ByteBufUtil.utf8Bytes(s);
    if (len > 0xFFFF) {
      throw new IllegalArgumentException(what + " is " + len + " UTF-8 bytes, max 65535");
    }
    return len;
  }

  private static int binaryLength(byte[] b, String what) {
    if (b.length > 0xFFFF) {
      throw new IllegalArgumentException(what + " is " + b.length + " bytes, max 65535");
    }
    return b.length;
  }
}
