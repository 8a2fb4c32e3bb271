package io.tributary.router;

/**
 * {@code limits.publishRate} and {@code limits.publishBytesRate} for one connection: a token
 * bucket each, holding a second's worth. Adapters never drop for it: they stop reading the
 * connection (and hold what they read) until it allows the next message. One thread: the
 * connection's.
 */
public final class PublishBudget {

  private final int messagesPerSecond;
  private final long bytesPerSecond;
  private double messages;
  private double bytes;
  private long refilledAt = System.nanoTime();

  private PublishBudget(int messagesPerSecond, long bytesPerSecond) {
    this.messagesPerSecond = messagesPerSecond;
    this.bytesPerSecond = bytesPerSecond;
    this.messages = messagesPerSecond;
    this.bytes = bytesPerSecond;
  }

  /** The budget for these rates (0: that one unlimited), or null when both are unlimited. */
  public static PublishBudget of(int messagesPerSecond, long bytesPerSecond) {
    if (messagesPerSecond < 0 || bytesPerSecond < 0) {
      throw new IllegalArgumentException("rates must be >= 0 (0: unlimited)");
    }
    return messagesPerSecond == 0 && bytesPerSecond == 0 ? null
        : new PublishBudget(messagesPerSecond, bytesPerSecond);
  }

  /** Whether a message of size bytes fits now (one larger than a second's worth fits a full bucket). */
  public boolean fits(int size) {
    refill();
    return (messagesPerSecond == 0 || messages >= 1) && (bytesPerSecond == 0 || bytes >= Math.min(size, bytesPerSecond));
  }

  /** Spends one message of size bytes (the buckets may go into debt). */
  public void take(int size) {
    refill();
    messages -= 1;
    bytes -= size;
  }

  /** Milliseconds until a message of size bytes fits; 0 when it does now. */
  public long waitMs(int size) {
    refill();
    double seconds = Math.max(messagesPerSecond == 0 ? 0 : (1 - messages) / messagesPerSecond,
        bytesPerSecond == 0 ? 0 : (Math.min(size, bytesPerSecond) - bytes) / bytesPerSecond);
    return seconds <= 0 ? 0 : Math.max(1, (long) Math.ceil(seconds * 1000));
  }

  /** Milliseconds until the buckets are out of debt; 0 when they are not in debt. */
  public long debtMs() {
    refill();
    double seconds = Math.max(messagesPerSecond == 0 ? 0 : -messages / messagesPerSecond,
        bytesPerSecond == 0 ? 0 : -bytes / bytesPerSecond);
    return seconds <= 0 ? 0 : Math.max(1, (long) Math.ceil(seconds * 1000));
  }

  public int messagesPerSecond() {
    return messagesPerSecond;
  }

  public long bytesPerSecond() {
    return bytesPerSecond;
  }

  private void refill() {
    long now = System.nanoTime();
    double seconds = (now - refilledAt) / 1e9;
    refilledAt = now;
    messages = Math.min(messagesPerSecond, messages + seconds * messagesPerSecond);
    bytes = Math.min(bytesPerSecond, bytes + seconds * bytesPerSecond);
  }
}
