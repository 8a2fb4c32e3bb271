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
    for (String figure : new String[] {"messages/received", "messages/sent", "bytes/received", "bytes/sent",
        "publish/messages/received", "connections"}) {
      loads.put(figure, new Load());
    }
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
    long messagesIn = traffic.messagesIn();
    long messagesOut = traffic.messagesOut();
    long bytesIn = traffic.bytesIn();
    long bytesOut = traffic.bytesOut();
    long published = broker.publishedCount();
    long connects = broker.counters().get(Counter.CONNECTS_ACCEPTED);
    int connected = broker.connectedCount();
    int sessions = broker.sessionCount();
    CommitLog<Message> log = broker.log();

    Map<String, String> f = new LinkedHashMap<>();
    f.put("version", "tributary " + version());
    f.put("uptime", (System.currentTimeMillis() - broker.startedAt()) / 1000 + " seconds");
    f.put("clients/connected", String.valueOf(connected));
    f.put("clients/disconnected", String.valueOf(Math.max(0, sessions - connected)));
    f.put("clients/total", String.valueOf(sessions));
    f.put("messages/received", String.valueOf(messagesIn));
    f.put("messages/sent", String.valueOf(messagesOut));
    f.put("messages/stored", String.valueOf(log.endOffset() - log.startOffset()));
    f.put("messages/inflight", String.valueOf(broker.inflightCount()));
    f.put("publish/messages/received", String.valueOf(published));
    f.put("bytes/received", String.valueOf(bytesIn));
    f.put("bytes/sent", String.valueOf(bytesOut));
    f.put("subscriptions/count", String.valueOf(broker.subscriptionCount()));
    f.put("retained messages/count", String.valueOf(broker.retained().size()));
    f.put("log/offset/start", String.valueOf(log.startOffset()));
    f.put("log/offset/end", String.valueOf(log.endOffset()));
    f.put("log/bytes", String.valueOf(log.retainedBytes()));
    f.put("log/segments", String.valueOf(log.segmentCount()));
    f.put("log/records/lost", String.valueOf(broker.lostCount()));
    long[] totals = {messagesIn, messagesOut, bytesIn, bytesOut, published, connects};
    int i = 0;
    for (Map.Entry<String, Load> l : loads.entrySet()) {
      l.getValue().update(totals[i++], intervalSeconds);
      for (int m = 0; m < LOAD_MINUTES.length; m++) {
        f.put("load/" + l.getKey() + "/" + LOAD_MINUTES[m] + "min", String.format("%.2f", l.getValue().averages[m]));
      }
    }
    return f;
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
