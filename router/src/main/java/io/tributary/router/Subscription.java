package io.tributary.router;

/** One filter of one session, with the maximum QoS granted for it. */
public final class Subscription {

  private final Session session;
  private final String filter;
  private final int qos;
  private final SubscriptionOptions options;

  Subscription(Session session, String filter, int qos, SubscriptionOptions options) {
    this.session = session;
    this.filter = filter;
    this.qos = qos;
    this.options = options;
  }

  public SubscriptionOptions options() {
    return options;
  }

  public Session session() {
    return session;
  }

  public String filter() {
    return filter;
  }

  public int qos() {
    return qos;
  }
}
