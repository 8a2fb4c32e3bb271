package io.tributary.bench.suite;

import io.tributary.bench.load.LoadResult;
import java.util.function.ToDoubleFunction;

/**
 * One number the main table reports for a scenario: how to read it from a {@link LoadResult},
 * which direction is better, and its target (null: reported for context only).
 */
record Metric(String label, String unit, ToDoubleFunction<LoadResult> extractor, Better better, Target target) {

  enum Better { HIGHER, LOWER }

  double of(LoadResult r) {
    return r == null ? Double.NaN : extractor.applyAsDouble(r);
  }

  Verdict evaluate(double tributary, double mosquitto) {
    return target == null ? Verdict.NO_TARGET : target.evaluate(better, tributary, mosquitto);
  }

  String describeTarget() {
    return target == null ? "—" : target.describe(better, unit);
  }

  // The metrics the scenarios use.

  static Metric throughput(String label, Target target) {
    return new Metric(label, "/s", LoadResult::deliveredPerSecond, Better.HIGHER, target);
  }

  static Metric cpuPerMillion(String label, Target target) {
    return new Metric(label, "s", LoadResult::brokerCpuPerMillion, Better.LOWER, target);
  }

  static Metric latencyP50(Target target) {
    return new Metric("latency p50 (µs)", "µs", LoadResult::latencyP50Micros, Better.LOWER, target);
  }

  static Metric latencyP99(Target target) {
    return new Metric("latency p99 (µs)", "µs", LoadResult::latencyP99Micros, Better.LOWER, target);
  }

  static Metric latencyP999(Target target) {
    return new Metric("latency p99.9 (µs)", "µs", LoadResult::latencyP999Micros, Better.LOWER, target);
  }

  static Metric rssPerConnection(Target target) {
    return new Metric("RSS per connection (KiB)", "KiB", LoadResult::rssPerConnectionKiB, Better.LOWER, target);
  }

  static Metric connectionsPerSecond(Target target) {
    return new Metric("connections/s", "/s", LoadResult::connectionsPerSecond, Better.HIGHER, target);
  }
}
