package io.tributary.router.delivery;

/**
 * The MQTT 5 per-subscription options, protocol-neutral. {@link #DEFAULT} is what MQTT 3.1.1 and
 * every other protocol get.
 *
 * @param noLocal do not deliver messages this session published itself
 * @param retainAsPublished forward the retain flag as published instead of clearing it on live
 *     delivery
 * @param retainHandling 0: send retained messages on subscribe; 1: only if the subscription is
 *     new; 2: never
 * @param identifier subscription identifier delivered with matching messages, 0 for none
 */
public record SubscriptionOptions(boolean noLocal, boolean retainAsPublished, int retainHandling, int identifier) {

  public static final SubscriptionOptions DEFAULT = new SubscriptionOptions(false, false, 0, 0);

  public SubscriptionOptions {
    if (retainHandling < 0 || retainHandling > 2) {
      throw new IllegalArgumentException("retainHandling must be 0, 1 or 2: " + retainHandling);
    }
    if (identifier < 0) {
      throw new IllegalArgumentException("identifier must be >= 0: " + identifier);
    }
  }
}
