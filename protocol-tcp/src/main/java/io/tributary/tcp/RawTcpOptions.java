package io.tributary.tcp;

import io.tributary.router.PublishBudget;
import io.tributary.router.security.Authenticator;
import java.util.Objects;

/**
 * Options of one {@code raw-tcp} listener: how frames are cut, how a device is identified, and
 * which topics its frames go to and come from. Setters validate and throw
 * {@link IllegalArgumentException} naming the problem (the launcher reports it under its key).
 */
public final class RawTcpOptions {

  public enum Framing {
    /** Frames end with {@code \n}; a {@code \r} before it is removed. */
    LINES("lines"),
    /** Each frame is preceded by its length, big-endian, {@link Prefix#U16} or {@link Prefix#U32}. */
    LENGTH_PREFIXED("length-prefixed"),
    /** Every frame is exactly {@code frameSize} bytes. */
    FIXED("fixed");

    private final String key;

    Framing(String key) {
      this.key = key;
    }

    public String key() {
      return key;
    }

    public static Framing of(String key) {
      for (Framing f : values()) {
        if (f.key.equals(key)) {
          return f;
        }
      }
      throw new IllegalArgumentException("unknown framing '" + key + "' (one of lines, length-prefixed, fixed)");
    }
  }

  public enum Prefix {
    U16("u16", 2, 0xFFFF), U32("u32", 4, Integer.MAX_VALUE);

    private final String key;
    private final int bytes;
    private final int max;

    Prefix(String key, int bytes, int max) {
      this.key = key;
      this.bytes = bytes;
      this.max = max;
    }

    public String key() {
      return key;
    }

    public int bytes() {
      return bytes;
    }

    /** Largest length this prefix can express (u32 is capped at 2^31-1: larger is impossible). */
    public int max() {
      return max;
    }

    public static Prefix of(String key) {
      for (Prefix p : values()) {
        if (p.key.equals(key)) {
          return p;
        }
      }
      throw new IllegalArgumentException("unknown prefix '" + key + "' (one of u16, u32)");
    }
  }

  public enum Identify {
    /** The first frame is the device id, optionally {@code id:token}. */
    FIRST_FRAME("first-frame"),
    /** The peer's IP address is the device id. */
    REMOTE_ADDRESS("remote-address"),
    /** The CN of the TLS client certificate is the device id. */
    CLIENT_CERTIFICATE("client-certificate");

    private final String key;

    Identify(String key) {
      this.key = key;
    }

    public String key() {
      return key;
    }

    public static Identify of(String key) {
      for (Identify i : values()) {
        if (i.key.equals(key)) {
          return i;
        }
      }
      throw new IllegalArgumentException(
          "unknown identify '" + key + "' (one of first-frame, remote-address, client-certificate)");
    }
  }

  public static final Framing DEFAULT_FRAMING = Framing.LINES;
  public static final int DEFAULT_MAX_LINE_LENGTH = 8192;
  public static final Prefix DEFAULT_PREFIX = Prefix.U16;
  public static final int DEFAULT_FRAME_SIZE = 16;
  public static final int DEFAULT_MAX_FRAME_SIZE = 65536;
  public static final Identify DEFAULT_IDENTIFY = Identify.FIRST_FRAME;
  public static final String DEFAULT_UPLINK = "devices/{id}/up";
  public static final String DEFAULT_DOWNLINK = "devices/{id}/down";
  public static final int DEFAULT_QOS = 0;
  public static final int DEFAULT_IDENTIFY_TIMEOUT_MS = 10_000;
  /** Largest frame any framing accepts, whatever the configuration: 16 MiB. */
  public static final int LIMIT = 16 * 1024 * 1024;

  private Framing framing = DEFAULT_FRAMING;
  private int maxLineLength = DEFAULT_MAX_LINE_LENGTH;
  private Prefix prefix = DEFAULT_PREFIX;
  private int frameSize = DEFAULT_FRAME_SIZE;
  private int maxFrameSize = DEFAULT_MAX_FRAME_SIZE;
  private Identify identify = DEFAULT_IDENTIFY;
  private String uplink = DEFAULT_UPLINK;
  private String downlink = DEFAULT_DOWNLINK;
  private int qos = DEFAULT_QOS;
  private int identifyTimeoutMs = DEFAULT_IDENTIFY_TIMEOUT_MS;
  private Authenticator loginAuthenticator = Authenticator.ALLOW_ALL;
  private int publishRate;
  private long publishBytesRate;
  private String listenerName = "devices";

  public RawTcpOptions() {
  }

  public RawTcpOptions(RawTcpOptions o) {
    framing = o.framing;
    maxLineLength = o.maxLineLength;
    prefix = o.prefix;
    frameSize = o.frameSize;
    maxFrameSize = o.maxFrameSize;
    identify = o.identify;
    uplink = o.uplink;
    downlink = o.downlink;
    qos = o.qos;
    identifyTimeoutMs = o.identifyTimeoutMs;
    loginAuthenticator = o.loginAuthenticator;
    publishRate = o.publishRate;
    publishBytesRate = o.publishBytesRate;
    listenerName = o.listenerName;
  }

  /** The listener's name, in connect log lines and metrics labels. */
  public String getListenerName() {
    return listenerName;
  }

