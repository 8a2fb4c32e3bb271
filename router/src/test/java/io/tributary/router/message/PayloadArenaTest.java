package io.tributary.router.message;

import io.tributary.router.state.RetainedStore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** PayloadArena and messages whose payload is a range of a shared array. */
class PayloadArenaTest {

  private static Message stored(PayloadArena arena, String topic, String text, boolean retain) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    byte[] array = arena.allocate(bytes.length);
    int offset = arena.offset();
    System.arraycopy(bytes, 0, array, offset, bytes.length);
    return new Message(topic, array, offset, bytes.length, 1, retain, "dev", 1, 0, null);
  }

  @Test
  void smallPayloadsShareAChunkWithoutOverlapping() {
    PayloadArena arena = new PayloadArena();
    Message a = stored(arena, "t/a", "alpha", false);
    Message b = stored(arena, "t/b", "beta", false);
    assertSame(a.payloadArray(), b.payloadArray(), "one array for both");
    assertEquals(a.payloadOffset() + 5, b.payloadOffset());
    assertEquals("alpha", new String(a.payload(), StandardCharsets.UTF_8));
    assertEquals("beta", new String(b.payload(), StandardCharsets.UTF_8));
    assertEquals(4, b.payloadLength());
  }

  @Test
  void aFullChunkStartsANewOne() {
    PayloadArena arena = new PayloadArena();
    byte[] first = arena.allocate(PayloadArena.MAX_SHARED_BYTES);
    int fits = PayloadArena.CHUNK_BYTES / PayloadArena.MAX_SHARED_BYTES;
    for (int i = 1; i < fits; i++) {
      assertSame(first, arena.allocate(PayloadArena.MAX_SHARED_BYTES));
    }
    byte[] next = arena.allocate(1);
    assertNotSame(first, next);
    assertEquals(0, arena.offset());
  }

  @Test
  void largeAndEmptyPayloadsGetArraysOfTheirOwn() {
    PayloadArena arena = new PayloadArena();
    byte[] large = arena.allocate(PayloadArena.MAX_SHARED_BYTES + 1);
    assertEquals(PayloadArena.MAX_SHARED_BYTES + 1, large.length);
    assertEquals(0, arena.offset());
    assertEquals(0, arena.allocate(0).length);
    Message own = new Message("t", large, 0, large.length, 0, false, "dev", 1, 0, null);
    assertSame(large, own.payload(), "a whole array is shared, not copied");
    assertSame(own, own.compact());
  }

  @Test
  void aRangeOutsideTheArrayIsRefused() {
    byte[] array = new byte[8];
    assertThrows(IndexOutOfBoundsException.class, () -> new Message("t", array, 4, 5, 0, false, "dev", 1, 0, null));
  }

  @Test
  void theRetainedStoreKeepsACompactCopyNotTheChunk() {
    PayloadArena arena = new PayloadArena();
    Message retained = stored(arena, "status/1", "online", true);
    RetainedStore store = new RetainedStore();
    store.update(retained, 0);
    AtomicReference<Message> kept = new AtomicReference<>();
    store.forEachMatching("status/+", kept::set);
    assertNotSame(retained.payloadArray(), kept.get().payloadArray(), "the 1 MiB chunk is not pinned");
    assertEquals(6, kept.get().payloadArray().length);
    assertArrayEquals(retained.payload(), kept.get().payload());
    assertEquals(retained.topic(), kept.get().topic());
    assertEquals(retained.publisherId(), kept.get().publisherId());
  }

  @Test
  void aWillPublishedLaterKeepsItsPayloadRange() {
    PayloadArena arena = new PayloadArena();
    stored(arena, "pad", "xyz", false);
    Message will = stored(arena, "wills/1", "gone", false);
    Message published = will.publishedAt(5);
    assertEquals("gone", new String(published.payload(), StandardCharsets.UTF_8));
    assertEquals(5, published.timestamp());
  }
}
