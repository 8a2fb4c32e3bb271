package io.tributary.bench.suite;

import io.tributary.bench.load.Scenario;
import java.util.List;
import java.util.Locale;

/**
 * One scenario of the suite: its id (what {@code --only} takes), the load at full and at
 * {@code --quick} scale, the metrics of the main table and the columns of its detail table.
 */
record ScenarioDef(String id, Scenario full, Scenario quick, List<Metric> metrics, List<DetailColumn> columns) {

  /**
   * The scenario to run: the full or quick shape, with the warm-up and measurement overridden when
   * given (NaN: keep the profile's).
   */
  Scenario build(boolean quickScale, double warmupSeconds, double measureSeconds) {
    Scenario s = new Scenario(quickScale ? quick : full).setName(id);
    if (!Double.isNaN(warmupSeconds)) {
      s.setWarmupSeconds(warmupSeconds);
    }
    if (!Double.isNaN(measureSeconds)) {
      s.setMeasureSeconds(measureSeconds);
    }
    return s;
  }

  /** One line saying what a scenario does, from the scenario itself (so quick scale reads right). */
  static String describe(Scenario s) {
    String mqtt = s.getProtocolVersion() == 5 || s.getKind() == Scenario.Kind.SHARED_FAN_IN ? "MQTT 5" : "MQTT 3.1.1";
    String load = s.getMode() == Scenario.Mode.FIXED_RATE
        ? String.format(Locale.ROOT, "fixed rate %,d msg/s in total, latency from the scheduled send time", s.getRate())
        : "closed loop (window " + s.getWindow() + " per publisher)";
    String msg = s.getPayloadBytes() + "-byte payloads, QoS " + s.getQos() + ", " + mqtt + ", " + load;
    return switch (s.getKind()) {
      case FAN_IN -> plural(s.getPublishers(), "publisher") + " → 1 subscriber (`bench/in/+`), " + msg;
      case FAN_OUT -> "1 publisher → " + plural(s.getSubscribers(), "subscriber") + " of `bench/out`, " + msg
          + "; every copy counts as a delivery";
      case PAIRS -> String.format(Locale.ROOT, "%,d publisher/subscriber pairs, one topic each, ", s.getPublishers()) + msg;
      case SHARED_FAN_IN -> plural(s.getPublishers(), "publisher") + " → shared subscription `$share/bench/bench/shared/+` of "
          + plural(s.getSubscribers(), "subscriber") + ", " + msg;
      case CONNECTION_STORM -> String.format(Locale.ROOT,
          "clients connect (CONNECT/CONNACK) and disconnect, %d at a time, for the measure time and at least %,d "
              + "cycles, each a client id of its own, %s%s", s.getConcurrency(), s.getConnections(),
          mqtt, s.getUsers() == 0 ? ""
              : String.format(Locale.ROOT, ", each logging in as one of %,d users (password file; anonymous refused)",
                  s.getUsers()));
      case IDLE_CONNECTIONS -> String.format(Locale.ROOT,
          "%,d clients connect and stay idle; broker RSS growth per connection, %s", s.getConnections(), mqtt);
    };
  }

  private static String plural(int n, String word) {
    return String.format(Locale.ROOT, "%,d %s%s", n, word, n == 1 ? "" : "s");
  }
}
