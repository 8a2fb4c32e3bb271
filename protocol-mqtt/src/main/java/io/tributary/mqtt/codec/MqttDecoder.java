package io.tributary.mqtt.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ByteProcessor;
import io.tributary.router.Topics;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Per-connection, stateful, single-threaded MQTT stream decoder.
 *
 * <p>Bytes are fed as they arrive, in any split. Every complete packet is validated in full (MQTT
 * 3.1.1, strictly) before it is handed to the consumer; the first violation throws a {@link
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
 * <p>MQTT 5.0 (protocol level 5) is recorded from CONNECT; until the 5.0 issue the 3.1.1 layout is
 * parsed for it. The places where 5.0 differs are marked "MQTT 5.0:".
 */
public final class MqttDecoder {

  private String connectClientId;

  /** Largest value the 4-byte remaining length can encode. */
  public static final int MAX_REMAINING_LENGTH = 268_435_455;

  private static final int MALFORMED = MqttCodecException.MALFORMED_PACKET;
  private static final int PROTOCOL = MqttCodecException.PROTOCOL_ERROR;

  /** Stops at the first byte that is 0x00 or not ASCII (negative as a signed byte). */
  private static final ByteProcessor FIND_NON_ASCII_OR_NUL = value -> value > 0;

  private final int maxPacketSize;
  private final ByteBufAllocator alloc;
  private final boolean serverSide;
  private final CharsetDecoder utf8 =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);

  /** 0 until CONNECT (server side); given up front on the client side. */
  private int protocolLevel;
  /** Server side: a CONNECT was decoded. Client side: a CONNACK was decoded. */
  private boolean connected;
  /** Holds the prefix of exactly one incomplete packet, or is null. */
  private ByteBuf cumulation;
  private boolean failed;
  private boolean released;

  // Cursor over the packet being parsed (valid only inside decodePacket).
  private ByteBuf in;
  private int pos;
  private int end;

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
    this.serverSide = serverSide;
    this.protocolLevel = level;
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

  /** 0 until a CONNECT was decoded, then its protocol level (4, or 5). */
  /**
   * The client id of the CONNECT being or last decoded, or null before one was read: lets the
   * connection name the client in the log when the rest of that CONNECT is malformed.
   */
  public String connectClientId() {
    return connectClientId;
  }

  public int protocolLevel() {
    return protocolLevel;
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
      in = null;
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
    int r = buf.readerIndex();
    int avail = buf.writerIndex() - r;
    if (avail < 1) {
      return -1;
    }
    PacketType type = checkFirstByte(buf.getUnsignedByte(r));
    int remaining = 0;
    for (int i = 1; i <= 4; i++) {
      if (avail <= i) {
        return -1;
      }
      int b = buf.getUnsignedByte(r + i);
      remaining |= (b & 0x7F) << (7 * (i - 1));
      if ((b & 0x80) == 0) {
        int total = 1 + i + remaining;
        if (total > maxPacketSize) {
          throw new MqttCodecException(
              MqttCodecException.PACKET_TOO_LARGE,
              type + " packet of " + total + " bytes exceeds the maximum packet size of "
                  + maxPacketSize + " bytes");
        }
        checkFixedRemainingLength(type, remaining);
        return total;
      }
    }
    throw new MqttCodecException(
        MALFORMED, "remaining length is longer than 4 bytes (5th continuation byte)");
  }

  /** Validates the first byte of the fixed header: type, reserved flags, order and direction. */
  private PacketType checkFirstByte(int b0) throws MqttCodecException {
    int typeValue = b0 >>> 4;
    int flags = b0 & 0x0F;
    if (typeValue == 0) {
      throw new MqttCodecException(MALFORMED, "reserved packet type 0");
    }
    if (typeValue == 15 && protocolLevel != MqttVersion.V5) {
      throw new MqttCodecException(
          MALFORMED, "packet type 15 (AUTH) does not exist in MQTT 3.1.1");
    }
    PacketType type = PacketType.of(typeValue);
    switch (type) {
      case PUBLISH:
        int qos = (flags >>> 1) & 3;
        if (qos == 3) {
          throw new MqttCodecException(MALFORMED, "PUBLISH with QoS 3 (both QoS bits set)");
        }
        if (qos == 0 && (flags & 0x08) != 0) {
          throw new MqttCodecException(MALFORMED, "PUBLISH with DUP=1 and QoS 0");
        }
        break;
      case PUBREL:
      case SUBSCRIBE:
      case UNSUBSCRIBE:
        if (flags != 0b0010) {
          throw new MqttCodecException(
              MALFORMED, type + " fixed header flags must be 0010, got " + bits(flags));
        }
        break;
      default:
        if (flags != 0) {
          throw new MqttCodecException(
              MALFORMED, type + " fixed header flags must be 0000, got " + bits(flags));
        }
    }
    if (serverSide) {
      if (!connected) {
        if (type != PacketType.CONNECT) {
          throw new MqttCodecException(PROTOCOL, "first packet must be CONNECT, got " + type);
        }
      } else if (type == PacketType.CONNECT) {
        throw new MqttCodecException(PROTOCOL, "second CONNECT on the connection");
      }
      switch (type) {
        case CONNACK:
        case SUBACK:
        case UNSUBACK:
        case PINGRESP:
          throw new MqttCodecException(PROTOCOL, type + " is sent by servers only");
        case AUTH:
          // MQTT 5.0: enhanced authentication (next issue).
          throw new MqttCodecException(PROTOCOL, "AUTH is not supported");
        default:
          break;
      }
    } else {
      if (!connected) {
        if (type != PacketType.CONNACK) {
          throw new MqttCodecException(PROTOCOL, "first packet must be CONNACK, got " + type);
        }
      } else if (type == PacketType.CONNACK) {
        throw new MqttCodecException(PROTOCOL, "second CONNACK on the connection");
      }
      switch (type) {
        case CONNECT:
        case SUBSCRIBE:
        case UNSUBSCRIBE:
        case PINGREQ:
          throw new MqttCodecException(PROTOCOL, type + " is sent by clients only");
        case DISCONNECT:
          if (protocolLevel != MqttVersion.V5) {
            throw new MqttCodecException(PROTOCOL, "a server never sends DISCONNECT in 3.1.1");
          }
          break;
        case AUTH:
          throw new MqttCodecException(PROTOCOL, "AUTH is not supported");
        default:
          break;
      }
    }
    return type;
  }

  /** Packets with a fixed remaining length are rejected as soon as the length is known. */
  private void checkFixedRemainingLength(PacketType type, int remaining)
      throws MqttCodecException {
    int expected;
    switch (type) {
      case CONNACK:
      case PUBACK:
      case PUBREC:
      case PUBREL:
      case PUBCOMP:
      case UNSUBACK:
        // MQTT 5.0: these may carry a reason code and properties.
        expected = 2;
        break;
      case PINGREQ:
      case PINGRESP:
        expected = 0;
        break;
      case DISCONNECT:
        // MQTT 5.0: may carry a reason code and properties.
        expected = 0;
        break;
      default:
        return;
    }
    if (remaining != expected) {
      throw new MqttCodecException(
          MALFORMED, type + " remaining length must be " + expected + ", got " + remaining);
    }
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
    in = buf;
    pos = start + headerLength;
    end = start + total;
    PacketType type = PacketType.of(b0 >>> 4);
    Packet packet;
    switch (type) {
      case CONNECT:
        packet = decodeConnect();
        break;
      case CONNACK:
        packet = decodeConnAck();
        break;
      case PUBLISH:
        packet = decodePublish(b0 & 0x0F);
        break;
      case PUBACK:
      case PUBREC:
      case PUBREL:
      case PUBCOMP:
      case UNSUBACK:
        packet = new Ack(type, readPacketId(type));
        break;
      case SUBSCRIBE:
        packet = decodeSubscribe();
        break;
      case SUBACK:
        packet = decodeSubAck();
        break;
      case UNSUBSCRIBE:
        packet = decodeUnsubscribe();
        break;
      case PINGREQ:
        packet = PingReq.INSTANCE;
        break;
      case PINGRESP:
        packet = PingResp.INSTANCE;
        break;
      case DISCONNECT:
        packet = Disconnect.INSTANCE;
        break;
      default:
        throw new MqttCodecException(PROTOCOL, type + " is not supported");
    }
    if (pos != end) {
      throw new MqttCodecException(
          MALFORMED,
          type + " has " + (end - pos) + " unexpected trailing byte(s) (remaining length "
              + (total - headerLength) + ")");
    }
    buf.readerIndex(end);
    in = null;
    out.accept(packet);
  }

  private Connect decodeConnect() throws MqttCodecException {
    String name = readString("protocol name");
    int level = readByte("protocol level");
    if ("MQTT".equals(name)) {
      if (level != MqttVersion.V3_1_1 && level != MqttVersion.V5) {
        throw new MqttCodecException(
            MqttCodecException.UNSUPPORTED_PROTOCOL_VERSION, "unsupported protocol level " + level);
      }
    } else if ("MQIsdp".equals(name)) {
      throw new MqttCodecException(
          MqttCodecException.UNSUPPORTED_PROTOCOL_VERSION,
          "MQTT 3.1 (protocol name MQIsdp, level " + level + ") is not supported");
    } else {
      throw new MqttCodecException(
          MqttCodecException.UNSUPPORTED_PROTOCOL_VERSION,
          "unsupported protocol name " + quote(name) + " (level " + level + ")");
    }
    int flags = readByte("connect flags");
    if ((flags & 0x01) != 0) {
      throw new MqttCodecException(MALFORMED, "CONNECT reserved flag (bit 0) must be 0");
    }
    boolean cleanSession = (flags & 0x02) != 0;
    boolean willFlag = (flags & 0x04) != 0;
    int willQos = (flags >>> 3) & 0x03;
    boolean willRetain = (flags & 0x20) != 0;
    boolean passwordFlag = (flags & 0x40) != 0;
    boolean usernameFlag = (flags & 0x80) != 0;
    if (!willFlag && (willQos != 0 || willRetain)) {
      throw new MqttCodecException(
          MALFORMED, "CONNECT will QoS and will retain must be 0 when the will flag is 0");
    }
    if (willQos == 3) {
      throw new MqttCodecException(MALFORMED, "CONNECT will QoS 3");
    }
    if (level == MqttVersion.V3_1_1 && passwordFlag && !usernameFlag) {
      throw new MqttCodecException(
          MALFORMED, "CONNECT password flag set without the username flag");
    }
    int keepAlive = readU16("keep alive");
    // MQTT 5.0: CONNECT properties follow here.
    String clientId = readString("client id");
    connectClientId = clientId;
    Will will = null;
    if (willFlag) {
      // MQTT 5.0: will properties come first.
      String willTopic = readString("will topic");
      if (!Topics.isValidName(willTopic)) {
        throw new MqttCodecException(
            MALFORMED,
            "invalid will topic " + quote(willTopic) + ": must be non-empty, without + or #");
      }
      byte[] willPayload = readBinary("will message");
      will = new Will(willTopic, willPayload, willQos, willRetain, MqttProperties.EMPTY);
    }
    String username = usernameFlag ? readString("username") : null;
    byte[] password = passwordFlag ? readBinary("password") : null;
    if (pos != end) {
      throw new MqttCodecException(
          MALFORMED, "CONNECT has " + (end - pos) + " unexpected trailing byte(s)");
    }
    protocolLevel = level;
    connected = true;
    return new Connect(
        level,
        name,
        clientId,
        cleanSession,
        keepAlive,
        username,
        password,
        will,
        MqttProperties.EMPTY);
  }

  private ConnAck decodeConnAck() throws MqttCodecException {
    int ackFlags = readByte("CONNACK acknowledge flags");
    if ((ackFlags & 0xFE) != 0) {
      throw new MqttCodecException(
          MALFORMED,
          "CONNACK acknowledge flags bits 7-1 are reserved, got 0x"
              + Integer.toHexString(ackFlags));
    }
    boolean sessionPresent = (ackFlags & 0x01) != 0;
    int returnCode = readByte("CONNACK return code");
    // MQTT 5.0: reason codes and properties.
    if (returnCode > ConnAck.NOT_AUTHORIZED) {
      throw new MqttCodecException(MALFORMED, "CONNACK return code " + returnCode + " is reserved");
    }
    if (returnCode != 0 && sessionPresent) {
      throw new MqttCodecException(
          PROTOCOL, "CONNACK with return code " + returnCode + " and session present");
    }
    connected = true;
    return new ConnAck(sessionPresent, returnCode);
  }

  private Publish decodePublish(int flags) throws MqttCodecException {
    int qos = (flags >>> 1) & 0x03;
    String topic = readString("topic name");
    // MQTT 5.0: an empty topic name is allowed together with a topic alias.
    if (!Topics.isValidName(topic)) {
      throw new MqttCodecException(
          MALFORMED,
          topic.isEmpty()
              ? "PUBLISH topic name is empty"
              : "PUBLISH topic name " + quote(topic) + " contains a wildcard (+ or #)");
    }
    int packetId = 0;
    if (qos > 0) {
      packetId = readU16("PUBLISH packet id");
      if (packetId == 0) {
        throw new MqttCodecException(PROTOCOL, "PUBLISH QoS " + qos + " with packet id 0");
      }
    }
    // MQTT 5.0: PUBLISH properties follow here.
    ByteBuf payload = in.slice(pos, end - pos);
    pos = end;
    return new Publish(
        topic, qos, (flags & 0x01) != 0, (flags & 0x08) != 0, packetId, payload,
        MqttProperties.EMPTY);
  }

  private Subscribe decodeSubscribe() throws MqttCodecException {
    int packetId = readPacketId(PacketType.SUBSCRIBE);
    // MQTT 5.0: SUBSCRIBE properties follow here.
    if (pos == end) {
      throw new MqttCodecException(PROTOCOL, "SUBSCRIBE without any topic filter");
    }
    List<TopicSubscription> subscriptions = new ArrayList<>(4);
    while (pos < end) {
      String filter = readFilter("SUBSCRIBE");
      int options = readByte("SUBSCRIBE requested QoS");
      // MQTT 5.0: bits 2-5 are subscription options.
      if ((options & 0xFC) != 0) {
        throw new MqttCodecException(
            MALFORMED,
            "SUBSCRIBE requested QoS byte for " + quote(filter)
                + " has reserved bits 7-2 set: 0x" + Integer.toHexString(options));
      }
      if (options == 3) {
        throw new MqttCodecException(
            MALFORMED, "SUBSCRIBE requested QoS 3 for " + quote(filter));
      }
      subscriptions.add(new TopicSubscription(filter, options));
    }
    return new Subscribe(packetId, subscriptions, MqttProperties.EMPTY);
  }

  private Unsubscribe decodeUnsubscribe() throws MqttCodecException {
    int packetId = readPacketId(PacketType.UNSUBSCRIBE);
    // MQTT 5.0: UNSUBSCRIBE properties follow here.
    if (pos == end) {
      throw new MqttCodecException(PROTOCOL, "UNSUBSCRIBE without any topic filter");
    }
    List<String> filters = new ArrayList<>(4);
    while (pos < end) {
      filters.add(readFilter("UNSUBSCRIBE"));
    }
    return new Unsubscribe(packetId, filters, MqttProperties.EMPTY);
  }

  private SubAck decodeSubAck() throws MqttCodecException {
    int packetId = readPacketId(PacketType.SUBACK);
    // MQTT 5.0: SUBACK properties follow here, then 5.0 reason codes.
    if (pos == end) {
      throw new MqttCodecException(PROTOCOL, "SUBACK without any return code");
    }
    List<Integer> codes = new ArrayList<>(end - pos);
    while (pos < end) {
      int rc = readByte("SUBACK return code");
      if (rc > 2 && rc != SubAck.FAILURE) {
        throw new MqttCodecException(
            MALFORMED, "SUBACK return code 0x" + Integer.toHexString(rc) + " is reserved");
      }
      codes.add(rc);
    }
    return new SubAck(packetId, codes, MqttProperties.EMPTY);
  }

  // ---- field readers over [pos, end) of `in` ----

  private int readByte(String what) throws MqttCodecException {
    if (pos >= end) {
      throw tooShort(what);
    }
    return in.getUnsignedByte(pos++);
  }

  private int readU16(String what) throws MqttCodecException {
    if (end - pos < 2) {
      throw tooShort(what);
    }
    int v = in.getUnsignedShort(pos);
    pos += 2;
    return v;
  }

  private int readPacketId(PacketType type) throws MqttCodecException {
    int id = readU16(type + " packet id");
    if (id == 0) {
      throw new MqttCodecException(PROTOCOL, type + " with packet id 0");
    }
    return id;
  }

  private String readFilter(String packet) throws MqttCodecException {
    String filter = readString(packet + " topic filter");
    if (!Topics.isValidFilter(filter)) {
      throw new MqttCodecException(
          MALFORMED,
          filter.isEmpty()
              ? packet + " topic filter is empty"
              : packet + " topic filter " + quote(filter)
                  + " is invalid ('#' only as the last whole level, '+' only as a whole level)");
    }
    return filter;
  }

  /** Two-byte length, then that many bytes of well-formed UTF-8 without U+0000. */
  private String readString(String what) throws MqttCodecException {
    int len = readU16(what + " length");
    if (len > end - pos) {
      throw new MqttCodecException(
          MALFORMED,
          what + " length " + len + " exceeds the " + (end - pos)
              + " bytes left in the packet");
    }
    int index = pos;
    pos += len;
    int stop = len == 0 ? -1 : in.forEachByte(index, len, FIND_NON_ASCII_OR_NUL);
    if (stop < 0) {
      return in.toString(index, len, StandardCharsets.US_ASCII);
    }
    if (in.getByte(stop) == 0) {
      throw new MqttCodecException(MALFORMED, what + " contains U+0000");
    }
    String s;
    try {
      s = utf8.decode(in.nioBuffer(index, len)).toString();
    } catch (CharacterCodingException e) {
      throw new MqttCodecException(
          MALFORMED, what + " is not well-formed UTF-8 (" + e.getMessage() + ")");
    }
    if (s.indexOf('\u0000') >= 0) {
      throw new MqttCodecException(MALFORMED, what + " contains U+0000");
    }
    return s;
  }

  /** Two-byte length, then that many bytes. */
  private byte[] readBinary(String what) throws MqttCodecException {
    int len = readU16(what + " length");
    if (len > end - pos) {
      throw new MqttCodecException(
          MALFORMED,
          what + " length " + len + " exceeds the " + (end - pos)
              + " bytes left in the packet");
    }
    byte[] bytes = new byte[len];
    in.getBytes(pos, bytes);
    pos += len;
    return bytes;
  }

  private static MqttCodecException tooShort(String what) {
    return new MqttCodecException(
        MALFORMED, "remaining length too short: " + what + " is missing");
  }

  private static String bits(int flags) {
    String s = Integer.toBinaryString(flags | 0x10);
    return s.substring(s.length() - 4);
  }

  private static String quote(String s) {
    return s.length() <= 80 ? "'" + s + "'" : "'" + s.substring(0, 80) + "...'";
  }
}
