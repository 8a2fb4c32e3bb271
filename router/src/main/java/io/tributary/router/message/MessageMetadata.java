package io.tributary.router.message;

/**
 * Protocol metadata a {@link Message} carries and forwards to subscribers that speak the same
 * protocol (for MQTT 5: content type, response topic, correlation data, user properties, ...).
 * Opaque to the router, immutable once published. It says how much heap it holds, so log
 * retention counts what a message costs in memory, not only its payload.
 */
public interface MessageMetadata {

  /** An estimate, in bytes, of the heap this object and what only it references take. */
  int heapBytes();
}
