package io.tributary.cluster;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The forward channel's frames, one TCP connection from a sending node to a receiving node:
 *
 * <pre>
 *   frame   int32 length of what follows, uint8 type, body
 *   HELLO   (sender -> receiver, first) uint16 + UTF-8 sender node name, uint16 + UTF-8 sender
 *           incarnation (member id), uint16 + UTF-8 receiver incarnation the sender means to reach
 *   BATCH   uint8 flags (1 = lookback), int64 sequence number, then a {@link ForwardBatch}
 *   ACK     (receiver -> sender) int64 sequence number: that batch and every earlier one are stored
 *           and as durable as the receiver's flush policy promises
 * </pre>
 *
 * All integers big-endian, as Vert.x's {@link Buffer} writes them.
 */
final class ForwardWire {

  static final byte HELLO = 1;
  static final byte BATCH = 2;
  static final byte ACK = 3;
  static final byte LOOKBACK_FLAG = 1;
  /** Bytes a BATCH frame has before its {@link ForwardBatch} body: length, type, flags, sequence. */
  static final int BATCH_HEADER = 4 + 1 + 1 + 8;
  /** A frame claiming more is a broken or foreign stream. */
  static final int MAX_FRAME = 1 << 30;

  private ForwardWire() {
  }

  static Buffer hello(String node, String incarnation, String receiverIncarnation) {
    Buffer b = Buffer.buffer(64).appendInt(0).appendByte(HELLO);
    for (String s : new String[] {node, incarnation, receiverIncarnation}) {
      byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
      b.appendUnsignedShort(bytes.length).appendBytes(bytes);
    }
    return b.setInt(0, b.length() - 4);
  }

  /** Fills in the header of a batch whose buffer starts with {@link #BATCH_HEADER} reserved bytes. */
  static Buffer batch(Buffer buffer, long sequence, boolean lookback) {
    return buffer.setInt(0, buffer.length() - 4).setByte(4, BATCH).setByte(5, lookback ? LOOKBACK_FLAG : 0)
        .setLong(6, sequence);
  }

  static Buffer ack(long sequence) {
    return Buffer.buffer(13).appendInt(9).appendByte(ACK).appendLong(sequence);
  }

  /** Reads a UTF-8 string with a uint16 length at the frame body's position. */
  static String string(ByteBuffer body) {
    int n = body.getShort() & 0xFFFF;
    if (n > body.remaining()) {
      throw new IllegalArgumentException("a string of " + n + " bytes with " + body.remaining() + " left");
    }
    String s = new String(body.array(), body.arrayOffset() + body.position(), n, StandardCharsets.UTF_8);
    body.position(body.position() + n);
    return s;
  }

  /** What a {@link FrameReader} hands on: a frame's type and body (valid only during the call). */
  interface FrameHandler {
    void frame(byte type, ByteBuffer body);
  }

  /**
   * Cuts a connection's bytes into frames. Each frame's body is copied once, into a byte array
   * this reader keeps and reuses (frames are decoded during the call, nothing keeps the array), so
   * a steady stream of batches allocates nothing here.
   */
  static final class FrameReader implements Handler<Buffer> {

    /** Past this a frame's array is not kept for the next one. */
    private static final int KEEP = 4 << 20;

    private final FrameHandler handler;
    private final Handler<String> broken;
    private final byte[] header = new byte[5];
    private int headerFill;
    private byte[] body = new byte[64 * 1024];
    private int bodyLength = -1;
    private int bodyFill;
    private byte type;
    private boolean failed;

    /** {@code broken} gets a description of a stream that cannot be read; nothing is read after it. */
    FrameReader(FrameHandler handler, Handler<String> broken) {
      this.handler = handler;
      this.broken = broken;
    }

    @Override
    public void handle(Buffer chunk) {
      int at = 0;
      int length = chunk.length();
      while (at < length && !failed) {
        if (bodyLength < 0) {
          int n = Math.min(header.length - headerFill, length - at);
          chunk.getBytes(at, at + n, header, headerFill);
          headerFill += n;
          at += n;
          if (headerFill < header.length) {
            return;
          }
          int size = ((header[0] & 0xFF) << 24 | (header[1] & 0xFF) << 16 | (header[2] & 0xFF) << 8
              | (header[3] & 0xFF)) - 1;
          if (size < 0 || size > MAX_FRAME) {
            failed = true;
            broken.handle("a frame claims " + (size + 1) + " bytes");
            return;
          }
          type = header[4];
          bodyLength = size;
          bodyFill = 0;
          if (body.length < size) {
            body = new byte[size];
          }
        }
        int n = Math.min(bodyLength - bodyFill, length - at);
        chunk.getBytes(at, at + n, body, bodyFill);
        bodyFill += n;
        at += n;
        if (bodyFill == bodyLength) {
          int size = bodyLength;
          bodyLength = -1;
          headerFill = 0;
          try {
            handler.frame(type, ByteBuffer.wrap(body, 0, size).slice());
          } catch (RuntimeException e) {
            failed = true;
            broken.handle(e.getMessage());
          }
          if (body.length > KEEP) {
            body = new byte[64 * 1024];
          }
        }
      }
    }
  }
}
