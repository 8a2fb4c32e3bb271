package io.tributary.router.shared;

import io.tributary.router.delivery.SubscriptionOptions;

/**
 * A session's subscription to a {@link SharedGroup}, kept while the session lives (also offline);
 * {@link #member()} is its membership while the session is attached, null otherwise.
 */
public final class SharedSubscription {

  private static final int[] NO_IDS = new int[0];

  private final SharedGroup group;
  private final int qos;
  private final SubscriptionOptions options;
  private final int[] subscriptionIds;
  private SharedMember member;

  public SharedSubscription(SharedGroup group, int qos, SubscriptionOptions options) {
    this.group = group;
    this.qos = qos;
    this.options = options;
    this.subscriptionIds = options.identifier() == 0 ? NO_IDS : new int[] {options.identifier()};
  }

  public SharedGroup group() {
    return group;
  }

  public int qos() {
    return qos;
  }

  public SubscriptionOptions options() {
    return options;
  }

  public int[] subscriptionIds() {
    return subscriptionIds;
  }

  public SharedMember member() {
    return member;
  }

  /**
   * Joins the group as a new member that hands messages to {@code receiver} on {@code dispatcher}
   * with {@code window} credits.
   */
  public SharedMember join(SharedGroups groups, io.tributary.router.delivery.Dispatcher dispatcher,
      SharedReceiver receiver, int window) {
    group.adopt(dispatcher);
    SharedMember m = new SharedMember(this, receiver, groups.inbox(dispatcher), window);
    member = m;
    group.addMember(m);
    return m;
  }

  /** Ends the current membership, if any; returns it (null if there was none). */
  public SharedMember leave() {
    SharedMember m = member;
    if (m != null) {
      member = null;
      m.leave();
    }
    return m;
  }
}
