package io.tributary.bridge;

import io.netty.buffer.Unpooled;
import io.tributary.commitlog.CommitLog;
import io.tributary.mqtt.ForwardedProperties;
import io.tributary.mqtt.codec.Ack;
import io.tributary.mqtt.codec.MqttProperties;
import io.tributary.mqtt.codec.PacketType;
import io.tributary.mqtt.codec.Publish;
import io.tributary.router.counters.BrokerCounters;
import io.tributary.router.counters.BrokerCounters.Counter;
import io.tributary.router.message.Message;
import io.tributary.router.shared.SharedPositions;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The way out of a bridge: reads the log from a position of its own and sends the remote what the
 * out mappings match, at most a window of QoS 1/2 messages unacknowledged. One thread (the bridge's
 * dispatcher).
 *
 * <p>Exactly once at QoS 2, across reconnects and restarts of this broker, rests on three things:
 * a record's packet id follows from its offset ({@code offset % 65535 + 1}), so a record sent again
 * carries the id the remote already knows; the bridge keeps its session on the remote (clean start
 * off), so the remote drops a resent PUBLISH it has received and not yet released; and a record the
 * remote answered with PUBREC is saved as released before the PUBREL goes, so after a restart it
 * gets a PUBREL again, not a PUBLISH. The saved position is the first record not yet complete; it
 * is saved about once a second and when the window empties, and a released record's entry is
 * removed once the saved position passed it. QoS 1 records after the saved position go again after
 * a restart (at least once, as QoS 1 promises).
 */
final class Outbound {

  private static final Logger log = LoggerFactory.getLogger(Outbound.class);
  private static final int READ_RECORDS = 512;
  private static final long SAVE_EVERY_MS = 1_000;
  private static final int[] NO_SUBSCRIPTION_IDS = new int[0];

  /** A QoS 1/2 record sent and not yet complete. */
  private static final class Pending {
    final long offset;
    final int packetId;
    final int qos;
    final String topic;
    final Message message;
    boolean released;

    Pending(long offset, int qos, String topic, Message message, boolean released) {
      this.offset = offset;
      this.packetId = packetId(offset);
      this.qos = qos;
      this.topic = topic;
      this.message = message;
      this.released = released;
    }
  }

  private final String name;
  private final boolean v5;
  private final String origin;
  private final List<TopicMapping> mappings;
  private final CommitLog<Message> commitLog;
  private final SharedPositions positions;
  private final BrokerCounters counters;
  private final String positionKey;
  private final String releasedPrefix;
  private final TreeMap<Long, Pending> window = new TreeMap<>();
  private final Map<Integer, Pending> byId = new HashMap<>();
  /** Records saved as released, by offset: restored ones not read again yet, and live ones. */
  private final Set<Long> released = new HashSet<>();
  /** Next offset to read; read by metrics from any thread. */
  private volatile long position;
  private long saved;
  private long savedAt;
  private long remoteMaxPacket;

  Outbound(String name, List<TopicMapping> mappings, CommitLog<Message> commitLog, SharedPositions positions,
      BrokerCounters counters, boolean v5) {
    this.v5 = v5;
    this.name = name;
    this.origin = Bridge.ORIGIN + name;
    this.mappings = mappings.stream().filter(m -> m.direction().out()).toList();
    this.commitLog = commitLog;
    this.positions = positions;
    this.counters = counters;
    this.positionKey = Bridge.POSITION_PREFIX + name + "/position";
    this.releasedPrefix = Bridge.POSITION_PREFIX + name + "/released/";
    Map<String, Long> restored = positions.restored();
    Long at = restored.get(positionKey);
    position = at != null ? at : commitLog.endOffset();
    saved = position;
    restored.forEach((k, v) -> {
      if (k.startsWith(releasedPrefix) && v >= position) {
        released.add(v);
      } else if (k.startsWith(releasedPrefix)) {
        positions.remove(k);
      }
    });
    if (at == null) {
      positions.save(positionKey, position);
    }
  }

  static int packetId(long offset) {
    return (int) (offset % 65_535) + 1;
  }

