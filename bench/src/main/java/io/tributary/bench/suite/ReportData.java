package io.tributary.bench.suite;

import java.util.List;

/**
 * Everything the markdown report is made of.
 *
 * @param brokers the brokers run, as {@code --brokers} names them
 * @param tributaryTransport the main table's transport as run: "auto (io_uring)"
 * @param tributaryJvmOpts options given to the Tributary JVM, "" for none
 * @param command the suite's arguments, as given
 */
record ReportData(String command, HostInfo host, int rounds, double warmup, double measure, boolean quick, List<String> brokers,
    String tributaryVersion, String tributaryJar, String tributaryTransport, String tributaryJvmOpts,
    String mosquittoVersion, List<ScenarioDef> scenarios, List<ScenarioDef> transportScenarios,
    List<String> transports, List<RunRecord> runs) {
}
