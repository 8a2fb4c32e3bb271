package io.tributary.router;

/** What a bridge to another broker tells operators (metrics, the admin API). */
public interface BridgeStatus {

  String name();

  /** Whether the remote broker accepted the bridge's current connection. Any thread. */
  boolean isConnected();

  /** Records of the log the bridge has not completed on the remote yet (sent or not). Any thread. */
  long lag();
}
