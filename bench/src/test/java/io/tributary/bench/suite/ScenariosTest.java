package io.tributary.bench.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tributary.bench.load.Scenario;
import io.tributary.bench.load.Scenario.Kind;
import io.tributary.bench.load.Scenario.Mode;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScenariosTest {

  @Test
  void allScenariosInOrder() {
    assertEquals(List.of("fan-in-q0", "fan-in-q1", "fan-out-100-q0", "fan-out-1000-q1", "pairs-100-q1",
        "latency-q1-20k", "idle-10k", "shared-fan-in-q1", "storm", "storm-auth"), Scenarios.ids());
  }

  @Test
  void fullScale() {
    Scenario s = build("fan-out-1000-q1", false);
    assertEquals(Kind.FAN_OUT, s.getKind());
    assertEquals(1000, s.getSubscribers());
    assertEquals(1, s.getQos());
    assertEquals(64, s.getPayloadBytes());
    assertEquals(5.0, s.getWarmupSeconds());
    assertEquals(10.0, s.getMeasureSeconds());
    assertEquals(10_000, build("idle-10k", false).getConnections());
    assertEquals(5_000, build("storm", false).getConnections());
    assertEquals(64, build("storm", false).getConcurrency());
    Scenario latency = build("latency-q1-20k", false);
    assertEquals(Mode.FIXED_RATE, latency.getMode());
    assertEquals(20_000, latency.getRate());
    assertEquals(4, latency.getPublishers());
    Scenario shared = build("shared-fan-in-q1", false);
    assertEquals(5, shared.getProtocolVersion());
    assertEquals(2, shared.getSubscribers());
    assertEquals(Kind.PAIRS, build("pairs-100-q1", false).getKind());
    assertEquals(100, build("pairs-100-q1", false).getPublishers());
  }

  @Test
  void quickScaleIsSmallerAndShorter() {
    assertEquals(100, build("fan-out-1000-q1", true).getSubscribers());
    assertEquals(1_000, build("idle-10k", true).getConnections());
    assertEquals(1_000, build("storm", true).getConnections());
    assertEquals(1.0, build("fan-in-q0", true).getWarmupSeconds());
    assertEquals(2.0, build("fan-in-q0", true).getMeasureSeconds());
  }

  @Test
  void warmupAndMeasureOverrideTheProfile() {
    Scenario s = Scenarios.byId("fan-in-q1").orElseThrow().build(true, 0.5, 1);
    assertEquals(0.5, s.getWarmupSeconds());
    assertEquals(1.0, s.getMeasureSeconds());
    assertEquals("fan-in-q1", s.getName());
  }

  @Test
  void buildDoesNotChangeTheDefinition() {
    ScenarioDef def = Scenarios.byId("fan-in-q0").orElseThrow();
    def.build(false, 1, 1).setPort(1234).setBrokerPid(42);
    Scenario again = def.build(false, Double.NaN, Double.NaN);
    assertEquals(1883, again.getPort());
    assertEquals(0, again.getBrokerPid());
    assertEquals(5.0, again.getWarmupSeconds());
  }

  private static Scenario build(String id, boolean quick) {
    return Scenarios.byId(id).orElseThrow().build(quick, Double.NaN, Double.NaN);
  }
}
