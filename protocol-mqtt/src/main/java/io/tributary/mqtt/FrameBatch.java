package io.tributary.mqtt;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The outbound frames of one connection for one event-loop turn, written with one write and one
 * flush when the turn ends. Frames are encoded straight into one direct buffer: the kernel copies
 * the bytes anyway, and Netty's native transports copy any heap or composite buffer into a direct
 * one before writing, so a payload shared across subscribers by reference would still be copied
 * once per subscriber, behind a composite component, a wrapper and a reference count each. One
 * contiguous buffer costs one memcpy per frame and nothing else.
 */
final class FrameBatch {

  private static final int INITIAL_BYTES = 512;

  private final ByteBufAllocator alloc;
  private ByteBuf out;

  FrameBatch(ByteBufAllocator alloc) {
    this.alloc = alloc;
  }

  /** True while a batch is open (something was added since the last {@link #take()}). */
  boolean isOpen() {
    return out != null;
  }

  /** The batch buffer with room for {@code bytes} more, for encoding a frame straight into it. */
  ByteBuf reserve(int bytes) {
    if (out == null) {
      out = alloc.directBuffer(Math.max(INITIAL_BYTES, bytes));
    } else {
      out.ensureWritable(bytes);
    }
    return out;
  }

  /** Copies a frame in (and releases it). Returns true if it opened a new batch to be flushed. */
  boolean add(ByteBuf frame) {
    boolean opened = out == null;
    try {
      reserve(frame.readableBytes()).writeBytes(frame);
    } finally {
      frame.release();
    }
    return opened;
  }

  /**
   * Puts a frame before everything batched so far (CONNACK ahead of resends the session queued
   * while it was bound). Returns true if it opened a new batch.
   */
  boolean addFirst(ByteBuf frame) {
    if (out == null) {
      return add(frame);
    }
    ByteBuf joined = alloc.directBuffer(frame.readableBytes() + out.readableBytes());
    joined.writeBytes(frame).writeBytes(out);
    frame.release();
    out.release();
    out = joined;
    return false;
  }

  /** Bytes batched so far. */
  int bytes() {
    return out == null ? 0 : out.readableBytes();
  }

  /** Hands over the batch to write, or null when empty; the next add opens a new batch. */
  ByteBuf take() {
    ByteBuf taken = out;
    out = null;
    return taken;
  }

  void release() {
    if (out != null) {
      out.release();
      out = null;
    }
  }
}
