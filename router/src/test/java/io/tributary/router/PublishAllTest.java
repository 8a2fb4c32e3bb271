package io.tributary.router;

import io.tributary.router.message.Message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Broker.publishAll: one append of a batch, consecutive offsets, counted, retained updated. */
class PublishAllTest {

  private static Message m(String topic, String payload, boolean retain) {
    return new Message(topic, payload.getBytes(), 0, retain, "dev", 1);
  }

  @Test
  void appendsTheBatchInOrder() {
    try (Broker broker = new Broker(new RouterOptions())) {
      assertEquals(0, broker.publishAll(List.of()));
      assertEquals(0, broker.publishedCount());
      Message a = m("d/1", "a", false);
      Message b = m("d/1", "b", true);
      Message c = m("d/2", "c", false);
      broker.publish(m("x", "first", false));
      assertEquals(1, broker.publishAll(List.of(a, b, c)));
      assertEquals(4, broker.publishedCount());
      assertEquals(4, broker.log().endOffset());
      assertSame(a, broker.log().get(1));
      assertSame(b, broker.log().get(2));
      assertSame(c, broker.log().get(3));
      Message[] retained = new Message[1];
      broker.retained().forEachMatching("d/1", r -> retained[0] = r);
      assertSame(b, retained[0]);
    }
  }
}
