package io.tributary.admin;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** JSON answers of the admin API: a body, or an error with a message. */
final class Json {

  private Json() {
  }

  static void send(RoutingContext rc, int status, Object body) {
    rc.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(body instanceof JsonObject o ? o.encodePrettily() : String.valueOf(body));
  }

  static void error(RoutingContext rc, int status, String message) {
    if (rc.response().ended()) {
      return;
    }
    send(rc, status, new JsonObject().put("error", message).put("status", status));
  }
}
