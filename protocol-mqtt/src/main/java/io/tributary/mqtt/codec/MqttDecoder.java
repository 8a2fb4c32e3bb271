package io.tributary.mqtt.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Per-connection, stateful, single-threaded MQTT stream decoder.
 *
 * <p>Bytes are fed as they arrive, in any split. Every complete packet is validated in full (MQTT
 * 3.1.1 or 5.0, strictly) before it is handed to the consumer; the first violation throws a {@link
 * MqttCodecException} with an MQTT 5.0 reason code and the decoder is unusable from then on.
 *
 * <p>Buffering: when nothing is pending, packets are decoded straight from the fed chunk (no
 * copy). Only an incomplete tail is copied into an internal cumulation buffer, and when the next
 * chunk arrives only the bytes that complete that one packet are copied; the rest of that chunk is
 * again decoded in place. The cumulation buffer is released as soon as it is empty, so an idle
 * connection holds no buffer.
 *
 * <p>By default the decoder is server side (it accepts what clients send: the first packet must be
 * CONNECT, and CONNACK, SUBACK, UNSUBACK and PINGRESP are protocol errors). {@link #forClient}
 * builds the mirror image, for tests and the load generator.
 *
 * <p>The protocol level of the CONNECT selects the layout of every later packet: 4 parses MQTT
 * 3.1.1, 5 parses MQTT 5.0 (reason codes, properties, subscription options, AUTH). For 5.0 the
 * decoder checks everything a single packet (plus the CONNECT before it) can show: property
 * types, ranges, duplicates and the packets each may appear in, reason codes per packet type and
 * direction, minimal Variable Byte Integers, the UTF-8 of payloads marked as UTF-8 (0x99), and
 * AUTH only with the CONNECT's Authentication Method. What needs connection state beyond that
 * (topic alias values against the announced maximum, receive maximum, AUTH/DISCONNECT before
 * CONNACK when enhanced authentication is under way) is left to the connection.
 */
public final class MqttDecoder {

  /** Largest value the 4-byte remaining length can encode. */
  public static final int MAX_REMAINING_LENGTH = 268_435_455;

  private static final int MALFORMED = MqttCodecException.MALFORMED_PACKET;
  private static final int PROTOCOL = MqttCodecException.PROTOCOL_ERROR;

  private final int maxPacketSize;
  private final ByteBufAllocator alloc;
  /** The wire reader the packet decoders share, with what the CONNECT fixed for later packets. */
  private final WireReader r;

  /** Holds the prefix of exactly one incomplete packet, or is null. */
  private ByteBuf cumulation;
  private boolean failed;
  private boolean released;


  /**
   * Server-side decoder using {@link PooledByteBufAllocator#DEFAULT} for its cumulation buffer.
   *
   * @param maxPacketSize max total packet size in bytes (fixed header + remaining length)
   */
  public MqttDecoder(int maxPacketSize) {
    this(maxPacketSize, PooledByteBufAllocator.DEFAULT);
  }

  /** Server-side decoder allocating its cumulation buffer from {@code alloc}. */
  public MqttDecoder(int maxPacketSize, ByteBufAllocator alloc) {
    this(maxPacketSize, alloc, true, 0);
  }

  private MqttDecoder(int maxPacketSize, ByteBufAllocator alloc, boolean serverSide, int level) {
    if (maxPacketSize < 2) {
      throw new IllegalArgumentException("maxPacketSize must be at least 2, got " + maxPacketSize);
    }
    this.maxPacketSize = maxPacketSize;
    this.alloc = Objects.requireNonNull(alloc, "alloc");
    this.r = new WireReader(serverSide, level);
  }

  /**
   * Client-side decoder (decodes what a server sends) for a connection whose CONNECT carried
   * {@code protocolLevel}: the first packet must be CONNACK; CONNECT, SUBSCRIBE, UNSUBSCRIBE and
   * PINGREQ are protocol errors.
   */
  public static MqttDecoder forClient(
      int maxPacketSize, int protocolLevel, ByteBufAllocator alloc) {
    if (protocolLevel != MqttVersion.V3_1_1 && protocolLevel != MqttVersion.V5) {
      throw new IllegalArgumentException("unsupported protocol level " + protocolLevel);
    }
    return new MqttDecoder(maxPacketSize, alloc, false, protocolLevel);
  }

  /**
   * The client id of the CONNECT being or last decoded, or null before one was read: lets the
   * connection name the client in the log when the rest of that CONNECT is malformed.
   */
  public String connectClientId() {
    return r.connectClientId;
  }

  /**
   * Server side: 0 until a CONNECT was decoded, then its protocol level (4, or 5; set before the
   * CONNECT is handed out). Client side: the level given to {@link #forClient}.
   */
  public int protocolLevel() {
    return r.protocolLevel;
  }

  /**
   * Bounds what one packet's user properties may decode into: more than {@code maxCount} of them,
   * or more than {@code maxBytes} of names and values together, fails the packet with 0x95 (packet
   * too large). The wire size alone does not bound it: a megabyte of tiny pairs decodes into
   * over a hundred thousand objects.
   */
  public MqttDecoder userPropertyLimits(int maxCount, int maxBytes) {
    if (maxCount < 0 || maxBytes < 0) {
      throw new IllegalArgumentException("user property limits must be >= 0, got " + maxCount + ", " + maxBytes);
    }
    r.maxUserProperties = maxCount;
    r.maxUserPropertyBytes = maxBytes;
    return this;
  }

  /** The configured maximum total packet size. */
  public int maxPacketSize() {
    return maxPacketSize;
  }

  /** For tests: the pending cumulation buffer, or null when nothing is pending. */
  ByteBuf cumulation() {
    return cumulation;
  }

  /** Bytes of an incomplete packet currently held (0 when nothing is pending). */
  public int pendingBytes() {
    return cumulation == null ? 0 : cumulation.readableBytes();
  }

  /**
   * Feeds bytes as they arrive (any split: one byte at a time, several packets at once). Calls
   * {@code out} for each complete packet, in order. A {@link Publish}'s payload is a slice of the
   * chunk or of the decoder's internal buffer: valid only during the {@code out.accept} call (the
   * caller copies what it keeps).
   *
   * <p>Reads {@code chunk} from its reader index to its writer index and advances its reader index;
   * does not retain or release it (the caller still owns it) and keeps no reference after return.
   *
   * @throws MqttCodecException on the first violation; the decoder is then unusable (later calls
   *     throw {@link IllegalStateException}); packets before the violation were already delivered
   * @throws IllegalStateException after {@link #release()} or after an earlier failure
   */
  public void feed(ByteBuf chunk, Consumer<Packet> out) throws MqttCodecException {
    if (released) {
      throw new IllegalStateException("MQTT decoder was released");
    }
    if (failed) {
      throw new IllegalStateException("MQTT decoder is unusable after an earlier error");
    }
    try {
      if (cumulation != null && !completePending(chunk, out)) {
        return;
      }
      decodeInPlace(chunk, out);
    } catch (MqttCodecException | RuntimeException | Error e) {
      failed = true;
      releaseCumulation();
      throw e;
    } finally {
      r.in = null;
    }
  }

  /** Frees the cumulation buffer. Idempotent; the decoder cannot be fed afterwards. */
  public void release() {
    released = true;
    releaseCumulation();
  }

  private void releaseCumulation() {
    ByteBuf c = cumulation;
    if (c != null) {
      cumulation = null;
      c.release();
    }
  }

  /**
   * Copies from {@code chunk} only what completes the pending packet, and decodes it.
   *
   * @return true if the pending packet was completed (cumulation released), false if the chunk ran
   *     out first (everything it had is now in the cumulation)
   */
  private boolean completePending(ByteBuf chunk, Consumer<Packet> out)
      throws MqttCodecException {
    ByteBuf cum = cumulation;
    while (true) {
      int total = frameLength(cum);
      if (total < 0) {
        // fixed header still incomplete: move byte by byte (at most 4 times) so that the
        // cumulation never holds bytes of the following packet
        if (!chunk.isReadable()) {
          return false;
        }
        cum.writeByte(chunk.readByte());
        continue;
      }
      int need = total - cum.readableBytes();
      int n = Math.min(need, chunk.readableBytes());
      if (n > 0) {
        cum.writeBytes(chunk, n);
      }
      if (n < need) {
        return false;
      }
      decodePacket(cum, total, out);
      cumulation = null;
      cum.release();
      return true;
    }
  }

  /** Decodes whole packets straight from the chunk; copies an incomplete tail. */
  private void decodeInPlace(ByteBuf chunk, Consumer<Packet> out) throws MqttCodecException {
    int total;
    while ((total = frameLength(chunk)) >= 0 && chunk.readableBytes() >= total) {
      decodePacket(chunk, total, out);
    }
    int tail = chunk.readableBytes();
    if (tail > 0) {
      // total < 0: fixed header incomplete (tail <= 4 bytes); else the size is known and allowed
      int initial = total < 0 ? 16 : Math.min(total, Math.max(tail, 64 * 1024));
      ByteBuf cum = alloc.buffer(initial, Math.max(maxPacketSize, 16));
      cumulation = cum;
      cum.writeBytes(chunk, tail);
    }
  }

  /**
   * Inspects the fixed header at the reader index without consuming anything.
   *
   * @return the total packet length (fixed header + remaining length), or -1 if the fixed header is
   *     not complete yet
   * @throws MqttCodecException as soon as the first byte or the length is known to be invalid
   */
  private int frameLength(ByteBuf buf) throws MqttCodecException {
    int at = buf.readerIndex();
    int avail = buf.writerIndex() - at;
    if (avail < 1) {
      return -1;
    }
    PacketType type = FixedHeader.checkFirstByte(r, buf.getUnsignedByte(at));
    int remaining = 0;
    for (int i = 1; i <= 4; i++) {
      if (avail <= i) {
        return -1;
      }
      int b = buf.getUnsignedByte(at + i);
      remaining |= (b & 0x7F) << (7 * (i - 1));
      if ((b & 0x80) == 0) {
        if (b == 0 && i > 1 && r.protocolLevel == MqttVersion.V5) {
          throw new MqttCodecException(
              MALFORMED, "remaining length is not minimally encoded (" + i + " bytes for "
                  + remaining + ")");
        }
        int total = 1 + i + remaining;
        if (total > maxPacketSize) {
          throw new MqttCodecException(
              MqttCodecException.PACKET_TOO_LARGE,
              type + " packet of " + total + " bytes exceeds the maximum packet size of "
                  + maxPacketSize + " bytes");
        }
        FixedHeader.checkRemainingLength(r, type, remaining);
        return total;
      }
    }
    throw new MqttCodecException(
        MALFORMED, "remaining length is longer than 4 bytes (5th continuation byte)");
  }

  /** Parses and validates one complete packet at the reader index, then hands it out. */
  private void decodePacket(ByteBuf buf, int total, Consumer<Packet> out)
      throws MqttCodecException {
    int start = buf.readerIndex();
    int b0 = buf.getUnsignedByte(start);
    int headerLength = 2;
    while ((buf.getByte(start + headerLength - 1) & 0x80) != 0) {
      headerLength++;
    }
    r.start(buf, start + headerLength, start + total);
    PacketType type = PacketType.of(b0 >>> 4);
    Packet packet;
    switch (type) {
      case CONNECT:
        packet = ConnectDecoder.connect(r);
        break;
      case CONNACK:
        packet = ConnectDecoder.connAck(r);
        break;
      case PUBLISH:
        packet = PublishDecoder.publish(r, b0 & 0x0F);
        break;
      case PUBACK:
      case PUBREC:
      case PUBREL:
      case PUBCOMP:
        packet = PublishDecoder.ack(r, type);
        break;
      case UNSUBACK:
        packet = r.isV5() ? SubscribeDecoder.unsubAck(r) : new Ack(type, r.readPacketId(type));
        break;
      case SUBSCRIBE:
        packet = SubscribeDecoder.subscribe(r);
        break;
      case SUBACK:
        packet = SubscribeDecoder.subAck(r);
        break;
      case UNSUBSCRIBE:
        packet = SubscribeDecoder.unsubscribe(r);
        break;
      case PINGREQ:
        packet = PingReq.INSTANCE;
        break;
      case PINGRESP:
        packet = PingResp.INSTANCE;
        break;
      case DISCONNECT:
        packet = r.isV5() ? SessionEndDecoder.disconnect(r) : Disconnect.INSTANCE;
        break;
      case AUTH:
        packet = SessionEndDecoder.auth(r);
        break;
      default:
        throw new MqttCodecException(PROTOCOL, type + " is not supported");
    }
    if (r.pos != r.end) {
      throw new MqttCodecException(
          MALFORMED,
          type + " has " + (r.end - r.pos) + " unexpected trailing byte(s) (remaining length "
              + (total - headerLength) + ")");
    }
    buf.readerIndex(r.end);
    r.in = null;
    out.accept(packet);
  }














  // ---- properties (5.0) ----







  // ---- field readers over [pos, end) of `in` ----











}
