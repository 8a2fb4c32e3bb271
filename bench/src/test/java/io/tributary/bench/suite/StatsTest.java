package io.tributary.bench.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {

  @Test
  void medianOfOddCountIsTheMiddleValue() {
    assertEquals(3.0, Stats.median(5, 1, 3));
    assertEquals(7.0, Stats.median(7));
  }

  @Test
  void medianOfEvenCountIsTheMeanOfTheMiddleTwo() {
    assertEquals(2.5, Stats.median(4, 1, 2, 3));
  }

  @Test
  void medianLeavesOutMissingValues() {
    assertEquals(2.0, Stats.median(Double.NaN, 1, 3));
    assertTrue(Double.isNaN(Stats.median(Double.NaN)));
    assertTrue(Double.isNaN(Stats.median(List.of())));
  }

  @Test
  void ratioIsTributaryOverMosquitto() {
    assertEquals(2.0, Stats.ratio(300, 150));
    assertEquals(0.5, Stats.ratio(1, 2));
  }

  @Test
  void ratioWithoutBothValuesIsMissing() {
    assertTrue(Double.isNaN(Stats.ratio(Double.NaN, 2)));
    assertTrue(Double.isNaN(Stats.ratio(1, Double.NaN)));
    assertTrue(Double.isNaN(Stats.ratio(1, 0)));
  }

  @Test
  void spreadIsRangeOverMedian() {
    assertEquals(0.2, Stats.spread(List.of(90.0, 100.0, 110.0)), 1e-9);
    assertTrue(Double.isNaN(Stats.spread(List.of(1.0))));
  }
}
