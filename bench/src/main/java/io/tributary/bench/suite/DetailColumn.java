package io.tributary.bench.suite;

import io.tributary.bench.load.LoadResult;
import java.util.function.DoubleFunction;
import java.util.function.ToDoubleFunction;

/** A column of a scenario's detail table: the median of one {@link LoadResult} field over the rounds. */
enum DetailColumn {
  PUBLISHED_PER_S("published/s", LoadResult::publishedPerSecond, Format::count),
  DELIVERED_PER_S("delivered/s", LoadResult::deliveredPerSecond, Format::count),
  LOST("lost", r -> r.lost(), Format::count),
  CPU_PER_MILLION("CPU s/M", LoadResult::brokerCpuPerMillion, Format::number),
  LATENCY_P50("p50 µs", LoadResult::latencyP50Micros, Format::number),
  LATENCY_P99("p99 µs", LoadResult::latencyP99Micros, Format::number),
  LATENCY_P999("p99.9 µs", LoadResult::latencyP999Micros, Format::number),
  LATENCY_MAX("max µs", LoadResult::latencyMaxMicros, Format::number),
  RSS_PER_CONNECTION("RSS/conn KiB", LoadResult::rssPerConnectionKiB, Format::number),
  CONNECTIONS_PER_S("connections/s", LoadResult::connectionsPerSecond, Format::count),
  BROKER_CPU("broker CPU", LoadResult::brokerCpuPercent, Format::percent),
  BROKER_RSS("broker RSS", LoadResult::brokerRssKiB, Format::mib),
  GENERATOR_CPU("generator CPU", LoadResult::generatorCpuPercent, Format::percent);

  final String header;
  final ToDoubleFunction<LoadResult> extractor;
  final DoubleFunction<String> format;

  DetailColumn(String header, ToDoubleFunction<LoadResult> extractor, DoubleFunction<String> format) {
    this.header = header;
    this.extractor = extractor;
    this.format = format;
  }
}
