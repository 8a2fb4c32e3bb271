package io.tributary.router.message;

import java.nio.ByteBuffer;

/**
 * Protocol metadata a {@link Message} carries and forwards to subscribers that speak the same
 * protocol (for MQTT 5: content type, response topic, correlation data, user properties, ...).
 * Opaque to the router, immutable once published. It is stored in the commit log in a form its
 * protocol reads back through the reader it {@link MetadataCodecs#register registered} for its
 * {@link #storedKind()}.
 */
public interface MessageMetadata {

  /** Which registered reader reads the stored form back. */
  byte storedKind();

  /** Bytes {@link #store} writes. */
  int storedLength();

  /** Writes exactly {@link #storedLength()} bytes at dst's position, advancing it. */
  void store(ByteBuffer dst);
}
