package io.tributary.router.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A message survives the trip to record bytes and back, every field of it. */
class MessageCodecTest {

  private static final MessageCodec CODEC = MessageCodec.INSTANCE;

  /** Metadata of a kind only this test registers: a string. */
  private record Note(String text) implements MessageMetadata {
    static final byte KIND = 99;

    @Override
    public byte storedKind() {
      return KIND;
    }

    @Override
    public int storedLength() {
      return text.getBytes(StandardCharsets.UTF_8).length;
    }

    @Override
    public void store(ByteBuffer dst) {
      dst.put(text.getBytes(StandardCharsets.UTF_8));
    }
  }

  private static Message roundTrip(Message m) {
    int size = CODEC.sizeOf(m);
    // Decode from the middle of a larger direct buffer, as from a segment.
    ByteBuffer buf = ByteBuffer.allocateDirect(size + 20);
    buf.position(7);
    CODEC.write(m, buf);
    assertEquals(7 + size, buf.position(), "write puts exactly sizeOf bytes");
    return CODEC.read(buf, 7, size, m.timestamp());
  }

  @Test
  void everyFieldComesBack() {
    MetadataCodecs.register(Note.KIND, (src, position, length) -> {
      byte[] b = new byte[length];
      src.get(position, b);
      return new Note(new String(b, StandardCharsets.UTF_8));
    });
    byte[] array = "..payload..".getBytes(StandardCharsets.UTF_8);
    Message m = new Message("sensors/température/🌡", array, 2, 7, 2, true, "client-é", 1_234_567L, 9_999_999L,
        new Note("meta"));
    Message back = roundTrip(m);
    assertEquals(m.topic(), back.topic());
    assertArrayEquals("payload".getBytes(StandardCharsets.UTF_8), back.payload());
    assertEquals(2, back.qos());
    assertEquals(true, back.retain());
    assertEquals("client-é", back.publisherId());
    assertEquals(1_234_567L, back.timestamp());
    assertEquals(9_999_999L, back.expiresAt());
    assertEquals(new Note("meta"), back.properties());
  }

  @Test
  void optionalFieldsStayAbsent() {
    Message back = roundTrip(new Message("t", new byte[0], 0, false, null, 5));
    assertEquals("t", back.topic());
    assertEquals(0, back.payloadLength());
    assertEquals(0, back.qos());
    assertEquals(false, back.retain());
    assertNull(back.publisherId());
    assertEquals(0, back.expiresAt());
    assertNull(back.properties());
  }

  @Test
  void metadataOfAKindNobodyReadsYetIsKeptAsBytes() {
    Message m = new Message("t", new byte[] {1, 2}, 1, false, "c", 5, 0, new MessageMetadata() {
      @Override
      public byte storedKind() {
        return 77;
      }

      @Override
      public int storedLength() {
        return 3;
      }

      @Override
      public void store(ByteBuffer dst) {
        dst.put(new byte[] {9, 9, 9});
      }
    });
    Message back = roundTrip(m);
    MetadataCodecs.Raw raw = (MetadataCodecs.Raw) back.properties();
    assertEquals(77, raw.storedKind());
    assertArrayEquals(new byte[] {9, 9, 9}, raw.bytes());
    assertArrayEquals(new byte[] {1, 2}, back.payload());
    assertEquals(CODEC.sizeOf(m), CODEC.sizeOf(back), "stored again as it was");
  }

  @Test
  void aTopicOverTheUtf8LimitIsRefused() {
    Message m = new Message("x".repeat(70_000), new byte[0], 0, false, null, 0);
    assertThrows(IllegalArgumentException.class, () -> CODEC.sizeOf(m));
  }
}
