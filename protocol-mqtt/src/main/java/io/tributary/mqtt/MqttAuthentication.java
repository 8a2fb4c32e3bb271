package io.tributary.mqtt;

import io.tributary.mqtt.auth.AuthExchange;
import io.tributary.mqtt.auth.AuthRequest;
import io.tributary.mqtt.auth.AuthStep;
import io.tributary.mqtt.auth.EnhancedAuthenticator;
import io.tributary.mqtt.codec.Auth;
import io.tributary.mqtt.codec.ConnAck;
import io.tributary.mqtt.codec.MqttProperties;
import io.tributary.mqtt.codec.PacketType;
import io.tributary.mqtt.codec.ReasonCodes;
import io.tributary.router.session.SessionRequest;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MQTT 5 enhanced authentication of one connection: the exchange of AUTH packets with the
 * CONNECT's method, before the CONNACK (the session is claimed only once it succeeds) and again
 * whenever the client asks to re-authenticate (AUTH 0x19). The authenticator answers with futures;
 * their results are handled back on the connection's event loop.
 */
final class MqttAuthentication {

  private static final Logger log = LoggerFactory.getLogger(MqttAuthentication.class);

  private final MqttConnection connection;
  private final MqttOutbound outbound;
  /** The connection's event loop context: authenticator futures complete back onto it. */
  private final Context context = Vertx.currentContext();
  private EnhancedAuthenticator authenticator;
  private String username;
  private AuthExchange exchange;
  /** The client owes us an AUTH 0x18 (we sent 0x18 and wait for its answer). */
  private boolean awaitingAuth;
  /** The session to claim once the initial exchange succeeds. */
  private SessionRequest pendingRequest;

  MqttAuthentication(MqttConnection connection, MqttOutbound outbound) {
    this.connection = connection;
    this.outbound = outbound;
  }

  /** A CONNECT named {@code authenticator}'s method: runs the initial exchange. */
  void begin(EnhancedAuthenticator authenticator, String username, SessionRequest request, byte[] data) {
    this.authenticator = authenticator;
    this.username = username;
    this.pendingRequest = request;
    start(false, data);
  }

  /** An AUTH from the client: 0x18 answers our challenge, 0x19 starts a re-authentication. */
  void onAuth(Auth packet) {
    byte[] data = packet.properties().authenticationData();
    if (packet.reasonCode() == Auth.RE_AUTHENTICATE) {
      if (!connection.isConnected() || exchange != null) {
        connection.violation("AUTH 0x19 " + (connection.isConnected()
            ? "while an authentication is under way" : "before CONNACK"), 0x82);
        return;
      }
      start(true, data);
      return;
    }
    if (!awaitingAuth) {
      connection.violation("AUTH 0x18 the broker did not ask for", 0x82);
      return;
    }
    awaitingAuth = false;
    step(data);
  }

  private void start(boolean reauthentication, byte[] data) {
    try {
      exchange = authenticator.start(new AuthRequest(authenticator.method(), connection.clientId(), username,
          connection.remoteAddress(), reauthentication));
    } catch (RuntimeException e) {
      log.error("{}: authenticator {} failed to start", connection.describe(), authenticator.method(), e);
      onStep(AuthStep.failure(0x80, "authentication failed"));
      return;
    }
    step(data);
  }

  /** Hands the client's data to the exchange; its answer is handled on this event loop. */
  private void step(byte[] clientData) {
    AuthExchange current = exchange;
    Future<AuthStep> f;
    try {
      f = current.step(clientData);
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    if (f == null) {
      f = Future.failedFuture(new IllegalStateException("authenticator returned no future"));
    }
    f.onComplete(ar -> {
      if (context != null && Vertx.currentContext() == context) {
        onResult(current, ar);
      } else if (context != null) {
        context.runOnContext(v -> onResult(current, ar));
      } else {
        connection.executor().execute(() -> onResult(current, ar));
      }
    });
  }

  private void onResult(AuthExchange answered, AsyncResult<AuthStep> ar) {
    if (!connection.isOpen() || answered != exchange) {
      return; // the connection went away meanwhile
    }
    AuthStep step = ar.result();
    if (ar.failed() || step == null) {
      log.error("{}: authenticator {} failed", connection.describe(), authenticator.method(), ar.cause());
      step = AuthStep.failure(0x80, "authentication failed");
    }
    onStep(step);
  }

  private void onStep(AuthStep step) {
    String method = authenticator.method();
    switch (step.kind()) {
      case CONTINUE -> {
        awaitingAuth = true;
        outbound.send(new Auth(Auth.CONTINUE_AUTHENTICATION,
            new MqttProperties().authenticationMethod(method).authenticationData(step.data())));
      }
      case SUCCESS -> {
        exchange = null;
        if (!connection.isConnected()) {
          log.debug("{}: authenticated with {}", connection.describe(), method);
          SessionRequest request = pendingRequest;
          pendingRequest = null;
          connection.authenticated(method, step.data(), step.username(), request);
        } else {
          log.debug("{}: re-authenticated with {}", connection.describe(), method);
          outbound.send(new Auth(Auth.SUCCESS,
              new MqttProperties().authenticationMethod(method).authenticationData(step.data())));
        }
      }
      case FAILURE -> {
        exchange = null;
        String reason = step.reason() == null ? "not authorized" : step.reason();
        if (!connection.isConnected()) {
          int code = ReasonCodes.isValidFromServer(PacketType.CONNACK, step.reasonCode()) ? step.reasonCode() : 0x87;
          connection.countRefusal(code);
          refuseConnect(code, method + " authentication failed: " + reason);
        } else {
          int code = ReasonCodes.isValidFromServer(PacketType.DISCONNECT, step.reasonCode()) ? step.reasonCode() : 0x87;
          log.info("{}: {} re-authentication failed: {}", connection.describe(), method, reason);
          connection.closeWithReason(code, reason);
        }
      }
    }
  }

  private void refuseConnect(int reasonCode, String reason) {
    log.info("{}: {}; CONNACK {}", connection.describe(), reason, String.format("0x%02X", reasonCode));
    outbound.send(new ConnAck(false, reasonCode, new MqttProperties().reasonString(reason)));
    connection.closeAfterWrite();
  }
}
