package io.tributary.router;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Rate limit for a repeated log line, with the count of the ones held back: a burst of lines goes
 * out as usual, then at most {@code perSecond}, so a client or a failing accept loop that repeats
 * something thousands of times a second cannot flood the log.
 *
 * <pre>{@code
 * long held = throttle.admit();
 * if (held >= 0) log.warn("accept failed: {}{}", cause, LogThrottle.suppressed(held));
 * }</pre>
 */
public final class LogThrottle {

  private final double burst;
  private final double perNano;
  private final AtomicLong suppressed = new AtomicLong();
  // Token bucket, guarded by this.
  private double tokens;
  private long lastNanos = System.nanoTime();

  /** Up to {@code burst} lines at once, then {@code perSecond} lines a second. */
  public LogThrottle(int burst, double perSecond) {
    if (burst < 1 || perSecond <= 0) {
      throw new IllegalArgumentException("burst must be >= 1 and perSecond > 0, got " + burst + ", " + perSecond);
    }
    this.burst = burst;
    this.perNano = perSecond / 1e9;
    this.tokens = burst;
  }

  /**
   * -1 when this occurrence should not be logged (it is counted); else the number of occurrences
   * suppressed since the last one that was logged.
   */
  public long admit() {
    long now = System.nanoTime();
    synchronized (this) {
      tokens = Math.min(burst, tokens + (now - lastNanos) * perNano);
      lastNanos = now;
      if (tokens < 1) {
        suppressed.incrementAndGet();
        return -1;
      }
      tokens -= 1;
    }
    return suppressed.getAndSet(0);
  }

  /** The end of an admitted line: empty, or how many like it were held back before it. */
  public static String suppressed(long held) {
    return held > 0 ? " (" + held + " similar lines suppressed)" : "";
  }

  /** Occurrences held back since the last admitted one. */
  public long pending() {
    return suppressed.get();
  }
}
