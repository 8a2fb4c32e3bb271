package io.tributary.router.session;

/**
 * Where a cluster keeps a copy of each persistent session's metadata (its subscriptions, expiry
 * and when it disconnected: not its read position, in-flight messages or QoS 2 ids), so that
 * another node can resume the session when this one dies. Told only when that metadata changes (a
 * subscribe, an unsubscribe, a disconnect), not on every save; from the session's owner thread, so
 * an implementation must not block.
 */
public interface SessionMirror {

  /** No copies: a broker on its own. */
  SessionMirror NONE = new SessionMirror() {
    @Override
    public void saved(String clientId, byte[] metadata) {
    }

    @Override
    public void ended(String clientId) {
    }
  };

  /** The session's metadata changed; {@code metadata} is what {@code Broker.adoptReplica} takes. */
  void saved(String clientId, byte[] metadata);

  /** The session ended here (expired, started clean, or moved to another node). */
  void ended(String clientId);
}
