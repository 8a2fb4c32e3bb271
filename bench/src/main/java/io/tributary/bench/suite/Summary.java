package io.tributary.bench.suite;

import io.tributary.bench.load.LoadResult;
import java.util.List;
import java.util.function.ToDoubleFunction;

/** Medians over the rounds, ratios and verdicts: the numbers of the report's tables. */
final class Summary {

  /** One row of the main table. */
  record MetricRow(String scenario, Metric metric, double tributary, double mosquitto, double ratio, Verdict verdict) {
  }

  private Summary() {
  }

  /** The successful runs of one scenario in one table on one broker ({@code transport} null: any). */
  static List<LoadResult> results(List<RunRecord> runs, String table, String scenario, String broker, String transport) {
    return runs.stream()
        .filter(r -> r.ok() && r.table().equals(table) && r.scenario().equals(scenario) && r.broker().equals(broker))
        .filter(r -> transport == null || r.transport().equals(transport))
        .map(RunRecord::result)
        .toList();
  }

  static double median(List<LoadResult> results, ToDoubleFunction<LoadResult> field) {
    return Stats.median(results.stream().map(r -> field.applyAsDouble(r)).toList());
  }

  static double spread(List<LoadResult> results, ToDoubleFunction<LoadResult> field) {
    return Stats.spread(results.stream().map(r -> field.applyAsDouble(r)).toList());
  }

  static List<MetricRow> mainRows(List<ScenarioDef> scenarios, List<RunRecord> runs) {
    return scenarios.stream().flatMap(def -> {
      List<LoadResult> t = results(runs, RunRecord.MAIN, def.id(), "tributary", null);
      List<LoadResult> m = results(runs, RunRecord.MAIN, def.id(), "mosquitto", null);
      return def.metrics().stream().map(metric -> {
        double tv = median(t, metric::of);
        double mv = median(m, metric::of);
        return new MetricRow(def.id(), metric, tv, mv, Stats.ratio(tv, mv), metric.evaluate(tv, mv));
      });
    }).toList();
  }
}
