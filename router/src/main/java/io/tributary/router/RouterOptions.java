package io.tributary.router;

import io.tributary.commitlog.CommitLogOptions;

/** Options of the protocol-neutral broker core. Defaults are the values in conf/broker.json. */
public final class RouterOptions {

  public static final int DEFAULT_MAX_INFLIGHT = 32;
  public static final int DEFAULT_DRAIN_BATCH = 4096;
  /** How often sessions that lose records to retention while not reading are logged. */
  public static final long DEFAULT_RETENTION_REPORT_MS = 10_000;

  /** How far back a new subscription looks for records published while it was on its way. */
  public static final long DEFAULT_SUBSCRIBE_LOOKBACK_MS = 100;
  /** At most this many records are looked at for it. */
  public static final int DEFAULT_SUBSCRIBE_LOOKBACK_RECORDS = 1024;

  /** Sessions the broker keeps, connected or not; a connect that would start one more is refused. */
  public static final int DEFAULT_MAX_SESSIONS = 100_000;
  /** Subscriptions one session may hold (shared ones included). */
  public static final int DEFAULT_MAX_SUBSCRIPTIONS_PER_CLIENT = 10_000;
  /** Topics with a retained message. */
  public static final int DEFAULT_MAX_RETAINED_MESSAGES = 1_000_000;
  /** Bytes of retained messages (payloads and topics). */
  public static final long DEFAULT_MAX_RETAINED_BYTES = 256L << 20;

  /** Connects of one client id within the flapping window past which it is refused for a while; 0: off. */
  public static final int DEFAULT_FLAPPING_CONNECTS = 30;
  public static final int DEFAULT_FLAPPING_WINDOW_SECONDS = 60;
  public static final int DEFAULT_FLAPPING_BAN_SECONDS = 60;

  private int maxInflight = DEFAULT_MAX_INFLIGHT;
  private int flappingConnects = DEFAULT_FLAPPING_CONNECTS;
  private int flappingWindowSeconds = DEFAULT_FLAPPING_WINDOW_SECONDS;
  private int flappingBanSeconds = DEFAULT_FLAPPING_BAN_SECONDS;
  private int maxSessions = DEFAULT_MAX_SESSIONS;
  private int maxSubscriptionsPerClient = DEFAULT_MAX_SUBSCRIPTIONS_PER_CLIENT;
  private int maxRetainedMessages = DEFAULT_MAX_RETAINED_MESSAGES;
  private long maxRetainedBytes = DEFAULT_MAX_RETAINED_BYTES;
  private long subscribeLookbackMs = DEFAULT_SUBSCRIBE_LOOKBACK_MS;
  private int subscribeLookbackRecords = DEFAULT_SUBSCRIBE_LOOKBACK_RECORDS;
  private int drainBatch = DEFAULT_DRAIN_BATCH;
  private long retentionReportMs = DEFAULT_RETENTION_REPORT_MS;
  private CommitLogOptions log = new CommitLogOptions();
  private int sysIntervalSeconds;

  public RouterOptions() {
  }

  public RouterOptions(RouterOptions other) {
    this.maxInflight = other.maxInflight;
    this.maxSessions = other.maxSessions;
    this.flappingConnects = other.flappingConnects;
    this.flappingWindowSeconds = other.flappingWindowSeconds;
    this.flappingBanSeconds = other.flappingBanSeconds;
    this.maxSubscriptionsPerClient = other.maxSubscriptionsPerClient;
    this.maxRetainedMessages = other.maxRetainedMessages;
    this.maxRetainedBytes = other.maxRetainedBytes;
    this.drainBatch = other.drainBatch;
    this.retentionReportMs = other.retentionReportMs;
    this.subscribeLookbackMs = other.subscribeLookbackMs;
    this.subscribeLookbackRecords = other.subscribeLookbackRecords;
    this.log = new CommitLogOptions(other.log);
    this.sysIntervalSeconds = other.sysIntervalSeconds;
  }

  /** Seconds between two publications of the {@code $SYS/broker/...} topics; 0 = none. */
  public int getSysIntervalSeconds() {
    return sysIntervalSeconds;
  }

  /**
   * How often the broker publishes its {@code $SYS} topics (see {@link SysTopics}); 0, the default
   * here, publishes none, so an embedded broker's log holds only what its application stored (the
   * configuration file's default is 10).
   */
  public RouterOptions setSysIntervalSeconds(int sysIntervalSeconds) {
    if (sysIntervalSeconds < 0) {
      throw new IllegalArgumentException("sysIntervalSeconds must be >= 0, not " + sysIntervalSeconds);
    }
    this.sysIntervalSeconds = sysIntervalSeconds;
    return this;
  }

  /** Unacknowledged outbound QoS 1/2 messages per session; past it the session waits for acks. */
  public int getMaxInflight() {
    return maxInflight;
  }

