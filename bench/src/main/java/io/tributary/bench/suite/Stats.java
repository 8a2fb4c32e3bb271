package io.tributary.bench.suite;

import java.util.Arrays;
import java.util.Collection;

/** Medians and ratios over the rounds of a scenario. NaN means "no data" throughout. */
final class Stats {

  private Stats() {
  }

  /**
   * Median of the values that are numbers (NaN values, from failed runs or fields that do not
   * apply, are left out); NaN when none is. With an even count, the mean of the middle two.
   */
  static double median(Collection<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).filter(d -> !Double.isNaN(d)).sorted().toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    int mid = v.length / 2;
    return v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  }

  static double median(double... values) {
    return median(Arrays.stream(values).boxed().toList());
  }

  /** Tributary / Mosquitto; NaN when either is missing or the peer's value is 0. */
  static double ratio(double tributary, double mosquitto) {
    if (Double.isNaN(tributary) || Double.isNaN(mosquitto) || mosquitto == 0) {
      return Double.NaN;
    }
    return tributary / mosquitto;
  }

  /** (max - min) / median of the numbers among the values; NaN with fewer than two. */
  static double spread(Collection<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).filter(d -> !Double.isNaN(d)).sorted().toArray();
    if (v.length < 2) {
      return Double.NaN;
    }
    double m = median(values);
    return m == 0 ? Double.NaN : (v[v.length - 1] - v[0]) / m;
  }
}
