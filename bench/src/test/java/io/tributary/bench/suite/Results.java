package io.tributary.bench.suite;

import io.tributary.bench.load.LoadResult;

/** LoadResults with the fields a test cares about; everything else NaN or 0. */
final class Results {

  private Results() {
  }

  static LoadResult messages(double deliveredPerSecond, double cpuPerMillion) {
    return new LoadResult("x", (long) deliveredPerSecond * 10, (long) deliveredPerSecond * 10, 0, 10,
        deliveredPerSecond, deliveredPerSecond, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
        cpuPerMillion * deliveredPerSecond * 10 / 1e6, cpuPerMillion, 102_400, Double.NaN, Double.NaN, 42, 55);
  }

  static LoadResult latency(double p50, double p99, double p999) {
    return new LoadResult("x", 200_000, 200_000, 0, 10, 20_000, 20_000, p50, p99, p999, p999 * 2,
        1, 5, 102_400, Double.NaN, Double.NaN, 30, 25);
  }

  static LoadResult idle(double rssPerConnectionKiB) {
    return new LoadResult("x", 0, 0, 0, 10, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
        0.1, Double.NaN, 204_800, rssPerConnectionKiB, Double.NaN, 5, 1);
  }
}
