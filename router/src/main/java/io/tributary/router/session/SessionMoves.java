package io.tributary.router.session;

import io.tributary.commitlog.CommitLog;
import io.tributary.router.logging.LogSafe;
import io.tributary.router.message.Message;
import io.tributary.router.shared.SharedGroup;
import io.tributary.router.topic.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session moving between cluster nodes, both ends: what leaves (its state and the messages it
 * has not had, from this node's log) and what arrives (the messages appended to the new node's log
 * for that session alone, the state moved onto their offsets). {@link SessionRegistry} claims and
 * ends the sessions around it.
 */
final class SessionMoves {

  private static final Logger LOG = LoggerFactory.getLogger(SessionMoves.class);

  /** The most queued messages a session takes along to another node; older ones past it stay behind. */
  static final int MAX_RECORDS = 100_000;

  private SessionMoves() {
  }

  /**
   * The session's state and queue: its in-flight records, then what its subscriptions (not shared
   * ones: groups are per node) match from its read position on. The session is claimed (offline).
   */
  static SessionRegistry.Handoff export(Session session, CommitLog<Message> log) {
    String clientId = session.clientId();
    SessionSnapshot snapshot = session.snapshot(System.currentTimeMillis());
    TreeMap<Long, Message> records = new TreeMap<>();
    for (OutboundWindow.Saved f : snapshot.inflight()) {
      Message m = log.get(f.offset());
      if (m != null) {
        records.put(f.offset(), m);
      }
    }
    long end = log.endOffset();
    long from = Math.max(snapshot.position(), log.startOffset());
    while (from < end && records.size() < MAX_RECORDS) {
      from = log.read(from, 4096, (at, m) -> {
        if (at >= end || records.size() >= MAX_RECORDS) {
          return false;
        }
        if (m.visibleTo(clientId) && !m.isExpired() && matchesAny(snapshot, m, clientId)) {
          records.put(at, m);
        }
        return true;
      });
    }
    if (from < end) {
      LOG.warn("client {}: its session moves to another node with its first {} queued messages; the {} records "
          + "after offset {} stay behind", LogSafe.text(clientId), MAX_RECORDS, end - from, from);
    }
    long[] offsets = records.keySet().stream().mapToLong(Long::longValue).toArray();
    return new SessionRegistry.Handoff(snapshot.encode(), offsets, new ArrayList<>(records.values()));
  }

  private static boolean matchesAny(SessionSnapshot snapshot, Message m, String clientId) {
    for (SessionSnapshot.Sub s : snapshot.subscriptions()) {
      if (SharedGroup.parse(s.filter()) == null && Topics.matches(s.filter(), m.topic())
          && !(s.options().noLocal() && clientId.equals(m.publisherId()))) {
        return true;
      }
    }
    return false;
  }

  /** A moved session's state for the new node, and since when it wants records stored elsewhere. */
  record Arrival(byte[] state, long since) {}

  /**
   * Appends the queue to this log for the session alone (origin {@code handoff:clientId}, see
   * {@link Message#visibleTo}) and returns its state with the read position and in-flight
   * deliveries moved onto the new offsets.
   */
  static Arrival arrive(CommitLog<Message> log, String clientId, SessionRegistry.Handoff handoff) {
    List<Message> marked = new ArrayList<>(handoff.messages().size());
    for (Message m : handoff.messages()) {
      marked.add(m.withOrigin(Message.HANDOFF + clientId));
    }
    long first = marked.isEmpty() ? log.endOffset() : log.appendAll(marked);
    long after = first + marked.size();
    SessionSnapshot s = SessionSnapshot.decode(handoff.state());
    long[] old = handoff.offsets();
    long position = after;
    for (int i = 0; i < old.length; i++) {
      if (old[i] >= s.position()) {
        position = first + i;
        break;
      }
    }
    List<OutboundWindow.Saved> inflight = new ArrayList<>(s.inflight().size());
    for (OutboundWindow.Saved f : s.inflight()) {
      int i = java.util.Arrays.binarySearch(old, f.offset());
      inflight.add(new OutboundWindow.Saved(f.id(), i >= 0 ? first + i : -1, f.qos(), f.retain(), f.released(),
          f.subscriptionIds()));
    }
    SessionSnapshot moved = new SessionSnapshot(s.expirySeconds(), s.savedAt(), s.disconnectedAt(), position,
        s.subscriptions(), inflight, s.inboundQos2(), s.pendingWill(), s.willDueAt());
    return new Arrival(moved.encode(), s.savedAt());
  }
}
