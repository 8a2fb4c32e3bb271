package io.tributary.mqtt;

import io.tributary.mqtt.codec.ConnAck;
import io.tributary.mqtt.codec.Connect;
import io.tributary.mqtt.codec.MqttProperties;
import io.tributary.mqtt.codec.MqttVersion;
import io.tributary.router.security.Authenticator;
import io.tributary.router.security.Authenticator.Decision;
import io.vertx.core.Vertx;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * The user name / password check of a CONNECT (MQTT 5 enhanced authentication is
 * {@link MqttAuthentication}). A decision that needs a password hash runs on a Vert.x worker,
 * never on the event loop; the result comes back on the connection's context.
 */
final class MqttLogin {

  private MqttLogin() {
  }

  /**
   * Decides the login of connect; calls then with the decision, at once when no hashing is
   * needed, else later on {@code connectionLoop}.
   */
  static void check(Vertx vertx, Executor connectionLoop, Authenticator authenticator, Connect connect,
      String clientId, boolean fromLoopback, Consumer<Decision> then) {
    Authenticator.Login login = new Authenticator.Login(clientId, connect.username(), connect.password(),
        fromLoopback);
    Decision quick = authenticator.quick(login);
    if (quick != null) {
      then.accept(quick);
      return;
    }
    // Back on the connection's own loop explicitly: the transport's handlers run outside a Vert.x
    // context dispatch, so the worker's completion would not otherwise know where to go.
    vertx.executeBlocking(() -> authenticator.decide(login), false).onComplete(ar -> connectionLoop.execute(
        () -> then.accept(ar.succeeded() ? ar.result() : Decision.NOT_AUTHORIZED)));
  }

  /**
   * The CONNACK refusing a login: MQTT 3.1.1 0x04 (bad user name or password) / 0x05 (not
   * authorized); MQTT 5 0x86 / 0x87. The reason names no user and does not say whether one exists.
   */
  static ConnAck refusal(Decision decision, int protocolLevel) {
    boolean v5 = protocolLevel == MqttVersion.V5;
    boolean bad = decision == Decision.BAD_CREDENTIALS;
    int code = v5 ? (bad ? 0x86 : 0x87) : (bad ? 0x04 : 0x05);
    MqttProperties p = v5 ? new MqttProperties().reasonString(reason(decision)) : MqttProperties.EMPTY;
    return new ConnAck(false, code, p);
  }

  /**
   * The CONNACK refusing a connection the broker has no room for now: MQTT 5 {@code v5Code} (0x97
   * quota exceeded, 0x9F connection rate exceeded), MQTT 3.1.1 0x03 (server unavailable), the
   * nearest it has.
   */
  static ConnAck quotaRefusal(int protocolLevel, int v5Code, String reason) {
    boolean v5 = protocolLevel == MqttVersion.V5;
    return new ConnAck(false, v5 ? v5Code : 0x03, v5 ? new MqttProperties().reasonString(reason)
        : MqttProperties.EMPTY);
  }

  static String reason(Decision decision) {
    return decision == Decision.BAD_CREDENTIALS ? "bad user name or password" : "not authorized";
  }
}
