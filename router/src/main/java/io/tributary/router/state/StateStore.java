package io.tributary.router.state;

import io.tributary.commitlog.CommitLogOptions;
import io.tributary.commitlog.SegmentedLog;
import io.tributary.commitlog.Storage;
import io.tributary.router.message.Message;
import io.tributary.router.message.MessageCodec;
import io.tributary.router.shared.SharedPositions;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's durable state beside the message log: persistent sessions, retained messages and
 * the log positions of shared-subscription groups, in a compacted state log under {@code {log.dir}/state} (the way Kafka keeps consumer offsets in a
 * compacted topic). Each change appends the key's whole new value (or a removal); the latest value
 * of every key is also kept here, so when the appended bytes grow past a few times the live state,
 * {@link #compact} writes a snapshot (begin marker, every live value, end marker) and deletes the
 * segments before it. Recovery applies the records in order; a snapshot counts only once its end
 * marker is there, so a crash during compaction leaves the earlier records in force.
 *
 * <p>The state log has the message log's storage and flush policy; with {@code storage: memory}
 * nothing is kept ({@link #none()}). Thread-safe: appends and compaction share one lock, off the
 * per-message path (sessions save on subscribe, disconnect, QoS 2 steps and about once a second
 * while acknowledging; retained messages on change).
 */
public class StateStore implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(StateStore.class);
  private static final long MIN_COMPACTION_BYTES = 16L << 20;

  private final SegmentedLog<StateRecord> stateLog;
  private final Map<String, byte[]> sessions = new HashMap<>();
  private final Map<String, byte[]> retained = new LinkedHashMap<>();
  private final Map<String, byte[]> groups = new HashMap<>();
  private long liveBytes;

  /** What the state log held when it was opened. */
  public record Recovered(Map<String, byte[]> sessions, Map<String, RetainedStore.Retained> retained) {
  }

  private static final StateStore NONE = new StateStore(null) {
    @Override
    public void saveSession(String clientId, byte[] state) {
    }

    @Override
    public void endSession(String clientId) {
    }

    @Override
    public void saveRetained(Message message, long offset) {
    }

    @Override
    public Recovered recovered() {
      return new Recovered(Map.of(), Map.of());
    }

    @Override
    public SharedPositions sharedPositions() {
      return SharedPositions.NONE;
    }

    @Override
    public SharedPositions positions(String prefix) {
      return SharedPositions.NONE;
    }

    @Override
    public boolean isDurable() {
      return true;
    }

    @Override
    public void whenDurable(Runnable action) {
      action.run();
    }

    @Override
    public void close() {
    }
  };

  private StateStore(SegmentedLog<StateRecord> stateLog) {
    this.stateLog = stateLog;
  }

  /** Keeps nothing: for an in-memory log. */
  public static StateStore none() {
    return NONE;
  }

  /** The state log beside the message log the options describe; {@link #none()} for memory storage. */
  public static StateStore open(CommitLogOptions messageLog) {
    if (messageLog.getStorage() != Storage.DISK) {
      return NONE;
    }
    CommitLogOptions options = new CommitLogOptions(messageLog)
        .setDir(Path.of(messageLog.getDir(), "state").toString())
        .setSegmentBytes(Math.min(messageLog.getSegmentBytes(), 16L << 20))
        .setRetentionBytes(Long.MAX_VALUE)
        .setRetentionMs(0)
        .setSegmentMs(Long.MAX_VALUE);
    StateStore store = new StateStore(SegmentedLog.open(options, StateRecord.CODEC));
    store.load();
    return store;
  }

  /** Applies the state log in order: a complete snapshot replaces everything before it. */
  private void load() {
    Live live = new Live();
    long next = stateLog.startOffset();
    while (next < stateLog.endOffset()) {
      next = stateLog.read(next, 4096, (offset, rec) -> {
        apply(rec, live);
        return true;
      });
    }
    sessions.putAll(live.sessions);
    retained.putAll(live.retained);
    groups.putAll(live.groups);
    liveBytes = 0;
    sessions.values().forEach(v -> liveBytes += v.length);
    retained.values().forEach(v -> liveBytes += v.length);
    groups.values().forEach(v -> liveBytes += v.length);
    if (stateLog.endOffset() > 0) {
      log.info("state log recovered: {} persistent session(s), {} retained message(s), {} shared group position(s); {}",
          sessions.size(), retained.size(), groups.size(), stateLog.recovery().describe());
    }
  }

  /** The live values by kind, as recovery rebuilds them. */
  private static final class Live {
    final Map<String, byte[]> sessions = new HashMap<>();
    final Map<String, byte[]> retained = new LinkedHashMap<>();
    final Map<String, byte[]> groups = new HashMap<>();

    void replaceBy(Live other) {
      sessions.clear();
      sessions.putAll(other.sessions);
      retained.clear();
      retained.putAll(other.retained);
      groups.clear();
      groups.putAll(other.groups);
    }
  }

  // A snapshot's records go to a scratch copy that replaces the state only at its end marker.
  private Live snapshot;

  private void apply(StateRecord rec, Live live) {
    Live to = snapshot != null ? snapshot : live;
    switch (rec.kind()) {
      case StateRecord.SNAPSHOT_BEGIN -> snapshot = new Live();
      case StateRecord.SNAPSHOT_END -> {
        if (snapshot != null) {
          live.replaceBy(snapshot);
        }
        snapshot = null;
      }
      case StateRecord.SESSION -> to.sessions.put(rec.key(), rec.value());
      case StateRecord.SESSION_END -> to.sessions.remove(rec.key());
      case StateRecord.RETAINED -> to.retained.put(rec.key(), rec.value());
      case StateRecord.RETAINED_CLEAR -> to.retained.remove(rec.key());
      case StateRecord.GROUP -> to.groups.put(rec.key(), rec.value());
      case StateRecord.GROUP_END -> to.groups.remove(rec.key());
      default -> log.warn("state log: skipping a record of unknown kind {}", rec.kind());
    }
  }

  /** The sessions (client id -> encoded state) and retained messages the log held at open. */
  public synchronized Recovered recovered() {
    Map<String, RetainedStore.Retained> messages = new LinkedHashMap<>();
    for (Map.Entry<String, byte[]> e : retained.entrySet()) {
      ByteBuffer b = ByteBuffer.wrap(e.getValue());
      long offset = b.getLong(0);
      Message m = MessageCodec.INSTANCE.read(b, 16, b.capacity() - 16, b.getLong(8));
      messages.put(e.getKey(), new RetainedStore.Retained(m, offset));
    }
    return new Recovered(new HashMap<>(sessions), messages);
  }

  /** Records a persistent session's whole state. */
  public synchronized void saveSession(String clientId, byte[] state) {
    put(sessions, StateRecord.SESSION, clientId, state);
  }

  /** The session ended: it is not restored. */
  public synchronized void endSession(String clientId) {
    if (sessions.containsKey(clientId)) {
      put(sessions, StateRecord.SESSION_END, clientId, null);
    }
  }

  /** Records the retained message of a topic (an empty payload clears it), with its log offset. */
  public synchronized void saveRetained(Message message, long offset) {
    if (message.payloadLength() == 0) {
      if (retained.containsKey(message.topic())) {
        put(retained, StateRecord.RETAINED_CLEAR, message.topic(), null);
      }
      return;
    }
    // offset int64, timestamp int64, then the message as the log stores it
    int size = MessageCodec.INSTANCE.sizeOf(message);
    ByteBuffer b = ByteBuffer.allocate(16 + size).putLong(offset).putLong(message.timestamp());
    MessageCodec.INSTANCE.write(message, b);
    put(retained, StateRecord.RETAINED, message.topic(), b.array());
  }

  /** Where shared-subscription groups keep their positions: in this store (keys {@code $share/...}). */
  public SharedPositions sharedPositions() {
    return positions("$share/");
  }

  /**
   * Log positions under keys starting with prefix, kept in this store: shared groups use
   * {@code $share/}, a cluster node's forwarders {@code cluster/}; each sees only its own.
   */
  public SharedPositions positions(String prefix) {
    return new SharedPositions() {
      @Override
      public Map<String, Long> restored() {
        synchronized (StateStore.this) {
          Map<String, Long> positions = new HashMap<>();
          groups.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
              positions.put(k, ByteBuffer.wrap(v).getLong());
            }
          });
          return positions;
        }
      }

      @Override
      public void save(String key, long offset) {
        synchronized (StateStore.this) {
          put(groups, StateRecord.GROUP, key, ByteBuffer.allocate(8).putLong(offset).array());
        }
      }

      @Override
      public void remove(String key) {
        synchronized (StateStore.this) {
          if (groups.containsKey(key)) {
            put(groups, StateRecord.GROUP_END, key, null);
          }
        }
      }
    };
  }

  private void put(Map<String, byte[]> map, byte kind, String key, byte[] value) {
    byte[] old = value == null ? map.remove(key) : map.put(key, value);
    liveBytes += (value == null ? 0 : value.length) - (old == null ? 0 : old.length);
    stateLog.append(StateRecord.of(kind, key, value == null ? StateRecord.NONE : value));
    if (stateLog.retainedBytes() > Math.max(MIN_COMPACTION_BYTES, 4 * liveBytes)) {
      compact();
    }
  }

  /**
   * Writes a snapshot of the live state and deletes the segments wholly before it. Under the
   * store's lock, so no change interleaves with the snapshot.
   */
  synchronized void compact() {
    stateLog.roll(); // the snapshot starts a segment, so everything before it can go whole
    long begin = stateLog.append(StateRecord.of(StateRecord.SNAPSHOT_BEGIN, "", StateRecord.NONE));
    sessions.forEach((k, v) -> stateLog.append(StateRecord.of(StateRecord.SESSION, k, v)));
    retained.forEach((k, v) -> stateLog.append(StateRecord.of(StateRecord.RETAINED, k, v)));
    groups.forEach((k, v) -> stateLog.append(StateRecord.of(StateRecord.GROUP, k, v)));
    stateLog.append(StateRecord.of(StateRecord.SNAPSHOT_END, "", StateRecord.NONE));
    stateLog.deleteSegmentsBefore(begin);
  }

  /** Whether everything written to the state log so far is as durable as the flush policy promises. */
  public boolean isDurable() {
    long end = stateLog.endOffset();
    return end == 0 || stateLog.isDurable(end - 1);
  }

  /**
   * Runs action (on the state log's flusher, or here) once everything written to the state log so
   * far is as durable as the flush policy promises.
   */
  public void whenDurable(Runnable action) {
    long end = stateLog.endOffset();
    if (end == 0) {
      action.run();
    } else {
      stateLog.whenDurable(end - 1, action);
    }
  }

  /** Bytes the state log holds now (for tests and metrics). */
  public long logBytes() {
    return stateLog.retainedBytes();
  }

  @Override
  public synchronized void close() {
    stateLog.close();
  }
}
