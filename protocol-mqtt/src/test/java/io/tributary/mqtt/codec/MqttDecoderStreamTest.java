package io.tributary.mqtt.codec;

import static io.tributary.mqtt.codec.CodecTestSupport.ALLOC;
import static io.tributary.mqtt.codec.CodecTestSupport.CONNECT_311;
import static io.tributary.mqtt.codec.CodecTestSupport.MAX;
import static io.tributary.mqtt.codec.CodecTestSupport.bytes;
import static io.tributary.mqtt.codec.CodecTestSupport.concat;
import static io.tributary.mqtt.codec.CodecTestSupport.decode;
import static io.tributary.mqtt.codec.CodecTestSupport.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Splitting, zero copy, buffer ownership and decoder state. */
class MqttDecoderStreamTest {

  private static Publish publish(String topic, int qos, int id, int size) {
    byte[] payload = new byte[size];
    new Random(size * 31L + id).nextBytes(payload);
    return new Publish(
        topic, qos, qos > 0 && id % 2 == 0, false, id, Unpooled.wrappedBuffer(payload));
  }

  /** A session of client packets, with payloads needing 1-, 2- and 3-byte lengths. */
  private static List<Packet> session() {
    return List.of(
        new Connect(
            MqttVersion.V3_1_1, "stream", false, 30, "u", new byte[] {1},
            new Will("w/t", new byte[] {7}, 1, false, MqttProperties.EMPTY)),
        new Subscribe(1, List.of(new TopicSubscription("a/#", 1), new TopicSubscription("+", 0))),
        publish("a/b", 0, 0, 0),
        publish("a/b", 1, 2, 5),
        PingReq.INSTANCE,
        publish("a/c", 2, 3, 127),
        new Ack(PacketType.PUBREL, 3),
        publish("a/d", 1, 4, 20_000),
        new Ack(PacketType.PUBACK, 9),
        new Ack(PacketType.PUBREC, 10),
        new Ack(PacketType.PUBCOMP, 11),
        publish("\u00fc/\ud83d\ude00", 0, 0, 200_000),
        new Unsubscribe(12, List.of("a/#")),
        PingReq.INSTANCE,
        Disconnect.INSTANCE);
  }

