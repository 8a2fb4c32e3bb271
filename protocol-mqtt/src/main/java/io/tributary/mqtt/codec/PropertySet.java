package io.tributary.mqtt.codec;

import static io.tributary.mqtt.codec.PropertyIds.ID_LIMIT;
import static io.tributary.mqtt.codec.PropertyIds.NAME;
import static io.tributary.mqtt.codec.PropertyIds.TYPE;
import static io.tributary.mqtt.codec.PropertyIds.T_BINARY;
import static io.tributary.mqtt.codec.PropertyIds.T_BOOLEAN;
import static io.tributary.mqtt.codec.PropertyIds.T_PAIR;
import static io.tributary.mqtt.codec.PropertyIds.T_VBI;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tributary.router.message.MessageMetadata;
import io.tributary.router.message.MetadataCodecs;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The storage under {@link MqttProperties}: values by property identifier with a bit mask of those
 * present, the cached encoded length, heap accounting, equality. {@link MqttProperties} adds the
 * typed accessors.
 */
abstract class PropertySet<T extends PropertySet<T>> implements MessageMetadata {

  final boolean immutable;
  /** Bit {@code id} set when property {@code id} is present. */
  long present;
  /** By identifier; allocated on the first set. Lists for the two repeatable properties. */
  Object[] values;
  /** Cached {@link PropertiesEncoder#encodedLength}, -1 when unknown. */
  int encodedLength = -1;

  PropertySet(boolean immutable) {
    this.immutable = immutable;
    if (immutable) {
      encodedLength = 0;
    }
  }

  abstract T self();

  /** Copies this set's values into {@code c} (lists and arrays copied too). */
  final T copyInto(T c) {
    PropertySet<T> target = c;
    if (values != null) {
      target.values = new Object[ID_LIMIT];
      for (int id = 0; id < ID_LIMIT; id++) {
        Object v = values[id];
        if (v instanceof byte[]) {
          v = ((byte[]) v).clone();
        } else if (v instanceof List) {
          v = new ArrayList<>((List<?>) v);
        }
        target.values[id] = v;
      }
    }
    target.present = present;
    target.encodedLength = encodedLength;
    return c;
  }

  public boolean isEmpty() {
    return present == 0;
  }

  /** Stored in the commit log as on the wire: the property length, then the properties. */
  @Override
  public byte storedKind() {
    return MetadataCodecs.MQTT5;
  }

  @Override
  public int storedLength() {
    int n = PropertiesEncoder.encodedLength(this);
    return MqttEncoder.remainingLengthSize(n) + n;
  }

  @Override
  public void store(ByteBuffer dst) {
    ByteBuf out = Unpooled.wrappedBuffer(dst.duplicate()).writerIndex(0);
    MqttEncoder.writeRemainingLength(out, PropertiesEncoder.encodedLength(this));
    PropertiesEncoder.writeTo(this, out);
    dst.position(dst.position() + out.writerIndex());
  }

  /** Whether the property with this identifier is present (e.g. {@link MqttProperties#TOPIC_ALIAS}). */
  public boolean contains(int id) {
    return id > 0 && id < ID_LIMIT && (present & (1L << id)) != 0;
  }

  /** Bit {@code id} set for each present property identifier. */
  long presentMask() {
    return present;
  }

  // ---- generic storage ----

  final Object get(int id) {
    return values == null ? null : values[id];
  }

  final T put(int id, Object value) {
    if (immutable) {
      throw new UnsupportedOperationException("MqttProperties.EMPTY is immutable; use create()");
    }
    if (value == null) {
      if (values != null) {
        values[id] = null;
      }
      present &= ~(1L << id);
    } else {
      if (values == null) {
        values = new Object[ID_LIMIT];
      }
      values[id] = value;
      present |= 1L << id;
    }
    encodedLength = -1;
    return self();
  }

  static Integer checkRange(Integer v, int max, String what) {
    if (v != null && (v < 0 || v > max)) {
      throw new IllegalArgumentException(what + " " + v + " outside 0.." + max);
    }
    return v;
  }

  static Long checkFourByte(Long v, String what) {
    if (v != null && (v < 0 || v > MqttProperties.MAX_FOUR_BYTE_INTEGER)) {
      throw new IllegalArgumentException(what + " " + v + " outside 0.." + MqttProperties.MAX_FOUR_BYTE_INTEGER);
    }
    return v;
  }

  static Integer toInt(Boolean b) {
    return b == null ? null : (b ? 1 : 0);
  }

  final Boolean bool(int id) {
    Integer v = (Integer) get(id);
    return v == null ? null : v != 0;
  }

  // ---- decoder entry point (values already validated) ----

  /** Stores a decoded single-valued property: Integer, Long, String or byte[] by type. */
  final void putDecoded(int id, Object value) {
    put(id, value);
  }

  /** Bytes of the encoded properties, without the property length in front. */
  final int encodedLength() {
    return PropertiesEncoder.encodedLength(this);
  }

  // ---- Object ----

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (o == null || o.getClass() != getClass()) {
      return false;
    }
    PropertySet<?> other = (PropertySet<?>) o;
    if (present != other.present) {
      return false;
    }
    long bits = present;
    while (bits != 0) {
      int id = Long.numberOfTrailingZeros(bits);
      bits &= bits - 1;
      Object a = values[id];
      Object b = other.values[id];
      if (a instanceof byte[]) {
        if (!Arrays.equals((byte[]) a, (byte[]) b)) {
          return false;
        }
      } else if (!a.equals(b)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int h = Long.hashCode(present);
    long bits = present;
    while (bits != 0) {
      int id = Long.numberOfTrailingZeros(bits);
      bits &= bits - 1;
      Object v = values[id];
      h = h * 31 + (v instanceof byte[] ? Arrays.hashCode((byte[]) v) : v.hashCode());
    }
    return h;
  }

  @Override
  public String toString() {
    if (present == 0) {
      return "{}";
    }
    StringBuilder sb = new StringBuilder("{");
    long bits = present;
    while (bits != 0) {
      int id = Long.numberOfTrailingZeros(bits);
      bits &= bits - 1;
      if (sb.length() > 1) {
        sb.append(", ");
      }
      Object v = values[id];
      switch (TYPE[id]) {
        case T_BOOLEAN:
          sb.append(NAME[id]).append('=').append((Integer) v != 0);
          break;
        case T_BINARY:
          sb.append(NAME[id]).append("=<").append(((byte[]) v).length).append(" bytes>");
          break;
        case T_VBI:
          sb.append("subscriptionIdentifiers=").append(v);
          break;
        case T_PAIR:
          sb.append("userProperties=").append(v);
          break;
        default:
          sb.append(NAME[id]).append('=').append(v);
      }
    }
    return sb.append('}').toString();
  }
}
