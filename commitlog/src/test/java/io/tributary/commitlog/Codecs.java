package io.tributary.commitlog;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Record codecs for the log's tests. */
final class Codecs {

  /** A text with the time it was stored. */
  record Text(String text, long timestamp) {
    Text(String text) {
      this(text, System.currentTimeMillis());
    }
  }

  /** Longs as 8-byte bodies, stamped with the current time. */
  static final RecordCodec<Long> LONGS = new RecordCodec<>() {
    @Override
    public int sizeOf(Long value) {
      return Long.BYTES;
    }

    @Override
    public void write(Long value, ByteBuffer dst) {
      dst.putLong(value);
    }

    @Override
    public long timestampOf(Long value) {
      return System.currentTimeMillis();
    }

    @Override
    public Long read(ByteBuffer src, int position, int length, long timestamp) {
      if (length != Long.BYTES) {
        throw new IllegalStateException("length " + length);
      }
      return src.getLong(position);
    }
  };

  /** UTF-8 text bodies with the record's own timestamp. */
  static final RecordCodec<Text> TEXTS = new RecordCodec<>() {
    @Override
    public int sizeOf(Text value) {
      return value.text().getBytes(StandardCharsets.UTF_8).length;
    }

    @Override
    public void write(Text value, ByteBuffer dst) {
      dst.put(value.text().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public long timestampOf(Text value) {
      return value.timestamp();
    }

    @Override
    public Text read(ByteBuffer src, int position, int length, long timestamp) {
      byte[] bytes = new byte[length];
      src.get(position, bytes);
      return new Text(new String(bytes, StandardCharsets.UTF_8), timestamp);
    }
  };

  /** Bytes a record with a body of n bytes takes. */
  static int recordBytes(int body) {
    return RecordFormat.HEADER_BYTES + body;
  }

  private Codecs() {
  }
}
