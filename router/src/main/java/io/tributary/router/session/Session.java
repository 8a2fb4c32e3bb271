package io.tributary.router.session;

import io.tributary.router.counters.BrokerCounters.Counter;
import io.tributary.router.delivery.Dispatcher;
import io.tributary.router.delivery.Subscription;
import io.tributary.router.delivery.SubscriptionOptions;
import io.tributary.router.message.Message;
import io.tributary.router.security.ClientAccess;
import io.tributary.router.shared.SharedGroup;
import io.tributary.router.state.RetainedStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The broker-side state of one client id: its lifecycle (attach, detach, takeover, expiry, will)
 * and its subscriptions. The rest is in its parts: the {@link OutboundWindow} (deliveries in
 * flight), {@link InboundQos2}, the {@link DeliveryCursor} (where it is in the log) and its
 * {@link SharedMemberships}.
 *
 * <p>A session is touched only on the thread of its owning {@link Dispatcher}; while offline it has
 * no owner and a connecting dispatcher claims it ({@link SessionRegistry#connect}).
 */
public final class Session {

  private final SessionRegistry registry;
  private final String clientId;
  private final AtomicReference<Dispatcher> owner = new AtomicReference<>();
  private final OutboundWindow window;
  private final InboundQos2 inboundQos2 = new InboundQos2();
  private final DeliveryCursor cursor;
  private final SharedMemberships shared;
  private final SubscriptionBackfill backfill;
  private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();

  private Dispatcher dispatcher;
  private ClientLink link;
  /** What the attached connection may read; deliveries of topics it may not are skipped. */
  private ClientAccess access = ClientAccess.OPEN;
  private Message will;
  private long willDelaySeconds;
  private long expirySeconds;
  private boolean hasState;
  /** Bumped on every attach, so an expiry timer set at an earlier detach knows it is stale. */
  private long generation;
  /** A will waiting out its delay; taken (and so published at most once) by timer or session end. */
  private final AtomicReference<Message> pendingWill = new AtomicReference<>();
  /** Wall-clock ms the pending will is due, for the state log. */
  private long pendingWillDueAt;
  /** Wall-clock ms the last connection ended, 0 while connected: the expiry counts from it. */
  private long disconnectedAt;
  /** Wall-clock ms of the last save to the state log (acknowledgements save at most once a second). */
  private long savedAt;
  /** The metadata last given to the session mirror (owner thread), or null. */
  private byte[] mirrored;
  private static final long SAVE_INTERVAL_MS = 1000;

  Session(SessionRegistry registry, String clientId) {
    this.registry = registry;
    this.clientId = clientId;
    this.window = new OutboundWindow(registry.options().maxInflight(), registry.counters());
    this.cursor = new DeliveryCursor(this, registry.log(), window, registry.counters(),
        registry.options().drainBatch());
    this.shared = new SharedMemberships(registry.sharedGroups(), window, this);
    this.backfill = new SubscriptionBackfill(this, registry, cursor);
    window.beforeExactlyOnceSend(this::save);
  }

  public String clientId() {
    return clientId;
  }

  /** Whether the session outlives its connection. */
  public boolean isPersistent() {
    return expirySeconds != 0;
  }

  /**
   * The client changed its session expiry on disconnect (MQTT 5). Takes effect when the
   * connection ends, which follows.
   */
  public void setExpirySeconds(long seconds) {
    this.expirySeconds = seconds;
  }

  /** What the connection attached to this session may touch (open while offline: nothing is delivered). */
  public ClientAccess access() {
    return access;
  }

  /** Number of unacknowledged outbound QoS 1/2 messages. */
  public int inflightCount() {
    return window.size();
  }

  public Collection<Subscription> subscriptions() {
    return subscriptions.values();
  }

  // ---- ownership (registry) ------------------------------------------------------------------

  Dispatcher owner() {
    return owner.get();
  }

  boolean isOwnedBy(Dispatcher d) {
    return owner.get() == d;
  }

  boolean claim(Dispatcher expected, Dispatcher claimer) {
    return owner.compareAndSet(expected, claimer);
  }

  void setOwner(Dispatcher d) {
    owner.set(d);
  }

  long generation() {
    return generation;
  }

  /** Takes the delayed will (at most once), or null. */
  Message takePendingWill() {
    return pendingWill.getAndSet(null);
  }

  boolean takePendingWill(Message expected) {
    return pendingWill.compareAndSet(expected, null);
  }

  long unreportedRetentionLoss(long start) {
    return cursor.unreportedRetentionLoss(start);
  }

  // ---- connection lifecycle (owner thread) -------------------------------------------------

  /** Binds a connection on dispatcher. Returns whether earlier session state was kept. */
  boolean attach(Dispatcher dispatcher, SessionRequest request) {
    this.dispatcher = dispatcher;
    generation++;
    // A connection to this session within the will delay cancels that will (MQTT-3.1.3-9), but
    // only a Clean Start 0 one: Clean Start 1 ends the old session, and a will goes out at the
    // latest when its session ends (MQTT 5 3.1.2.5).
    Message delayedWill = pendingWill.getAndSet(null);
    if (delayedWill != null && request.cleanStart()) {
      registry.publishWill(delayedWill);
    }
    registry.counters().increment(Counter.CONNECTS_ACCEPTED);
    boolean present = !request.cleanStart() && hasState;
    if (!present) {
      dropState();
    }
    cursor.attach(dispatcher, !present);
    hasState = true;
    expirySeconds = request.expirySeconds();
    dispatcher.attach(cursor);
    this.link = request.link();
    this.access = request.access();
    this.will = request.will();
    this.willDelaySeconds = request.willDelaySeconds();
    if (will != null) {
      registry.wills().keep(clientId, will, willDelaySeconds);
    }
    for (Subscription sub : subscriptions.values()) {
      dispatcher.addSubscription(sub);
    }
    window.attach(link, request.receiveMaximum()); // before the memberships: they take its window
    shared.attach(dispatcher);
    cursor.resume();
    disconnectedAt = 0;
    save(); // a delayed will this connection cancelled must not come back after a restart
    return present;
  }

  /**
   * The connection ended. {@code sendWill} is true for any end but a normal disconnect: the will
   * is then published, after its delay if it has one, and at the latest when the session ends.
   */
  public void disconnect(ClientLink from, boolean sendWill) {
    if (link == null || link != from) {
      return; // already detached, e.g. taken over
    }
    registry.counters().increment(sendWill ? Counter.CONNECTIONS_LOST : Counter.DISCONNECTS_BY_CLIENT);
    detach(sendWill ? will : null, willDelaySeconds);
  }

  /**
   * An operator disconnects the client (owner thread): the session lets go of the connection as if
   * it had dropped (the will is due: the client sent no DISCONNECT), then the connection is closed.
   * With {@code end} the session ends too, whatever its expiry. Returns false if it was offline.
   */
  boolean evict(boolean end) {
    ClientLink old = link;
    if (old == null) {
      return false;
    }
    if (end) {
      expirySeconds = 0;
    }
    registry.counters().increment(Counter.CLIENTS_EVICTED);
    detach(will, willDelaySeconds);
    old.closedByAdmin();
    return true;
  }

  /** What the admin API shows of this session; on the owner thread, or offline (nothing moves). */
  SessionInfo info(long logEnd) {
    List<SessionInfo.SubscriptionInfo> subs = new ArrayList<>(subscriptions.size());
    for (Subscription s : subscriptions.values()) {
      SubscriptionOptions o = s.options();
      subs.add(new SessionInfo.SubscriptionInfo(s.filter(), s.qos(), o.noLocal(), o.retainAsPublished(),
          o.retainHandling(), o.identifier()));
    }
    long position = cursor.readPosition();
    // A session that subscribes to nothing reads nothing: it is behind on nothing (its position
    // only moves when its dispatcher drains for someone else).
    long lag = subscriptions.isEmpty() && shared.count() == 0 ? 0 : Math.max(0, logEnd - position);
    ClientLink l = link;
    return new SessionInfo(clientId, l == null ? null : l.details(), isPersistent(), expirySeconds, disconnectedAt,
        subs, shared.count(), window.size(), inboundQos2.count(), position, lag);
  }

  /** Called on the owner thread when another connection claims this client id. */
  void takeOver() {
    ClientLink old = link;
    if (old == null) {
      return;
    }
    // The old connection ends without a DISCONNECT of its own, so its will is due (after its
    // delay; the new connection, if it keeps the session, cancels a delayed one).
    registry.counters().increment(Counter.SESSIONS_TAKEN_OVER);
    detach(will, willDelaySeconds);
    old.takenOver();
  }

  private void detach(Message dueWill, long willDelay) {
    if (will != null) {
      registry.wills().drop(clientId);
    }
    cursor.detach();
    for (Subscription sub : subscriptions.values()) {
      dispatcher.removeSubscription(sub);
    }
    shared.detach();
    window.detach();
    dispatcher.detach(cursor);
    link = null;
    access = ClientAccess.OPEN;
    will = null;
    Dispatcher previous = dispatcher;
    dispatcher = null;
    if (expirySeconds == 0) {
      // Leave the registry before giving up ownership, so a connect that claims this object
      // afterwards sees it is gone and starts a fresh one.
      end();
      if (dueWill != null) {
        registry.publishWill(dueWill); // the session ends now, so a delayed will is due now too
      }
      owner.compareAndSet(previous, null);
      return;
    }
    if (dueWill != null) {
      if (willDelay == 0) {
        registry.publishWill(dueWill);
      } else {
        long delay = Math.min(willDelay, expirySeconds);
        pendingWill.set(dueWill);
        pendingWillDueAt = System.currentTimeMillis() + delay * 1000;
        registry.publishWillLater(this, dueWill, delay);
      }
    }
    disconnectedAt = System.currentTimeMillis();
    save(disconnectedAt);
    long expiringGeneration = generation;
    owner.compareAndSet(previous, null);
    if (expirySeconds != SessionRequest.NEVER_EXPIRES) {
      registry.expireLater(this, expiringGeneration, expirySeconds);
    }
  }

  /** The session ends: out of the registry and the subscription index; its state is dropped. */
  void end() {
    registry.forget(this);
    registry.state().endSession(clientId);
    if (mirrored != null) {
      registry.mirror().ended(clientId);
      mirrored = null;
    }
    dropState();
    hasState = false;
  }

  private void dropState() {
    shared.drop();
    for (Subscription sub : subscriptions.values()) {
      registry.index().remove(sub.filter());
    }
    subscriptions.clear();
    cursor.clear();
    window.clear();
    inboundQos2.clear();
  }

  // ---- subscriptions (owner thread) --------------------------------------------------------

  /**
   * Adds or replaces a subscription. It takes effect from the session's read position in the log;
   * before anything newer it gets what {@link SubscriptionBackfill} finds: the retained messages
   * and lookback records, or, with a replay, the history from its start. Returns whether the filter
   * was already subscribed (and is now replaced).
   */
  public boolean subscribe(String filter, int qos, SubscriptionOptions options, Replay.Start replay) {
    boolean hadNone = subscriptions.isEmpty();
    Subscription sub = new Subscription(cursor, filter, qos, options);
    Subscription old = subscriptions.put(filter, sub);
    cursor.subscriptionsChanged();
    // Add the new one before removing the old: were the dispatcher's trie empty in between, it
    // would jump its cursor to the log's end and skip records published under the old
    // subscription but not yet dispatched (MQTT-3.8.4-3: replacing must not interrupt the flow).
    dispatcher.addSubscription(sub);
    if (old != null) {
      dispatcher.removeSubscription(old);
    } else {
      registry.index().add(filter);
    }
    if (hadNone) {
      cursor.skipToDispatcher(); // nothing before this point can match: do not scan old records
    }
    backfill.newSubscription(sub, old != null, replay);
    save();
    return old != null;
  }

  public boolean subscribe(String filter, int qos, SubscriptionOptions options) {
    return subscribe(filter, qos, options, null);
  }

  /** Where a replay would start now (see {@link Replay#start}). */
  public Replay.Start replayStart(Replay replay) {
    return replay.start(registry.log(), System.currentTimeMillis());
  }

  /** MQTT 3.1.1 subscribe: default options. */
  public boolean subscribe(String filter, int qos) {
    return subscribe(filter, qos, SubscriptionOptions.DEFAULT);
  }

  /**
   * Whether one more subscription to filter would pass {@code limits.maxSubscriptionsPerClient}
   * (replacing one it holds never does; {@code shared}: the whole {@code $share/...} key).
   */
  public boolean atSubscriptionLimit(String filterOrSharedKey) {
    return subscriptions.size() + shared.count() >= registry.options().maxSubscriptions()
        && !subscriptions.containsKey(filterOrSharedKey) && !shared.holds(filterOrSharedKey);
  }

  /** Returns whether the filter was subscribed. */
  public boolean unsubscribe(String filter) {
    Subscription sub = subscriptions.remove(filter);
    cursor.subscriptionsChanged();
    if (sub == null) {
      boolean was = shared.unsubscribe(filter);
      if (was) {
        save();
      }
      return was;
    }
    dispatcher.removeSubscription(sub);
    registry.index().remove(filter);
    save();
    return true;
  }

  /**
   * Adds or replaces the MQTT 5 shared subscription {@code $share/{shareName}/{filter}} (both
   * already validated, see {@link SharedGroup#parse}). No retained messages are sent for it
   * (MQTT 5 §4.8.2). Returns whether it was already subscribed (and is now replaced).
   */
  public boolean subscribeShared(String shareName, String filter, int qos, SubscriptionOptions options) {
    boolean replaced = shared.subscribe(dispatcher, shareName, filter, qos, options);
    save();
    return replaced;
  }

  /** Number of shared subscriptions the session holds. */
  public int sharedSubscriptionCount() {
    return shared.count();
  }

  // ---- inbound QoS 2 (owner thread) --------------------------------------------------------

  /**
   * A QoS 2 PUBLISH arrived. Returns true if it is new and must be published, false if it is a
   * resend of one already received and not yet released (exactly once: not delivered twice).
   */
  public boolean receiveQos2(int packetId) {
    return inboundQos2.receive(packetId);
  }

  /** Inbound QoS 2 messages received and not yet released by PUBREL. */
  public int inboundQos2Count() {
    return inboundQos2.count();
  }

  public boolean hasInboundQos2(int packetId) {
    return inboundQos2.contains(packetId);
  }

  /**
   * The QoS 2 message with this packet id is in the log: the id is saved as received before the
   * PUBREC, so a resend after a restart is not published twice.
   */
  public void qos2Stored(int packetId) {
    save();
  }

  /** PUBREL arrived: the packet id may be reused by the client (saved before the PUBCOMP says so). */
  public void releaseQos2(int packetId) {
    inboundQos2.release(packetId);
    save();
  }

  // ---- acknowledgements of outbound deliveries (owner thread) -------------------------------

  /**
   * An at-least-once (QoS 1) delivery is done: the client acknowledged it (MQTT PUBACK), or, for a
   * link without acknowledgements of its own, its bytes were written. False for an unknown id.
   */
  public boolean acknowledge(int deliveryId) {
    return freed(window.acknowledge(deliveryId));
  }

  /** The client received an exactly-once delivery (MQTT PUBREC): its id is released. */
  public boolean received(int deliveryId) {
    boolean known = window.received(deliveryId);
    if (known) {
      save(); // before the PUBREL: after a restart the broker resends PUBREL, not the message
    }
    return known;
  }

  /**
   * The client refused an exactly-once delivery before its release (MQTT 5 PUBREC with a reason
   * code of 0x80 or more, MQTT-3.3.4-9, 4.3.3): the slot is free again. False for an unknown id.
   */
  public boolean refused(int deliveryId) {
    return freed(window.refused(deliveryId));
  }

  /** An exactly-once delivery is complete (MQTT PUBCOMP). False for an unknown id. */
  public boolean completed(int deliveryId) {
    return freed(window.completed(deliveryId));
  }

  private boolean freed(boolean known) {
    if (known) {
      if (expirySeconds != 0) {
        long now = System.currentTimeMillis();
        if (now - savedAt >= SAVE_INTERVAL_MS) {
          save(now); // a crash resends at most about a second of acknowledged QoS 1 deliveries
        }
      }
      if (shared.hasPending()) {
        shared.pump(); // the window has room again, whichever subscription freed it
      }
      cursor.resumeSoon();
    }
    return known;
  }

  /** The connection's write queue drained: take from the log again. */
  public void writable() {
    shared.pump();
    cursor.resumeSoon();
  }

  // ---- durability (owner thread) ------------------------------------------------------------

  /** Saves this session now; the owner's thread, or whoever claimed the session while offline. */
  void save() {
    save(System.currentTimeMillis());
  }

  /** Writes this session's whole state to the state log, if it outlives its connection. */
  private void save(long now) {
    if (expirySeconds == 0 || !hasState) {
      return;
    }
    savedAt = now;
    SessionSnapshot snapshot = snapshot(now);
    registry.state().saveSession(clientId, snapshot.encode());
    SessionMirror mirror = registry.mirror();
    if (mirror != SessionMirror.NONE) {
      byte[] metadata = snapshot.metadata().encode();
      if (!java.util.Arrays.equals(metadata, mirrored)) { // only changes travel, not each acknowledgement's save
        mirrored = metadata;
        mirror.saved(clientId, metadata);
      }
    }
  }

  /** This session's whole state as of now; the owner's thread, or whoever claimed it while offline. */
  SessionSnapshot snapshot(long now) {
    Message due = pendingWill.get();
    return SessionSnapshot.of(expirySeconds, now, disconnectedAt, cursor.readPosition(), subscriptions.values(),
        shared.saved(), window.saved(), inboundQos2.ids(), due, due == null ? 0 : pendingWillDueAt);
  }

  /**
   * Takes the state a snapshot saved (the session is offline; attach resumes it). Returns the
   * in-flight deliveries that could not come back because retention removed their records.
   * {@code since}: from when its subscriptions want records stored elsewhere (see
   * {@code SubscriptionIndex.FilterListener}).
   */
  long restore(SessionSnapshot snapshot, long since) {
    expirySeconds = snapshot.expirySeconds();
    hasState = true;
    savedAt = snapshot.savedAt();
    for (SessionSnapshot.Sub s : snapshot.subscriptions()) {
      String[] sharedFilter = SharedGroup.parse(s.filter());
      if (sharedFilter != null) {
        shared.restore(sharedFilter[0], sharedFilter[1], s.qos(), s.options());
        continue;
      }
      subscriptions.put(s.filter(), new Subscription(cursor, s.filter(), s.qos(), s.options()));
      registry.index().add(s.filter(), since);
    }
    // Never past the log's end: were the message log older than the state (files removed by
    // hand), the session would otherwise skip everything up to its old position.
    cursor.restore(Math.min(snapshot.position(), registry.log().endOffset()));
    inboundQos2.restore(snapshot.inboundQos2());
    // Connected when the broker went down: the connection ended then, about when last saved.
    disconnectedAt = snapshot.disconnectedAt() != 0 ? snapshot.disconnectedAt() : snapshot.savedAt();
    if (snapshot.pendingWill() != null) {
      pendingWill.set(snapshot.pendingWill());
      pendingWillDueAt = snapshot.willDueAt();
    }
    return window.restore(snapshot.inflight(), registry.log());
  }

  @Override
  public String toString() {
    return "Session{" + clientId + "}";
  }
}
