package io.tributary.mqtt;

import io.netty.buffer.ByteBuf;
import io.tributary.mqtt.codec.Ack;
import io.tributary.mqtt.codec.Auth;
import io.tributary.mqtt.codec.ConnAck;
import io.tributary.mqtt.codec.Connect;
import io.tributary.mqtt.codec.Disconnect;
import io.tributary.mqtt.codec.MqttCodecException;
import io.tributary.mqtt.codec.MqttDecoder;
import io.tributary.mqtt.codec.MqttProperties;
import io.tributary.mqtt.codec.MqttVersion;
import io.tributary.mqtt.codec.Packet;
import io.tributary.mqtt.codec.PacketType;
import io.tributary.mqtt.codec.PingResp;
import io.tributary.mqtt.codec.Publish;
import io.tributary.mqtt.codec.Subscribe;
import io.tributary.mqtt.codec.Unsubscribe;
import io.tributary.router.logging.ConnectionLog;
import io.tributary.router.Broker;
import io.tributary.router.counters.BrokerCounters;
import io.tributary.router.counters.Traffic;
import io.tributary.router.delivery.Dispatcher;
import io.tributary.router.logging.ClientMdc;
import io.tributary.router.logging.LogSafe;
import io.tributary.router.session.ConnectionDetails;
import io.tributary.router.session.Session;
import io.tributary.router.security.Authenticator;
import io.tributary.router.session.SessionRequest;
import io.vertx.core.Vertx;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MQTT connection, its inbound half: the state machine and the handlers of what the client
 * sends, between the codec and the router. What the broker writes is {@link MqttOutbound} (also
 * the session's link); MQTT 5 enhanced authentication is {@link MqttAuthentication}; a CONNECT is
 * settled by {@link ConnectNegotiation}. Lives entirely on the event loop that accepted the socket.
 */
final class MqttConnection {

  private static final Logger log = LoggerFactory.getLogger(MqttConnection.class);

  /** AUTHENTICATING: a CONNECT with an Authentication Method, its exchange not finished yet. */
  private enum State { AWAIT_CONNECT, AUTHENTICATING, CONNECTING, CONNECTED, CLOSED }

  private final Vertx vertx;
  private final Broker broker;
  private final Dispatcher dispatcher;
  private final MqttOptions options;
  private final MqttConnections registry;
  private final MqttTransport socket;
  private final MqttDecoder decoder;
  private final MqttOutbound outbound;
  /** Only for a CONNECT that names an authentication method (most connections never need one). */
  private MqttAuthentication authentication;
  private final MqttSubscriptions subscriptions;
  private final MqttPublishes publishes;
  private final KeepAlive keepAlive;
  /** limits.publishRate / publishBytesRate; null when unlimited. */
  private final PublishThrottle throttle;
  private final String remote;

  private State state = State.AWAIT_CONNECT;
  private int protocolLevel = MqttVersion.V3_1_1;
  private String clientId;
  /** The CONNECT's user name (null if none): with the client id, what the access rules know it by. */
  private String username;
  private Session session;
  /** Whether the end of this connection publishes the will: all ends but a normal DISCONNECT. */
  private boolean sendWill = true;
  private MqttProperties connackProperties = MqttProperties.EMPTY;
  private long connectTimer = -1;
  /** Packets that arrived behind CONNECT while the login was checked or the session claimed. */
  private HeldPackets deferred;
  /** The connect and disconnect lines, the reason it ended, its details for the admin API. */
  private final ConnectionRecord record;

  MqttConnection(Vertx vertx, Broker broker, Dispatcher dispatcher, MqttOptions options, MqttConnections registry,
      MqttTransport socket) {
    this.vertx = vertx;
    this.broker = broker;
    this.dispatcher = dispatcher;
    this.options = options;
    this.registry = registry;
    this.socket = socket;
    this.decoder = new MqttDecoder(options.getMaxPacketSize())
        .userPropertyLimits(options.getMaxUserProperties(), options.getMaxUserPropertyBytes());
    this.outbound = new MqttOutbound(this, vertx, options, registry, broker.counters(), socket);
    this.subscriptions = new MqttSubscriptions(this, options, outbound, broker.counters());
    this.throttle = PublishThrottle.of(this, vertx, socket, outbound, broker.counters(), options);
    this.publishes = new MqttPublishes(this, broker, dispatcher, options, registry.arena(), outbound);
    this.keepAlive = new KeepAlive(vertx, this, outbound);
    this.remote = socket.remoteAddress();
    this.record = new ConnectionRecord(options.getListenerName(), registry.protocol(), remote);
  }

  void start() {
    registry.add(this);
    registry.traffic().opened();
    socket.handler(this::onMessage);
    socket.closeHandler(v -> onClosed());
    socket.exceptionHandler(e -> log.debug("{}: socket error: {}", describe(), e.toString()));
    socket.drainHandler(v -> outbound.drained());
    connectTimer = vertx.setTimer(options.getConnectTimeoutMs(), id -> {
      connectTimer = -1;
      if (state == State.AWAIT_CONNECT || state == State.AUTHENTICATING) {
        registry.warnings().info(log, "{}: no CONNECT {}within {} ms, closing", describe(),
            state == State.AUTHENTICATING ? "authentication " : "", options.getConnectTimeoutMs());
        close();
      }
    });
  }

  // ---- what the other parts ask ------------------------------------------------------------

  boolean isOpen() {
    return state != State.CLOSED;
  }

  boolean isConnected() {
    return state == State.CONNECTED;
  }

  String clientId() {
    return clientId;
  }

  String remoteAddress() {
    return remote;
  }

  Executor executor() {
    return socket.executor();
  }

  String describe() {
    // The client chose its id: escaped, so it cannot forge a log line.
    return (clientId == null ? "-" : LogSafe.text(clientId)) + "@" + remote;
  }

  /** The socket can take more: the session takes from the log again. */
  void writable() {
    Session s = session;
    if (s != null) {
      s.writable();
    }
  }

  /** Reading resumed after a write stall: keep alive counts from now. */
  void readingAgain() {
    keepAlive.readNow();
  }

  /** Reading is stopped: the client does not read what we write, or it publishes over its rate. */
  boolean readingStopped() {
    return outbound.readPaused() || (throttle != null && throttle.pausing());
  }

  void takenOver() {
    session = null;
    closeWithReason(0x8E, "session taken over");
  }

  /** An operator disconnected the client; its session let go of it already. */
  void closedByAdmin() {
    session = null;
    closeWithReason(0x98, "disconnected by an operator");
  }

  /** Whether this client's packets are being traced (the admin API). */
  boolean traced() {
    return broker.tracing().traced(clientId);
  }

  Traffic traffic() {
    return registry.traffic();
  }

  ConnectionDetails details() {
    return record.details(protocolLevel, username);
  }

  // ---- inbound -----------------------------------------------------------------------------

  private void onMessage(ByteBuf buf) {
    try {
      if (state == State.CLOSED) {
        return;
      }
      keepAlive.readNow();
      registry.traffic().bytesIn(buf.readableBytes());
      decoder.feed(buf, this::onPacket);
    } catch (MqttCodecException e) {
      onCodecError(e);
    } catch (RuntimeException e) {
      log.error("{}: internal error handling input, closing", describe(), e);
      close("internal error: " + e);
    } finally {
      buf.release();
    }
  }

  private void onCodecError(MqttCodecException e) {
    if (clientId == null) {
      clientId = decoder.connectClientId(); // a CONNECT that failed after its client id
    }
    if (state == State.AWAIT_CONNECT && e.reasonCode() == 0x84) {
      // MQTT-3.1.2-2: answer an unsupported protocol level with CONNACK 0x01, then close.
      log.info("{}: {}; CONNACK 0x01", describe(), e.getMessage());
      outbound.send(new ConnAck(false, 0x01), MqttVersion.V3_1_1);
      closeAfterWrite();
      return;
    }
    if (e.isUserPropertyLimit()) {
      broker.counters().increment(BrokerCounters.Counter.USER_PROPERTIES_REFUSED);
    }
    violation(e.getMessage(), e.reasonCode());
  }

  private boolean v5() {
    return protocolLevel == MqttVersion.V5;
  }

  private void onPacket(Packet packet) {
    if (traced()) {
      ConnectionLog.TRACE.info("{} in: {}", describe(), packet);
    }
    if (state == State.CLOSED) {
      return;
    }
    if (state == State.CONNECTING) {
      deferred.add(packet);
      return;
    }
    if (state == State.AUTHENTICATING) {
      // Until the CONNACK only AUTH and DISCONNECT may come (MQTT-4.12.0-4 ff.).
      switch (packet.type()) {
        case AUTH -> onAuth((Auth) packet);
        case DISCONNECT -> close();
        default -> violation(packet.type() + " during enhanced authentication", 0x82);
      }
      return;
    }
    if (throttle != null && state == State.CONNECTED && throttle.holds(packet)) {
      return; // over limits.publishRate: handled when the throttle lets it through
    }
    handle(packet);
  }

  /** A packet the throttle held, now let through. */
  void handleHeld(Packet packet) {
    handle(packet);
  }

  private void handle(Packet packet) {
    switch (packet.type()) {
      case CONNECT -> onConnect((Connect) packet);
      case PUBLISH -> onPublish((Publish) packet);
      case PUBACK, PUBREC, PUBCOMP -> outbound.acknowledged((Ack) packet, session);
      case PUBREL -> {
        int id = ((Ack) packet).packetId();
        session.releaseQos2(id);
        outbound.send(new Ack(PacketType.PUBCOMP, id));
      }
      case SUBSCRIBE -> subscriptions.subscribe((Subscribe) packet, session, v5());
      case UNSUBSCRIBE -> subscriptions.unsubscribe((Unsubscribe) packet, session, v5());
      case PINGREQ -> outbound.send(PingResp.INSTANCE);
      case AUTH -> onAuth((Auth) packet);
      case DISCONNECT -> {
        Disconnect d = (Disconnect) packet;
        // MQTT 5: 0x04 "disconnect with will message" keeps the will; a new session expiry
        // applies from now (the codec refuses non-zero after a CONNECT that said 0).
        sendWill = v5() && d.reasonCode() == 0x04;
        record.endsBecause(d.reasonCode() == 0 ? "client DISCONNECT"
            : String.format("client DISCONNECT 0x%02X", d.reasonCode()));
        Long expiry = d.properties().sessionExpiryInterval();
        if (v5() && expiry != null) {
          session.setExpirySeconds(expiry);
        }
        session.disconnect(outbound, sendWill);
        session = null;
        close();
      }
      default -> violation("unexpected " + packet.type() + " from a client", 0x82);
    }
  }

  private void onConnect(Connect received) {
    if (state != State.AWAIT_CONNECT) {
      violation("second CONNECT", 0x82);
      return;
    }
    TlsIdentity identity = options.getTlsIdentity();
    Connect connect = identity.apply(received, socket.peerCommonName());
    if (connect == null) {
      clientId = received.clientId();
      protocolLevel = received.protocolLevel() == MqttVersion.V5 ? MqttVersion.V5 : MqttVersion.V3_1_1;
      outbound.protocolLevel(protocolLevel);
      broker.counters().increment(BrokerCounters.Counter.LOGINS_REFUSED_NOT_AUTHORIZED);
      refuse(MqttLogin.refusal(Authenticator.Decision.NOT_AUTHORIZED, received.protocolLevel()),
          "no TLS client certificate with a CN (tls.identity " + identity.key() + ")");
      return;
    }
    ConnectNegotiation n = ConnectNegotiation.of(connect, options, outbound);
    username = connect.username();
    record.connect(connect.cleanStart(), connect.keepAliveSeconds());
    protocolLevel = n.protocolLevel();
    outbound.protocolLevel(protocolLevel);
    if (n.clientId() != null) {
      clientId = n.clientId();
    }
    if (traced()) { // the CONNECT names the client: traced from it on
      ConnectionLog.TRACE.info("{} in: {}", describe(), received);
    }
    if (n.refusal() != null) {
      refuse(n.refusal(), n.reason());
      return;
    }
    if (n.violation() != null) {
      violation(n.violation(), n.violationCode());
      return;
    }
    outbound.connected(protocolLevel, n.clientMaxPacketSize(), n.clientTopicAliasMaximum());
    connackProperties = n.connack();
    if (identity == TlsIdentity.CLIENT_ID && v5() && !connect.clientId().equals(received.clientId())) {
      connackProperties.assignedClientIdentifier(connect.clientId()); // the id it has now
    }
    if (n.keepAliveMs() > 0) {
      keepAlive.start(n.keepAliveMs());
    }
    if (n.authenticator() != null) {
      // The session is claimed only once the exchange succeeds; the connect timeout still runs.
      state = State.AUTHENTICATING;
      authentication = new MqttAuthentication(this, outbound);
      authentication.begin(n.authenticator(), connect.username(), n.request(),
          connect.properties().authenticationData());
      return;
    }
    // Packets behind the CONNECT wait (as while the session is claimed) until the login is decided.
    state = State.CONNECTING;
    deferred = new HeldPackets();
    // A user name from the certificate needs no password: the handshake verified it.
    MqttLogin.check(vertx, socket.executor(), identity == TlsIdentity.USERNAME ? Authenticator.ALLOW_ALL
        : options.getLoginAuthenticator(), connect, clientId,
        socket.fromLoopback(), decision -> loggedIn(decision, n.request()));
  }

  private void loggedIn(Authenticator.Decision decision, SessionRequest request) {
    if (state == State.CLOSED) {
      releaseDeferred(); // gone while the password was checked: nothing was claimed
      return;
    }
    if (decision != Authenticator.Decision.ALLOW) {
      broker.counters().increment(decision == Authenticator.Decision.BAD_CREDENTIALS
          ? BrokerCounters.Counter.LOGINS_REFUSED_BAD_CREDENTIALS : BrokerCounters.Counter.LOGINS_REFUSED_NOT_AUTHORIZED);
      releaseDeferred();
      refuse(MqttLogin.refusal(decision, protocolLevel), MqttLogin.reason(decision));
      return;
    }
    claimSession(request);
  }

  /** Counts a refused enhanced authentication by its CONNACK code (0x86 bad credentials, else not authorized). */
  void countRefusal(int connackCode) {
    broker.counters().increment(connackCode == 0x86 ? BrokerCounters.Counter.LOGINS_REFUSED_BAD_CREDENTIALS
        : BrokerCounters.Counter.LOGINS_REFUSED_NOT_AUTHORIZED);
  }

  /** Answers the CONNECT with a refusing CONNACK, logged with its reason, and closes. */
  private void refuse(ConnAck refusal, String reason) {
    log.info("{}: {}; CONNACK {}", describe(), reason, String.format("0x%02X", refusal.reasonCode()));
    outbound.send(refusal);
    closeAfterWrite();
  }

  private void onAuth(Auth packet) {
    if (authentication != null) {
      authentication.onAuth(packet);
    } else { // the codec refuses AUTH after a CONNECT without a method: a guard
      violation("AUTH without enhanced authentication", 0x82);
    }
  }

  /**
   * The initial enhanced authentication succeeded: its method and data go into the CONNACK; the
   * user it proved, if it names one, is who the access rules see.
   */
  void authenticated(String method, byte[] data, String provedUser, SessionRequest request) {
    if (provedUser != null) {
      username = provedUser;
    }
    connackProperties.authenticationMethod(method).authenticationData(data);
    claimSession(request);
  }

  private void claimSession(SessionRequest request) {
    ConnectAdmission admission = ConnectAdmission.check(broker, request, username, protocolLevel);
    if (admission.refusal() != null) {
      releaseDeferred();
      refuse(admission.refusal(), admission.reason());
      return;
    }
    cancelTimer(connectTimer);
    connectTimer = -1;
    state = State.CONNECTING;
    if (deferred == null) {
      deferred = new HeldPackets();
    }
    broker.connect(dispatcher, admission.request(), this::onSessionBound);
  }

  private void onSessionBound(Session s, boolean present) {
    if (s == null) {
      // Closed before the session was free to claim: nothing was taken over, nothing is kept.
      releaseDeferred();
      return;
    }
    if (state == State.CLOSED) {
      // The socket went away while the session was being claimed (a takeover on another loop).
      // What the client sent before it left still counts: its PUBLISHes are published, and a
      // DISCONNECT means no will (MQTT-3.14.4-3). Replies go nowhere: the socket is gone.
      session = s;
      HeldPackets queued = deferred;
      deferred = null;
      if (queued != null) {
        queued.handleAll(p -> {
          if (sendWill && p instanceof Publish publish) {
            onPublish(publish);
          } else if (sendWill && p.type() == PacketType.DISCONNECT) {
            sendWill = v5() && ((Disconnect) p).reasonCode() == 0x04;
          }
        });
      }
      session = null;
      s.disconnect(outbound, sendWill);
      return;
    }
    session = s;
    state = State.CONNECTED;
    // The session may already have queued resends into this turn's frames: CONNACK goes first.
    outbound.sendFirst(new ConnAck(present, 0x00, connackProperties));
    record.connected(clientId, v5(), username, present);
    HeldPackets queued = deferred;
    deferred = null;
    queued.handleAll(this::onPacket);
  }

  private void onPublish(Publish publish) {
    publishes.publish(publish, session, v5());
  }

  private void releaseDeferred() {
    if (deferred != null) {
      deferred.drop();
      deferred = null;
    }
  }

  // ---- closing -----------------------------------------------------------------------------

  /**
   * Closes the connection for a protocol violation. An MQTT 5 client is told why first: CONNACK
   * with the reason code while connecting, DISCONNECT once connected (MQTT-4.13.2-1).
   */
  void violation(String reason, int reasonCode) {
    record.endsBecause("protocol violation: " + reason);
    try (ClientMdc m = ClientMdc.of(options.getListenerName(), remote, clientId)) {
      registry.warnings().warn(log, "{}: protocol violation: {}; closing", describe(), reason);
    }
    broker.counters().mqttViolation(reasonCode);
    if (v5() && reasonCode >= 0x80) {
      if (state == State.CONNECTED) {
        outbound.send(outbound.disconnect(reasonCode, reason));
      } else if (state == State.AWAIT_CONNECT || state == State.AUTHENTICATING) {
        outbound.send(new ConnAck(false, reasonCode, new MqttProperties().reasonString(reason)));
      }
    }
    close();
  }

  /** An MQTT 5 client is told why the broker closes its connection; a 3.1.1 one just sees EOF. */
  void closeWithReason(int reasonCode, String reason) {
    record.endsBecause(reason);
    if (v5() && state == State.CONNECTED) {
      outbound.send(outbound.disconnect(reasonCode, reason));
    }
    close();
  }

  /** The broker stops: nothing more is read (what the client sent and we did not read is not stored). */
  void stopReading() {
    socket.pause();
  }

  /** Whether acknowledgements of stored PUBLISHes still wait for the log's fsync. */
  boolean owesAcknowledgements() {
    return state != State.CLOSED && publishes.awaitingDurability();
  }

  /** Closes after what is queued is written (a refused CONNECT: nothing more will come). */
  void closeAfterWrite() {
    state = State.CLOSED;
    outbound.writeAndClose();
  }

  /** Closes the socket, saying why in the disconnect line (the first reason given stays). */
  void close(String reason) {
    record.endsBecause(reason);
    close();
  }

  /** Closes the socket; the will and session handling run in {@link #onClosed()}. */
  void close() {
    if (state == State.CLOSED) {
      return;
    }
    record.ended(clientId);
    outbound.flush();
    state = State.CLOSED;
    outbound.close();
    // The connection is over for the broker now, not when the peer has finished closing: the
    // will goes out and the session is released without waiting for the socket's drain.
    endSession();
  }

  private void endSession() {
    Session s = session;
    session = null;
    if (s != null) {
      s.disconnect(outbound, sendWill);
    }
  }

  private void onClosed() {
    record.ended(clientId);
    state = State.CLOSED;
    if (registry.remove(this)) {
      registry.traffic().closed();
    }
    cancelTimer(connectTimer);
    keepAlive.cancel();
    decoder.release();
    outbound.closed();
    // Packets deferred behind a CONNECT still being claimed stay for onSessionBound, which always
    // follows and handles (and releases) them.
    endSession();
  }

  private void cancelTimer(long id) {
    if (id >= 0) {
      vertx.cancelTimer(id);
    }
  }
}
