package io.tributary.admin;

import io.tributary.commitlog.CommitLog;
import io.tributary.router.Broker;
import io.tributary.router.SysTopics;
import io.tributary.router.counters.BrokerCounters.Counter;
import io.tributary.router.counters.Traffic;
import io.tributary.router.message.Message;
import io.vertx.core.json.JsonObject;

/**
 * {@code GET /api/v1/overview}: the broker's figures in one JSON object, totals since start, for
 * the console's broker view (it polls this and draws the rates) and for scripts that want numbers
 * without parsing Prometheus text.
 */
final class Overview {

  private Overview() {
  }

  static JsonObject of(Broker broker) {
    Traffic.Totals all = Traffic.Totals.of(broker.traffic());
    JsonObject connections = new JsonObject();
    for (Traffic t : broker.traffic()) {
      connections.put(t.listener(), connections.getLong(t.listener(), 0L) + t.open());
    }
    int online = broker.connectedCount();
    CommitLog<Message> log = broker.log();
    return new JsonObject()
        .put("version", SysTopics.version())
        .put("time", System.currentTimeMillis())
        .put("uptimeSeconds", (System.currentTimeMillis() - broker.startedAt()) / 1000)
        .put("connections", new JsonObject().put("total", all.open()).put("byListener", connections))
        .put("sessions", new JsonObject().put("online", online).put("offline", Math.max(0, broker.sessionCount() - online)))
        .put("subscriptions", broker.subscriptionCount())
        .put("inflight", broker.inflightCount())
        .put("messages", new JsonObject().put("received", all.messagesIn()).put("sent", all.messagesOut())
            .put("published", broker.publishedCount()))
        .put("bytes", new JsonObject().put("received", all.bytesIn()).put("sent", all.bytesOut()))
        .put("retained", new JsonObject().put("messages", broker.retained().size()).put("bytes", broker.retained().bytes()))
        .put("log", new JsonObject().put("startOffset", log.startOffset()).put("endOffset", log.endOffset())
            .put("bytes", log.retainedBytes()).put("segments", log.segmentCount())
            .put("recordsLost", broker.counters().get(Counter.RECORDS_LOST_TO_RETENTION)))
        .put("bridges", bridges(broker));
  }

  /** Each bridge to another broker: connected now, and records not yet complete on its remote. */
  private static io.vertx.core.json.JsonArray bridges(Broker broker) {
    io.vertx.core.json.JsonArray out = new io.vertx.core.json.JsonArray();
    for (io.tributary.router.BridgeStatus b : broker.bridges()) {
      out.add(new JsonObject().put("name", b.name()).put("connected", b.isConnected()).put("lagRecords", b.lag()));
    }
    return out;
  }
}
