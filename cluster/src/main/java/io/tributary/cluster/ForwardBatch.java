package io.tributary.cluster;

import io.tributary.router.message.Message;
import io.tributary.router.message.MessageCodec;
import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Messages on their way to another node, as the body of one BATCH frame of the forward channel
 * ({@link ForwardWire}; the buffer starts with the frame's header, filled in when it is sent):
 * each is its offset in the sender's log, its timestamp and its record body as the log stores it
 * ({@link MessageCodec}):
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
  private static final byte[][] NO_NAMES = new byte[0][];

  /** The frame being built: {@link ForwardWire#BATCH_HEADER} bytes left for the header, then the messages. */
  private ByteBuffer bytes;
  private int count;
  private long lastOffset = -1;

  ForwardBatch() {
    this(4096);
  }

  ForwardBatch(int initialBytes) {
    bytes = ByteBuffer.allocate(ForwardWire.BATCH_HEADER + initialBytes);
    clear();
  }

  /** Empties the batch to build another in the same memory (a forwarder's live batches). */
  void clear() {
    bytes.clear().position(ForwardWire.BATCH_HEADER);
    count = 0;
    lastOffset = -1;
  }

  /** Adds one message; the caller keeps offsets ascending. */
  void add(long offset, Message message) {
    add(offset, message, null);
  }

  /** Adds one message sent for the receiver's shared groups {@code groups} (or null: none). */
  void add(long offset, Message message, java.util.List<String> groups) {
    int size = MessageCodec.INSTANCE.sizeOf(message);
    int n = groups == null ? 0 : groups.size();
    byte[][] names = n == 0 ? NO_NAMES : new byte[n][];
    int need = HEADER + size + 1;
    for (int i = 0; i < n; i++) {
      names[i] = groups.get(i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
      need += 2 + names[i].length;
    }
    if (bytes.remaining() < need) {
      ByteBuffer bigger = ByteBuffer.allocate(Math.max(bytes.capacity() * 2, bytes.position() + need));
      bytes.flip();
      bytes = bigger.put(bytes);
    }
    bytes.putLong(offset).putLong(message.timestamp()).putInt(size);
    MessageCodec.INSTANCE.write(message, bytes);
    bytes.put((byte) n);
    for (byte[] name : names) {
      bytes.putShort((short) name.length).put(name);
    }
    count++;
    lastOffset = offset;
  }

  int count() {
    return count;
  }

  /** Bytes of messages so far. */
  int bytes() {
    return bytes.position() - ForwardWire.BATCH_HEADER;
  }

  long lastOffset() {
    return lastOffset;
  }

  /** The messages alone, without the frame header (for the event bus: retained sync, hand-offs). */
  Buffer body() {
    return Buffer.buffer(bytes()).appendBytes(bytes.array(), ForwardWire.BATCH_HEADER, bytes());
  }

  /**
   * The whole frame for this sending, in a buffer of its own sized to it (the batch may be cleared
   * and built again while the frame is still being written).
   */
  Buffer frame(long sequence, boolean lookback) {
    return ForwardWire.batch(Buffer.buffer(bytes.position()).appendBytes(bytes.array(), 0, bytes.position()), sequence,
        lookback);
  }

  /** A received batch: the messages and their offsets in the sender's log. */
  record Received(List<Message> messages, long[] offsets) {}

  /** Reads a batch's messages from an event-bus body ({@link #body()}). */
  static Received read(Buffer body, String origin) {
    return read(ByteBuffer.wrap(body.getBytes()), origin);
  }

  /**
   * Reads a batch (what follows a BATCH frame's flags and sequence), each message marked as coming
   * from origin; the messages keep nothing of {@code bytes}.
   */
  static Received read(ByteBuffer bytes, String origin) {
    // Sized for small messages up front (growing by copies showed in the receiver's profile).
    int expected = Math.max(16, bytes.remaining() / 96);
    List<Message> messages = new ArrayList<>(expected);
    long[] offsets = new long[expected];
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
        groups[i] = new String(bytes.array(), bytes.arrayOffset() + bytes.position(), n,
            java.nio.charset.StandardCharsets.UTF_8);
        bytes.position(bytes.position() + n);
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
