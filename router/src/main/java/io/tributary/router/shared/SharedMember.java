package io.tributary.router.shared;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One online incarnation of a session in a {@link SharedGroup}: created when the session attaches
 * to a dispatcher (or subscribes while attached), dead once it detaches, unsubscribes or
 * re-subscribes. A new object per incarnation keeps the credit count of a connection apart from
 * hand-offs still travelling to an earlier one (those find it dead and go back to the group).
 */
public final class SharedMember {

  private final SharedSubscription subscription;
  private final SharedReceiver receiver;
  /** The inbox of the dispatcher the session was attached to when this member was made. */
  final SharedInbox inbox;
  private final AtomicInteger credits;
  /** Written and read on the session's dispatcher only. */
  private boolean dead;

  SharedMember(SharedSubscription subscription, SharedReceiver receiver, SharedInbox inbox, int window) {
    this.subscription = subscription;
    this.receiver = receiver;
    this.inbox = inbox;
    this.credits = new AtomicInteger(window);
  }

  public SharedGroup group() {
    return subscription.group();
  }

  public SharedSubscription subscription() {
    return subscription;
  }

  SharedReceiver receiver() {
    return receiver;
  }

  /** Left its group: hand-offs still arriving for it go back to the group. */
  public boolean isDead() {
    return dead;
  }

  /** Session's dispatcher: ends the membership; what it holds unsent goes back to the group. */
  public void leave() {
    dead = true;
    group().removeMember(this);
  }

  /** Home dispatcher: takes one credit if there is one. */
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
    group().creditReturned();
  }
}
