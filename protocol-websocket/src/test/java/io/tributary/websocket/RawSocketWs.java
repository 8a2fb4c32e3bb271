package io.tributary.websocket;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A WebSocket client on a plain socket, for what well-behaved clients cannot do: frames with RSV
 * bits, floods of pings it never reads the answers to, reading the raw frames that come back.
 */
final class RawSocketWs implements AutoCloseable {

  /** A frame as received (server frames are not masked). */
  record Frame(boolean fin, int rsv, int opcode, byte[] payload) {
    int closeStatus() {
      return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : -1;
    }
  }

  final Socket socket;
  final OutputStream out;
  final DataInputStream in;

  RawSocketWs(int port, int soTimeoutMs) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(soTimeoutMs);
    out = socket.getOutputStream();
    in = new DataInputStream(socket.getInputStream());
    String request = "GET /mqtt HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
        + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n";
    out.write(request.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    String head = io.tributary.mqtt.WebSocketStreams.readHead(in);
    if (!head.startsWith("HTTP/1.1 101")) {
      throw new IOException("upgrade refused: " + head);
    }
  }

  /** One client frame (masked with a zero key, which RFC 6455 allows). */
  static byte[] frame(int firstByte, byte[] payload) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(firstByte);
    if (payload.length < 126) {
      b.write(0x80 | payload.length);
    } else {
      b.write(0x80 | 126);
      b.write(payload.length >> 8);
      b.write(payload.length & 0xFF);
    }
    b.write(0);
    b.write(0);
    b.write(0);
    b.write(0);
    b.write(payload, 0, payload.length);
    return b.toByteArray();
  }

  static byte[] binary(byte[] payload) {
    return frame(0x82, payload);
  }

  void send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** The next frame, or null at end of stream. */
  Frame read() throws IOException {
    int b0 = in.read();
    if (b0 < 0) {
      return null;
    }
    int b1 = in.readUnsignedByte();
    long len = b1 & 0x7F;
    if (len == 126) {
      len = in.readUnsignedShort();
    } else if (len == 127) {
      len = in.readLong();
    }
    byte[] payload = new byte[(int) len];
    in.readFully(payload);
    return new Frame((b0 & 0x80) != 0, (b0 >> 4) & 0x7, b0 & 0x0F, payload);
  }

  /** Frames until the server closes the TCP connection (the last one should be its Close). */
  java.util.List<Frame> readUntilEof() throws IOException {
    java.util.List<Frame> frames = new java.util.ArrayList<>();
    try {
      Frame f;
      while ((f = read()) != null) {
        frames.add(f);
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the broker did not close the connection; frames so far: " + frames.size(), e);
    }
    return frames;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
