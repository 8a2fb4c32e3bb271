package io.tributary.router;

import io.tributary.commitlog.CommitLog;
import io.tributary.commitlog.SegmentedLog;
import io.tributary.router.counters.BrokerCounters;
import io.tributary.router.counters.BrokerCounters.Counter;
import io.tributary.router.counters.Traffic;
import io.tributary.router.delivery.Dispatcher;
import io.tributary.router.message.Message;
import io.tributary.router.message.MessageCodec;
import io.tributary.router.security.Authorizer;
import io.tributary.router.session.Session;
import io.tributary.router.session.SessionInfo;
import io.tributary.router.session.SessionRegistry;
import io.tributary.router.session.SessionRequest;
import io.tributary.router.session.SessionSettings;
import io.tributary.router.shared.SharedGroup;
import io.tributary.router.shared.SharedGroups;
import io.tributary.router.state.RetainedStore;
import io.tributary.router.state.StateStore;
import io.tributary.router.topic.SubscriptionIndex;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import org.slf4j.LoggerFactory;

/**
 * The protocol-neutral broker, the facade adapters call: one shared commit log, the retained
 * store, the session registry and one {@link Dispatcher} per event loop. Adapters call
 * {@link #publish} and {@link #connect}; they know nothing of each other.
 */
public final class Broker implements AutoCloseable {

  private final RouterOptions options;
  private final CommitLog<Message> log;
  private final RetainedStore retained = new RetainedStore();
  private final List<Dispatcher> dispatchers = new CopyOnWriteArrayList<>();
  private final SubscriptionIndex index = new SubscriptionIndex();
  private final BrokerCounters counters = new BrokerCounters();
  private final SharedGroups sharedGroups;
  private final SessionRegistry sessions;
  private final StateStore state;
  private final ScheduledExecutorService timer;
  private volatile Authorizer authorizer = Authorizer.OPEN;
  private final FlappingGuard flapping;
  /** Every listener-on-a-loop's traffic ever registered: counters never go backwards. */
  private final List<Traffic> traffic = new CopyOnWriteArrayList<>();
  private final long startedAt = System.currentTimeMillis();
  private final ClientTracing tracing = new ClientTracing();
  private volatile ClusterStatus cluster = ClusterStatus.NONE;
  private volatile SessionDirectory directory = SessionDirectory.LOCAL;

  private final java.util.List<BridgeStatus> bridges = new java.util.concurrent.CopyOnWriteArrayList<>();

