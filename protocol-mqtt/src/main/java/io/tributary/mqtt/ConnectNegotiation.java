package io.tributary.mqtt;

import io.tributary.mqtt.auth.EnhancedAuthenticator;
import io.tributary.mqtt.codec.ConnAck;
import io.tributary.mqtt.codec.Connect;
import io.tributary.mqtt.codec.MqttProperties;
import io.tributary.mqtt.codec.MqttVersion;
import io.tributary.mqtt.codec.Will;
import io.tributary.router.logging.LogSafe;
import io.tributary.router.message.Message;
import io.tributary.router.session.ClientLink;
import io.tributary.router.session.SessionRequest;
import io.tributary.router.topic.Topics;
import java.util.UUID;

/**
 * A CONNECT settled against the broker's options: the session to ask for, the CONNACK properties,
 * the keep alive, what the client can take, the enhanced-authentication method; or why the
 * connection is refused. Pure: no I/O, no state of the connection.
 *
 * @param protocolLevel the level to answer at (3.1.1 for an unknown level)
 * @param clientId the client id (assigned when the client sent none), or null if refused before it
 * @param refusal a CONNACK refusing the connection, or null
 * @param violation a protocol violation to close the connection for (reason code in
 *     {@code violationCode}), or null
 */
record ConnectNegotiation(int protocolLevel, String clientId, ConnAck refusal, String violation, int violationCode,
    String reason, SessionRequest request, MqttProperties connack, long keepAliveMs, int clientMaxPacketSize,
    int clientTopicAliasMaximum, EnhancedAuthenticator authenticator) {

  private static ConnectNegotiation refused(int level, String clientId, int code, String reason, boolean reasonString) {
    MqttProperties p = reasonString ? new MqttProperties().reasonString(reason) : MqttProperties.EMPTY;
    return new ConnectNegotiation(level, clientId, new ConnAck(false, code, p), null, 0, reason, null, null, 0,
        0, 0, null);
  }

  private static ConnectNegotiation violation(int level, String clientId, String reason, int code) {
    return new ConnectNegotiation(level, clientId, null, reason, code, reason, null, null, 0, 0, 0, null);
  }

  static ConnectNegotiation of(Connect connect, MqttOptions options, ClientLink link) {
    int level = connect.protocolLevel();
    if (level != MqttVersion.V3_1_1 && level != MqttVersion.V5) {
      return refused(MqttVersion.V3_1_1, null, 0x01, "protocol level " + level + " not supported", false);
    }
    boolean v5 = level == MqttVersion.V5;
    MqttProperties cp = connect.properties();
    EnhancedAuthenticator auth = null;
    if (v5 && cp.authenticationMethod() != null) {
      auth = options.getAuthenticator(cp.authenticationMethod());
      if (auth == null) {
        return refused(level, null, 0x8C,
            "authentication method '" + LogSafe.text(cp.authenticationMethod()) + "' is not supported", true);
      }
    }
    MqttProperties ack = v5 ? new MqttProperties() : MqttProperties.EMPTY;
    String id = connect.clientId();
    if (id.isEmpty()) {
      if (!v5 && !connect.cleanSession()) {
        // MQTT-3.1.3-8: a zero-length id needs clean session.
        return refused(level, null, 0x02, "empty client id with clean session 0", false);
      }
      id = "tributary-" + UUID.randomUUID();
      if (v5) {
        ack.assignedClientIdentifier(id);
      }
    } else if (id.startsWith(SessionRequest.DEVICE_PREFIX)) {
      // Raw-TCP devices' sessions: an MQTT client calling itself device/{id} would take one over.
      return refused(level, id, v5 ? 0x85 : 0x02, "client ids starting with '" + SessionRequest.DEVICE_PREFIX
          + "' are reserved for raw-TCP devices", v5);
    }
    Message will = null;
    long willDelay = 0;
    Will w = connect.will();
    if (w != null) {
      if (Topics.levels(w.topic()) > options.getMaxTopicLevels()) {
        return violation(level, id, "will topic deeper than " + options.getMaxTopicLevels() + " levels", 0x97);
      }
      long now = System.currentTimeMillis();
      MqttProperties wp = w.properties();
      will = new Message(w.topic(), w.payload(), w.qos(), w.retain(), id, now,
          ForwardedProperties.expiresAt(wp, now), ForwardedProperties.of(wp));
      Long delay = wp.willDelayInterval();
      willDelay = delay == null ? 0 : delay;
    }
    int keepAlive = connect.keepAliveSeconds();
    int maxKeepAlive = options.getMaxKeepAliveSeconds();
    if (v5 && maxKeepAlive > 0 && (keepAlive == 0 || keepAlive > maxKeepAlive)) {
      keepAlive = maxKeepAlive; // the client must use ours (MQTT-3.2.2-21)
      ack.serverKeepAlive(keepAlive);
    }
    // MQTT-3.1.2-24: one and a half keep-alive periods without a packet closes the connection.
    long keepAliveMs = keepAlive * 1500L;
    long expiry = connect.cleanSession() ? 0 : SessionRequest.NEVER_EXPIRES;
    int receiveMaximum = 65535;
    int clientMaxPacketSize = Integer.MAX_VALUE;
    int clientTopicAliasMaximum = 0;
    if (v5) {
      Long e = cp.sessionExpiryInterval();
      expiry = e == null ? 0 : e;
      Integer rm = cp.receiveMaximum();
      receiveMaximum = rm == null ? 65535 : rm;
      Long mps = cp.maximumPacketSize();
      clientMaxPacketSize = mps == null ? Integer.MAX_VALUE : (int) Math.min(Integer.MAX_VALUE, mps);
      Integer tam = cp.topicAliasMaximum();
      clientTopicAliasMaximum = tam == null ? 0 : tam;
      ack.receiveMaximum(options.getReceiveMaximum())
          .maximumPacketSize((long) options.getMaxPacketSize())
          .topicAliasMaximum(options.getTopicAliasMaximum())
          .retainAvailable(true)
          .wildcardSubscriptionAvailable(true)
          .subscriptionIdentifierAvailable(true)
          .sharedSubscriptionAvailable(true);
      if (Boolean.TRUE.equals(cp.requestResponseInformation()) && options.getResponseInformation() != null) {
        ack.responseInformation(options.getResponseInformation());
      }
    }
    SessionRequest request = new SessionRequest(id, connect.cleanSession(), expiry, will, willDelay, receiveMaximum, link);
    return new ConnectNegotiation(level, id, null, null, 0, null, request, ack, keepAliveMs, clientMaxPacketSize,
        clientTopicAliasMaximum, auth);
  }
}