  private static byte[] sessionBytes() {
    List<byte[]> parts = new ArrayList<>();
    for (Packet p : session()) {
      parts.add(bytes(p));
    }
    return concat(parts.toArray(new byte[0][]));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 5, 7, 64, 1000, 4096, 65_536, Integer.MAX_VALUE})
  void anySplitGivesTheSamePackets(int chunkSize) throws Exception {
    byte[] data = sessionBytes();
    MqttDecoder d = new MqttDecoder(MAX, PooledByteBufAllocator.DEFAULT);
    List<Packet> decoded = decode(d, data, Math.min(chunkSize, data.length));
    assertEquals(session(), decoded);
    assertNull(d.cumulation(), "nothing pending at a packet boundary");
    d.release();
  }

  @Test
  void randomSplitsGiveTheSamePackets() throws Exception {
    byte[] data = sessionBytes();
    Random random = new Random(42);
    for (int round = 0; round < 50; round++) {
      MqttDecoder d = new MqttDecoder(MAX, PooledByteBufAllocator.DEFAULT);
      List<Packet> out = new ArrayList<>();
      int i = 0;
      while (i < data.length) {
        int n = Math.min(data.length - i, 1 + random.nextInt(random.nextBoolean() ? 8 : 30_000));
        // a direct chunk sometimes, as a socket read would give
        ByteBuf chunk =
            random.nextBoolean()
                ? Unpooled.wrappedBuffer(data, i, n)
                : Unpooled.directBuffer(n).writeBytes(data, i, n);
        d.feed(chunk, p -> out.add(p instanceof Publish ? ((Publish) p).copy() : p));
        chunk.release();
        i += n;
      }
      assertEquals(session(), out);
      d.release();
    }
  }

  @Test
  void payloadOfAWholePacketIsASliceOfTheChunk() throws Exception {
    byte[] pub = bytes(publish("t", 1, 1, 300));
    byte[] data = concat(CONNECT_311, pub, pub);
    ByteBuf chunk = Unpooled.wrappedBuffer(data);
    MqttDecoder d = new MqttDecoder(MAX, ALLOC);
    List<Integer> offsets = new ArrayList<>();
    d.feed(
        chunk,
        p -> {
          if (p instanceof Publish) {
            ByteBuf payload = ((Publish) p).payload();
            assertSame(data, payload.array(), "payload shares the chunk's memory");
            offsets.add(payload.arrayOffset());
            assertEquals(300, payload.readableBytes());
          }
        });
    int header = pub.length - 300;
    assertEquals(
        List.of(CONNECT_311.length + header, CONNECT_311.length + pub.length + header), offsets);
    assertNull(d.cumulation(), "nothing copied");
    d.release();
  }

  @Test
  void payloadOfAWholePacketInADirectChunkIsASliceOfTheChunk() throws Exception {
    byte[] pub = bytes(publish("t", 0, 0, 1000));
    byte[] data = concat(CONNECT_311, pub);
    ByteBuf chunk = Unpooled.directBuffer(data.length).writeBytes(data);
    assumeTrue(chunk.hasMemoryAddress());
    MqttDecoder d = new MqttDecoder(MAX, ALLOC);
    long[] address = {0};
    d.feed(chunk, p -> {
      if (p instanceof Publish) {
        address[0] = ((Publish) p).payload().memoryAddress();
      }
    });
    assertEquals(chunk.memoryAddress() + data.length - 1000, address[0]);
    chunk.release();
    d.release();
  }

  @Test
  void onlyThePendingPacketIsCopiedAndTheRestOfTheChunkIsDecodedInPlace() throws Exception {
    byte[] pub = bytes(publish("t", 1, 1, 300));
    byte[] data = concat(CONNECT_311, pub, pub, pub);
    int firstCut = CONNECT_311.length + 100; // inside the first PUBLISH
    MqttDecoder d = new MqttDecoder(MAX, ALLOC);
    List<Packet> packets = new ArrayList<>();
    d.feed(Unpooled.wrappedBuffer(data, 0, firstCut), packets::add);
    assertEquals(1, packets.size());
    assertEquals(100, d.pendingBytes(), "only the incomplete tail is held");
    ByteBuf cumulation = d.cumulation();
    assertNotNull(cumulation);

    byte[] rest = new byte[data.length - firstCut];
    System.arraycopy(data, firstCut, rest, 0, rest.length);
    List<Boolean> sharesChunk = new ArrayList<>();
    d.feed(
        Unpooled.wrappedBuffer(rest),
        p -> sharesChunk.add(((Publish) p).payload().hasArray()
            && ((Publish) p).payload().array() == rest));
    assertEquals(List.of(false, true, true), sharesChunk,
        "the completed packet comes from the cumulation, the two after it from the chunk");
    assertNull(d.cumulation());
    assertEquals(0, cumulation.refCnt(), "cumulation released once drained");
    d.release();
  }

  @Test
  void internalBuffersAreReleased() throws Exception {
    byte[] pub = bytes(publish("t", 0, 0, 5000));
    byte[] data = concat(CONNECT_311, pub);
    PooledByteBufAllocator pooled = PooledByteBufAllocator.DEFAULT;

    // pending at release()
    MqttDecoder d = new MqttDecoder(MAX, pooled);
    d.feed(Unpooled.wrappedBuffer(data, 0, data.length - 10), p -> {});
    ByteBuf cumulation = d.cumulation();
    assertEquals(1, cumulation.refCnt());
    assertEquals(pub.length - 10, d.pendingBytes());
    d.release();
    assertEquals(0, cumulation.refCnt());
    assertNull(d.cumulation());
    d.release(); // idempotent
    assertThrows(
        IllegalStateException.class, () -> d.feed(Unpooled.buffer(1).writeByte(0), p -> {}));

    // pending when the packet completes
    MqttDecoder d2 = new MqttDecoder(MAX, pooled);
    d2.feed(Unpooled.wrappedBuffer(data, 0, CONNECT_311.length + 3), p -> {});
    ByteBuf cumulation2 = d2.cumulation();
    assertEquals(1, cumulation2.refCnt());
    d2.feed(Unpooled.wrappedBuffer(data, CONNECT_311.length + 3, pub.length - 3), p -> {});
    assertEquals(0, cumulation2.refCnt());
    assertNull(d2.cumulation());
    d2.release();

    // pending when a violation arrives: 5th continuation byte of the remaining length
    MqttDecoder d3 = new MqttDecoder(MAX, pooled);
    d3.feed(Unpooled.wrappedBuffer(concat(CONNECT_311, hex("30 FF"))), p -> {});
    ByteBuf cumulation3 = d3.cumulation();
    assertEquals(1, cumulation3.refCnt());
    assertThrows(
        MqttCodecException.class, () -> d3.feed(Unpooled.wrappedBuffer(hex("FF FF FF")), p -> {}));
    assertEquals(0, cumulation3.refCnt(), "released on failure");
    assertNull(d3.cumulation());
    d3.release();
  }

  @Test
  void decoderIsUnusableAfterAViolationButEarlierPacketsWereDelivered() throws Exception {
    MqttDecoder d = new MqttDecoder(MAX, ALLOC);
    List<Packet> out = new ArrayList<>();
    byte[] data = concat(CONNECT_311, bytes(PingReq.INSTANCE), hex("C0 01 00"));
    MqttCodecException e =
        assertThrows(MqttCodecException.class, () -> d.feed(Unpooled.wrappedBuffer(data), out::add));
    assertEquals(MqttCodecException.MALFORMED_PACKET, e.reasonCode());
    assertEquals(2, out.size());
    assertThrows(
        IllegalStateException.class,
        () -> d.feed(Unpooled.wrappedBuffer(bytes(PingReq.INSTANCE)), out::add));
    d.release();
  }

  @Test
  void aThrowingConsumerLeavesTheDecoderUnusableAndReleased() throws Exception {
    MqttDecoder d = new MqttDecoder(MAX, ALLOC);
    byte[] pub = bytes(publish("t", 0, 0, 100));
    d.feed(Unpooled.wrappedBuffer(concat(CONNECT_311, pub), 0, CONNECT_311.length + 50), p -> {});
    ByteBuf cumulation = d.cumulation();
    byte[] rest = new byte[pub.length - 50];
    System.arraycopy(pub, 50, rest, 0, rest.length);
    assertThrows(
        IllegalArgumentException.class,
        () -> d.feed(Unpooled.wrappedBuffer(rest), p -> {
          throw new IllegalArgumentException("boom");
        }));
    assertEquals(0, cumulation.refCnt());
    assertThrows(IllegalStateException.class, () -> d.feed(Unpooled.EMPTY_BUFFER, p -> {}));
    d.release();
  }

  @Test
  void protocolLevelIsRecordedFromConnect() throws Exception {
    MqttDecoder d = new MqttDecoder(MAX, ALLOC);
    assertEquals(0, d.protocolLevel());
    int[] levelSeenInCallback = {-1};
    d.feed(Unpooled.wrappedBuffer(CONNECT_311), p -> levelSeenInCallback[0] = d.protocolLevel());
    assertEquals(4, d.protocolLevel());
    assertEquals(4, levelSeenInCallback[0], "level is set before the CONNECT is handed out");
    d.release();

    MqttDecoder d5 = new MqttDecoder(MAX, ALLOC);
    d5.feed(
        Unpooled.wrappedBuffer(bytes(new Connect(5, "c", true, 0, null, null, null))), p -> {});
    assertEquals(5, d5.protocolLevel());
    d5.release();
  }

  @Test
  void emptyChunksAreHarmless() throws Exception {
    MqttDecoder d = new MqttDecoder(MAX, ALLOC);
    List<Packet> out = new ArrayList<>();
    d.feed(Unpooled.EMPTY_BUFFER, out::add);
    d.feed(Unpooled.wrappedBuffer(CONNECT_311, 0, 1), out::add);
    d.feed(Unpooled.EMPTY_BUFFER, out::add);
    d.feed(Unpooled.wrappedBuffer(CONNECT_311, 1, CONNECT_311.length - 1), out::add);
    d.feed(Unpooled.EMPTY_BUFFER, out::add);
    assertEquals(1, out.size());
    assertEquals(0, d.pendingBytes());
    d.release();
  }

  @Test
  void aPacketWhoseFixedHeaderIsSplitCompletesCorrectly() throws Exception {
    // PINGREQ completes with its second byte: the header alone is the whole packet
    MqttDecoder d = new MqttDecoder(MAX, ALLOC);
    List<Packet> out = new ArrayList<>();
    d.feed(Unpooled.wrappedBuffer(concat(CONNECT_311, hex("C0"))), out::add);
    d.feed(Unpooled.wrappedBuffer(hex("00")), out::add);
    assertEquals(List.of(CodecTestSupport.decodeServer(CONNECT_311).get(0), PingReq.INSTANCE), out);
    // a 3-byte remaining length split inside the length bytes, then the rest with another packet
    byte[] pub = bytes(publish("t", 0, 0, 20_000));
    d.feed(Unpooled.wrappedBuffer(pub, 0, 2), out::add);
    d.feed(Unpooled.wrappedBuffer(pub, 2, 1), out::add);
    ByteBuf rest = Unpooled.wrappedBuffer(concat(
        Arrays.copyOfRange(pub, 3, pub.length), bytes(PingReq.INSTANCE)));
    List<Packet> more = new ArrayList<>();
    d.feed(rest, p -> more.add(p instanceof Publish ? ((Publish) p).copy() : p));
    assertEquals(List.of(publish("t", 0, 0, 20_000), PingReq.INSTANCE), more);
    assertEquals(0, d.pendingBytes());
    d.release();
  }
}
