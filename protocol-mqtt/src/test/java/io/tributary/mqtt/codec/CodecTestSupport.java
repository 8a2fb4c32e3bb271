package io.tributary.mqtt.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Raw-bytes builders and decode helpers shared by the codec tests. */
final class CodecTestSupport {

  static final UnpooledByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;
  static final int MAX = 1 << 20;

  /** A minimal valid 3.1.1 CONNECT. */
  static final byte[] CONNECT_311 =
      bytes(new Connect(MqttVersion.V3_1_1, "c1", true, 60, null, null, null));

  private CodecTestSupport() {}

  static byte[] hex(String s) {
    return ByteBufUtil.decodeHexDump(s.replace(" ", ""));
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  static byte[] b(int... values) {
    byte[] r = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      r[i] = (byte) values[i];
    }
    return r;
  }

  static byte[] u16(int v) {
    return b(v >>> 8, v & 0xFF);
  }

  /** 2-byte length + UTF-8 of s. */
  static byte[] str(String s) {
    return lp(s.getBytes(StandardCharsets.UTF_8));
  }

  /** 2-byte length + the given bytes (for strings with hand-made, possibly invalid UTF-8). */
  static byte[] lp(byte[] bytes) {
    return concat(u16(bytes.length), bytes);
  }

  /** A packet from its first byte and body parts; the remaining length is computed. */
  static byte[] raw(int firstByte, byte[]... body) {
    byte[] content = concat(body);
    ByteBuf header = Unpooled.buffer();
    header.writeByte(firstByte);
    MqttEncoder.writeRemainingLength(header, content.length);
    return concat(ByteBufUtil.getBytes(header), content);
  }

  /** Variable header of a 3.1.1 CONNECT with the given flags and keep alive 60. */
  static byte[] connectHeader(int flags) {
    return concat(str("MQTT"), b(4, flags), u16(60));
  }

  static byte[] bytes(Packet p) {
    return bytes(p, MqttVersion.V3_1_1);
  }

  static byte[] bytes(Packet p, int level) {
    ByteBuf buf = MqttEncoder.encode(p, level, ALLOC);
    try {
      return ByteBufUtil.getBytes(buf);
    } finally {
      buf.release();
    }
  }

  /** The decoded packets, PUBLISH payloads copied (the decoder's slices die after the callback). */
  static List<Packet> decode(MqttDecoder d, byte[] data, int chunkSize)
      throws MqttCodecException {
    List<Packet> out = new ArrayList<>();
    for (int i = 0; i < data.length; i += chunkSize) {
      ByteBuf chunk = Unpooled.wrappedBuffer(data, i, Math.min(chunkSize, data.length - i));
      d.feed(chunk, p -> out.add(p instanceof Publish ? ((Publish) p).copy() : p));
      assertEquals(0, chunk.readableBytes(), "feed consumes the whole chunk");
      assertEquals(1, chunk.refCnt(), "feed does not retain or release the chunk");
    }
    return out;
  }

  static List<Packet> decodeServer(byte[] data) throws MqttCodecException {
    MqttDecoder d = new MqttDecoder(MAX, ALLOC);
    try {
      return decode(d, data, Math.max(1, data.length));
    } finally {
      d.release();
    }
  }

  static List<Packet> decodeClient(byte[] data) throws MqttCodecException {
    MqttDecoder d = MqttDecoder.forClient(MAX, MqttVersion.V3_1_1, ALLOC);
    try {
      return decode(d, data, Math.max(1, data.length));
    } finally {
      d.release();
    }
  }

  /**
   * Asserts that a server decoder rejects {@code data} with {@code reasonCode} and a message
   * containing {@code messagePart}, both when fed at once and byte by byte.
   */
  static MqttCodecException rejects(byte[] data, int reasonCode, String messagePart) {
    return rejects(new MqttDecoder(MAX, ALLOC), new MqttDecoder(MAX, ALLOC), data, reasonCode,
        messagePart);
  }

  /** Like {@link #rejects(byte[], int, String)} with a client-side decoder. */
  static MqttCodecException clientRejects(byte[] data, int reasonCode, String messagePart) {
    return rejects(
        MqttDecoder.forClient(MAX, MqttVersion.V3_1_1, ALLOC),
        MqttDecoder.forClient(MAX, MqttVersion.V3_1_1, ALLOC),
        data, reasonCode, messagePart);
  }

  static MqttCodecException rejects(
      MqttDecoder whole, MqttDecoder byByte, byte[] data, int reasonCode, String messagePart) {
    MqttCodecException e1 = assertThrows(MqttCodecException.class, () -> decode(whole, data,
        data.length));
    MqttCodecException e2 = assertThrows(MqttCodecException.class, () -> decode(byByte, data, 1));
    for (MqttCodecException e : List.of(e1, e2)) {
      assertEquals(
          reasonCode, e.reasonCode(),
          () -> "expected 0x" + Integer.toHexString(reasonCode) + " but got " + e);
      assertTrue(
          e.getMessage().contains(messagePart),
          () -> "message '" + e.getMessage() + "' should contain '" + messagePart + "'");
    }
    assertEquals(null, whole.cumulation(), "cumulation released on failure");
    assertEquals(null, byByte.cumulation(), "cumulation released on failure");
    whole.release();
    byByte.release();
    return e1;
  }
}
