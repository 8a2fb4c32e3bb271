package io.tributary.router;

import io.tributary.commitlog.CommitLog;
import io.tributary.router.counters.BrokerCounters.Counter;
import io.tributary.router.counters.Traffic;
import io.tributary.router.message.Message;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.slf4j.LoggerFactory;

/**
 * Mosquitto's {@code $SYS/broker/...} topics, published retained every
 * {@code sys.intervalSeconds} so that a dashboard subscribing to {@code $SYS/#} gets the figures at
 * once: version, uptime, clients, messages and bytes in and out, the 1/5/15-minute load averages
 * (per minute, exponentially weighted as Mosquitto's), subscriptions, retained messages, and the
 * commit log's offsets and size. Clients may read them, never publish to them (the access rules
 * keep {@code $SYS} read-only). Each publication is a handful of records in the log, like any
 * retained publish, not counted as published by a client.
 */
public final class SysTopics {

  public static final String PREFIX = "$SYS/broker/";
  private static final String PUBLISHER = "$SYS";
  private static final int[] LOAD_MINUTES = {1, 5, 15};

  private final Broker broker;
  private final int intervalSeconds;
  private final Map<String, Load> loads = new LinkedHashMap<>();
  private final Map<String, String> lastSent = new LinkedHashMap<>();

  SysTopics(Broker broker, int intervalSeconds) {
    this.broker = broker;
    this.intervalSeconds = intervalSeconds;
  }

  /** The broker's version, from the build ({@code version.properties}). */
  public static String version() {
    try (InputStream in = SysTopics.class.getResourceAsStream("version.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** One publication: every figure that changed since the last one (all of them the first time). */
  void publish() {
    try {
      Map<String, String> figures = figures();
      long now = System.currentTimeMillis();
      for (Map.Entry<String, String> f : figures.entrySet()) {
        if (f.getValue().equals(lastSent.get(f.getKey()))) {
          continue; // unchanged: the retained copy is still right
        }
        lastSent.put(f.getKey(), f.getValue());
        broker.store(new Message(PREFIX + f.getKey(), f.getValue().getBytes(StandardCharsets.UTF_8), 0, true,
            PUBLISHER, now));
      }
    } catch (RuntimeException e) {
      LoggerFactory.getLogger(SysTopics.class).warn("$SYS topics not published: {}", e.toString());
    }
  }

  Map<String, String> figures() {
    Traffic.Totals traffic = Traffic.Totals.of(broker.traffic());
    long published = broker.publishedCount();
    int connected = broker.connectedCount();
    int sessions = broker.sessionCount();
    CommitLog<Message> log = broker.log();

    Map<String, String> f = new LinkedHashMap<>();
    f.put("version", "tributary " + version());
    f.put("uptime", (System.currentTimeMillis() - broker.startedAt()) / 1000 + " seconds");
    f.put("clients/connected", String.valueOf(connected));
    f.put("clients/disconnected", String.valueOf(Math.max(0, sessions - connected)));
    f.put("clients/total", String.valueOf(sessions));
    f.put("messages/received", String.valueOf(traffic.messagesIn()));
    f.put("messages/sent", String.valueOf(traffic.messagesOut()));
    f.put("messages/stored", String.valueOf(log.endOffset() - log.startOffset()));
    f.put("messages/inflight", String.valueOf(broker.inflightCount()));
    f.put("publish/messages/received", String.valueOf(published));
    f.put("bytes/received", String.valueOf(traffic.bytesIn()));
    f.put("bytes/sent", String.valueOf(traffic.bytesOut()));
    f.put("subscriptions/count", String.valueOf(broker.subscriptionCount()));
    f.put("retained messages/count", String.valueOf(broker.retained().size()));
    f.put("log/offset/start", String.valueOf(log.startOffset()));
    f.put("log/offset/end", String.valueOf(log.endOffset()));
    f.put("log/bytes", String.valueOf(log.retainedBytes()));
    f.put("log/segments", String.valueOf(log.segmentCount()));
    f.put("log/records/lost", String.valueOf(broker.lostCount()));
    load(f, "messages/received", traffic.messagesIn());
    load(f, "messages/sent", traffic.messagesOut());
    load(f, "bytes/received", traffic.bytesIn());
    load(f, "bytes/sent", traffic.bytesOut());
    load(f, "publish/messages/received", published);
    load(f, "connections", broker.counters().get(Counter.CONNECTS_ACCEPTED));
    return f;
  }

  /** {@code load/<figure>/1min|5min|15min}: the figure's total now, folded into its averages. */
  private void load(Map<String, String> f, String figure, long total) {
    Load l = loads.computeIfAbsent(figure, k -> new Load());
    l.update(total, intervalSeconds);
    for (int m = 0; m < LOAD_MINUTES.length; m++) {
      f.put("load/" + figure + "/" + LOAD_MINUTES[m] + "min", String.format("%.2f", l.averages[m]));
    }
  }

  /** Per-minute rates of one figure, averaged over 1, 5 and 15 minutes (exponentially weighted). */
  private static final class Load {
    private long last = -1;
    private final double[] averages = new double[LOAD_MINUTES.length];

    void update(long total, int intervalSeconds) {
      if (last >= 0) {
        double perMinute = (total - last) * 60.0 / intervalSeconds;
        for (int m = 0; m < LOAD_MINUTES.length; m++) {
          double keep = Math.exp(-intervalSeconds / (60.0 * LOAD_MINUTES[m]));
          averages[m] = averages[m] * keep + perMinute * (1 - keep);
        }
      }
      last = total;
    }
  }
}
