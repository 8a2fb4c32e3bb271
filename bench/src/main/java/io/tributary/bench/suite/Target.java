package io.tributary.bench.suite;

import java.util.Locale;

/**
 * What a metric should reach. A {@link Kind#RATIO} target compares Tributary / Mosquitto with the
 * threshold; an {@link Kind#ABSOLUTE} one compares Tributary's own value. Whether the value must be
 * at least or at most the threshold follows the metric's direction.
 */
record Target(Kind kind, double threshold) {

  enum Kind { RATIO, ABSOLUTE }

  static Target ratio(double threshold) {
    return new Target(Kind.RATIO, threshold);
  }

  static Target absolute(double threshold) {
    return new Target(Kind.ABSOLUTE, threshold);
  }

  /** Whether the medians meet this target, for a metric where {@code better} is the good direction. */
  Verdict evaluate(Metric.Better better, double tributary, double mosquitto) {
    double value = kind == Kind.RATIO ? Stats.ratio(tributary, mosquitto) : tributary;
    if (Double.isNaN(value)) {
      return Verdict.NO_DATA;
    }
    boolean met = better == Metric.Better.HIGHER ? value >= threshold : value <= threshold;
    return met ? Verdict.MET : Verdict.NOT_MET;
  }

  /** "≥ 1.5× Mosquitto", "≤ 0.75× Mosquitto", "≤ 16 KiB". */
  String describe(Metric.Better better, String unit) {
    String op = better == Metric.Better.HIGHER ? "≥ " : "≤ ";
    if (kind == Kind.RATIO) {
      return op + Format.plain(threshold) + "× Mosquitto";
    }
    return op + Format.plain(threshold) + (unit.isEmpty() ? "" : " " + unit) + " (absolute)";
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%s %s", kind, threshold);
  }
}
