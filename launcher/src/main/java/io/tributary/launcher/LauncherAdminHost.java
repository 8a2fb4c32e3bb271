package io.tributary.launcher;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.admin.AdminHost;
import io.tributary.router.ListenerStatus;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * What the admin listener asks of the launched broker: listener states (as {@code /health}
 * reports them), the running configuration with every default filled in and the bearer tokens
 * hidden, the reload of the auth files and TLS certificates.
 */
final class LauncherAdminHost implements AdminHost {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final BrokerConfig config;
  private final ListenerStates states;
  private final Supplier<List<AuthFileReloader>> reloaders;
  private final Supplier<Future<List<String>>> tlsReload;

  LauncherAdminHost(BrokerConfig config, ListenerStates states, Supplier<List<AuthFileReloader>> reloaders,
      Supplier<Future<List<String>>> tlsReload) {
    this.tlsReload = tlsReload;
    this.config = config;
    this.states = states;
    this.reloaders = reloaders;
  }

  @Override
  public List<ListenerStatus> listeners() {
    return states.snapshot();
  }

  @Override
  public JsonObject runningConfig() {
    try {
      JsonObject json = new JsonObject(MAPPER.writeValueAsString(config));
      JsonObject admin = json.getJsonObject("admin");
      if (admin != null && admin.getJsonArray("tokens") != null) {
        JsonArray hidden = new JsonArray();
        admin.getJsonArray("tokens").forEach(t -> hidden.add("***"));
        admin.put("tokens", hidden);
      }
      return json;
    } catch (JsonProcessingException e) {
      return new JsonObject().put("error", e.getOriginalMessage());
    }
  }

  @Override
  public Future<JsonObject> reload() {
    return reloadAuth().compose(auth -> tlsReload.get().map(tls -> auth.put("tls", new JsonArray(tls))));
  }

  private Future<JsonObject> reloadAuth() {
    List<AuthFileReloader> all = reloaders.get();
    if (all.isEmpty()) {
      return Future.succeededFuture(new JsonObject().put("reloaded", new JsonArray())
          .put("message", "no auth.passwordFile or auth.aclFile is configured"));
    }
    List<Future<String>> each = new ArrayList<>();
    all.forEach(r -> each.add(r.reloadNow()));
    return Future.join(each).transform(ar -> {
      JsonArray files = new JsonArray();
      for (int i = 0; i < all.size(); i++) {
        Future<String> f = each.get(i);
        files.add(new JsonObject().put("file", all.get(i).what()).put("reloaded", f.succeeded())
            .put(f.succeeded() ? "holds" : "error", f.succeeded() ? f.result() : f.cause().getMessage()));
      }
      return Future.succeededFuture(new JsonObject().put("reloaded", files));
    });
  }
}
