package io.tributary.router.state;

import io.tributary.commitlog.RecordCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One record of the state log: a kind, a key (client id, topic or {@code $share/...} group) and a
 * value (the encoded session, retained message or group position; empty for a removal or a marker).
 */
record StateRecord(byte kind, String key, byte[] value, long timestamp) {

  static final byte SNAPSHOT_BEGIN = 1;
  static final byte SNAPSHOT_END = 2;
  static final byte SESSION = 3;
  static final byte SESSION_END = 4;
  static final byte RETAINED = 5;
  static final byte RETAINED_CLEAR = 6;
  static final byte GROUP = 7;
  static final byte GROUP_END = 8;

  static final byte[] NONE = new byte[0];

  static StateRecord of(byte kind, String key, byte[] value) {
    return new StateRecord(kind, key, value, System.currentTimeMillis());
  }

  /** Body: kind int8, key uint16 length + UTF-8, value (the rest). */
  static final RecordCodec<StateRecord> CODEC = new RecordCodec<>() {
    @Override
    public int sizeOf(StateRecord r) {
      return 1 + 2 + r.key().getBytes(StandardCharsets.UTF_8).length + r.value().length;
    }

    @Override
    public void write(StateRecord r, ByteBuffer dst) {
      byte[] key = r.key().getBytes(StandardCharsets.UTF_8);
      dst.put(r.kind()).putShort((short) key.length).put(key).put(r.value());
    }

    @Override
    public long timestampOf(StateRecord r) {
      return r.timestamp();
    }

    @Override
    public StateRecord read(ByteBuffer src, int position, int length, long timestamp) {
      byte kind = src.get(position);
      int keyLength = src.getShort(position + 1) & 0xFFFF;
      byte[] key = new byte[keyLength];
      src.get(position + 3, key);
      byte[] value = new byte[length - 3 - keyLength];
      src.get(position + 3 + keyLength, value);
      return new StateRecord(kind, new String(key, StandardCharsets.UTF_8), value, timestamp);
    }
  };
}
