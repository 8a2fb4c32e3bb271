package io.tributary.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.router.message.Message;
import io.tributary.router.session.SessionRegistry;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What travels between nodes: forward batches, session handoffs, will entries. */
class WireFormsTest {

  private static Message message(String topic, String payload, int qos, boolean retain) {
    return new Message(topic, payload.getBytes(StandardCharsets.UTF_8), qos, retain, "pub-1", 1_700_000_000_000L);
  }

  @Test
  void aForwardBatchCarriesEachMessageWithItsOffsetAndMarksItsOrigin() {
    ForwardBatch batch = new ForwardBatch(16); // grows past its first size
    for (int i = 0; i < 100; i++) {
      batch.add(1_000 + i * 2, message("t/" + i, "payload-" + i + "-".repeat(i), i % 3, i % 7 == 0));
    }
    assertEquals(100, batch.count());
    assertEquals(1_198, batch.lastOffset());
    ForwardBatch.Received got = ForwardBatch.read(batch.body(), "node:n1");
    assertEquals(100, got.messages().size());
    for (int i = 0; i < 100; i++) {
      Message m = got.messages().get(i);
      assertEquals(1_000 + i * 2, got.offsets()[i]);
      assertEquals("t/" + i, m.topic());
      assertEquals("payload-" + i + "-".repeat(i), new String(m.payload(), StandardCharsets.UTF_8));
      assertEquals(i % 3, m.qos());
      assertEquals(i % 7 == 0, m.retain());
      assertEquals("pub-1", m.publisherId());
      assertEquals(1_700_000_000_000L, m.timestamp());
      assertEquals("node:n1", m.origin());
    }
  }

  @Test
  void aForwardedMessageNamesTheSharedGroupsItWasSentForAndKeepsThemInTheLog() {
    ForwardBatch batch = new ForwardBatch();
    batch.add(5, message("jobs/1", "a", 1, false), List.of("$share/workers/jobs/#", "$share/audit/jobs/+"));
    batch.add(6, message("jobs/2", "b", 1, false), null);
    ForwardBatch.Received got = ForwardBatch.read(batch.body(), "node:n1");
    assertArrayEquals(new String[] {"$share/workers/jobs/#", "$share/audit/jobs/+"}, got.messages().get(0).sharedFor());
    assertEquals(null, got.messages().get(1).sharedFor());
    // As the receiving node stores it: the groups survive the record's encoding.
    Message stored = got.messages().get(0);
    java.nio.ByteBuffer record = java.nio.ByteBuffer.allocate(io.tributary.router.message.MessageCodec.INSTANCE.sizeOf(stored));
    io.tributary.router.message.MessageCodec.INSTANCE.write(stored, record);
    Message back = io.tributary.router.message.MessageCodec.INSTANCE.read(record, 0, record.capacity(), stored.timestamp());
    assertArrayEquals(stored.sharedFor(), back.sharedFor());
    assertEquals("node:n1", back.origin());
    assertEquals("a", new String(back.payload(), StandardCharsets.UTF_8));
  }

  @Test
  void theGroupChoiceIsOneNodePerRecordSpreadOverTheNodesWithTheGroup() {
    ClusterGroups groups = new ClusterGroups("n1");
    String g = "$share/workers/jobs/#";
    assertEquals(null, groups.chosen(g, 1));
    groups.localAdded(g);
    groups.peerAdded("n2", g);
    groups.peerAdded("n3", g);
    java.util.Map<String, Integer> counts = new java.util.HashMap<>();
    for (long offset = 0; offset < 3_000; offset++) {
      String chosen = groups.chosen(g, offset);
      assertEquals(chosen, groups.chosen(g, offset), "the same answer each time");
      counts.merge(chosen, 1, Integer::sum);
      assertEquals(chosen.equals("n1"), groups.here(g, offset, message("jobs/x", "p", 1, false)));
    }
    for (String node : List.of("n1", "n2", "n3")) {
      assertTrue(counts.get(node) > 800, "spread: " + counts);
    }
    // A record another node forwarded here: for this node's group only when it says so.
    Message forwarded = new Message("jobs/x", new byte[] {1}, 0, 1, 1, false, "p", 1L, 0, null, "node:n2",
        new String[] {g});
    assertTrue(groups.here(g, 7, forwarded));
    assertTrue(!groups.here("$share/other/jobs/#", 7, forwarded));
    groups.peerGone("n2");
    groups.peerGone("n3");
    assertEquals("n1", groups.chosen(g, 12345));
  }

  @Test
  void aTruncatedOrPaddedBatchIsRefusedNamingTheOffset() {
    ForwardBatch batch = new ForwardBatch();
    batch.add(7, message("a", "hello", 1, false));
    Buffer whole = batch.body();
    IllegalArgumentException cut = assertThrows(IllegalArgumentException.class,
        () -> ForwardBatch.read(whole.getBuffer(0, whole.length() - 1), "node:x"));
    assertTrue(cut.getMessage().contains("sender offset 7"), cut.getMessage());
    IllegalArgumentException padded = assertThrows(IllegalArgumentException.class,
        () -> ForwardBatch.read(whole.copy().appendByte((byte) 1), "node:x"));
    assertTrue(padded.getMessage().contains("trailing"), padded.getMessage());
  }

