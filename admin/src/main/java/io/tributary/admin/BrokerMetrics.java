package io.tributary.admin;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.tributary.commitlog.CommitLog;
import io.tributary.router.Broker;
import io.tributary.router.ListenerStatus;
import io.tributary.router.counters.BrokerCounters.Counter;
import io.tributary.router.counters.Traffic;
import io.tributary.router.message.Message;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;

/**
 * The broker's figures as Micrometer meters, all read when scraped: nothing here runs on the
 * per-message path. Counters come from {@link io.tributary.router.counters.BrokerCounters} (one
 * {@code tributary_<counter>_total} each) and from each listener's {@link Traffic} on each event
 * loop, summed by listener, protocol and QoS; gauges read the sessions, subscriptions, retained
 * store and commit log as they are.
 */
final class BrokerMetrics implements MeterBinder {

  private final Broker broker;
  private final AdminHost host;

  BrokerMetrics(Broker broker, AdminHost host) {
    this.broker = broker;
    this.host = host;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    // Meters hold what they read weakly: the broker, which outlives them, not a view made here.
    for (Counter c : Counter.values()) {
      FunctionCounter.builder("tributary." + c.name().toLowerCase(Locale.ROOT).replace('_', '.'), broker,
              b -> b.counters().get(c))
          .description(describe(c))
          .register(registry);
    }
    bindViolations(registry);
    bindTraffic(registry);
    bindConnections(registry);

    Gauge.builder("tributary.sessions", broker, b -> b.connectedCount()).tags("state", "online")
        .description("Sessions with a connection").register(registry);
    Gauge.builder("tributary.sessions", broker, b -> Math.max(0, b.sessionCount() - b.connectedCount()))
        .tags("state", "offline").description("Persistent sessions without a connection").register(registry);
    Gauge.builder("tributary.subscriptions", broker, Broker::subscriptionCount)
        .description("Subscriptions of all sessions, connected or not (shared ones not included)").register(registry);
    Gauge.builder("tributary.inflight.messages", broker, Broker::inflightCount)
        .description("Outbound QoS 1/2 deliveries waiting for the client's acknowledgement").register(registry);
    Gauge.builder("tributary.retained.messages", broker, b -> b.retained().size())
        .description("Retained messages").register(registry);
    Gauge.builder("tributary.retained", broker, b -> b.retained().bytes()).baseUnit("bytes")
        .description("Topic and payload bytes of the retained messages").register(registry);

    Gauge.builder("tributary.cluster.members", broker, b -> b.cluster().members())
        .description("Members of the cluster this node sees, itself included (1 without a cluster)").register(registry);
    Gauge.builder("tributary.cluster.forward.lag.records", broker, b -> b.cluster().forwardLag())
        .description("Records of this node's log other nodes have not been sent yet, summed over nodes")
        .register(registry);

    Gauge.builder("tributary.bridges", broker, b -> b.bridges().size())
        .description("Bridges to other brokers this broker runs").register(registry);
    Gauge.builder("tributary.bridges.connected", broker,
            b -> b.bridges().stream().filter(io.tributary.router.BridgeStatus::isConnected).count())
        .description("Bridges whose remote broker accepted their connection now").register(registry);
    Gauge.builder("tributary.bridge.lag.records", broker,
            b -> b.bridges().stream().mapToLong(io.tributary.router.BridgeStatus::lag).sum())
        .description("Records of the log bridges have not completed on their remotes yet, summed over bridges")
        .register(registry);

    CommitLog<Message> log = broker.log();
    Gauge.builder("tributary.log.start.offset", log, CommitLog::startOffset)
        .description("Offset of the oldest record the commit log keeps").register(registry);
    Gauge.builder("tributary.log.end.offset", log, CommitLog::endOffset)
        .description("Offset the next record will get").register(registry);
    Gauge.builder("tributary.log.records", log, l -> l.endOffset() - l.startOffset())
        .description("Records the commit log keeps").register(registry);
    Gauge.builder("tributary.log", log, CommitLog::retainedBytes).baseUnit("bytes")
        .description("Bytes of the records the commit log keeps, headers included").register(registry);
    Gauge.builder("tributary.log.segments", log, CommitLog::segmentCount)
        .description("Segments of the commit log, the active one included").register(registry);
    FunctionTimer.builder("tributary.log.flush", log, CommitLog::flushCount, CommitLog::flushNanos,
            TimeUnit.NANOSECONDS)
        .description("Forces (fsync) of the commit log and the time they took").register(registry);
    Gauge.builder("tributary.uptime", broker, b -> (System.currentTimeMillis() - b.startedAt()) / 1000.0)
        .baseUnit("seconds").description("Time since the broker started").register(registry);
  }

