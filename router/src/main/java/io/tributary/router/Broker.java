package io.tributary.router;

import io.tributary.commitlog.CommitLog;
import io.tributary.commitlog.InMemoryCommitLog;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * The protocol-neutral broker core: one shared commit log, the retained store, the session
 * registry and the per-event-loop {@link Core}s. Protocol adapters call {@link #publish} and
 * {@link #connect}; they know nothing of each other.
 */
public final class Broker implements AutoCloseable {

  private final RouterOptions options;
  private final CommitLog<Message> log;
  private final RetainedStore retained = new RetainedStore();
  private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();
  private final List<Core> cores = new CopyOnWriteArrayList<>();
  private final AtomicLong published = new AtomicLong();
  private final AtomicLong lost = new AtomicLong();

  public Broker(RouterOptions options) {
    this.options = new RouterOptions(options);
    this.log = new InMemoryCommitLog<>(this.options.getLog(), Message::sizeInBytes);
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

  /** Registers an event loop; {@code executor} must run tasks on that loop, in order. */
  public Core addCore(Executor executor, String name) {
    Core core = new Core(this, executor, name);
    cores.add(core);
    return core;
  }

  public void removeCore(Core core) {
    cores.remove(core);
  }

  /**
   * Stores the message once and wakes the cores that have subscribers. Thread-safe. When it
   * returns the message is in the log, so a QoS 1/2 acknowledgement may be sent.
   */
  public long publish(Message message) {
    if (message.retain()) {
      retained.update(message);
    }
    long offset = log.append(message);
    published.incrementAndGet();
    for (Core core : cores) {
      if (core.interested()) {
        core.wake();
      }
    }
    return offset;
  }

  /**
   * Binds a connection to the session of clientId, taking it over from whichever core holds it.
   * {@code done} runs on {@code core}'s thread with the session and the session-present flag.
   * Must be called on {@code core}'s thread. If the connection closes while the session is still
   * held elsewhere, {@code done} gets a null session: a dead connection takes nothing over.
   */
  public void connect(Core core, String clientId, boolean cleanSession, Message will, ClientLink link,
      BiConsumer<Session, Boolean> done) {
    Session session = sessions.computeIfAbsent(clientId, id -> new Session(this, id));
    Core current = session.owner.get();
    if (current == null) {
      if (session.owner.compareAndSet(null, core)) {
        if (sessions.get(clientId) != session) {
          // It ended (clean session) between our lookup and our claim: start again.
          session.owner.set(null);
          core.execute(() -> connect(core, clientId, cleanSession, will, link, done));
          return;
        }
        boolean present = session.attach(core, link, will, cleanSession);
        done.accept(session, present);
        return;
      }
      core.execute(() -> connect(core, clientId, cleanSession, will, link, done));
      return;
    }
    if (!link.isOpen()) {
      done.accept(null, false);
      return;
    }
    // Connected on some core (maybe this one): take it over there, then claim it from here.
    current.execute(() -> {
      if (session.owner.get() == current) {
        session.takeOver();
      }
      core.execute(() -> connect(core, clientId, cleanSession, will, link, done));
    });
  }

  void forget(Session session) {
    sessions.remove(session.clientId(), session);
  }

  void countLost(long records) {
    lost.addAndGet(records);
  }

  /** Sessions known to the broker, connected or not. */
  public int sessionCount() {
    return sessions.size();
  }

  public long publishedCount() {
    return published.get();
  }

  /** Records removed by retention before a session read them. */
  public long lostCount() {
    return lost.get();
  }

  @Override
  public void close() {
    log.close();
  }
}
