package io.tributary.router;

/**
 * A session's subscription to a {@link SharedGroup}, kept while the session lives (also offline);
 * {@link #member} is its membership while the session is attached, null otherwise.
 */
final class SharedSubscription {

  final SharedGroup group;
  final int qos;
  final SubscriptionOptions options;
  final int[] subscriptionIds;
  SharedMember member;

  SharedSubscription(SharedGroup group, int qos, SubscriptionOptions options) {
    this.group = group;
    this.qos = qos;
    this.options = options;
    this.subscriptionIds = options.identifier() == 0 ? Session.NO_IDS : new int[] {options.identifier()};
  }
}