  @Test
  void aSessionHandoffKeepsItsStateAndQueueInOrder() {
    byte[] state = {1, 2, 3, 4, 5};
    SessionRegistry.Handoff handoff = new SessionRegistry.Handoff(state, new long[] {3, 9, 12},
        List.of(message("q/1", "a", 1, false), message("q/2", "b", 1, false), message("q/3", "c", 2, false)));
    SessionRegistry.Handoff back = SessionHandoffs.read(SessionHandoffs.write(handoff));
    assertArrayEquals(state, back.state());
    assertArrayEquals(new long[] {3, 9, 12}, back.offsets());
    assertEquals(List.of("q/1", "q/2", "q/3"), back.messages().stream().map(Message::topic).toList());
    assertEquals(2, back.messages().get(2).qos());
  }

  @Test
  void aWillEntryNamesItsNodeAndDelay() {
    Message will = message("wills/x", "gone", 1, true);
    ClusterWills.Entry e = ClusterWills.decode(ClusterWills.encode("node-7", 30, will));
    assertEquals("node-7", e.node());
    assertEquals(30, e.delaySeconds());
    assertEquals("wills/x", e.will().topic());
    assertEquals("gone", new String(e.will().payload(), StandardCharsets.UTF_8));
    assertTrue(e.will().retain());
  }

  @Test
  void aHandedOffMessageIsVisibleToItsSessionAlone() {
    Message m = message("t", "x", 1, false).withOrigin(Message.HANDOFF + "alice");
    assertTrue(m.isHandoff());
    assertTrue(m.visibleTo("alice"));
    assertTrue(!m.visibleTo("alic"));
    assertTrue(!m.visibleTo("bob"));
    assertTrue(!m.visibleTo("xalice"));
    assertTrue(message("t", "x", 1, false).visibleTo("bob"));
    assertTrue(message("t", "x", 1, false).withOrigin("node:n1").visibleTo("bob"));
  }

  @Test
  void theForwardChannelsFramesSurviveAnyCutOfTheStreamIntoChunks() {
    ForwardBatch batch = new ForwardBatch(16);
    for (int i = 0; i < 50; i++) {
      batch.add(100 + i, message("f/" + i, "p".repeat(i * 7), 1, false));
    }
    Buffer stream = Buffer.buffer().appendBuffer(ForwardWire.hello("node1", "inc-1", "inc-2"))
        .appendBuffer(batch.frame(7, false)).appendBuffer(ForwardWire.ack(41)).appendBuffer(batch.frame(8, true));
    for (int chunk : new int[] {1, 2, 5, 13, 64, 1000, stream.length()}) {
      List<String> seen = new java.util.ArrayList<>();
      ForwardWire.FrameReader reader = new ForwardWire.FrameReader((type, body) -> {
        switch (type) {
          case ForwardWire.HELLO -> seen.add("hello " + ForwardWire.string(body) + " " + ForwardWire.string(body) + " "
              + ForwardWire.string(body));
          case ForwardWire.ACK -> seen.add("ack " + body.getLong());
          case ForwardWire.BATCH -> {
            boolean lookback = (body.get() & ForwardWire.LOOKBACK_FLAG) != 0;
            long sequence = body.getLong();
            ForwardBatch.Received got = ForwardBatch.read(body, "node:node1");
            seen.add("batch " + sequence + " " + lookback + " " + got.messages().size() + " "
                + got.messages().get(49).topic() + " " + got.messages().get(49).payload().length + " " + got.offsets()[49]);
          }
          default -> seen.add("type " + type);
        }
      }, why -> seen.add("broken " + why));
      for (int at = 0; at < stream.length(); at += chunk) {
        reader.handle(stream.getBuffer(at, Math.min(stream.length(), at + chunk)));
      }
      assertEquals(List.of("hello node1 inc-1 inc-2", "batch 7 false 50 f/49 343 149", "ack 41",
          "batch 8 true 50 f/49 343 149"), seen, "in chunks of " + chunk);
    }
  }

  @Test
  void aForwardStreamThatCannotBeFramedIsReportedAndNotReadFurther() {
    List<String> seen = new java.util.ArrayList<>();
    ForwardWire.FrameReader reader = new ForwardWire.FrameReader((type, body) -> seen.add("frame " + type),
        why -> seen.add("broken: " + why));
    reader.handle(Buffer.buffer().appendInt(-5).appendByte(ForwardWire.BATCH).appendBuffer(ForwardWire.ack(1)));
    assertEquals(List.of("broken: a frame claims -5 bytes"), seen);
    seen.clear();
    ForwardWire.FrameReader second = new ForwardWire.FrameReader((type, body) -> {
      throw new IllegalArgumentException("forward batch: record at sender offset 3 claims 99 bytes, 2 left");
    }, why -> seen.add("broken: " + why));
    second.handle(ForwardWire.ack(1).appendBuffer(ForwardWire.ack(2)));
    assertEquals(List.of("broken: forward batch: record at sender offset 3 claims 99 bytes, 2 left"), seen);
  }
}
