package io.tributary.router;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-client tracing an operator turns on for a while (the admin API), without a restart: every
 * packet of a traced client id, in and out, is logged on {@code io.tributary.trace}. Off, the
 * per-packet cost is one volatile read.
 */
public final class ClientTracing {

  private final ConcurrentHashMap<String, Long> until = new ConcurrentHashMap<>();
  private volatile boolean any;

  /** Traces clientId (connected now or later) for the next {@code seconds}. Returns until when (ms). */
  public long trace(String clientId, long seconds) {
    long end = System.currentTimeMillis() + seconds * 1000;
    until.put(clientId, end);
    any = true;
    return end;
  }

  /** Stops tracing clientId; false if it was not traced. */
  public boolean stop(String clientId) {
    boolean was = until.remove(clientId) != null;
    any = !until.isEmpty();
    return was;
  }

  /** Whether clientId's packets are logged now. Any thread; cheap when nobody is traced. */
  public boolean traced(String clientId) {
    if (!any || clientId == null) {
      return false;
    }
    Long end = until.get(clientId);
    if (end == null) {
      return false;
    }
    if (end < System.currentTimeMillis()) {
      until.remove(clientId, end);
      any = !until.isEmpty();
      return false;
    }
    return true;
  }

  /** Client ids traced now, with the wall-clock ms each trace ends. */
  public Map<String, Long> active() {
    long now = System.currentTimeMillis();
    Map<String, Long> out = new TreeMap<>();
    until.forEach((id, end) -> {
      if (end >= now) {
        out.put(id, end);
      }
    });
    return out;
  }
}
