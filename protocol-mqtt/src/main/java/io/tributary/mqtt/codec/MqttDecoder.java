package io.tributary.mqtt.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ByteProcessor;
import io.tributary.router.topic.Topics;
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

  private String connectClientId;

  /** Largest value the 4-byte remaining length can encode. */
  public static final int MAX_REMAINING_LENGTH = 268_435_455;

  private static final int MALFORMED = MqttCodecException.MALFORMED_PACKET;
  private static final int PROTOCOL = MqttCodecException.PROTOCOL_ERROR;

  /** Stops at the first byte that is 0x00 or not ASCII (negative as a signed byte). */
  private static final ByteProcessor FIND_NON_ASCII_OR_NUL = value -> value > 0;

  private final int maxPacketSize;
  /** User properties one packet may carry, and their total bytes on the wire (names + values). */
  private int maxUserProperties = Integer.MAX_VALUE;
  private int maxUserPropertyBytes = Integer.MAX_VALUE;
  // Of the property block being read.
  private int userPropertyCount;
  private int userPropertyBytes;
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
  /** Server side, 5.0: the CONNECT's Authentication Method, or null. */
  private String connectAuthenticationMethod;
  /** Server side, 5.0: the CONNECT's Session Expiry Interval (0 when absent). */
  private long connectSessionExpiry;
  /** Inside a property block: error messages name the properties rather than the packet. */
  private boolean inProperties;
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

  /**
   * The client id of the CONNECT being or last decoded, or null before one was read: lets the
   * connection name the client in the log when the rest of that CONNECT is malformed.
   */
  public String connectClientId() {
    return connectClientId;
  }

  /**
   * Server side: 0 until a CONNECT was decoded, then its protocol level (4, or 5; set before the
   * CONNECT is handed out). Client side: the level given to {@link #forClient}.
   */
  public int protocolLevel() {
    return protocolLevel;
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
    this.maxUserProperties = maxCount;
    this.maxUserPropertyBytes = maxBytes;
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
        if (b == 0 && i > 1 && protocolLevel == MqttVersion.V5) {
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
          // level 5 here (type 15 is malformed otherwise) [MQTT-4.12.0-7]
          if (connectAuthenticationMethod == null) {
            throw new MqttCodecException(
                PROTOCOL, "AUTH without an Authentication Method in the CONNECT");
          }
          break;
        default:
          break;
      }
    } else {
      if (!connected) {
        // 5.0: the server may run enhanced authentication (AUTH) before the CONNACK
        if (type != PacketType.CONNACK && type != PacketType.AUTH) {
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
        default:
          break;
      }
    }
    return type;
  }

  /** Packets with a fixed remaining length are rejected as soon as the length is known. */
  private void checkFixedRemainingLength(PacketType type, int remaining)
      throws MqttCodecException {
    if (protocolLevel == MqttVersion.V5
        && type != PacketType.PINGREQ && type != PacketType.PINGRESP) {
      return; // acks, CONNACK, DISCONNECT and AUTH have optional reason codes and properties
    }
    int expected;
    switch (type) {
      case CONNACK:
      case PUBACK:
      case PUBREC:
      case PUBREL:
      case PUBCOMP:
      case UNSUBACK:
        expected = 2;
        break;
      case PINGREQ:
      case PINGRESP:
        expected = 0;
        break;
      case DISCONNECT:
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
        packet = decodeAck(type);
        break;
      case UNSUBACK:
        packet = isV5() ? decodeUnsubAck() : new Ack(type, readPacketId(type));
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
        packet = isV5() ? decodeDisconnect() : Disconnect.INSTANCE;
        break;
      case AUTH:
        packet = decodeAuth();
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

  private boolean isV5() {
    return protocolLevel == MqttVersion.V5;
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
    boolean v5 = level == MqttVersion.V5;
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
    // 5.0 allows a password without a username (3.1.2.9)
    if (!v5 && passwordFlag && !usernameFlag) {
      throw new MqttCodecException(
          MALFORMED, "CONNECT password flag set without the username flag");
    }
    int keepAlive = readU16("keep alive");
    MqttProperties properties = MqttProperties.EMPTY;
    if (v5) {
      properties = readProperties(PacketType.CONNECT, MqttProperties.ALLOWED_CONNECT);
      if (properties.authenticationData() != null
          && properties.authenticationMethod() == null) {
        throw new MqttCodecException(
            PROTOCOL, "CONNECT has Authentication Data without an Authentication Method");
      }
    }
    String clientId = readString("client id");
    connectClientId = clientId;
    Will will = null;
    if (willFlag) {
      MqttProperties willProperties = MqttProperties.EMPTY;
      if (v5) {
        willProperties = readProperties("will", MqttProperties.ALLOWED_WILL, false);
      }
      String willTopic = readString("will topic");
      if (!Topics.isValidName(willTopic)) {
        throw new MqttCodecException(
            MALFORMED,
            "invalid will topic " + quote(willTopic) + ": must be non-empty, without + or #");
      }
      int payloadStart = pos + 2;
      byte[] willPayload = readBinary("will message");
      if (isUtf8Payload(willProperties) && !isWellFormedUtf8(in, payloadStart, willPayload.length)) {
        throw new MqttCodecException(
            MqttCodecException.PAYLOAD_FORMAT_INVALID,
            "will message is not well-formed UTF-8 but its Payload Format Indicator is 1");
      }
      will = new Will(willTopic, willPayload, willQos, willRetain, willProperties);
    }
    String username = usernameFlag ? readString("username") : null;
    byte[] password = passwordFlag ? readBinary("password") : null;
    if (pos != end) {
      throw new MqttCodecException(
          MALFORMED, "CONNECT has " + (end - pos) + " unexpected trailing byte(s)");
    }
    protocolLevel = level;
    connected = true;
    if (v5) {
      connectAuthenticationMethod = properties.authenticationMethod();
      Long expiry = properties.sessionExpiryInterval();
      connectSessionExpiry = expiry == null ? 0 : expiry;
    }
    return new Connect(
        level,
        name,
        clientId,
        cleanSession,
        keepAlive,
        username,
        password,
        will,
        properties);
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
    if (!isV5()) {
      int returnCode = readByte("CONNACK return code");
      if (returnCode > ConnAck.NOT_AUTHORIZED) {
        throw new MqttCodecException(
            MALFORMED, "CONNACK return code " + returnCode + " is reserved");
      }
      if (returnCode != 0 && sessionPresent) {
        throw new MqttCodecException(
            PROTOCOL, "CONNACK with return code " + returnCode + " and session present");
      }
      connected = true;
      return new ConnAck(sessionPresent, returnCode);
    }
    int reasonCode = readByte("CONNACK reason code");
    checkReasonCode(PacketType.CONNACK, reasonCode);
    if (reasonCode >= 0x80 && sessionPresent) {
      throw new MqttCodecException(
          PROTOCOL, "CONNACK with reason code " + ReasonCodes.describe(reasonCode)
              + " and session present");
    }
    MqttProperties properties = readProperties(PacketType.CONNACK, MqttProperties.ALLOWED_CONNACK);
    connected = true;
    return new ConnAck(sessionPresent, reasonCode, properties);
  }

  private Publish decodePublish(int flags) throws MqttCodecException {
    int qos = (flags >>> 1) & 0x03;
    String topic = readString("topic name");
    if (!topic.isEmpty() && !Topics.isValidName(topic)) {
      throw new MqttCodecException(
          MALFORMED, "PUBLISH topic name " + quote(topic) + " contains a wildcard (+ or #)");
    }
    int packetId = 0;
    if (qos > 0) {
      packetId = readU16("PUBLISH packet id");
      if (packetId == 0) {
        throw new MqttCodecException(PROTOCOL, "PUBLISH QoS " + qos + " with packet id 0");
      }
    }
    MqttProperties properties = MqttProperties.EMPTY;
    if (isV5()) {
      properties = readProperties(PacketType.PUBLISH, MqttProperties.ALLOWED_PUBLISH);
      if (topic.isEmpty() && properties.topicAlias() == null) {
        throw new MqttCodecException(
            PROTOCOL, "PUBLISH topic name is empty and there is no Topic Alias");
      }
    } else if (topic.isEmpty()) {
      throw new MqttCodecException(MALFORMED, "PUBLISH topic name is empty");
    }
    int payloadLength = end - pos;
    if (isUtf8Payload(properties) && !isWellFormedUtf8(in, pos, payloadLength)) {
      throw new MqttCodecException(
          MqttCodecException.PAYLOAD_FORMAT_INVALID,
          "PUBLISH payload is not well-formed UTF-8 but its Payload Format Indicator is 1");
    }
    ByteBuf payload = in.slice(pos, payloadLength);
    pos = end;
    return new Publish(
        topic, qos, (flags & 0x01) != 0, (flags & 0x08) != 0, packetId, payload, properties);
  }

  /** PUBACK, PUBREC, PUBREL, PUBCOMP. */
  private Ack decodeAck(PacketType type) throws MqttCodecException {
    int packetId = readPacketId(type);
    if (!isV5() || pos == end) {
      return new Ack(type, packetId);
    }
    // 5.0: remaining length 2 = success without properties, 3 = reason code only
    int reasonCode = readByte(type + " reason code");
    checkReasonCode(type, reasonCode);
    MqttProperties properties = MqttProperties.EMPTY;
    if (pos < end) {
      properties = readProperties(type, MqttProperties.ALLOWED_ACK);
    }
    return new Ack(type, packetId, reasonCode, properties);
  }

  private Subscribe decodeSubscribe() throws MqttCodecException {
    int packetId = readPacketId(PacketType.SUBSCRIBE);
    boolean v5 = isV5();
    MqttProperties properties = MqttProperties.EMPTY;
    if (v5) {
      properties = readProperties(PacketType.SUBSCRIBE, MqttProperties.ALLOWED_SUBSCRIBE);
    }
    if (pos == end) {
      throw new MqttCodecException(PROTOCOL, "SUBSCRIBE without any topic filter");
    }
    List<TopicSubscription> subscriptions = new ArrayList<>(4);
    while (pos < end) {
      String filter = readFilter("SUBSCRIBE");
      if (!v5) {
        int options = readByte("SUBSCRIBE requested QoS");
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
        continue;
      }
      int options = readByte("SUBSCRIBE subscription options");
      if ((options & 0xC0) != 0) {
        // [MQTT-3.8.3-5]
        throw new MqttCodecException(
            MALFORMED,
            "SUBSCRIBE subscription options for " + quote(filter)
                + " have reserved bits 7-6 set: 0x" + Integer.toHexString(options));
      }
      int qos = options & 0x03;
      boolean noLocal = (options & 0x04) != 0;
      boolean retainAsPublished = (options & 0x08) != 0;
      int retainHandling = (options >>> 4) & 0x03;
      if (qos == 3) {
        // 3.8.3.1: "It is a Protocol Error if the Maximum QoS field has the value 3"
        throw new MqttCodecException(
            PROTOCOL, "SUBSCRIBE maximum QoS 3 for " + quote(filter));
      }
      if (retainHandling == 3) {
        // 3.8.3.1: "It is a Protocol Error to send a Retain Handling value of 3"
        throw new MqttCodecException(
            PROTOCOL, "SUBSCRIBE retain handling 3 for " + quote(filter));
      }
      if (noLocal && filter.startsWith("$share/")) {
        // [MQTT-3.8.3-4]
        throw new MqttCodecException(
            PROTOCOL, "SUBSCRIBE No Local on the shared subscription " + quote(filter));
      }
      subscriptions.add(
          new TopicSubscription(filter, qos, noLocal, retainAsPublished, retainHandling));
    }
    return new Subscribe(packetId, subscriptions, properties);
  }

  private Unsubscribe decodeUnsubscribe() throws MqttCodecException {
    int packetId = readPacketId(PacketType.UNSUBSCRIBE);
    MqttProperties properties = MqttProperties.EMPTY;
    if (isV5()) {
      properties = readProperties(PacketType.UNSUBSCRIBE, MqttProperties.ALLOWED_UNSUBSCRIBE);
    }
    if (pos == end) {
      throw new MqttCodecException(PROTOCOL, "UNSUBSCRIBE without any topic filter");
    }
    List<String> filters = new ArrayList<>(4);
    while (pos < end) {
      filters.add(readFilter("UNSUBSCRIBE"));
    }
    return new Unsubscribe(packetId, filters, properties);
  }

  private SubAck decodeSubAck() throws MqttCodecException {
    int packetId = readPacketId(PacketType.SUBACK);
    boolean v5 = isV5();
    MqttProperties properties = MqttProperties.EMPTY;
    if (v5) {
      properties = readProperties(PacketType.SUBACK, MqttProperties.ALLOWED_ACK);
    }
    if (pos == end) {
      throw new MqttCodecException(PROTOCOL, "SUBACK without any return code");
    }
    List<Integer> codes = new ArrayList<>(end - pos);
    while (pos < end) {
      int rc = readByte("SUBACK return code");
      if (v5) {
        checkReasonCode(PacketType.SUBACK, rc);
      } else if (rc > 2 && rc != SubAck.FAILURE) {
        throw new MqttCodecException(
            MALFORMED, "SUBACK return code 0x" + Integer.toHexString(rc) + " is reserved");
      }
      codes.add(rc);
    }
    return new SubAck(packetId, codes, properties);
  }

  /** 5.0 only: properties, then one reason code per filter. */
  private UnsubAck decodeUnsubAck() throws MqttCodecException {
    int packetId = readPacketId(PacketType.UNSUBACK);
    MqttProperties properties = readProperties(PacketType.UNSUBACK, MqttProperties.ALLOWED_ACK);
    if (pos == end) {
      throw new MqttCodecException(PROTOCOL, "UNSUBACK without any reason code");
    }
    List<Integer> codes = new ArrayList<>(end - pos);
    while (pos < end) {
      int rc = readByte("UNSUBACK reason code");
      checkReasonCode(PacketType.UNSUBACK, rc);
      codes.add(rc);
    }
    return new UnsubAck(packetId, codes, properties);
  }

  /** 5.0 only: reason code and properties both optional. */
  private Disconnect decodeDisconnect() throws MqttCodecException {
    if (pos == end) {
      return Disconnect.INSTANCE;
    }
    int reasonCode = readByte("DISCONNECT reason code");
    checkDirectedReasonCode(PacketType.DISCONNECT, reasonCode);
    MqttProperties properties = MqttProperties.EMPTY;
    if (pos < end) {
      properties = readProperties(PacketType.DISCONNECT, MqttProperties.ALLOWED_DISCONNECT);
      Long expiry = properties.sessionExpiryInterval();
      if (expiry != null) {
        if (!serverSide) {
          throw new MqttCodecException(
              PROTOCOL, "a server DISCONNECT must not carry a Session Expiry Interval");
        }
        if (expiry != 0 && connectSessionExpiry == 0) {
          // 3.14.2.2.2
          throw new MqttCodecException(
              PROTOCOL, "DISCONNECT sets the Session Expiry Interval to " + expiry
                  + " but the CONNECT's was 0");
        }
      }
    }
    return new Disconnect(reasonCode, properties);
  }

  /** 5.0 only (type 15 is malformed in 3.1.1). */
  private Auth decodeAuth() throws MqttCodecException {
    if (pos == end) {
      // remaining length 0: reason code 0x00 Success, no properties (3.15.2.1)
      checkDirectedReasonCode(PacketType.AUTH, ReasonCodes.SUCCESS);
      return new Auth(ReasonCodes.SUCCESS, MqttProperties.EMPTY);
    }
    int reasonCode = readByte("AUTH reason code");
    checkDirectedReasonCode(PacketType.AUTH, reasonCode);
    if (pos == end) {
      throw new MqttCodecException(
          MALFORMED, "AUTH with a reason code must have a property length");
    }
    MqttProperties properties = readProperties(PacketType.AUTH, MqttProperties.ALLOWED_AUTH);
    String method = properties.authenticationMethod();
    if (method == null) {
      // 3.15.2.2.2
      throw new MqttCodecException(PROTOCOL, "AUTH without an Authentication Method");
    }
    if (serverSide && !method.equals(connectAuthenticationMethod)) {
      // [MQTT-4.12.0-5]
      throw new MqttCodecException(
          PROTOCOL, "AUTH Authentication Method " + quote(method) + " differs from the CONNECT's "
              + quote(connectAuthenticationMethod));
    }
    return new Auth(reasonCode, properties);
  }

  /** An unknown reason code for the packet type is malformed. */
  private static void checkReasonCode(PacketType type, int code) throws MqttCodecException {
    if (!ReasonCodes.isValid(type, code)) {
      throw new MqttCodecException(
          MALFORMED, type + " reason code 0x" + Integer.toHexString(code) + " is not valid");
    }
  }

  /**
   * DISCONNECT and AUTH: an unknown code is malformed; a code only the other side may send is a
   * protocol error.
   */
  private void checkDirectedReasonCode(PacketType type, int code) throws MqttCodecException {
    checkReasonCode(type, code);
    boolean ok =
        serverSide
            ? ReasonCodes.isValidFromClient(type, code)
            : ReasonCodes.isValidFromServer(type, code);
    if (!ok) {
      throw new MqttCodecException(
          PROTOCOL, type + " reason code " + ReasonCodes.describe(code) + " is not sent by a "
              + (serverSide ? "client" : "server"));
    }
  }

  // ---- properties (5.0) ----

  private MqttProperties readProperties(PacketType type, long allowed)
      throws MqttCodecException {
    return readProperties(type.toString(), allowed, type == PacketType.PUBLISH);
  }

  /**
   * Reads a property length and the properties it covers.
   *
   * @param where packet name for messages ("CONNECT", "will", ...)
   * @param allowed bit mask of the identifiers allowed there
   * @param publish a PUBLISH: subscription identifiers repeat from a server and are a protocol
   *     error from a client [MQTT-3.3.4-6]
   * @return {@link MqttProperties#EMPTY} when the property length is 0
   */
  private MqttProperties readProperties(String where, long allowed, boolean publish)
      throws MqttCodecException {
    int length = readVariableByteInteger(where + " property length");
    if (length > end - pos) {
      throw new MqttCodecException(
          MALFORMED, where + " property length " + length + " exceeds the " + (end - pos)
              + " bytes left in the packet");
    }
    if (length == 0) {
      return MqttProperties.EMPTY;
    }
    MqttProperties properties = new MqttProperties();
    int packetEnd = end;
    end = pos + length;
    inProperties = true;
    userPropertyCount = 0;
    userPropertyBytes = 0;
    try {
      while (pos < end) {
        readProperty(properties, where, allowed, publish);
      }
    } finally {
      end = packetEnd;
      inProperties = false;
    }
    return properties;
  }

  private void readProperty(MqttProperties p, String where, long allowed, boolean publish)
      throws MqttCodecException {
    int id = readVariableByteInteger(where + " property identifier");
    int type = id < MqttProperties.ID_LIMIT ? MqttProperties.TYPE[id] : 0;
    if (type == 0) {
      throw new MqttCodecException(
          MALFORMED, where + " has an unknown property identifier 0x" + Integer.toHexString(id));
    }
    String name = MqttProperties.describe(id);
    if ((allowed & (1L << id)) == 0) {
      throw new MqttCodecException(MALFORMED, name + " is not allowed in " + where);
    }
    if (id == MqttProperties.SUBSCRIPTION_IDENTIFIER && publish && serverSide) {
      throw new MqttCodecException(
          PROTOCOL, "a client PUBLISH must not carry a " + name + " [MQTT-3.3.4-6]");
    }
    boolean repeatable =
        id == MqttProperties.USER_PROPERTY
            || (id == MqttProperties.SUBSCRIPTION_IDENTIFIER && publish);
    if (!repeatable && p.contains(id)) {
      throw new MqttCodecException(PROTOCOL, where + " has " + name + " more than once");
    }
    switch (type) {
      case MqttProperties.T_BYTE:
      case MqttProperties.T_BOOLEAN: {
        int v = readByte(name);
        if (v > 1) {
          // 0/1 properties, Maximum QoS (3.2.2.3.4) and the Payload Format Indicator
          throw new MqttCodecException(
              PROTOCOL, where + " " + name + " must be 0 or 1, got " + v);
        }
        p.putDecoded(id, v);
        break;
      }
      case MqttProperties.T_TWO_BYTE: {
        int v = readU16(name);
        if (v == 0 && id == MqttProperties.RECEIVE_MAXIMUM) {
          throw new MqttCodecException(PROTOCOL, where + " " + name + " must not be 0");
        }
        p.putDecoded(id, v);
        break;
      }
      case MqttProperties.T_FOUR_BYTE: {
        if (end - pos < 4) {
          throw tooShort(name);
        }
        long v = in.getUnsignedInt(pos);
        pos += 4;
        if (v == 0 && id == MqttProperties.MAXIMUM_PACKET_SIZE) {
          throw new MqttCodecException(PROTOCOL, where + " " + name + " must not be 0");
        }
        p.putDecoded(id, v);
        break;
      }
      case MqttProperties.T_VBI: {
        int v = readVariableByteInteger(name);
        if (v == 0) {
          throw new MqttCodecException(PROTOCOL, where + " " + name + " must not be 0");
        }
        p.addSubscriptionIdentifier(v);
        break;
      }
      case MqttProperties.T_STRING: {
        String v = readString(name);
        if (id == MqttProperties.RESPONSE_TOPIC && !Topics.isValidName(v)) {
          // [MQTT-3.3.2-14]: a topic name, so non-empty and without wildcards
          throw new MqttCodecException(
              MALFORMED, where + " " + name + " " + quote(v)
                  + " is not a valid topic name (non-empty, without + or #)");
        }
        p.putDecoded(id, v);
        break;
      }
      case MqttProperties.T_BINARY:
        p.putDecoded(id, readBinary(name));
        break;
      case MqttProperties.T_PAIR: {
        if (++userPropertyCount > maxUserProperties) {
          throw MqttCodecException.userPropertyLimit(
              where + " has more than " + maxUserProperties + " user properties");
        }
        int start = pos;
        String key = readString("user property name");
        String value = readString("user property value");
        userPropertyBytes += pos - start - 4;
        if (userPropertyBytes > maxUserPropertyBytes) {
          throw MqttCodecException.userPropertyLimit(
              where + " user properties exceed " + maxUserPropertyBytes + " bytes");
        }
        p.addUserProperty(key, value);
        break;
      }
      default:
        throw new IllegalStateException("property type " + type);
    }
  }

  private static boolean isUtf8Payload(MqttProperties p) {
    Integer indicator = p.payloadFormatIndicator();
    return indicator != null && indicator == 1;
  }

  /** Stops at the first byte that is not ASCII. */
  private static final ByteProcessor FIND_NON_ASCII = value -> value >= 0;

  /**
   * Well-formed UTF-8 (Unicode 3.9, RFC 3629): no overlong forms, no surrogates, nothing above
   * U+10FFFF, no truncated sequence. U+0000 is allowed (a payload is not an MQTT string).
   */
  static boolean isWellFormedUtf8(ByteBuf buf, int index, int length) {
    if (length == 0) {
      return true;
    }
    int i = buf.forEachByte(index, length, FIND_NON_ASCII);
    if (i < 0) {
      return true;
    }
    int limit = index + length;
    while (i < limit) {
      int b0 = buf.getByte(i);
      if (b0 >= 0) {
        i++;
        continue;
      }
      b0 &= 0xFF;
      if (b0 < 0xC2 || b0 > 0xF4) {
        return false; // continuation byte, overlong 2-byte lead, or beyond U+10FFFF
      }
      int n = b0 < 0xE0 ? 2 : b0 < 0xF0 ? 3 : 4;
      if (limit - i < n) {
        return false;
      }
      int b1 = buf.getByte(i + 1) & 0xFF;
      if ((b1 & 0xC0) != 0x80) {
        return false;
      }
      if ((b0 == 0xE0 && b1 < 0xA0) // overlong 3-byte
          || (b0 == 0xED && b1 > 0x9F) // surrogates
          || (b0 == 0xF0 && b1 < 0x90) // overlong 4-byte
          || (b0 == 0xF4 && b1 > 0x8F)) { // above U+10FFFF
        return false;
      }
      for (int k = 2; k < n; k++) {
        if ((buf.getByte(i + k) & 0xC0) != 0x80) {
          return false;
        }
      }
      i += n;
    }
    return true;
  }

  // ---- field readers over [pos, end) of `in` ----

  private int readByte(String what) throws MqttCodecException {
    if (pos >= end) {
      throw tooShort(what);
    }
    return in.getUnsignedByte(pos++);
  }

  /** The two-byte length before a string or binary field; the error text is built only on error. */
  private int readLength(String what) throws MqttCodecException {
    if (end - pos < 2) {
      throw tooShort(what + " length");
    }
    int v = in.getUnsignedShort(pos);
    pos += 2;
    return v;
  }

  private int readU16(String what) throws MqttCodecException {
    if (end - pos < 2) {
      throw tooShort(what);
    }
    int v = in.getUnsignedShort(pos);
    pos += 2;
    return v;
  }

  /**
   * A Variable Byte Integer (1.5.5): at most 4 bytes, minimally encoded (a longer encoding than
   * needed is malformed in 5.0 [MQTT-1.5.5-1]).
   */
  private int readVariableByteInteger(String what) throws MqttCodecException {
    int value = 0;
    for (int i = 0; i < 4; i++) {
      if (pos >= end) {
        throw tooShort(what);
      }
      int b = in.getUnsignedByte(pos++);
      value |= (b & 0x7F) << (7 * i);
      if ((b & 0x80) == 0) {
        if (b == 0 && i > 0) {
          throw new MqttCodecException(
              MALFORMED, what + " is not minimally encoded (" + (i + 1) + " bytes for " + value
                  + ")");
        }
        return value;
      }
    }
    throw new MqttCodecException(MALFORMED, what + " is longer than 4 bytes");
  }

  private int readPacketId(PacketType type) throws MqttCodecException {
    if (end - pos < 2) {
      throw tooShort(type + " packet id"); // the text only when it is needed: this runs per packet
    }
    int id = in.getUnsignedShort(pos);
    pos += 2;
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
    int len = readLength(what);
    if (len > end - pos) {
      throw new MqttCodecException(
          MALFORMED,
          what + " length " + len + " exceeds the " + (end - pos)
              + " bytes left in the " + (inProperties ? "properties" : "packet"));
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
    int len = readLength(what);
    if (len > end - pos) {
      throw new MqttCodecException(
          MALFORMED,
          what + " length " + len + " exceeds the " + (end - pos)
              + " bytes left in the " + (inProperties ? "properties" : "packet"));
    }
    byte[] bytes = new byte[len];
    in.getBytes(pos, bytes);
    pos += len;
    return bytes;
  }

  private MqttCodecException tooShort(String what) {
    return new MqttCodecException(
        MALFORMED,
        (inProperties ? "property length" : "remaining length") + " too short: " + what
            + " is missing");
  }

  private static String bits(int flags) {
    String s = Integer.toBinaryString(flags | 0x10);
    return s.substring(s.length() - 4);
  }

  /** Client text in an error message, which ends up in a log line: escaped and capped. */
  private static String quote(String s) {
    return "'" + io.tributary.router.logging.LogSafe.text(s) + "'";
  }
}
