package io.tributary.router;

/** One filter of one session, with the maximum QoS granted for it. */
public final class Subscription {

  private final Session session;
  private final String filter;
  private final int qos;

  Subscription(Session session, String filter, int qos) {
    this.session = session;
    this.filter = filter;
    this.qos = qos;
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
