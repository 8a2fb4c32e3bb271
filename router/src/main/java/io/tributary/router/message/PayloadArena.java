package io.tributary.router.message;

/**
 * Payloads of published messages, copied into shared 1 MiB chunks: one array per chunk instead of
 * one per message. The log keeps bytes, but the publisher's message object stays in its ring of
 * recent values for the next tens of thousands of appends (seconds at a moderate rate), so it may
 * survive young collections, which copy every object it holds; fewer, larger arrays make that
 * cheaper. Large payloads get an array of their own.
 *
 * <p>One arena per event loop, used only there. The bytes reach readers on other loops through the
 * log's append (written before it, read after it). A chunk stays in memory while any message in it
 * is referenced: keep-forever holders (the retained store) take a {@link Message#compact()} copy.
 */
public final class PayloadArena {

  static final int CHUNK_BYTES = 1 << 20;
  /** Payloads above this get their own array: a chunk is not pinned by one big message. */
  static final int MAX_SHARED_BYTES = 16 * 1024;
  private static final byte[] EMPTY = new byte[0];

  private byte[] chunk;
  private int used;
  private int offset;

  /**
   * An array with {@code length} bytes free at {@link #offset()} for the caller to fill once,
   * before the message holding them is published.
   */
  public byte[] allocate(int length) {
    if (length == 0) {
      offset = 0;
      return EMPTY;
    }
    if (length > MAX_SHARED_BYTES) {
      offset = 0;
      return new byte[length];
    }
    if (chunk == null || CHUNK_BYTES - used < length) {
      chunk = new byte[CHUNK_BYTES];
      used = 0;
    }
    offset = used;
    used += length;
    return chunk;
  }

  /** Where the last {@link #allocate} put its bytes. */
  public int offset() {
    return offset;
  }
}
