package io.tributary.router;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Flapping detection: a client id that connects more than {@code maxConnects} times within
 * {@code windowMs} is refused for {@code banMs} (a device stuck in a reconnect loop, or two clients
 * sharing an id and taking the session from each other, would otherwise churn sessions and logs
 * without end). Refused attempts do not count, so a client retrying while banned is let in when
 * the ban ends. Any thread; state per client id is a few longs, dropped once stale (checked as the
 * map grows, so the map holds about the ids seen within a window).
 */
public final class FlappingGuard {

  private static final class Entry {
    long windowStart;
    int connects;
    long bannedUntil;
  }

  private final int maxConnects;
  private final long windowMs;
  private final long banMs;
  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
  private volatile int sweepAt = 1024;

  /** {@code maxConnects} 0: off. */
  public FlappingGuard(int maxConnects, long windowMs, long banMs) {
    this.maxConnects = maxConnects;
    this.windowMs = windowMs;
    this.banMs = banMs;
  }

  /** Records a connect of clientId at nowMs; false when the id is banned (then nothing is recorded). */
  public boolean admit(String clientId, long nowMs) {
    if (maxConnects == 0) {
      return true;
    }
    boolean[] admitted = {true};
    entries.compute(clientId, (id, e) -> {
      if (e == null) {
        e = new Entry();
        e.windowStart = nowMs;
      }
      if (nowMs < e.bannedUntil) {
        admitted[0] = false;
        return e;
      }
      if (nowMs - e.windowStart >= windowMs) {
        e.windowStart = nowMs;
        e.connects = 0;
      }
      if (++e.connects > maxConnects) {
        e.bannedUntil = nowMs + banMs;
        e.windowStart = e.bannedUntil;
        e.connects = 0;
        admitted[0] = false;
      }
      return e;
    });
    if (entries.size() >= sweepAt) {
      sweep(nowMs);
    }
    return admitted[0];
  }

  /** Whether clientId is banned at nowMs. */
  public boolean isBanned(String clientId, long nowMs) {
    Entry e = entries.get(clientId);
    return e != null && nowMs < e.bannedUntil;
  }

  private synchronized void sweep(long nowMs) {
    if (entries.size() < sweepAt) {
      return;
    }
    entries.values().removeIf(e -> nowMs >= e.bannedUntil && nowMs - e.windowStart >= windowMs);
    sweepAt = Math.max(1024, entries.size() * 2);
  }

  /** Ids tracked (for tests). */
  int size() {
    return entries.size();
  }
}
