package io.tributary.router.logging;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Rate limit for a repeated log line, with the count of the ones held back: a burst of lines goes
 * out as usual, then at most {@code perSecond}, so a client or a failing accept loop that repeats
 * something thousands of times a second cannot flood the log.
 *
 * <pre>{@code
 * throttle.warn(log, "accept failed: {}", cause); // "... (12 similar lines suppressed)" when some were
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

  /** Logs {@code format} at WARN if this occurrence is admitted, with the count held back before it. */
  public void warn(Logger log, String format, Object... args) {
    long held = admit();
    if (held >= 0) {
      log.warn(format + "{}", withSuffix(args, held));
    }
  }

  /** As {@link #warn}, at INFO. */
  public void info(Logger log, String format, Object... args) {
    long held = admit();
    if (held >= 0) {
      log.info(format + "{}", withSuffix(args, held));
    }
  }

  private static Object[] withSuffix(Object[] args, long held) {
    Object[] all = Arrays.copyOf(args, args.length + 1);
    all[args.length] = suppressed(held);
    return all;
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
