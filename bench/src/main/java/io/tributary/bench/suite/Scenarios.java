package io.tributary.bench.suite;

import io.tributary.bench.load.Scenario;
import io.tributary.bench.load.Scenario.Kind;
import io.tributary.bench.load.Scenario.Mode;
import java.util.List;
import java.util.Optional;

/** The suite's scenarios, in the order they run and appear in the report. */
final class Scenarios {

  /** The scenarios of the transports table ({@code --transports}). */
  static final List<String> TRANSPORT_SCENARIOS = List.of("fan-in-q0", "fan-in-q1", "fan-out-100-q0");

  static final double WARMUP = 5;
  static final double MEASURE = 10;
  static final double QUICK_WARMUP = 1;
  static final double QUICK_MEASURE = 2;

  private static final List<DetailColumn> MESSAGES = List.of(DetailColumn.PUBLISHED_PER_S, DetailColumn.DELIVERED_PER_S,
      DetailColumn.LOST, DetailColumn.CPU_PER_MILLION, DetailColumn.BROKER_CPU, DetailColumn.BROKER_RSS,
      DetailColumn.GENERATOR_CPU);
  private static final List<DetailColumn> LATENCY = List.of(DetailColumn.PUBLISHED_PER_S, DetailColumn.DELIVERED_PER_S,
      DetailColumn.LOST, DetailColumn.LATENCY_P50, DetailColumn.LATENCY_P99, DetailColumn.LATENCY_P999,
      DetailColumn.LATENCY_MAX, DetailColumn.CPU_PER_MILLION, DetailColumn.BROKER_CPU, DetailColumn.BROKER_RSS,
      DetailColumn.GENERATOR_CPU);
  private static final List<DetailColumn> IDLE = List.of(DetailColumn.RSS_PER_CONNECTION, DetailColumn.BROKER_RSS,
      DetailColumn.BROKER_CPU, DetailColumn.GENERATOR_CPU);
  private static final List<DetailColumn> STORM = List.of(DetailColumn.CONNECTIONS_PER_S, DetailColumn.BROKER_CPU,
      DetailColumn.BROKER_RSS, DetailColumn.GENERATOR_CPU);

  private static final List<ScenarioDef> ALL = List.of(
      def("fan-in-q0", fanIn(0), fanIn(0),
          List.of(Metric.throughput("delivered msg/s", Target.ratio(1.5)),
              Metric.cpuPerMillion("CPU s per M msgs", Target.ratio(1.0))), MESSAGES),
      def("fan-in-q1", fanIn(1), fanIn(1),
          List.of(Metric.throughput("delivered msg/s", Target.ratio(2.5)),
              Metric.cpuPerMillion("CPU s per M msgs", Target.ratio(0.75))), MESSAGES),
      def("fan-out-100-q0", fanOut(100, 0), fanOut(100, 0),
          List.of(Metric.throughput("deliveries/s", Target.ratio(2.0)),
              Metric.cpuPerMillion("CPU s per M deliveries", Target.ratio(1.0))), MESSAGES),
      def("fan-out-1000-q1", fanOut(1000, 1), fanOut(100, 1),
          List.of(Metric.throughput("deliveries/s", null),
              Metric.cpuPerMillion("CPU s per M deliveries", Target.ratio(0.75))), MESSAGES),
      def("pairs-100-q1", pairs(100), pairs(100),
          List.of(Metric.throughput("delivered msg/s", null),
              Metric.cpuPerMillion("CPU s per M msgs", Target.ratio(0.75))), MESSAGES),
      def("latency-q1-20k", latency(), latency(),
          List.of(Metric.latencyP50(null), Metric.latencyP99(Target.ratio(1.0)), Metric.latencyP999(null)), LATENCY),
      def("idle-10k", idle(10_000), idle(1_000),
          List.of(Metric.rssPerConnection(Target.absolute(16))), IDLE),
      def("shared-fan-in-q1", shared(), shared(),
          List.of(Metric.throughput("delivered msg/s", null), Metric.cpuPerMillion("CPU s per M msgs", null)), MESSAGES),
      def("storm", storm(5_000), storm(1_000),
          List.of(Metric.connectionsPerSecond(null)), STORM),
      // Issue 13: a fleet of 1,000 devices reconnecting, each with its password, against each
      // broker's own password file.
      def("storm-auth", storm(5_000).setUsers(1_000), storm(1_000).setUsers(100),
          List.of(Metric.connectionsPerSecond(Target.ratio(1.0))), STORM));

  private Scenarios() {
  }

  static List<ScenarioDef> all() {
    return ALL;
  }

  static Optional<ScenarioDef> byId(String id) {
    return ALL.stream().filter(d -> d.id().equals(id)).findFirst();
  }

  static List<String> ids() {
    return ALL.stream().map(ScenarioDef::id).toList();
  }

  private static ScenarioDef def(String id, Scenario full, Scenario quick, List<Metric> metrics, List<DetailColumn> columns) {
    full.setName(id).setWarmupSeconds(WARMUP).setMeasureSeconds(MEASURE);
    quick.setName(id).setWarmupSeconds(QUICK_WARMUP).setMeasureSeconds(QUICK_MEASURE);
    return new ScenarioDef(id, full, quick, metrics, columns);
  }

  private static Scenario base() {
    // 64 outstanding per publisher: deep enough to keep a broker busy, shallow enough that the
    // closed loop measures the sustained rate rather than queues.
    return new Scenario().setPayloadBytes(64).setProtocolVersion(4).setMode(Mode.CLOSED_LOOP).setWindow(64);
  }

  private static Scenario fanIn(int qos) {
    return base().setKind(Kind.FAN_IN).setPublishers(4).setSubscribers(1).setQos(qos);
  }

  private static Scenario fanOut(int subscribers, int qos) {
    return base().setKind(Kind.FAN_OUT).setPublishers(1).setSubscribers(subscribers).setQos(qos);
  }

  private static Scenario pairs(int n) {
    return base().setKind(Kind.PAIRS).setPublishers(n).setSubscribers(n).setQos(1);
  }

  private static Scenario latency() {
    return fanIn(1).setMode(Mode.FIXED_RATE).setRate(20_000);
  }

  private static Scenario idle(int connections) {
    return base().setKind(Kind.IDLE_CONNECTIONS).setConnections(connections);
  }

  private static Scenario shared() {
    return base().setKind(Kind.SHARED_FAN_IN).setPublishers(4).setSubscribers(2).setQos(1).setProtocolVersion(5);
  }

  private static Scenario storm(int connections) {
    return base().setKind(Kind.CONNECTION_STORM).setConnections(connections).setConcurrency(64);
  }
}
