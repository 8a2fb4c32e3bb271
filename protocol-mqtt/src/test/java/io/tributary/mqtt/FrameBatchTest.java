package io.tributary.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/** The per-turn outbound batch: order, the flush signal, ownership of what it is given. */
class FrameBatchTest {

  private final FrameBatch batch = new FrameBatch(PooledByteBufAllocator.DEFAULT);

  private static ByteBuf frame(int... bytes) {
    ByteBuf b = Unpooled.buffer(bytes.length);
    for (int x : bytes) {
      b.writeByte(x);
    }
    return b;
  }

  private static byte[] drain(ByteBuf out) {
    try {
      return ByteBufUtil.getBytes(out);
    } finally {
      out.release();
    }
  }

  @Test
  void framesGoOutInOrderAndOnlyTheFirstOpensABatch() {
    assertFalse(batch.isOpen());
    assertNull(batch.take());
    ByteBuf a = frame(1, 2);
    assertTrue(batch.add(a), "the first frame of a turn schedules the flush");
    assertEquals(0, a.refCnt(), "a frame handed in is released once copied");
    assertFalse(batch.add(frame(3)));
    batch.reserve(2).writeByte(4).writeByte(5); // encoded in place, as PUBLISH and PUBACK are
    assertEquals(5, batch.bytes());
    assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, drain(batch.take()));
    assertFalse(batch.isOpen());
    assertEquals(0, batch.bytes());
    assertTrue(batch.add(frame(6)), "the next turn opens a new batch");
    assertArrayEquals(new byte[] {6}, drain(batch.take()));
  }

  @Test
  void addFirstPutsAFrameAheadOfWhatIsQueued() {
    batch.add(frame(7, 8));
    assertFalse(batch.addFirst(frame(0x20, 2, 0, 0)), "the batch was already open");
    assertArrayEquals(new byte[] {0x20, 2, 0, 0, 7, 8}, drain(batch.take()));
    assertTrue(batch.addFirst(frame(9)), "on an empty batch it opens one");
    assertArrayEquals(new byte[] {9}, drain(batch.take()));
  }

  @Test
  void theBufferGrowsForLargeFramesAndReleaseFreesIt() {
    byte[] big = new byte[100_000];
    big[99_999] = 42;
    batch.add(frame(1));
    batch.reserve(big.length).writeBytes(big);
    assertEquals(100_001, batch.bytes());
    batch.release();
    assertFalse(batch.isOpen());
    assertNull(batch.take());
  }
}
