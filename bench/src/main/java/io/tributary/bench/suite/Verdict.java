package io.tributary.bench.suite;

/** Outcome of a metric against its target. */
enum Verdict {
  MET("✅"),
  NOT_MET("❌"),
  /** The metric has no target; it is reported for context. */
  NO_TARGET("—"),
  /** A target exists but a value is missing (a failed run, or the peer broker was not run). */
  NO_DATA("n/a");

  final String mark;

  Verdict(String mark) {
    this.mark = mark;
  }
}
