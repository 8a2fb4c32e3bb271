package io.tributary.router.session;

import io.tributary.router.message.Message;

/**
 * Told of every will a connected session holds, so that someone else can publish it if this
 * broker dies with the connection open (a cluster: a surviving node). Called on the session's
 * owner thread; must hand the news on, never block.
 */
public interface WillKeeper {

  /** A broker on its own: its wills die with it. */
  WillKeeper NONE = new WillKeeper() {
    @Override
    public void keep(String clientId, Message will, long delaySeconds) {
    }

    @Override
    public void drop(String clientId) {
    }
  };

  /** A connection with this will is bound to its session. */
  void keep(String clientId, Message will, long delaySeconds);

  /** The connection ended: its will went out, waits here for its delay, or is not due. */
  void drop(String clientId);
}