  boolean sendsAnything() {
    return !mappings.isEmpty();
  }

  /** Records of the log not yet complete on the remote (the bridge's lag); any thread, approximate. */
  long lag() {
    return Math.max(0, commitLog.endOffset() - position) + window.size();
  }

  /**
   * After a CONNACK: what the remote has not completed goes again, in order. With the session
   * still there, an unanswered PUBLISH goes as a duplicate with its id and a released one as PUBREL;
   * with a new session the remote forgot both, so a released one counts as done (the remote had it)
   * and the rest are sent as new.
   */
  void resend(boolean sessionPresent, Consumer<Object> send) {
    for (Iterator<Pending> it = window.values().iterator(); it.hasNext(); ) {
      Pending p = it.next();
      if (p.released && !sessionPresent) {
        it.remove();
        byId.remove(p.packetId);
        counters.increment(Counter.BRIDGE_MESSAGES_OUT);
      } else if (p.released) {
        send.accept(new Ack(PacketType.PUBREL, p.packetId));
      } else {
        send.accept(publish(p, sessionPresent));
      }
    }
  }

  /**
   * Sends what is ready, up to the window ({@code limit} unacknowledged). Returns true when more is
   * ready now.
   */
  boolean pump(int limit, Consumer<Object> send) {
    long start = commitLog.startOffset();
    if (position < start) {
      log.warn("bridge '{}': {} records were removed by retention before they went out; they are lost to the remote",
          name, start - position);
      counters.add(Counter.RECORDS_LOST_TO_RETENTION, start - position);
      position = start;
    }
    long end = commitLog.endOffset();
    if (position >= end || window.size() >= limit) {
      return false;
    }
    long now = System.currentTimeMillis();
    position = commitLog.read(position, READ_RECORDS, (offset, m) -> {
      TopicMapping mapping = outgoing(m, now);
      if (mapping == null) {
        return true;
      }
      String topic = mapping.remoteOf(m.topic());
      int qos = Math.min(m.qos(), mapping.qos());
      if (tooLarge(topic, m)) {
        return true;
      }
      if (qos == 0) {
        send.accept(new Publish(topic, 0, m.retain(), false, 0, payload(m), properties(m)));
        counters.increment(Counter.BRIDGE_MESSAGES_OUT);
        return true;
      }
      if (window.size() >= limit || byId.containsKey(packetId(offset))) {
        return false; // the window is full, or an old record still holds this one's packet id
      }
      Pending p = new Pending(offset, qos, topic, m, qos == 2 && released.contains(offset));
      window.put(offset, p);
      byId.put(p.packetId, p);
      send.accept(p.released ? new Ack(PacketType.PUBREL, p.packetId) : publish(p, false));
      return true;
    });
    maybeSave(false);
    return position < commitLog.endOffset() && window.size() < limit;
  }

  /**
   * The out mapping that sends a record, or null: records of this broker's clients (or
   * of another bridge), not what came from this bridge's remote, another cluster node, a moved
   * session's queue or {@code $SYS}, not expired, and matching an out mapping.
   */
  private TopicMapping outgoing(Message m, long now) {
    String from = m.origin();
    if (from != null && (!from.startsWith(Bridge.ORIGIN) || from.equals(origin))) {
      return null;
    }
    if (m.topic().startsWith("$") || m.expiresAt() != 0 && m.expiresAt() <= now) {
      return null;
    }
    for (TopicMapping mapping : mappings) {
      if (mapping.sendsOut(m.topic())) {
        return mapping;
      }
    }
    return null;
  }

