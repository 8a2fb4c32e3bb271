package io.tributary.router.message;

import io.tributary.commitlog.RecordCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A {@link Message} as the body of a commit log record (the header, with the timestamp, is the
 * log's):
 *
 * <pre>
 *   flags        int8    bits 0-1 QoS, 2 retain, 3 publisher id, 4 expiry, 5 metadata, 6 origin,
 *                        7 shared groups
 *   expiresAt    int64   wall-clock ms, when flag 4
 *   topic        uint16 length + UTF-8
 *   publisherId  uint16 length + UTF-8, when flag 3
 *   origin       uint16 length + UTF-8, when flag 6 (a cluster node or bridge it came through)
 *   sharedFor    uint8 count, each uint16 length + UTF-8, when flag 7 (the groups it was forwarded for)
 *   metadata     int8 kind + int32 length + bytes, when flag 5 ({@link MetadataCodecs})
 *   payload      the rest of the body
 * </pre>
 */
public final class MessageCodec implements RecordCodec<Message> {

  public static final MessageCodec INSTANCE = new MessageCodec();

  private static final int RETAIN = 1 << 2;
  private static final int PUBLISHER = 1 << 3;
  private static final int EXPIRES = 1 << 4;
  private static final int METADATA = 1 << 5;
  private static final int ORIGIN = 1 << 6;
  private static final int SHARED = 1 << 7;

  private MessageCodec() {
  }

  @Override
  public int sizeOf(Message m) {
    int size = 1 + 2 + utf8Length(m.topic()) + m.payloadLength();
    if (m.expiresAt() != 0) {
      size += 8;
    }
    if (m.publisherId() != null) {
      size += 2 + utf8Length(m.publisherId());
    }
    if (m.origin() != null) {
      size += 2 + utf8Length(m.origin());
    }
    if (m.sharedFor() != null) {
      size += 1;
      for (String g : m.sharedFor()) {
        size += 2 + utf8Length(g);
      }
    }
    if (m.properties() != null) {
      size += 1 + 4 + m.properties().storedLength();
    }
    return size;
  }

  @Override
  public void write(Message m, ByteBuffer dst) {
    int flags = m.qos() | (m.retain() ? RETAIN : 0) | (m.publisherId() != null ? PUBLISHER : 0)
        | (m.expiresAt() != 0 ? EXPIRES : 0) | (m.properties() != null ? METADATA : 0)
        | (m.origin() != null ? ORIGIN : 0) | (m.sharedFor() != null ? SHARED : 0);
    dst.put((byte) flags);
    if (m.expiresAt() != 0) {
      dst.putLong(m.expiresAt());
    }
    putString(dst, m.topic());
    if (m.publisherId() != null) {
      putString(dst, m.publisherId());
    }
    if (m.origin() != null) {
      putString(dst, m.origin());
    }
    if (m.sharedFor() != null) {
      dst.put((byte) m.sharedFor().length);
      for (String g : m.sharedFor()) {
        putString(dst, g);
      }
    }
    if (m.properties() != null) {
      MessageMetadata metadata = m.properties();
      dst.put(metadata.storedKind());
      dst.putInt(metadata.storedLength());
      metadata.store(dst);
    }
    dst.put(m.payloadArray(), m.payloadOffset(), m.payloadLength());
  }

  @Override
  public long timestampOf(Message m) {
    return m.timestamp();
  }

  @Override
  public Message read(ByteBuffer src, int position, int length, long timestamp) {
    return read(src, position, length, timestamp, null, false, null);
  }

  /**
   * Reads a record body as it came from another node (or a bridge): the message as stored, but
   * with {@code origin} and {@code sharedFor} (the receiving node's groups it was sent for, or
   * null) in place of what it carried.
   */
  public Message readFrom(ByteBuffer src, int position, int length, long timestamp, String origin,
      String[] sharedFor) {
    return read(src, position, length, timestamp, origin, true, sharedFor);
  }

  private Message read(ByteBuffer src, int position, int length, long timestamp, String originOverride,
      boolean override, String[] sharedForOverride) {
    int end = position + length;
    int flags = src.get(position++);
    long expiresAt = 0;
    if ((flags & EXPIRES) != 0) {
      expiresAt = src.getLong(position);
      position += 8;
    }
    int topicLength = src.getShort(position) & 0xFFFF;
    String topic = getString(src, position + 2, topicLength);
    position += 2 + topicLength;
    String publisher = null;
    if ((flags & PUBLISHER) != 0) {
      int n = src.getShort(position) & 0xFFFF;
      publisher = getString(src, position + 2, n);
      position += 2 + n;
    }
    String origin = null;
    if ((flags & ORIGIN) != 0) {
      int n = src.getShort(position) & 0xFFFF;
      origin = getString(src, position + 2, n);
      position += 2 + n;
    }
    String[] sharedFor = null;
    if ((flags & SHARED) != 0) {
      sharedFor = new String[src.get(position++) & 0xFF];
      for (int i = 0; i < sharedFor.length; i++) {
        int n = src.getShort(position) & 0xFFFF;
        sharedFor[i] = getString(src, position + 2, n);
        position += 2 + n;
      }
    }
    MessageMetadata metadata = null;
    if ((flags & METADATA) != 0) {
      byte kind = src.get(position);
      int n = src.getInt(position + 1);
      metadata = MetadataCodecs.read(kind, src, position + 5, n);
      position += 5 + n;
    }
    byte[] payload = new byte[end - position];
    src.get(position, payload);
    return new Message(topic, payload, 0, payload.length, flags & 3, (flags & RETAIN) != 0, publisher, timestamp,
        expiresAt, metadata, override ? originOverride : origin, override ? sharedForOverride : sharedFor);
  }

  private static void putString(ByteBuffer dst, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    dst.putShort((short) bytes.length);
    dst.put(bytes);
  }

  private static String getString(ByteBuffer src, int position, int length) {
    if (src.hasArray()) { // straight from the array: no copy in between (forwards arrive in heap buffers)
      return new String(src.array(), src.arrayOffset() + position, length, StandardCharsets.UTF_8);
    }
    byte[] bytes = new byte[length];
    src.get(position, bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** UTF-8 length without encoding (topics and client ids are at most 65,535 bytes, MQTT-1.5.4). */
  static int utf8Length(String s) {
    int n = 0;
    for (int i = 0, len = s.length(); i < len; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    if (n > 0xFFFF) {
      throw new IllegalArgumentException("string longer than 65535 UTF-8 bytes");
    }
    return n;
  }
}
