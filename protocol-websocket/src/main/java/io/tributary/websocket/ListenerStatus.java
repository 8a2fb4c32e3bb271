package io.tributary.websocket;

import io.vertx.core.json.JsonObject;

/** One listener of the broker as {@code GET /health} reports it. */
public record ListenerStatus(String name, String protocol, String address, boolean up) {

  public JsonObject toJson() {
    return new JsonObject().put("name", name).put("protocol", protocol).put("address", address).put("up", up);
  }
}
