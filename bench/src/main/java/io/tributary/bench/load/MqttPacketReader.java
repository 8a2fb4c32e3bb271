package io.tributary.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Cuts a stream of reads into MQTT control packets: several packets in one read, one packet over
 * several reads, and a remaining length whose bytes straddle reads. Bytes are copied only when a
 * packet is incomplete at the end of a read (the tail is kept for the next one).
 */
final class MqttPacketReader {

  /** Receives each complete packet; the bytes are valid only during the call. */
  interface Sink {
    /**
     * @param header the first byte (type and flags)
     * @param buf holds the packet
     * @param index where the variable header starts in {@code buf}
     * @param length the remaining length
     * @return false to stop reading (the connection failed)
     */
    boolean packet(int header, ByteBuf buf, int index, int length) throws MqttProtocolException;
  }

  /** Larger packets are refused; the generator never subscribes to anything this large. */
  static final int MAX_PACKET = 16 * 1024 * 1024;

  private final ByteBufAllocator alloc;
  private ByteBuf cumulation;

  MqttPacketReader(ByteBufAllocator alloc) {
    this.alloc = alloc;
  }

  /** Consumes {@code in} (releases it) and calls {@code sink} for every complete packet. */
  void read(ByteBuf in, Sink sink) throws MqttProtocolException {
    ByteBuf buf;
    if (cumulation != null) {
      cumulation.writeBytes(in);
      in.release();
      buf = cumulation;
    } else {
      buf = in;
    }
    boolean ok = false;
    try {
      ok = frame(buf, sink);
    } finally {
      if (!ok) {
        // failed or stopped: drop everything
        buf.release();
        cumulation = null;
      }
    }
    if (!ok) {
      return;
    }
    if (buf.isReadable()) {
      if (buf != cumulation) {
        ByteBuf c = alloc.heapBuffer(Math.max(256, buf.readableBytes() * 2));
        c.writeBytes(buf);
        buf.release();
        cumulation = c;
      } else {
        cumulation.discardSomeReadBytes();
      }
    } else {
      buf.release();
      cumulation = null;
    }
  }

  /** Releases a partial packet held between reads. */
  void release() {
    if (cumulation != null) {
      cumulation.release();
      cumulation = null;
    }
  }

  private static boolean frame(ByteBuf buf, Sink sink) throws MqttProtocolException {
    int end = buf.writerIndex();
    int start = buf.readerIndex();
    while (end - start >= 2) {
      int header = buf.getByte(start) & 0xFF;
      int i = start + 1;
      int length = 0;
      int shift = 0;
      boolean complete = false;
      while (i < end) {
        int b = buf.getByte(i++) & 0xFF;
        length |= (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          complete = true;
          break;
        }
        shift += 7;
        if (shift > 21) {
          throw new MqttProtocolException("malformed remaining length");
        }
      }
      if (!complete || end - i < length) {
        break;
      }
      if (length > MAX_PACKET) {
        throw new MqttProtocolException("packet of " + length + " bytes is larger than " + MAX_PACKET);
      }
      buf.readerIndex(i + length);
      if (!sink.packet(header, buf, i, length)) {
        return false;
      }
      start = i + length;
    }
    return true;
  }

  /** Length in bytes of the variable byte integer at {@code index} (1-4); -1 if malformed or cut. */
  static int vbiSize(ByteBuf buf, int index, int limit) {
    for (int n = 0; n < 4; n++) {
      if (index + n >= limit) {
        return -1;
      }
      if ((buf.getByte(index + n) & 0x80) == 0) {
        return n + 1;
      }
    }
    return -1;
  }

  /** Value of the variable byte integer at {@code index} (call {@link #vbiSize} first). */
  static int vbiValue(ByteBuf buf, int index) {
    int value = 0;
    int shift = 0;
    for (int n = 0; n < 4; n++) {
      int b = buf.getByte(index + n) & 0xFF;
      value |= (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        break;
      }
      shift += 7;
    }
    return value;
  }

  /** Bytes needed to encode {@code value} as a variable byte integer. */
  static int vbiLength(int value) {
    return value < 128 ? 1 : value < 16_384 ? 2 : value < 2_097_152 ? 3 : 4;
  }

  static void writeVbi(ByteBuf out, int value) {
    do {
      int b = value & 0x7F;
      value >>>= 7;
      out.writeByte(value > 0 ? b | 0x80 : b);
    } while (value > 0);
  }
}