  public RouterOptions setMaxInflight(int maxInflight) {
    if (maxInflight < 1 || maxInflight > 65535) {
      throw new IllegalArgumentException("maxInflight must be 1..65535: " + maxInflight);
    }
    this.maxInflight = maxInflight;
    return this;
  }

  /** Sessions kept at once, connected or offline (see {@link #DEFAULT_MAX_SESSIONS}). */
  public int getMaxSessions() {
    return maxSessions;
  }

  public RouterOptions setMaxSessions(int maxSessions) {
    this.maxSessions = positive(maxSessions, "maxSessions");
    return this;
  }

  public int getMaxSubscriptionsPerClient() {
    return maxSubscriptionsPerClient;
  }

  public RouterOptions setMaxSubscriptionsPerClient(int maxSubscriptionsPerClient) {
    this.maxSubscriptionsPerClient = positive(maxSubscriptionsPerClient, "maxSubscriptionsPerClient");
    return this;
  }

  public int getMaxRetainedMessages() {
    return maxRetainedMessages;
  }

  public RouterOptions setMaxRetainedMessages(int maxRetainedMessages) {
    this.maxRetainedMessages = positive(maxRetainedMessages, "maxRetainedMessages");
    return this;
  }

  public long getMaxRetainedBytes() {
    return maxRetainedBytes;
  }

  public RouterOptions setMaxRetainedBytes(long maxRetainedBytes) {
    if (maxRetainedBytes < 1) {
      throw new IllegalArgumentException("maxRetainedBytes must be > 0: " + maxRetainedBytes);
    }
    this.maxRetainedBytes = maxRetainedBytes;
    return this;
  }

  /** See {@link FlappingGuard}: more connects of one client id than this within the window ban it. */
  public int getFlappingConnects() {
    return flappingConnects;
  }

  public int getFlappingWindowSeconds() {
    return flappingWindowSeconds;
  }

  public int getFlappingBanSeconds() {
    return flappingBanSeconds;
  }

  /** {@code connects} 0 turns flapping detection off. */
  public RouterOptions setFlapping(int connects, int windowSeconds, int banSeconds) {
    if (connects < 0) {
      throw new IllegalArgumentException("flappingConnects must be >= 0 (0: off): " + connects);
    }
    this.flappingConnects = connects;
    this.flappingWindowSeconds = positive(windowSeconds, "flappingWindowSeconds");
    this.flappingBanSeconds = positive(banSeconds, "flappingBanSeconds");
    return this;
  }

  private static int positive(int value, String name) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be > 0: " + value);
    }
    return value;
  }

  /** Records a core reads from the log per event-loop task before yielding to other work. */
  public int getDrainBatch() {
    return drainBatch;
  }

  public RouterOptions setDrainBatch(int drainBatch) {
    if (drainBatch < 1) {
      throw new IllegalArgumentException("drainBatch must be > 0: " + drainBatch);
    }
    this.drainBatch = drainBatch;
    return this;
  }

  /** Interval of the retention-loss report for sessions that are not reading. */
  public long getRetentionReportMs() {
    return retentionReportMs;
  }

  public RouterOptions setRetentionReportMs(long retentionReportMs) {
    if (retentionReportMs < 1) {
      throw new IllegalArgumentException("retentionReportMs must be > 0: " + retentionReportMs);
    }
    this.retentionReportMs = retentionReportMs;
    return this;
  }

  /**
   * A SUBSCRIBE and another client's PUBLISH sent just after it race when the two connections
   * live on different event loops: the publish may be stored and dispatched before the loop of
   * the subscriber has read its SUBSCRIBE. A new subscription therefore also takes the matching
   * records stored in the last {@code subscribeLookbackMs} before it (at most
   * {@link #getSubscribeLookbackRecords()}, and none stored before its connection was made),
   * except those its session already had; 0 turns it off.
   */
  public long getSubscribeLookbackMs() {
    return subscribeLookbackMs;
  }

  public RouterOptions setSubscribeLookbackMs(long subscribeLookbackMs) {
    if (subscribeLookbackMs < 0) {
      throw new IllegalArgumentException("subscribeLookbackMs must be >= 0: " + subscribeLookbackMs);
    }
    this.subscribeLookbackMs = subscribeLookbackMs;
    return this;
  }

  public int getSubscribeLookbackRecords() {
    return subscribeLookbackRecords;
  }

  public RouterOptions setSubscribeLookbackRecords(int subscribeLookbackRecords) {
    if (subscribeLookbackRecords < 0) {
      throw new IllegalArgumentException("subscribeLookbackRecords must be >= 0: " + subscribeLookbackRecords);
    }
    this.subscribeLookbackRecords = subscribeLookbackRecords;
    return this;
  }

  public CommitLogOptions getLog() {
    return log;
  }

  public RouterOptions setLog(CommitLogOptions log) {
    this.log = log;
    return this;
  }
}
