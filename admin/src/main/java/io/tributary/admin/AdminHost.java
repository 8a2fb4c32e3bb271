package io.tributary.admin;

import io.tributary.router.ListenerStatus;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * What the admin listener asks of whoever runs the broker (the launcher): the state of the
 * listeners, the running configuration, and the reload of the auth files and certificates. An embedding application
 * that has none of these passes {@link #NONE}.
 */
public interface AdminHost {

  /** Every listener of the broker and whether it is up. */
  List<ListenerStatus> listeners();

  /** The running configuration, secrets replaced by {@code "***"}. */
  JsonObject runningConfig();

  /**
   * Reads the password and ACL files and the TLS certificates again (as SIGHUP does); completes
   * with what each now holds, or why it was refused.
   */
  Future<JsonObject> reload();

  AdminHost NONE = new AdminHost() {
    @Override
    public List<ListenerStatus> listeners() {
      return List.of();
    }

    @Override
    public JsonObject runningConfig() {
      return new JsonObject();
    }

    @Override
    public Future<JsonObject> reload() {
      return Future.succeededFuture(new JsonObject().put("reloaded", false));
    }
  };
}
