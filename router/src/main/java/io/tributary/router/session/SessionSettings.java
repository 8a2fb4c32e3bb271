package io.tributary.router.session;

/**
 * What sessions take from the broker's options (see {@code RouterOptions}, where each is
 * documented and checked).
 */
public record SessionSettings(int maxInflight, int drainBatch, long retentionReportMs, long subscribeLookbackMs,
    int subscribeLookbackRecords, int maxSubscriptions) {}
