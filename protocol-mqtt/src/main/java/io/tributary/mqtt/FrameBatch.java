package io.tributary.mqtt;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;

/**
 * The outbound frames of one connection for one event-loop turn, written with one write and one
 * flush when the turn ends. Large frames (PUBLISH) are kept as components, so payloads are not
 * copied; small frames (acks, PINGRESP) are copied into shared chunks, so replies queued for a
 * client that reads slowly cost their bytes, not a buffer object and a component each.
 */
final class FrameBatch {

  private static final int SMALL_FRAME_BYTES = 64;
  private static final int SMALL_FRAMES_CHUNK = 8 * 1024;

  private final ByteBufAllocator alloc;
  private CompositeByteBuf frames;
  private ByteBuf smallFrames;

  FrameBatch(ByteBufAllocator alloc) {
    this.alloc = alloc;
  }

  /** Adds a frame (taking ownership). Returns true if it opened a new batch to be flushed. */
  boolean add(ByteBuf frame) {
    boolean opened = frames == null;
    if (opened) {
      frames = alloc.compositeBuffer(Integer.MAX_VALUE);
    }
    int size = frame.readableBytes();
    if (size <= SMALL_FRAME_BYTES) {
      if (smallFrames != null && smallFrames.writableBytes() < size) {
        takeSmallFrames();
      }
      if (smallFrames == null) {
        smallFrames = alloc.buffer(SMALL_FRAMES_CHUNK, SMALL_FRAMES_CHUNK);
      }
      smallFrames.writeBytes(frame);
      frame.release();
    } else {
      takeSmallFrames(); // keeps the order of all frames
      frames.addComponent(true, frame);
    }
    return opened;
  }

  /**
   * Puts a frame before everything batched so far (CONNACK ahead of resends the session queued
   * while it was bound). Returns true if it opened a new batch.
   */
  boolean addFirst(ByteBuf frame) {
    if (frames == null) {
      return add(frame);
    }
    frames.addComponent(true, 0, frame);
    return false;
  }

  /** Bytes batched so far. */
  int bytes() {
    return (frames == null ? 0 : frames.readableBytes()) + (smallFrames == null ? 0 : smallFrames.readableBytes());
  }

  /** Hands over the batch to write, or null when empty; the next add opens a new batch. */
  ByteBuf take() {
    if (frames == null) {
      return null;
    }
    takeSmallFrames();
    ByteBuf out = frames;
    frames = null;
    return out;
  }

  void release() {
    if (frames != null) {
      frames.release();
      frames = null;
    }
    if (smallFrames != null) {
      smallFrames.release();
      smallFrames = null;
    }
  }

  private void takeSmallFrames() {
    if (smallFrames != null) {
      frames.addComponent(true, smallFrames);
      smallFrames = null;
    }
  }
}
