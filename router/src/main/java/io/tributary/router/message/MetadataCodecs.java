package io.tributary.router.message;

import java.nio.ByteBuffer;

/**
 * Readers of stored {@link MessageMetadata}, by kind. A protocol module registers its reader
 * (the router cannot depend on the protocols); metadata of a kind nobody registered yet, say a
 * retained message restored before the listeners start, is kept as {@link Raw} bytes that the
 * protocol reads when it delivers the message.
 */
public final class MetadataCodecs {

  /** Reads {@code length} bytes at {@code position} of src with absolute gets; copies what it keeps. */
  @FunctionalInterface
  public interface Reader {
    MessageMetadata read(ByteBuffer src, int position, int length);
  }

  /** Stored metadata not decoded (no reader of its kind was registered when it was read). */
  public record Raw(byte storedKind, byte[] bytes) implements MessageMetadata {
    @Override
    public int storedLength() {
      return bytes.length;
    }

    @Override
    public void store(ByteBuffer dst) {
      dst.put(bytes);
    }
  }

  /** MQTT 5 PUBLISH properties. */
  public static final byte MQTT5 = 1;

  private static final Reader[] READERS = new Reader[256];

  private MetadataCodecs() {
  }

  /** Registers the reader of a kind; registering the same kind again replaces it. */
  public static synchronized void register(byte kind, Reader reader) {
    READERS[kind & 0xFF] = reader;
  }

  /** The metadata stored at position, as {@link Raw} bytes when no reader of its kind is registered. */
  static MessageMetadata read(byte kind, ByteBuffer src, int position, int length) {
    Reader reader = READERS[kind & 0xFF];
    if (reader == null) {
      byte[] bytes = new byte[length];
      src.get(position, bytes);
      return new Raw(kind, bytes);
    }
    return reader.read(src, position, length);
  }
}
