package io.tributary.bench.suite;

import io.tributary.bench.load.LoadResult;

/**
 * One run: which table it belongs to, which scenario on which broker (and transport) in which
 * round, and what the generator measured, or why there is no result.
 *
 * @param table "main" (Tributary vs Mosquitto) or "transports" (Tributary on each transport)
 * @param transport the transport Tributary ran on ("io_uring", ...), "" for Mosquitto
 * @param result null when the run failed
 * @param error null when the run succeeded
 */
record RunRecord(String table, int round, String scenario, String broker, String brokerVersion, String transport,
    LoadResult result, String error) {

  static final String MAIN = "main";
  static final String TRANSPORTS = "transports";

  boolean ok() {
    return result != null && error == null;
  }
}