  public Broker(RouterOptions options) {
    this.options = new RouterOptions(options);
    RouterOptions o = this.options;
    this.log = SegmentedLog.open(o.getLog(), MessageCodec.INSTANCE);
    if (log.recovery().records() > 0 || !log.recovery().problems().isEmpty()) {
      LoggerFactory.getLogger(Broker.class).info("commit log recovered: {}", log.recovery().describe());
    }
    this.flapping = new FlappingGuard(o.getFlappingConnects(), o.getFlappingWindowSeconds() * 1000L,
        o.getFlappingBanSeconds() * 1000L);
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "tributary-session-timer");
      t.setDaemon(true);
      return t;
    });
    SessionSettings settings = new SessionSettings(o.getMaxInflight(), o.getDrainBatch(), o.getRetentionReportMs(),
        o.getSubscribeLookbackMs(), o.getSubscribeLookbackRecords(), o.getMaxSubscriptionsPerClient());
    this.state = StateStore.open(o.getLog());
    StateStore.Recovered recovered = state.recovered();
    this.sharedGroups = new SharedGroups(log, o.getDrainBatch(), counters, index, state.sharedPositions());
    retained.restore(recovered.retained());
    retained.persistTo(state);
    this.sessions = new SessionRegistry(settings, log, state, retained, index, sharedGroups, counters, this::publish,
        timer);
    sessions.restore(recovered.sessions());
    sharedGroups.forgetUnclaimed();
    if (o.getSysIntervalSeconds() > 0) {
      SysTopics sys = new SysTopics(this, o.getSysIntervalSeconds());
      timer.scheduleWithFixedDelay(sys::publish, 1, o.getSysIntervalSeconds(), TimeUnit.SECONDS);
    }
  }

  /** All subscribed filters, for "any subscribers?" questions off the delivery path. */
  public SubscriptionIndex index() {
    return index;
  }

  public RouterOptions options() {
    return options;
  }

  public CommitLog<Message> log() {
    return log;
  }

  public RetainedStore retained() {
    return retained;
  }

  /** Who may touch which topics; {@link Authorizer#OPEN} until set. */
  public Authorizer authorizer() {
    return authorizer;
  }

  /** Sets the topic access rules every adapter applies (before listeners start). */
  public void setAuthorizer(Authorizer authorizer) {
    this.authorizer = authorizer;
  }

  /** Why a connect is refused before it claims its session (see {@link #admit}). */
  public enum Refusal { FLAPPING, SESSIONS }

  /**
   * What every protocol asks before it claims a session for clientId: flapping detection (the
   * connect is recorded; refused while the id is banned, see {@link FlappingGuard}), then
   * {@code maxSessions} (taking an existing session back is never one more; checked before the
   * connect, so a burst may overshoot by a few). Null when it may go ahead, else the refusal,
   * counted.
   */
  public Refusal admit(String clientId) {
    if (!flapping.admit(clientId, System.currentTimeMillis())) {
      counters.increment(Counter.CONNECTS_REFUSED_FLAPPING);
      return Refusal.FLAPPING;
    }
    if (sessions.size() >= options.getMaxSessions() && !sessions.contains(clientId)) {
      counters.increment(Counter.SESSIONS_REFUSED_LIMIT);
      return Refusal.SESSIONS;
    }
    return null;
  }

  /** The refusal for a log line, with the limit that caused it. */
  public String describe(Refusal refusal) {
    RouterOptions o = options;
    return refusal == Refusal.FLAPPING
        ? "connected more than limits.flappingConnects " + o.getFlappingConnects() + " times in "
            + o.getFlappingWindowSeconds() + " s: refused for " + o.getFlappingBanSeconds() + " s"
        : "limits.maxSessions " + o.getMaxSessions() + " sessions reached";
  }

  /** Whether a retained message of this size on topic fits {@code maxRetainedMessages/Bytes}. */
  public boolean admitsRetained(String topic, int payloadLength) {
    return retained.admits(topic, payloadLength, options.getMaxRetainedMessages(), options.getMaxRetainedBytes());
  }

  /** Registers an event loop; {@code executor} must run tasks on that loop, in order. */
  public Dispatcher addDispatcher(Executor executor, String name) {
    Dispatcher d = new Dispatcher(log, options.getDrainBatch(), executor, name);
    dispatchers.add(d);
    return d;
  }

  /** The event loops' dispatchers now (one per core verticle). */
  public List<Dispatcher> dispatchers() {
    return List.copyOf(dispatchers);
  }

  public void removeDispatcher(Dispatcher dispatcher) {
    dispatchers.remove(dispatcher);
    sharedGroups.remove(dispatcher);
  }

  /**
   * Stores the message once and wakes the dispatchers that have subscribers. Thread-safe. When it
   * returns the message is in the log; a QoS 1/2 acknowledgement is sent from {@link #whenDurable}.
   */
  public long publish(Message message) {
    long offset = store(message);
    counters.increment(Counter.MESSAGES_PUBLISHED);
    return offset;
  }

  /** Stores and wakes as {@link #publish} does, uncounted: the broker's own {@code $SYS} messages. */
  long store(Message message) {
    long offset = message.retain()
        ? retained.appendLocked(() -> log.append(message), List.of(message))
        : log.append(message);
    wakeDispatchers();
    return offset;
  }

  /**
   * Stores the messages as one batch (one log append, consecutive offsets, in list order) and
   * wakes each interested dispatcher once. Thread-safe. Returns the offset of the first, or the
   * log's end offset for an empty list (nothing is appended).
   */
  public long publishAll(List<Message> messages) {
    return storeAll(messages, Counter.MESSAGES_PUBLISHED);
  }

  /**
   * Stores messages another cluster node (or a bridge) received, as {@link #publishAll} does, but
   * counted as {@code CLUSTER_MESSAGES_FORWARDED_IN} rather than as publishes: each was counted once,
   * where it was published. Each message carries its {@link Message#origin()}.
   */
  public long storeForwarded(List<Message> messages) {
    return storeAll(messages, Counter.CLUSTER_MESSAGES_FORWARDED_IN);
  }

  /** One append for the batch (under the retained store's lock if any is retained), counted as counter. */
  private long storeAll(List<Message> messages, Counter counter) {
    if (messages.isEmpty()) {
      return log.endOffset();
    }
    boolean anyRetained = false;
    for (int i = 0, n = messages.size(); i < n && !anyRetained; i++) {
      anyRetained = messages.get(i).retain();
    }
    long offset = anyRetained
        ? retained.appendLocked(() -> log.appendAll(messages), messages)
        : log.appendAll(messages);
    counters.add(counter, messages.size());
    wakeDispatchers();
    return offset;
  }

  /**
   * Log positions kept across restarts in the state store under keys starting with prefix (a
   * cluster node's forwarders keep where each one is); nothing is kept for a log in memory.
   */
  public io.tributary.router.shared.SharedPositions positions(String prefix) {
    return state.positions(prefix);
  }

  /**
   * Whether the record at offset, and every change to the broker's state written so far, are as
   * durable as the log's flush policy promises (see {@link #whenDurable}).
   */
  public boolean isDurable(long offset) {
    return log.isDurable(offset) && state.isDurable();
  }

  /**
   * Runs action through executor (always a hop, so actions keep their order) once the record at
   * offset is as durable as the flush policy promises: at once with {@code none} and
   * {@code interval}, after the fsync covering it with {@code always}. With {@code always} it also
   * waits for the state log to be forced as far as it was written by then, so a QoS 2 packet id or
   * a retained message the publish saved is on disk before the PUBREC or PUBACK says so.
   * Publishers acknowledge QoS 1/2 from here.
   */
  public void whenDurable(long offset, Executor executor, Runnable action) {
    log.whenDurable(offset, () -> state.whenDurable(() -> executor.execute(action)));
  }

  /** One wake per interested dispatcher per batch (see {@link Dispatcher#wake()}). */
  private void wakeDispatchers() {
    for (Dispatcher d : dispatchers) {
      if (d.interested()) {
        d.wake();
      }
    }
  }

  /**
   * Binds a connection to the session of its client id (see {@link SessionRegistry#connect}).
   * Must be called on {@code dispatcher}'s thread; {@code done} runs there.
   */
  public void connect(Dispatcher dispatcher, SessionRequest request, BiConsumer<Session, Boolean> done) {
    SessionDirectory d = directory;
    if (d == SessionDirectory.LOCAL) {
      sessions.connect(dispatcher, request, done);
      return;
    }
    d.claim(request.clientId(), request.cleanStart()).whenComplete((v, e) ->
        dispatcher.execute(() -> sessions.connect(dispatcher, request, done)));
  }

  /** Set by a cluster node: which records each shared group here delivers. */
  public void setSharedChoice(io.tributary.router.shared.SharedChoice choice) {
    sharedGroups.setChoice(choice);
  }

  /** Set by a cluster node: it keeps the wills of connected sessions for the survivors. */
  public void setWillKeeper(io.tributary.router.session.WillKeeper keeper) {
    sessions.setWillKeeper(keeper);
  }

  /** Set by a cluster node: sessions may live on other nodes (see {@link SessionDirectory}). */
  public void setSessionDirectory(SessionDirectory directory) {
    this.directory = directory;
  }

  /** Another cluster node takes a session over (see {@link SessionRegistry#handOff}). */
  public CompletableFuture<SessionRegistry.Handoff> handOff(String clientId, boolean keepState) {
    return sessions.handOff(clientId, keepState);
  }

  /** Takes a session another cluster node handed off (see {@link SessionRegistry#adopt}). */
  public void adopt(String clientId, SessionRegistry.Handoff handoff) {
    sessions.adopt(clientId, handoff);
  }

  /** See {@link SessionRegistry#adoptReplica}: a dead node's session resumed from its replicated metadata. */
  public void adoptReplica(String clientId, byte[] metadata, long since) {
    sessions.adoptReplica(clientId, metadata, since);
  }

  /** Set by a cluster node: where persistent sessions' metadata is replicated. */
  public void setSessionMirror(io.tributary.router.session.SessionMirror mirror) {
    sessions.setMirror(mirror);
  }

  /** A new traffic account for one listener on one event loop; metrics sum them all. */
  public Traffic traffic(String listener, String protocol) {
    Traffic t = new Traffic(listener, protocol);
    traffic.add(t);
    return t;
  }

  /** Every traffic account ever made, for metrics and $SYS. */
  public List<Traffic> traffic() {
    return traffic;
  }

  /** The cluster this broker is a node of, or {@link ClusterStatus#NONE}. */
  public ClusterStatus cluster() {
    return cluster;
  }

  /** Set by the cluster node when the broker joins a cluster. */
  public void setCluster(ClusterStatus cluster) {
    this.cluster = cluster;
  }

  /** The bridges to other brokers this broker runs (none without {@code bridges} in the config). */
  public java.util.List<BridgeStatus> bridges() {
    return bridges;
  }

  /** Called by each bridge as it starts. */
  public void addBridge(BridgeStatus bridge) {
    bridges.add(bridge);
  }

  /** Which clients' packets are logged now (see {@link ClientTracing}). */
  public ClientTracing tracing() {
    return tracing;
  }

  /** Wall-clock ms this broker was made. */
  public long startedAt() {
    return startedAt;
  }

  /** Sessions whose client id passes select, read on their own threads (see {@link SessionRegistry#inspect}). */
  public CompletableFuture<List<SessionInfo>> sessions(Predicate<String> select) {
    return sessions.inspect(select);
  }

  /** An operator's disconnect, optionally ending the session (see {@link SessionRegistry#evict}). */
  public CompletableFuture<SessionRegistry.Eviction> evict(String clientId, boolean endSession) {
    return sessions.evict(clientId, endSession);
  }

  /** Outbound QoS 1/2 deliveries not acknowledged yet, all sessions together. */
  public long inflightCount() {
    return sessions.inflightCount();
  }

  /** Subscriptions of all sessions, connected or not (shared ones not included). */
  public int subscriptionCount() {
    return index.size();
  }

  /** Sessions with a connection now. */
  public int connectedCount() {
    return sessions.connectedCount();
  }

  /** The group of a shared subscription, or null (for tests and metrics). */
  public SharedGroup sharedGroup(String sharedFilter) {
    return sharedGroups.get(sharedFilter);
  }

  /** Sessions known to the broker, connected or not. */
  public int sessionCount() {
    return sessions.size();
  }

  public long publishedCount() {
    return counters.get(Counter.MESSAGES_PUBLISHED);
  }

  /** Records removed by retention before a session read them. */
  public long lostCount() {
    return counters.get(Counter.RECORDS_LOST_TO_RETENTION);
  }

  /** Everything this broker counts. */
  public BrokerCounters counters() {
    return counters;
  }

  @Override
  public void close() {
    timer.shutdownNow();
    state.close();
    log.close();
  }
}
