package io.tributary.router;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One online incarnation of a session in a {@link SharedGroup}: created when the session attaches
 * on a core (or subscribes while attached), dead once it detaches, unsubscribes or re-subscribes.
 * A new object per incarnation keeps the credit count of a connection apart from hand-offs still
 * travelling to an earlier one (those find it dead and go back to the group).
 */
final class SharedMember {

  final SharedGroup group;
  final Session session;
  final SharedSubscription subscription;
  /** The inbox of the core the session was attached to when this member was made. */
  final SharedInbox inbox;
  private final AtomicInteger credits;
  /** Written and read on the session's core only. */
  boolean dead;

  SharedMember(SharedSubscription subscription, Session session, SharedInbox inbox, int window) {
    this.group = subscription.group;
    this.subscription = subscription;
    this.session = session;
    this.inbox = inbox;
    this.credits = new AtomicInteger(window);
  }

  /** Home core: takes one credit if there is one. */
  boolean tryTake() {
    while (true) {
      int c = credits.get();
      if (c <= 0) {
        return false;
      }
      if (credits.compareAndSet(c, c - 1)) {
        return true;
      }
    }
  }

  boolean hasCredit() {
    return credits.get() > 0;
  }

  /** A message taken with a credit is done with (written QoS 0, acknowledged, discarded). */
  void release() {
    credits.incrementAndGet();
    group.creditReturned();
  }
}
