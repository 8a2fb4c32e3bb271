package io.tributary.router.message;

import java.nio.ByteBuffer;

/**
 * Readers of stored {@link MessageMetadata}, by kind. A protocol module registers its reader
 * before its listeners start (the router cannot depend on the protocols); metadata of a kind
 * nobody registered is dropped on read, with the message itself intact.
 */
public final class MetadataCodecs {

  /** Reads {@code length} bytes at {@code position} of src with absolute gets; copies what it keeps. */
  @FunctionalInterface
  public interface Reader {
    MessageMetadata read(ByteBuffer src, int position, int length);
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

  /** The metadata stored at position, or null when no reader of its kind is registered. */
  static MessageMetadata read(byte kind, ByteBuffer src, int position, int length) {
    Reader reader = READERS[kind & 0xFF];
    return reader == null ? null : reader.read(src, position, length);
  }
}