  /** The reason codes MQTT connections are closed with for a violation, and what they mean. */
  private static final Map<Integer, String> VIOLATIONS = new LinkedHashMap<>();

  static {
    VIOLATIONS.put(0x81, "malformed packet");
    VIOLATIONS.put(0x82, "protocol error");
    VIOLATIONS.put(0x93, "receive maximum exceeded");
    VIOLATIONS.put(0x94, "topic alias invalid");
    VIOLATIONS.put(0x95, "packet too large");
    VIOLATIONS.put(0x97, "quota exceeded");
  }

  /** Protocol violations by reason code; {@code other} is whatever the named codes leave. */
  private void bindViolations(MeterRegistry registry) {
    String name = "tributary.mqtt.protocol.violations.by.reason";
    VIOLATIONS.forEach((code, what) -> FunctionCounter.builder(name, broker, b -> b.counters().mqttViolations(code))
        .tags("reason", String.format("0x%02X", code), "name", what)
        .description("MQTT connections closed for a protocol violation, by the reason code sent").register(registry));
    FunctionCounter.builder(name, broker, b -> {
      long named = 0;
      for (int code : VIOLATIONS.keySet()) {
        named += b.counters().mqttViolations(code);
      }
      return b.counters().get(Counter.MQTT_PROTOCOL_VIOLATIONS) - named;
    }).tags("reason", "other", "name", "other").description("MQTT connections closed for a protocol violation, "
        + "by the reason code sent").register(registry);
  }

  /** Messages and bytes by listener, protocol (and QoS), summed over the event loops. */
  private void bindTraffic(MeterRegistry registry) {
    // Listeners register their traffic when they start; the meters are made for every listener
    // the host knows, and read whatever traffic accounts carry that listener's name.
    Set<String> seen = new HashSet<>();
    for (ListenerStatus l : host.listeners()) {
      if ("admin".equals(l.protocol()) || !seen.add(l.name())) {
        continue;
      }
      Tags tags = Tags.of("listener", l.name(), "protocol", l.protocol());
      for (int q = 0; q <= 2; q++) {
        int qos = q;
        FunctionCounter.builder("tributary.messages.received", broker, b -> sum(b, l.name(), t -> t.messagesIn(qos)))
            .tags(tags).tag("qos", String.valueOf(qos))
            .description("PUBLISHes (and device frames) received and stored").register(registry);
        FunctionCounter.builder("tributary.messages.sent", broker, b -> sum(b, l.name(), t -> t.messagesOut(qos)))
            .tags(tags).tag("qos", String.valueOf(qos))
            .description("PUBLISHes (and device frames) sent to clients").register(registry);
      }
      FunctionCounter.builder("tributary.received", broker, b -> sum(b, l.name(), Traffic::bytesIn))
          .tags(tags).baseUnit("bytes").description("Bytes read from clients").register(registry);
      FunctionCounter.builder("tributary.sent", broker, b -> sum(b, l.name(), Traffic::bytesOut))
          .tags(tags).baseUnit("bytes").description("Bytes written to clients").register(registry);
    }
  }

  private void bindConnections(MeterRegistry registry) {
    for (ListenerStatus l : host.listeners()) {
      if ("admin".equals(l.protocol())) {
        continue;
      }
      Gauge.builder("tributary.connections", broker, b -> sum(b, l.name(), Traffic::open))
          .tags("listener", l.name(), "protocol", l.protocol())
          .description("Open connections of the listener (MQTT from accept or upgrade on, CONNECT or not; devices)").register(registry);
    }
  }

  private static double sum(Broker broker, String listener, ToLongFunction<Traffic> value) {
    long total = 0;
    List<Traffic> all = broker.traffic();
    for (Traffic t : all) {
      if (t.listener().equals(listener)) {
        total += value.applyAsLong(t);
      }
    }
    return total;
  }

  private static String describe(Counter c) {
    return switch (c) {
      case MESSAGES_PUBLISHED -> "Messages stored in the commit log (publishes, wills, device frames)";
      case RECORDS_LOST_TO_RETENTION -> "Records removed by retention before a session read them";
      case CONNECTS_ACCEPTED -> "Sessions bound to a connection (CONNECT accepted, device identified)";
      case DISCONNECTS_BY_CLIENT -> "Connections ended by the client's DISCONNECT";
      case CONNECTIONS_LOST -> "Connections of bound sessions ended any other way";
      case MQTT_PROTOCOL_VIOLATIONS -> "MQTT connections closed for a protocol violation";
      default -> c.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    };
  }
}
