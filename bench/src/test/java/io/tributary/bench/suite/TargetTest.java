package io.tributary.bench.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tributary.bench.suite.Metric.Better;
import org.junit.jupiter.api.Test;

class TargetTest {

  @Test
  void higherIsBetterRatioTarget() {
    Target t = Target.ratio(1.5);
    assertEquals(Verdict.MET, t.evaluate(Better.HIGHER, 150, 100));
    assertEquals(Verdict.MET, t.evaluate(Better.HIGHER, 200, 100));
    assertEquals(Verdict.NOT_MET, t.evaluate(Better.HIGHER, 149, 100));
  }

  @Test
  void lowerIsBetterRatioTarget() {
    Target t = Target.ratio(0.75);
    assertEquals(Verdict.MET, t.evaluate(Better.LOWER, 0.75, 1.0));
    assertEquals(Verdict.MET, t.evaluate(Better.LOWER, 0.5, 1.0));
    assertEquals(Verdict.NOT_MET, t.evaluate(Better.LOWER, 0.8, 1.0));
  }

  @Test
  void absoluteTargetLooksAtTributaryOnly() {
    Target t = Target.absolute(16);
    assertEquals(Verdict.MET, t.evaluate(Better.LOWER, 12, Double.NaN));
    assertEquals(Verdict.MET, t.evaluate(Better.LOWER, 16, 2));
    assertEquals(Verdict.NOT_MET, t.evaluate(Better.LOWER, 17, 40));
    assertEquals(Verdict.MET, Target.absolute(1000).evaluate(Better.HIGHER, 1000, Double.NaN));
    assertEquals(Verdict.NOT_MET, Target.absolute(1000).evaluate(Better.HIGHER, 999, Double.NaN));
  }

  @Test
  void missingValuesGiveNoData() {
    assertEquals(Verdict.NO_DATA, Target.ratio(1).evaluate(Better.LOWER, Double.NaN, 1));
    assertEquals(Verdict.NO_DATA, Target.ratio(1).evaluate(Better.LOWER, 1, Double.NaN));
    assertEquals(Verdict.NO_DATA, Target.absolute(16).evaluate(Better.LOWER, Double.NaN, 1));
  }

  @Test
  void metricWithoutTargetHasNoVerdict() {
    Metric m = Metric.throughput("deliveries/s", null);
    assertEquals(Verdict.NO_TARGET, m.evaluate(1, 2));
    assertEquals("—", m.describeTarget());
    assertEquals("—", Verdict.NO_TARGET.mark);
  }

  @Test
  void targetsDescribeThemselves() {
    assertEquals("≥ 1.5× Mosquitto", Target.ratio(1.5).describe(Better.HIGHER, "/s"));
    assertEquals("≤ 0.75× Mosquitto", Target.ratio(0.75).describe(Better.LOWER, "s"));
    assertEquals("≤ 1× Mosquitto", Target.ratio(1.0).describe(Better.LOWER, "s"));
    assertEquals("≤ 16 KiB (absolute)", Target.absolute(16).describe(Better.LOWER, "KiB"));
  }

  @Test
  void scenarioTargetsAreTheIssuesTargets() {
    assertEquals(Target.ratio(1.5), metric("fan-in-q0", 0).target());
    assertEquals(Target.ratio(1.0), metric("fan-in-q0", 1).target());
    assertEquals(Target.ratio(2.5), metric("fan-in-q1", 0).target());
    assertEquals(Target.ratio(0.75), metric("fan-in-q1", 1).target());
    assertEquals(Target.ratio(2.0), metric("fan-out-100-q0", 0).target());
    assertEquals(Target.ratio(1.0), metric("fan-out-100-q0", 1).target());
    assertEquals(Target.ratio(0.75), metric("fan-out-1000-q1", 1).target());
    assertEquals(Target.ratio(0.75), metric("pairs-100-q1", 1).target());
    assertEquals(Target.ratio(1.0), metric("latency-q1-20k", 1).target());
    assertEquals(Target.absolute(16), metric("idle-10k", 0).target());
    assertEquals(null, metric("shared-fan-in-q1", 0).target());
    assertEquals(null, metric("storm", 0).target());
  }

  private static Metric metric(String scenario, int i) {
    return Scenarios.byId(scenario).orElseThrow().metrics().get(i);
  }
}