  public RawTcpOptions setListenerName(String listenerName) {
    this.listenerName = Objects.requireNonNull(listenerName, "listenerName");
    return this;
  }

  public Framing getFraming() {
    return framing;
  }

  public RawTcpOptions setFraming(Framing framing) {
    this.framing = Objects.requireNonNull(framing, "framing");
    return this;
  }

  public int getMaxLineLength() {
    return maxLineLength;
  }

  /** Longest line, in bytes, not counting the {@code \n} or {@code \r\n}. */
  public RawTcpOptions setMaxLineLength(int maxLineLength) {
    range(maxLineLength, 1, LIMIT, "maxLineLength");
    this.maxLineLength = maxLineLength;
    return this;
  }

  public Prefix getPrefix() {
    return prefix;
  }

  public RawTcpOptions setPrefix(Prefix prefix) {
    this.prefix = Objects.requireNonNull(prefix, "prefix");
    return this;
  }

  public int getFrameSize() {
    return frameSize;
  }

  public RawTcpOptions setFrameSize(int frameSize) {
    range(frameSize, 1, LIMIT, "frameSize");
    this.frameSize = frameSize;
    return this;
  }

  public int getMaxFrameSize() {
    return maxFrameSize;
  }

  /** Largest length-prefixed frame; a prefix above it (or above what u16 can say) is impossible. */
  public RawTcpOptions setMaxFrameSize(int maxFrameSize) {
    range(maxFrameSize, 1, LIMIT, "maxFrameSize");
    this.maxFrameSize = maxFrameSize;
    return this;
  }

  public Identify getIdentify() {
    return identify;
  }

  public RawTcpOptions setIdentify(Identify identify) {
    this.identify = Objects.requireNonNull(identify, "identify");
    return this;
  }

  public String getUplink() {
    return uplink;
  }

  public RawTcpOptions setUplink(String uplink) {
    this.uplink = template(uplink, "uplink");
    return this;
  }

  public String getDownlink() {
    return downlink;
  }

  public RawTcpOptions setDownlink(String downlink) {
    this.downlink = template(downlink, "downlink");
    return this;
  }

  public int getQos() {
    return qos;
  }

  /** QoS of the stored uplink messages: what subscribers see as the publish QoS. */
  public RawTcpOptions setQos(int qos) {
    range(qos, 0, 2, "qos");
    this.qos = qos;
    return this;
  }

  public int getIdentifyTimeoutMs() {
    return identifyTimeoutMs;
  }

  public RawTcpOptions setIdentifyTimeoutMs(int identifyTimeoutMs) {
    range(identifyTimeoutMs, 1, 3_600_000, "identifyTimeoutMs");
    this.identifyTimeoutMs = identifyTimeoutMs;
    return this;
  }

  public Authenticator getLoginAuthenticator() {
    return loginAuthenticator;
  }

  /**
   * Who may connect (default: everyone), the same check MQTT logins get: a first-frame
   * {@code id:token} logs in as user {@code id} with password {@code token}; a device identified by
   * its remote address logs in without a user name (anonymous); a client certificate is a
   * credential of its own and needs no check.
   */
  public RawTcpOptions setLoginAuthenticator(Authenticator authenticator) {
    this.loginAuthenticator = Objects.requireNonNull(authenticator, "authenticator");
    return this;
  }

  /** Frames a second one device may send (a second's worth at once); past it it is not read. 0: unlimited. */
  public int getPublishRate() {
    return publishRate;
  }

  public long getPublishBytesRate() {
    return publishBytesRate;
  }

  /** {@code limits.publishRate} / {@code publishBytesRate} for devices (0: unlimited). */
  public RawTcpOptions setPublishRates(int framesPerSecond, long bytesPerSecond) {
    PublishBudget.of(framesPerSecond, bytesPerSecond); // checks them
    this.publishRate = framesPerSecond;
    this.publishBytesRate = bytesPerSecond;
    return this;
  }

  /** The largest frame the configured framing accepts: what the decoder may hold pending. */
  public int effectiveMaxFrame() {
    switch (framing) {
      case LINES:
        return maxLineLength;
      case FIXED:
        return frameSize;
      default:
        return Math.min(maxFrameSize, prefix.max());
    }
  }

  private static void range(int value, int min, int max, String name) {
    if (value < min || value > max) {
      throw new IllegalArgumentException("must be " + min + ".." + max + ", was " + value);
    }
  }

  /** Null when the template is a topic name (no wildcards, not $-prefixed) containing {id}; else the problem. */
  public static String templateProblem(String template) {
    if (template == null || template.isEmpty()) {
      return "is required (a topic with {id}, e.g. devices/{id}/up)";
    }
    if (!template.contains("{id}")) {
      return "must contain {id}: '" + template + "'";
    }
    if (template.contains("+") || template.contains("#") || template.indexOf('\0') >= 0) {
      return "must be a topic name without wildcards: '" + template + "'";
    }
    if (template.startsWith("$")) {
      return "must not start with '$': '" + template + "'";
    }
    return null;
  }

  private static String template(String template, String name) {
    String problem = templateProblem(template);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    return template;
  }

  /** The template with {id} replaced. */
  public static String topic(String template, String id) {
    return template.replace("{id}", id);
  }
}
