package io.tributary.bench.load;

import java.util.Objects;

/**
 * One load run against one broker: who publishes, who subscribes, how hard, for how long. An
 * options object in the Vert.x style: defaults, chained setters, and one place that says what
 * each field means. Immutable use is by convention: the generator reads it once at start.
 */
public final class Scenario {

  /** What the clients do. */
  public enum Kind {
    /** {@code publishers} clients publish to {@code bench/in/<i>}; one client subscribes to {@code bench/in/+}. */
    FAN_IN,
    /** One client publishes to {@code bench/out}; {@code subscribers} clients subscribe to it. */
    FAN_OUT,
    /** Client pair i: publisher to {@code bench/pair/<i>}, its own subscriber to that topic; {@code publishers} pairs. */
    PAIRS,
    /** {@code publishers} clients publish to {@code bench/shared/<i>}; {@code subscribers} clients share {@code $share/bench/bench/shared/+} (MQTT 5). */
    SHARED_FAN_IN,
    /** {@code connections} clients connect (CONNECT/CONNACK) and disconnect, {@code concurrency} at a time. */
    CONNECTION_STORM,
    /** {@code connections} clients connect and stay idle; the result is broker RSS per connection. */
    IDLE_CONNECTIONS
  }

  /** How publishers are paced. */
  public enum Mode {
    /**
     * Each publisher keeps at most {@code window} of its messages not yet delivered to every
     * subscriber that should get them, so the sustained rate is measured, not the broker's buffers.
     */
    CLOSED_LOOP,
    /** All publishers together send {@code rate} messages/s on a schedule; latency is measured from the scheduled time. */
    FIXED_RATE
  }

  private String name = "";
  private Kind kind = Kind.FAN_IN;
  private Mode mode = Mode.CLOSED_LOOP;
  private String host = "127.0.0.1";
  private int port = 1883;
  /**
   * Where subscribers connect when not {@link #port} (a cluster: publishers on one node,
   * subscribers on others): subscriber i on {@code subscriberPorts[i % n]}; empty = port.
   */
  private int[] subscriberPorts = new int[0];
  /** 4 = MQTT 3.1.1, 5 = MQTT 5.0. SHARED_FAN_IN always uses 5. */
  private int protocolVersion = 4;
  private int publishers = 4;
  private int subscribers = 1;
  private int qos = 0;
  private int payloadBytes = 64;
  /** CLOSED_LOOP: messages each publisher may have outstanding. */
  private int window = 256;
  /** FIXED_RATE: messages per second over all publishers. */
  private int rate = 20_000;
  private double warmupSeconds = 5;
  private double measureSeconds = 10;
  /** CONNECTION_STORM and IDLE_CONNECTIONS: how many clients. */
  private int connections = 1000;
  /** CONNECTION_STORM: connections in progress at once. */
  private int concurrency = 64;
  /**
   * CONNECTION_STORM: 0 for anonymous clients; else client n logs in as {@link #user}(n % users)
   * with {@link #password} of that user (a fleet of that many devices reconnecting).
   */
  private int users;
  /** Pid of the broker process whose CPU and RSS are read from /proc; 0 to skip. */
  private long brokerPid;
  /** Event loops of the generator. */
  private int eventLoops = 2;

  public Scenario() {
  }

  public Scenario(Scenario other) {
    name = other.name;
    kind = other.kind;
    mode = other.mode;
    host = other.host;
    port = other.port;
    subscriberPorts = other.subscriberPorts.clone();
    protocolVersion = other.protocolVersion;
    publishers = other.publishers;
    subscribers = other.subscribers;
    qos = other.qos;
    payloadBytes = other.payloadBytes;
    window = other.window;
    rate = other.rate;
    warmupSeconds = other.warmupSeconds;
    measureSeconds = other.measureSeconds;
    connections = other.connections;
    concurrency = other.concurrency;
    users = other.users;
    brokerPid = other.brokerPid;
    eventLoops = other.eventLoops;
  }

  public String getName() { return name; }
  public Scenario setName(String name) { this.name = Objects.requireNonNull(name); return this; }
  public Kind getKind() { return kind; }
  public Scenario setKind(Kind kind) { this.kind = Objects.requireNonNull(kind); return this; }
  public Mode getMode() { return mode; }
  public Scenario setMode(Mode mode) { this.mode = Objects.requireNonNull(mode); return this; }
  public String getHost() { return host; }
  public Scenario setHost(String host) { this.host = Objects.requireNonNull(host); return this; }
  public int getPort() { return port; }
  public Scenario setPort(int port) { this.port = port; return this; }
  /** The port subscriber i connects to. */
  public int getSubscriberPort(int i) {
    return subscriberPorts.length == 0 ? port : subscriberPorts[i % subscriberPorts.length];
  }
  public Scenario setSubscriberPorts(int... ports) { this.subscriberPorts = ports.clone(); return this; }
  public int getProtocolVersion() { return protocolVersion; }
  public Scenario setProtocolVersion(int v) {
    if (v != 4 && v != 5) {
      throw new IllegalArgumentException("protocolVersion must be 4 (3.1.1) or 5, not " + v);
    }
    this.protocolVersion = v;
    return this;
  }
  public int getPublishers() { return publishers; }
  public Scenario setPublishers(int publishers) { this.publishers = publishers; return this; }
  public int getSubscribers() { return subscribers; }
  public Scenario setSubscribers(int subscribers) { this.subscribers = subscribers; return this; }
  public int getQos() { return qos; }
  public Scenario setQos(int qos) {
    if (qos < 0 || qos > 1) {
      throw new IllegalArgumentException("qos must be 0 or 1, not " + qos);
    }
    this.qos = qos;
    return this;
  }
  public int getPayloadBytes() { return payloadBytes; }
  public Scenario setPayloadBytes(int payloadBytes) { this.payloadBytes = payloadBytes; return this; }
  public int getWindow() { return window; }
  public Scenario setWindow(int window) { this.window = window; return this; }
  public int getRate() { return rate; }
  public Scenario setRate(int rate) { this.rate = rate; return this; }
  public double getWarmupSeconds() { return warmupSeconds; }
  public Scenario setWarmupSeconds(double s) { this.warmupSeconds = s; return this; }
  public double getMeasureSeconds() { return measureSeconds; }
  public Scenario setMeasureSeconds(double s) { this.measureSeconds = s; return this; }
  public int getConnections() { return connections; }
  public Scenario setConnections(int connections) { this.connections = connections; return this; }
  public int getUsers() { return users; }
  public Scenario setUsers(int users) { this.users = users; return this; }
  /** The user name of user i of a storm with logins. */
  public static String user(int i) { return "bench-" + i; }
  /** The password of user i (each user its own, as devices have). */
  public static String password(int i) { return "secret-" + i + "-of-the-bench"; }
  public int getConcurrency() { return concurrency; }
  public Scenario setConcurrency(int concurrency) { this.concurrency = concurrency; return this; }
  public long getBrokerPid() { return brokerPid; }
  public Scenario setBrokerPid(long brokerPid) { this.brokerPid = brokerPid; return this; }
  public int getEventLoops() { return eventLoops; }
  public Scenario setEventLoops(int eventLoops) { this.eventLoops = eventLoops; return this; }

  @Override
  public String toString() {
    return name + " [" + kind + " " + mode + " qos" + qos + " pub=" + publishers + " sub=" + subscribers
        + " payload=" + payloadBytes + (mode == Mode.FIXED_RATE ? " rate=" + rate : " window=" + window) + "]";
  }
}
