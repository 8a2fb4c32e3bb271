package io.tributary.mqtt;

import io.tributary.mqtt.codec.ConnAck;
import io.tributary.router.Broker;
import io.tributary.router.counters.BrokerCounters.Counter;
import io.tributary.router.security.Authenticator.Decision;
import io.tributary.router.security.ClientAccess;
import io.tributary.router.session.SessionRequest;

/**
 * What stands between a logged-in CONNECT and its session: flapping detection, {@code
 * limits.maxSessions}, and the access rules, which must let the client publish its will. Either the request to claim the
 * session with (carrying the connection's {@link ClientAccess}) or the refusal, counted.
 */
record ConnectAdmission(SessionRequest request, ConnAck refusal, String reason) {

  static ConnectAdmission check(Broker broker, SessionRequest request, String username, int protocolLevel) {
    Broker.Refusal refusal = broker.admit(request.clientId());
    if (refusal != null) {
      return new ConnectAdmission(null, refusal == Broker.Refusal.FLAPPING
          ? MqttLogin.quotaRefusal(protocolLevel, 0x9F, "connection rate exceeded")
          : MqttLogin.quotaRefusal(protocolLevel, 0x97, "quota exceeded"), broker.describe(refusal));
    }
    ClientAccess access = broker.authorizer().access(request.clientId(), username);
    if (request.will() != null && !access.mayPublish(request.will().topic())) {
      broker.counters().increment(Counter.WILLS_DENIED);
      return new ConnectAdmission(null, MqttLogin.refusal(Decision.NOT_AUTHORIZED, protocolLevel),
          "will topic not allowed by the access rules");
    }
    return new ConnectAdmission(request.withAccess(access), null, null);
  }
}
