package io.tributary.admin;

import io.tributary.commitlog.CommitLog;
import io.tributary.router.Broker;
import io.tributary.router.message.Message;
import io.tributary.router.topic.Topics;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /api/v1/retained}, {@code /api/v1/publish} and {@code /api/v1/log}: the retained messages
 * (list by filter, clear one), a message published as any client would, and the commit log's
 * offsets, size and time range.
 */
final class MessagesApi {

  private static final Logger log = LoggerFactory.getLogger(MessagesApi.class);
  /** The publisher id messages from the API carry (MQTT 5 No Local compares against it). */
  static final String PUBLISHER = "$admin-api";

  private final Broker broker;

  MessagesApi(Broker broker) {
    this.broker = broker;
  }

  void mount(Router api) {
    api.get("/retained").handler(this::retained);
    api.delete("/retained").handler(this::clearRetained);
    api.post("/publish").handler(this::publish);
    api.get("/log").handler(this::log);
  }

  /** {@code ?filter=} (default {@code #}), {@code &limit=} (default 100). */
  private void retained(RoutingContext rc) {
    String filter = rc.queryParams().get("filter") == null ? "#" : rc.queryParams().get("filter");
    if (!Topics.isValidFilter(filter)) {
      Json.error(rc, 400, "not a valid topic filter: " + filter);
      return;
    }
    int limit;
    try {
      String l = rc.queryParams().get("limit");
      limit = l == null ? SessionsApi.DEFAULT_PAGE_SIZE : Integer.parseInt(l);
    } catch (NumberFormatException e) {
      Json.error(rc, 400, "limit must be a number");
      return;
    }
    if (limit < 1 || limit > SessionsApi.MAX_PAGE_SIZE) {
      Json.error(rc, 400, "limit must be between 1 and " + SessionsApi.MAX_PAGE_SIZE);
      return;
    }
    JsonArray items = new JsonArray();
    int[] total = {0};
    broker.retained().forEachMatching(filter, m -> {
      if (total[0]++ < limit) {
        items.add(message(m));
      }
    });
    Json.send(rc, 200, new JsonObject().put("filter", filter).put("total", total[0]).put("items", items));
  }

  /** {@code ?topic=}: clears the retained message of that topic, as an empty retained PUBLISH does. */
  private void clearRetained(RoutingContext rc) {
    String topic = rc.queryParams().get("topic");
    if (topic == null || !Topics.isValidName(topic)) {
      Json.error(rc, 400, "a topic name (not a filter) is required: ?topic=");
      return;
    }
    boolean[] found = {false};
    broker.retained().forEachMatching(topic, m -> found[0] = true);
    if (!found[0]) {
      Json.error(rc, 404, "no retained message on " + topic);
      return;
    }
    broker.publish(new Message(topic, new byte[0], 0, true, PUBLISHER, System.currentTimeMillis()));
    log.info("admin API: cleared the retained message of {}", topic);
    Json.send(rc, 200, new JsonObject().put("topic", topic).put("result", "cleared"));
  }

  /**
   * {@code {"topic": ..., "payload": ..., "encoding": "text"|"base64", "qos": 0..2, "retain": bool}}:
   * stored in the log like any publish and delivered to subscribers (the access rules are the
   * operator's to bypass: the API is for operators).
   */
  private void publish(RoutingContext rc) {
    JsonObject body;
    try {
      body = rc.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      Json.error(rc, 400, "the body must be a JSON object: " + e.getMessage());
      return;
    }
    if (body == null) {
      Json.error(rc, 400, "the body must be a JSON object");
      return;
    }
    Object t = body.getValue("topic");
    if (!(t instanceof String topic) || !Topics.isValidName(topic) || topic.startsWith("$")) {
      Json.error(rc, 400, "topic: a topic name without wildcards, not starting with $");
      return;
    }
    Object q = body.getValue("qos", 0);
    if (!(q instanceof Integer qos) || qos < 0 || qos > 2) {
      Json.error(rc, 400, "qos: 0, 1 or 2");
      return;
    }
    Object r = body.getValue("retain", false);
    if (!(r instanceof Boolean retain)) {
      Json.error(rc, 400, "retain: true or false");
      return;
    }
    Object p = body.getValue("payload", "");
    String encoding = String.valueOf(body.getValue("encoding", "text"));
    byte[] payload;
    if (!(p instanceof String text)) {
      Json.error(rc, 400, "payload: a string (text, or base64 with \"encoding\": \"base64\")");
      return;
    }
    if ("base64".equals(encoding)) {
      try {
        payload = Base64.getDecoder().decode(text);
      } catch (IllegalArgumentException e) {
        Json.error(rc, 400, "payload: not base64: " + e.getMessage());
        return;
      }
    } else if ("text".equals(encoding)) {
      payload = text.getBytes(StandardCharsets.UTF_8);
    } else {
      Json.error(rc, 400, "encoding: text or base64");
      return;
    }
    if (retain && payload.length > 0 && !broker.admitsRetained(topic, payload.length)) {
      Json.error(rc, 409, "limits.maxRetainedMessages / maxRetainedBytes reached");
      return;
    }
    long offset = broker.publish(new Message(topic, payload, qos, retain, PUBLISHER, System.currentTimeMillis()));
    Json.send(rc, 200, new JsonObject().put("topic", topic).put("offset", offset).put("bytes", payload.length));
  }

  private void log(RoutingContext rc) {
    CommitLog<Message> l = broker.log();
    long start = l.startOffset();
    long end = l.endOffset();
    JsonObject o = new JsonObject().put("startOffset", start).put("endOffset", end).put("records", end - start)
        .put("bytes", l.retainedBytes()).put("segments", l.segmentCount())
        .put("flushes", l.flushCount()).put("recovery", l.recovery().describe());
    if (end > start) {
      Message first = l.get(start);
      Message last = l.get(end - 1);
      if (first != null) {
        o.put("oldestTimestamp", first.timestamp());
      }
      if (last != null) {
        o.put("newestTimestamp", last.timestamp());
      }
    }
    Json.send(rc, 200, o);
  }

  static JsonObject message(Message m) {
    JsonObject o = new JsonObject().put("topic", m.topic()).put("qos", m.qos()).put("bytes", m.payloadLength())
        .put("timestamp", m.timestamp());
    byte[] payload = m.payload();
    try {
      o.put("payload", StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(payload)).toString())
          .put("encoding", "text");
    } catch (CharacterCodingException e) {
      o.put("payload", Base64.getEncoder().encodeToString(payload)).put("encoding", "base64");
    }
    if (m.publisherId() != null) {
      o.put("publisher", m.publisherId());
    }
    return o;
  }
}
