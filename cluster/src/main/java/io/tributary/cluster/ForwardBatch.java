package io.tributary.cluster;

import io.tributary.router.message.Message;
import io.tributary.router.message.MessageCodec;
import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Messages on their way to another node, as one event-bus message: each is its offset in the
 * sender's log, its timestamp and its record body as the log stores it ({@link MessageCodec}):
 *
 * <pre>
 *   offset     int64   in the sending node's log (the receiver drops offsets it has stored)
 *   timestamp  int64   when the sending node accepted it
 *   length     int32
 *   body       the record body
 *   groups     uint8 count, each uint16 length + UTF-8: the receiver's shared groups it is sent for
 * </pre>
 */
final class ForwardBatch {

  private static final int HEADER = 8 + 8 + 4;

  private final Buffer buffer;
  private ByteBuffer scratch = ByteBuffer.allocate(4096);

  /** A live batch: sized for a typical one up front (growing by copies showed in the sender's profile). */
  ForwardBatch() {
    this(64 * 1024);
  }

  ForwardBatch(int initialBytes) {
    buffer = Buffer.buffer(initialBytes);
  }
  private int count;
  private long lastOffset = -1;

  /** Adds one message; the caller keeps offsets ascending. */
  void add(long offset, Message message) {
    add(offset, message, null);
  }

  /** Adds one message sent for the receiver's shared groups {@code groups} (or null: none). */
  void add(long offset, Message message, java.util.List<String> groups) {
    int size = MessageCodec.INSTANCE.sizeOf(message);
    if (scratch.capacity() < size) {
      scratch = ByteBuffer.allocate(Math.max(size, scratch.capacity() * 2));
    }
    scratch.clear();
    MessageCodec.INSTANCE.write(message, scratch);
    buffer.appendLong(offset).appendLong(message.timestamp()).appendInt(size).appendBytes(scratch.array(), 0, size);
    int n = groups == null ? 0 : groups.size();
    buffer.appendByte((byte) n);
    for (int i = 0; i < n; i++) {
      byte[] g = groups.get(i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
      buffer.appendUnsignedShort(g.length).appendBytes(g);
    }
    count++;
    lastOffset = offset;
  }

  int count() {
    return count;
  }

  int bytes() {
    return buffer.length();
  }

  long lastOffset() {
    return lastOffset;
  }

  Buffer buffer() {
    return buffer;
  }

  /** A received batch: the messages and their offsets in the sender's log. */
  record Received(List<Message> messages, long[] offsets) {}

  /** Reads a batch, each message marked as coming from origin. */
  static Received read(Buffer buffer, String origin) {
    ByteBuffer bytes = ByteBuffer.wrap(buffer.getBytes());
    List<Message> messages = new ArrayList<>();
    long[] offsets = new long[64];
    while (bytes.remaining() >= HEADER) {
      long offset = bytes.getLong();
      long timestamp = bytes.getLong();
      int length = bytes.getInt();
      if (length < 0 || length > bytes.remaining()) {
        throw new IllegalArgumentException("forward batch: record at sender offset " + offset + " claims "
            + length + " bytes, " + bytes.remaining() + " left");
      }
      int body = bytes.position();
      bytes.position(body + length);
      if (!bytes.hasRemaining()) {
        throw new IllegalArgumentException("forward batch: record at sender offset " + offset + " has no group count");
      }
      String[] groups = new String[bytes.get() & 0xFF];
      for (int i = 0; i < groups.length; i++) {
        int n = bytes.getShort() & 0xFFFF;
        if (n > bytes.remaining()) {
          throw new IllegalArgumentException("forward batch: record at sender offset " + offset + " claims a group of "
              + n + " bytes, " + bytes.remaining() + " left");
        }
        byte[] g = new byte[n];
        bytes.get(g);
        groups[i] = new String(g, java.nio.charset.StandardCharsets.UTF_8);
      }
      Message m = MessageCodec.INSTANCE.readFrom(bytes, body, length, timestamp, origin,
          groups.length == 0 ? null : groups);
      if (messages.size() == offsets.length) {
        offsets = java.util.Arrays.copyOf(offsets, offsets.length * 2);
      }
      offsets[messages.size()] = offset;
      messages.add(m);
    }
    if (bytes.hasRemaining()) {
      throw new IllegalArgumentException("forward batch: " + bytes.remaining() + " trailing bytes");
    }
    return new Received(messages, java.util.Arrays.copyOf(offsets, messages.size()));
  }
}
