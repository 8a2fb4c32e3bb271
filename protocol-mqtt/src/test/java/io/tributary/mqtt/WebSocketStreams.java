package io.tributary.mqtt;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The client side of a WebSocket (RFC 6455) over a connected socket, as plain streams, so
 * {@link MqttWire} runs over ws:// and wss:// like over TCP: the upgrade with subprotocol
 * {@code mqtt}, each write one masked binary frame, reads the payloads of binary and continuation
 * frames in order, a Close frame the end of the stream.
 */
public final class WebSocketStreams {

  private static final SecureRandom RANDOM = new SecureRandom();

  final InputStream in;
  final OutputStream out;

  private WebSocketStreams(InputStream in, OutputStream out) {
    this.in = in;
    this.out = out;
  }

  /** Upgrades the connected socket at {@code path}; fails unless the answer is 101 with mqtt. */
  static WebSocketStreams upgrade(Socket socket, String host, String path) throws IOException {
    byte[] nonce = new byte[16];
    RANDOM.nextBytes(nonce);
    String request = "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\n"
        + "Connection: Upgrade\r\nSec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
        + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n";
    OutputStream raw = socket.getOutputStream();
    raw.write(request.getBytes(StandardCharsets.US_ASCII));
    raw.flush();
    InputStream rawIn = socket.getInputStream();
    String head = readHead(rawIn);
    if (!head.startsWith("HTTP/1.1 101") || !head.toLowerCase().contains("sec-websocket-protocol: mqtt")) {
      throw new IOException("WebSocket upgrade refused: " + head);
    }
    return new WebSocketStreams(new FrameInput(rawIn, raw), new FrameOutput(raw));
  }

  /** The head of an HTTP response, up to and including the empty line. */
  public static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("closed during the HTTP response head: " + head);
      }
      head.write(b);
      matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
          ? matched + 1 : 0;
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  /** The payloads of the data frames, in order; EOF at a Close frame. PINGs are answered. */
  private static final class FrameInput extends InputStream {
    private final InputStream in;
    private final OutputStream pongs;
    private byte[] payload = new byte[0];
    private int at;
    private boolean closed;

    FrameInput(InputStream in, OutputStream pongs) {
      this.in = in;
      this.pongs = pongs;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      while (at == payload.length) {
        if (closed || !nextFrame()) {
          closed = true;
          return -1;
        }
      }
      int n = Math.min(len, payload.length - at);
      System.arraycopy(payload, at, b, off, n);
      at += n;
      return n;
    }

    /** Reads one frame; false at a Close frame or EOF. */
    private boolean nextFrame() throws IOException {
      int b0 = in.read();
      if (b0 < 0) {
        return false;
      }
      int b1 = readByte();
      long length = b1 & 0x7F;
      if (length == 126) {
        length = (readByte() << 8) | readByte();
      } else if (length == 127) {
        length = 0;
        for (int i = 0; i < 8; i++) {
          length = (length << 8) | readByte();
        }
      }
      byte[] data = in.readNBytes((int) length);
      if (data.length < length) {
        return false;
      }
      int opcode = b0 & 0x0F;
      if (opcode == 0x8) {
        return false;
      }
      if (opcode == 0x9) {
        synchronized (pongs) {
          pongs.write(FrameOutput.frame(0x8A, data, 0, data.length));
          pongs.flush();
        }
        data = new byte[0];
      } else if (opcode == 0xA) {
        data = new byte[0];
      }
      payload = data;
      at = 0;
      return true;
    }

    private int readByte() throws IOException {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("EOF inside a WebSocket frame header");
      }
      return b;
    }
  }

  /** Each write is one masked binary frame (RFC 6455 §5.3: a client masks what it sends). */
  private static final class FrameOutput extends OutputStream {
    private final OutputStream out;

    FrameOutput(OutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      synchronized (out) {
        out.write(frame(0x82, b, off, len));
      }
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }

    static byte[] frame(int firstByte, byte[] b, int off, int len) {
      ByteArrayOutputStream f = new ByteArrayOutputStream(len + 14);
      f.write(firstByte);
      if (len < 126) {
        f.write(0x80 | len);
      } else if (len < 65536) {
        f.write(0x80 | 126);
        f.write(len >>> 8);
        f.write(len);
      } else {
        f.write(0x80 | 127);
        for (int i = 7; i >= 0; i--) {
          f.write((int) ((long) len >>> (8 * i)));
        }
      }
      byte[] mask = new byte[4];
      RANDOM.nextBytes(mask);
      f.write(mask, 0, 4);
      for (int i = 0; i < len; i++) {
        f.write(b[off + i] ^ mask[i & 3]);
      }
      return f.toByteArray();
    }
  }
}
