package io.tributary.tcp;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.List;

/**
 * Cuts a device's byte stream into frames. One instance per connection, used on its event loop.
 *
 * <p>Memory is bounded by the largest frame the framing accepts: a partial frame is kept until
 * its end arrives, and a frame that cannot fit (a line over {@code maxLineLength}, a length
 * prefix over {@code maxFrameSize}) is reported as an error before more than that is held. The
 * bytes of a bad frame are never handed out.
 *
 * <p>Empty frames (an empty line, a length prefix of 0) carry nothing and are skipped: devices may
 * send them as keep-alives.
 */
final class FrameDecoder {

  private final RawTcpOptions.Framing framing;
  private final int maxFrame;
  private final int prefixBytes;
  private final int fixedSize;

  // lines: bytes of the current line so far (including a trailing '\r', hence max + 1)
  private byte[] line;
  private int lineLength;

  // length-prefixed and fixed
  private long header;
  private int headerRead;
  private byte[] body;
  private int bodyRead;

  FrameDecoder(RawTcpOptions options) {
    this.framing = options.getFraming();
    this.maxFrame = options.effectiveMaxFrame();
    this.prefixBytes = options.getPrefix().bytes();
    this.fixedSize = options.getFrameSize();
    this.line = new byte[Math.min(maxFrame + 1, 256)];
  }

  /**
   * Decodes what {@code in} holds (reading it completely unless an error stops it) and adds the
   * complete frames to {@code out}. Returns null, or the reason the stream is bad: the frames
   * added before the bad one are good, nothing of the bad one is added.
   */
  String decode(ByteBuf in, List<byte[]> out) {
    switch (framing) {
      case LINES:
        return lines(in, out);
      case FIXED:
        return fixed(in, out);
      default:
        return lengthPrefixed(in, out);
    }
  }

  /** Bytes held for an incomplete frame (bounded by the largest frame plus its framing). */
  int pendingBytes() {
    switch (framing) {
      case LINES:
        return lineLength;
      default:
        return headerRead + bodyRead;
    }
  }

  private String lines(ByteBuf in, List<byte[]> out) {
    while (in.isReadable()) {
      int start = in.readerIndex();
      int nl = in.indexOf(start, in.writerIndex(), (byte) '\n');
      int segment = (nl < 0 ? in.writerIndex() : nl) - start;
      // A line may end with "\r\n": its '\r' is not counted, so max + 1 bytes may be held.
      if ((long) lineLength + segment > (long) maxFrame + 1) {
        lineLength = 0;
        return "line longer than maxLineLength " + maxFrame + " bytes";
      }
      if (nl < 0) {
        append(in, segment);
        if (lineLength > maxFrame && line[maxFrame] != '\r') {
          lineLength = 0; // max + 1 bytes held are only possible as a full line and its '\r'
          return "line longer than maxLineLength " + maxFrame + " bytes";
        }
        return null;
      }
      byte[] frame;
      int length = lineLength + segment;
      boolean cr = length > 0 && (segment > 0 ? in.getByte(nl - 1) == '\r' : line[lineLength - 1] == '\r');
      int payload = cr ? length - 1 : length;
      if (payload > maxFrame) {
        lineLength = 0;
        return "line longer than maxLineLength " + maxFrame + " bytes";
      }
      frame = new byte[payload];
      int fromHeld = Math.min(lineLength, payload);
      System.arraycopy(line, 0, frame, 0, fromHeld);
      in.getBytes(start, frame, fromHeld, payload - fromHeld);
      in.readerIndex(nl + 1);
      lineLength = 0;
      if (payload > 0) {
        out.add(frame);
      }
    }
    return null;
  }

  private void append(ByteBuf in, int n) {
    if (lineLength + n > line.length) {
      line = Arrays.copyOf(line, Math.min(maxFrame + 1, Math.max(lineLength + n, line.length * 2)));
    }
    in.readBytes(line, lineLength, n);
    lineLength += n;
  }

  private String lengthPrefixed(ByteBuf in, List<byte[]> out) {
    while (in.isReadable()) {
      if (body == null) {
        while (headerRead < prefixBytes && in.isReadable()) {
          header = (header << 8) | in.readUnsignedByte();
          headerRead++;
        }
        if (headerRead < prefixBytes) {
          return null;
        }
        long length = header;
        header = 0;
        headerRead = 0;
        if (length > maxFrame) {
          return "length prefix " + length + " over maxFrameSize " + maxFrame;
        }
        if (length == 0) {
          continue; // an empty frame: keep-alive
        }
        body = new byte[(int) length];
        bodyRead = 0;
      }
      if (readBody(in)) {
        out.add(body);
        body = null;
        bodyRead = 0;
      }
    }
    return null;
  }

  private String fixed(ByteBuf in, List<byte[]> out) {
    while (in.isReadable()) {
      if (body == null) {
        body = new byte[fixedSize];
        bodyRead = 0;
      }
      if (readBody(in)) {
        out.add(body);
        body = null;
        bodyRead = 0;
      }
    }
    return null;
  }

  /** Fills body from in; true when it is complete. */
  private boolean readBody(ByteBuf in) {
    int n = Math.min(body.length - bodyRead, in.readableBytes());
    in.readBytes(body, bodyRead, n);
    bodyRead += n;
    return bodyRead == body.length;
  }
}
