package io.tributary.router.delivery;

/** One filter of one subscriber, with the maximum QoS granted for it and its options. */
public final class Subscription {

  private final Subscriber subscriber;
  private final String filter;
  private final int qos;
  private final SubscriptionOptions options;

  public Subscription(Subscriber subscriber, String filter, int qos, SubscriptionOptions options) {
    this.subscriber = subscriber;
    this.filter = filter;
    this.qos = qos;
    this.options = options;
  }

  public SubscriptionOptions options() {
    return options;
  }

  public Subscriber subscriber() {
    return subscriber;
  }

  public String filter() {
    return filter;
  }

  public int qos() {
    return qos;
  }
}
