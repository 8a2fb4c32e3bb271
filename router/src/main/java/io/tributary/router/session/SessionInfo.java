package io.tributary.router.session;

import java.util.List;

/**
 * One session as the admin API shows it, read on the thread that owns the session (so its parts
 * agree with each other), a moment old by the time anyone reads it.
 *
 * @param connection the live connection, null while offline
 * @param expirySeconds session expiry after disconnect ({@code 0xFFFFFFFF}: never)
 * @param disconnectedAt wall-clock ms the last connection ended, 0 while connected
 * @param position the offset of the next record the session reads from the log
 * @param lag records between that position and the log's end
 */
public record SessionInfo(String clientId, ConnectionDetails connection, boolean persistent, long expirySeconds,
    long disconnectedAt, List<SubscriptionInfo> subscriptions, int sharedSubscriptions, int inflight,
    int inboundQos2, long position, long lag) {

  /** One subscription: its filter, maximum QoS and MQTT 5 options. */
  public record SubscriptionInfo(String filter, int qos, boolean noLocal, boolean retainAsPublished,
      int retainHandling, int identifier) {}

  public boolean connected() {
    return connection != null;
  }
}
