package io.tributary.router.session;

import io.tributary.router.delivery.SubscriptionOptions;
import io.tributary.router.message.Message;
import io.tributary.router.message.MessageCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A persistent session as the state log keeps it: expiry, where it is in the log, its
 * subscriptions (shared ones under their whole {@code $share/{name}/{filter}}), its in-flight deliveries (packet id -> log offset) and the inbound QoS 2 packet
 * ids not yet released. Encoded as one value, rewritten whole on each save.
 *
 * @param savedAt wall-clock ms of the save; the expiry of a session connected then counts from it
 * @param disconnectedAt wall-clock ms the connection ended, 0 while connected
 * @param pendingWill a will waiting out its delay, or null; due at {@code willDueAt} (wall-clock ms)
 */
record SessionSnapshot(long expirySeconds, long savedAt, long disconnectedAt, long position,
    List<Sub> subscriptions, List<OutboundWindow.Saved> inflight, int[] inboundQos2, Message pendingWill,
    long willDueAt) {

  /** 2 added the pending delayed will; 1 (no will) still reads. */
  private static final byte VERSION = 2;

  /** One subscription with its options. */
  record Sub(String filter, int qos, SubscriptionOptions options) {}

  static SessionSnapshot of(long expirySeconds, long now, long disconnectedAt, long position,
      java.util.Collection<io.tributary.router.delivery.Subscription> subscriptions, List<Sub> shared,
      List<OutboundWindow.Saved> inflight, int[] inboundQos2, Message pendingWill, long willDueAt) {
    List<Sub> subs = new ArrayList<>(subscriptions.size() + shared.size());
    for (io.tributary.router.delivery.Subscription s : subscriptions) {
      subs.add(new Sub(s.filter(), s.qos(), s.options()));
    }
    subs.addAll(shared);
    return new SessionSnapshot(expirySeconds, now, disconnectedAt, position, subs, inflight, inboundQos2,
        pendingWill, willDueAt);
  }

  /**
   * What a cluster replicates ({@link SessionMirror}): subscriptions, expiry and disconnect time;
   * no read position, save time, in-flight messages, QoS 2 ids or will, so it changes only when
   * those do.
   */
  SessionSnapshot metadata() {
    return new SessionSnapshot(expirySeconds, 0, disconnectedAt, 0, subscriptions, List.of(), new int[0], null, 0);
  }

  /** When the session expires if nobody reconnects, wall clock; Long.MAX_VALUE for never. */
  long expiresAt() {
    if (expirySeconds == SessionRequest.NEVER_EXPIRES) {
      return Long.MAX_VALUE;
    }
    long from = disconnectedAt != 0 ? disconnectedAt : savedAt;
    return from + expirySeconds * 1000;
  }

  byte[] encode() {
    int size = 1 + 8 + 8 + 8 + 8 + 4;
    List<byte[]> filters = new ArrayList<>(subscriptions.size());
    for (Sub s : subscriptions) {
      byte[] f = s.filter().getBytes(StandardCharsets.UTF_8);
      filters.add(f);
      size += 2 + f.length + 1 + 1 + 1 + 1 + 4;
    }
    size += 4;
    for (OutboundWindow.Saved f : inflight) {
      size += 2 + 8 + 1 + 1 + 1 + 2 + 4 * f.subscriptionIds().length;
    }
    size += 4 + 2 * inboundQos2.length;
    int willSize = pendingWill == null ? 0 : MessageCodec.INSTANCE.sizeOf(pendingWill);
    size += 4 + (pendingWill == null ? 0 : 8 + 8 + willSize);
    ByteBuffer b = ByteBuffer.allocate(size);
    b.put(VERSION).putLong(expirySeconds).putLong(savedAt).putLong(disconnectedAt).putLong(position);
    b.putInt(subscriptions.size());
    for (int i = 0; i < subscriptions.size(); i++) {
      Sub s = subscriptions.get(i);
      byte[] f = filters.get(i);
      SubscriptionOptions o = s.options();
      b.putShort((short) f.length).put(f).put((byte) s.qos()).put((byte) (o.noLocal() ? 1 : 0))
          .put((byte) (o.retainAsPublished() ? 1 : 0)).put((byte) o.retainHandling()).putInt(o.identifier());
    }
    b.putInt(inflight.size());
    for (OutboundWindow.Saved f : inflight) {
      b.putShort((short) f.id()).putLong(f.offset()).put((byte) f.qos()).put((byte) (f.retain() ? 1 : 0))
          .put((byte) (f.released() ? 1 : 0)).putShort((short) f.subscriptionIds().length);
      for (int id : f.subscriptionIds()) {
        b.putInt(id);
      }
    }
    b.putInt(inboundQos2.length);
    for (int id : inboundQos2) {
      b.putShort((short) id);
    }
    if (pendingWill == null) {
      b.putInt(-1);
    } else {
      b.putInt(willSize).putLong(willDueAt).putLong(pendingWill.timestamp());
      MessageCodec.INSTANCE.write(pendingWill, b);
    }
    return b.array();
  }

  static SessionSnapshot decode(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    byte version = b.get();
    if (version != VERSION && version != 1) {
      throw new IllegalArgumentException("session snapshot version " + version + " is not " + VERSION);
    }
    long expiry = b.getLong();
    long savedAt = b.getLong();
    long disconnectedAt = b.getLong();
    long position = b.getLong();
    int n = b.getInt();
    List<Sub> subs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      byte[] f = new byte[b.getShort() & 0xFFFF];
      b.get(f);
      int qos = b.get();
      boolean noLocal = b.get() != 0;
      boolean rap = b.get() != 0;
      int handling = b.get();
      int identifier = b.getInt();
      subs.add(new Sub(new String(f, StandardCharsets.UTF_8), qos,
          new SubscriptionOptions(noLocal, rap, handling, identifier)));
    }
    n = b.getInt();
    List<OutboundWindow.Saved> inflight = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int id = b.getShort() & 0xFFFF;
      long offset = b.getLong();
      int qos = b.get();
      boolean retain = b.get() != 0;
      boolean released = b.get() != 0;
      int[] ids = new int[b.getShort() & 0xFFFF];
      for (int j = 0; j < ids.length; j++) {
        ids[j] = b.getInt();
      }
      inflight.add(new OutboundWindow.Saved(id, offset, qos, retain, released, ids));
    }
    int[] inbound = new int[b.getInt()];
    for (int i = 0; i < inbound.length; i++) {
      inbound[i] = b.getShort() & 0xFFFF;
    }
    Message will = null;
    long dueAt = 0;
    int willSize = version == 1 ? -1 : b.getInt();
    if (willSize >= 0) {
      dueAt = b.getLong();
      long timestamp = b.getLong();
      will = MessageCodec.INSTANCE.read(b, b.position(), willSize, timestamp);
    }
    return new SessionSnapshot(expiry, savedAt, disconnectedAt, position, subs, inflight, inbound, will, dueAt);
  }
}
