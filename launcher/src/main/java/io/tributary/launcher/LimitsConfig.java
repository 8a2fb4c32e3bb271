package io.tributary.launcher;

import static io.tributary.launcher.ConfigException.check;

import io.tributary.router.RouterOptions;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * The {@code limits} block of the configuration: bounds on connections, checked when a socket is
 * accepted (before TLS or any read), and the defaults derived from the process's open-file limit;
 * bounds on what clients keep in the broker (sessions, subscriptions, retained messages), checked
 * by the router for every protocol.
 */
public final class LimitsConfig {

  /** All listeners together; 0 = from the process's open-file limit, less headroom. */
  public int maxConnections = 0;
  /** Each listener; 0 = half the broker's, so one flooded port leaves room (and memory) for the others. */
  public int maxConnectionsPerListener = 0;
  /** New connections a second per listener (token bucket); 0 = unlimited. */
  public int connectionRate = 1_000;
  /** Connections a listener may accept at once, above the rate, after a quiet spell. */
  public int connectionBurst = 1_000;
  /** Sessions kept, connected or offline; a connect that would start one more is refused. */
  public int maxSessions = RouterOptions.DEFAULT_MAX_SESSIONS;
  /** Subscriptions one client may hold (shared ones included). */
  public int maxSubscriptionsPerClient = RouterOptions.DEFAULT_MAX_SUBSCRIPTIONS_PER_CLIENT;
  /** Topics with a retained message. */
  public int maxRetainedMessages = RouterOptions.DEFAULT_MAX_RETAINED_MESSAGES;
  /** Bytes of retained messages (payloads and topics). */
  public long maxRetainedBytes = RouterOptions.DEFAULT_MAX_RETAINED_BYTES;
  /** Connects of one client id within {@code flappingWindowSeconds} past which it is refused; 0 = off. */
  public int flappingConnects = RouterOptions.DEFAULT_FLAPPING_CONNECTS;
  public int flappingWindowSeconds = RouterOptions.DEFAULT_FLAPPING_WINDOW_SECONDS;
  /** How long such a client id is refused. */
  public int flappingBanSeconds = RouterOptions.DEFAULT_FLAPPING_BAN_SECONDS;
  /** PUBLISHes (device frames) a second per connection, past which it is not read for a while; 0 = unlimited. */
  public int publishRate = 0;
  /** Payload bytes a second per connection, likewise; 0 = unlimited. */
  public long publishBytesRate = 0;

  /** Throws {@link ConfigException} naming the first bad key. */
  void validate() {
    check(maxConnections >= 0, "limits.maxConnections", "must be >= 0 (0: from the open-file limit), was "
        + maxConnections);
    check(maxConnectionsPerListener >= 0, "limits.maxConnectionsPerListener",
        "must be >= 0 (0: half of limits.maxConnections), was " + maxConnectionsPerListener);
    check(connectionRate >= 0, "limits.connectionRate", "must be >= 0 (0: unlimited), was " + connectionRate);
    check(connectionBurst >= 1, "limits.connectionBurst", "must be >= 1, was " + connectionBurst);
    check(maxSessions >= 1, "limits.maxSessions", "must be >= 1, was " + maxSessions);
    check(maxSubscriptionsPerClient >= 1, "limits.maxSubscriptionsPerClient", "must be >= 1, was "
        + maxSubscriptionsPerClient);
    check(maxRetainedMessages >= 1, "limits.maxRetainedMessages", "must be >= 1, was " + maxRetainedMessages);
    check(maxRetainedBytes >= 1, "limits.maxRetainedBytes", "must be >= 1, was " + maxRetainedBytes);
    check(flappingConnects >= 0, "limits.flappingConnects", "must be >= 0 (0: off), was " + flappingConnects);
    check(flappingWindowSeconds >= 1, "limits.flappingWindowSeconds", "must be >= 1, was " + flappingWindowSeconds);
    check(flappingBanSeconds >= 1, "limits.flappingBanSeconds", "must be >= 1, was " + flappingBanSeconds);
    check(publishRate >= 0, "limits.publishRate", "must be >= 0 (0: unlimited), was " + publishRate);
    check(publishBytesRate >= 0, "limits.publishBytesRate", "must be >= 0 (0: unlimited), was " + publishBytesRate);
  }


  /** The file descriptors this process may open, or -1 where the JVM cannot tell (not Unix). */
  static long openFileLimit() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      return unix.getMaxFileDescriptorCount();
    }
    return -1;
  }

  /**
   * {@code maxConnections}, or when 0 the open-file limit less a tenth (at least 256) for the log,
   * the jars, the event loops and the listening sockets themselves.
   */
  public int effectiveMaxConnections() {
    if (maxConnections > 0) {
      return maxConnections;
    }
    long fds = openFileLimit();
    if (fds <= 0) {
      return 10_000;
    }
    long headroom = Math.max(256, fds / 10);
    return (int) Math.max(16, Math.min(Integer.MAX_VALUE, fds - headroom));
  }

  /** {@code maxConnectionsPerListener} (at most the broker's), or half the broker's when 0. */
  public int effectiveMaxConnectionsPerListener() {
    int broker = effectiveMaxConnections();
    if (maxConnectionsPerListener > 0) {
      return Math.min(broker, maxConnectionsPerListener);
    }
    return Math.max(1, broker / 2);
  }
}
