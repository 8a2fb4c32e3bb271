package io.tributary.router;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where the sessions of a cluster live: before a connection claims its client id here, the
 * directory takes the session over from the node that holds it (and, unless the connection starts
 * clean, brings it here, see {@link Broker#adopt}). A broker on its own has {@link #LOCAL}.
 */
public interface SessionDirectory {

  /** One broker: every session is here. */
  SessionDirectory LOCAL = (clientId, cleanStart) -> CompletableFuture.completedFuture(null);

  /**
   * Called for every connect before its session is claimed; the connect goes on when the stage
   * completes (on any thread; a failure is logged by the directory and the connect goes on too).
   */
  CompletionStage<Void> claim(String clientId, boolean cleanStart);
}
