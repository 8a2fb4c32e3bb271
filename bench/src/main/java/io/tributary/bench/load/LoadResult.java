package io.tributary.bench.load;

/**
 * What one run measured, over the measurement window only (after warm-up). Rates are per second
 * of wall time. Fields that do not apply to a scenario are NaN (doubles) or 0 (counts); broker
 * fields are NaN when no broker pid was given.
 */
public record LoadResult(
    String scenario,
    /** Messages published in the window. */
    long published,
    /** Messages received by subscribers in the window (each subscriber's copy counts once). */
    long delivered,
    /** Deliveries given up on (a closed-loop window that stalled past its timeout, QoS 0 drops). */
    long lost,
    double seconds,
    double publishedPerSecond,
    double deliveredPerSecond,
    /** Latency from (scheduled, for FIXED_RATE) send time to receipt, microseconds; NaN if not recorded. */
    double latencyP50Micros,
    double latencyP99Micros,
    double latencyP999Micros,
    double latencyMaxMicros,
    /** Broker user+system CPU seconds in the window. */
    double brokerCpuSeconds,
    /** Broker CPU seconds per million deliveries (fan-out counts every copy). */
    double brokerCpuPerMillion,
    /** Broker resident set at the end of the window, KiB. */
    double brokerRssKiB,
    /** IDLE_CONNECTIONS: (RSS with the connections open - RSS before) / connections, KiB. */
    double rssPerConnectionKiB,
    /** CONNECTION_STORM: completed CONNECT/CONNACK/DISCONNECT cycles per second. */
    double connectionsPerSecond,
    /** The generator's own CPU over the window, as a percentage of all cores of the machine. */
    double generatorCpuPercent,
    /** The broker's CPU over the window, as a percentage of all cores of the machine. */
    double brokerCpuPercent) {
}
