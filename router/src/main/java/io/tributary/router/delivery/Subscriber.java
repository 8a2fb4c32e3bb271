package io.tributary.router.delivery;

import io.tributary.router.message.Message;

/**
 * What a {@link Dispatcher} hands records to: the delivery cursor of a session attached to it.
 * Every method runs on the dispatcher's thread.
 */
public interface Subscriber {

  /**
   * Merges one matching subscription into the delivery of {@code message} (overlapping
   * subscriptions of one subscriber give one delivery). Returns true for the first match of this
   * record, after which the dispatcher calls {@link #deliverLive} once.
   */
  boolean collect(Subscription subscription, Message message);

  /** The merged delivery of the record at {@code offset}, at the dispatcher's cursor. */
  void deliverLive(long offset, Message message);

  /** Retention removed records the dispatcher had not read: read on your own from your position. */
  void fellBehind();
}