  /**
   * Whether the record is larger than the remote takes (its CONNACK's Maximum Packet Size): the
   * remote would close the connection on it, again after every reconnect, so it is skipped.
   */
  private boolean tooLarge(String topic, Message m) {
    if (remoteMaxPacket <= 0) {
      return false;
    }
    // PUBLISH: fixed header (at most 5), topic (2 + UTF-8), packet id (2), properties (length, the
    // stored ones, an expiry), payload. The topic's UTF-8 is at most 3 bytes a char: encoded only
    // when that bound does not settle it (nearly every record fits by far).
    long rest = 5 + 2 + 2 + 4 + 5 + (m.properties() == null ? 0 : m.properties().storedLength()) + m.payloadLength();
    if (rest + 3L * topic.length() <= remoteMaxPacket
        || rest + topic.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= remoteMaxPacket) {
      return false;
    }
    log.warn("bridge '{}': a message on '{}' ({} bytes) is larger than the remote takes ({} bytes); not sent", name,
        m.topic(), m.payloadLength(), remoteMaxPacket);
    counters.increment(Counter.DELIVERIES_DROPPED_TOO_LARGE);
    return true;
  }

  /** The remote's Maximum Packet Size from its CONNACK; 0 when it set none. */
  void remoteMaxPacket(long bytes) {
    remoteMaxPacket = bytes;
  }

  private Publish publish(Pending p, boolean dup) {
    return new Publish(p.topic, p.qos, p.message.retain(), dup, p.packetId, payload(p.message),
        properties(p.message));
  }

  /**
   * MQTT 5: what a publisher's PUBLISH carried that travels to subscribers, and the expiry left
   * (as a subscriber here gets them); 3.1.1: none.
   */
  private MqttProperties properties(Message m) {
    return v5 ? ForwardedProperties.outbound(m, NO_SUBSCRIPTION_IDS, 0, System.currentTimeMillis())
        : MqttProperties.EMPTY;
  }

  private static io.netty.buffer.ByteBuf payload(Message m) {
    return Unpooled.wrappedBuffer(m.payloadArray(), m.payloadOffset(), m.payloadLength());
  }

  /** PUBACK: a QoS 1 record is complete. */
  void acked(int packetId) {
    Pending p = byId.get(packetId);
    if (p != null && p.qos == 1) {
      complete(p);
    }
  }

  /**
   * PUBREC: the remote has a QoS 2 record. Returns the PUBREL to send once the saved state is
   * durable, or null (unknown id, or refused: an MQTT 5 reason of 0x80 or more ends the record).
   */
  Ack received(int packetId, int reasonCode) {
    Pending p = byId.get(packetId);
    if (p == null || p.qos != 2) {
      return null;
    }
    if (reasonCode >= 0x80) {
      log.warn("bridge '{}': the remote refused a message on '{}' (reason 0x{})", name, p.topic,
          Integer.toHexString(reasonCode));
      complete(p);
      return null;
    }
    if (!p.released) {
      p.released = true;
      released.add(p.offset);
      positions.save(releasedPrefix + p.offset, p.offset);
    }
    return new Ack(PacketType.PUBREL, packetId);
  }

  /** The log offset of the record sent under packetId, or -1. */
  long offsetOf(int packetId) {
    Pending p = byId.get(packetId);
    return p != null ? p.offset : -1;
  }

  /** PUBCOMP: a QoS 2 record is complete. */
  void completed(int packetId) {
    Pending p = byId.get(packetId);
    if (p != null && p.qos == 2 && p.released) {
      complete(p);
    }
  }

  private void complete(Pending p) {
    window.remove(p.offset);
    byId.remove(p.packetId);
    counters.increment(Counter.BRIDGE_MESSAGES_OUT);
    maybeSave(window.isEmpty());
  }

  /** Saves the first incomplete offset when it moved and a second passed (or now, with force). */
  void maybeSave(boolean force) {
    long first = window.isEmpty() ? position : window.firstKey();
    long now = System.currentTimeMillis();
    if (first == saved || !force && now - savedAt < SAVE_EVERY_MS) {
      return;
    }
    positions.save(positionKey, first);
    saved = first;
    savedAt = now;
    for (Iterator<Long> it = released.iterator(); it.hasNext(); ) {
      long offset = it.next();
      if (offset < first) {
        it.remove();
        positions.remove(releasedPrefix + offset);
      }
    }
  }

  /** Records sent and not yet complete. */
  int inflight() {
    return window.size();
  }
}
