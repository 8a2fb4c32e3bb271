package io.tributary.mqtt;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.tributary.mqtt.auth.AuthExchange;
import io.tributary.mqtt.auth.AuthRequest;
import io.tributary.mqtt.auth.AuthStep;
import io.tributary.mqtt.auth.EnhancedAuthenticator;
import io.tributary.mqtt.codec.Ack;
import io.tributary.mqtt.codec.Auth;
import io.tributary.mqtt.codec.ConnAck;
import io.tributary.mqtt.codec.Connect;
import io.tributary.mqtt.codec.Disconnect;
import io.tributary.mqtt.codec.MqttProperties;
import io.tributary.mqtt.codec.UnsubAck;
import io.tributary.mqtt.codec.MqttCodecException;
import io.tributary.mqtt.codec.MqttDecoder;
import io.tributary.mqtt.codec.MqttEncoder;
import io.tributary.mqtt.codec.MqttVersion;
import io.tributary.mqtt.codec.Packet;
import io.tributary.mqtt.codec.PacketType;
import io.tributary.mqtt.codec.PingResp;
import io.tributary.mqtt.codec.ReasonCodes;
import io.tributary.mqtt.codec.Publish;
import io.tributary.mqtt.codec.SubAck;
import io.tributary.mqtt.codec.Subscribe;
import io.tributary.mqtt.codec.TopicSubscription;
import io.tributary.mqtt.codec.Unsubscribe;
import io.tributary.mqtt.codec.Will;
import io.tributary.router.Broker;
import io.tributary.router.session.ExactlyOnceLink;
import io.tributary.router.counters.BrokerCounters;
import io.tributary.router.delivery.Dispatcher;
import io.tributary.router.logging.LogSafe;
import io.tributary.router.message.Message;
import io.tributary.router.message.PayloadArena;
import io.tributary.router.session.Session;
import io.tributary.router.session.SessionRequest;
import io.tributary.router.shared.SharedGroup;
import io.tributary.router.delivery.SubscriptionOptions;
import io.tributary.router.topic.Topics;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MQTT connection: the per-connection state machine between the codec and the router. Lives
 * entirely on the event loop that accepted the socket.
 */
final class MqttConnection implements ExactlyOnceLink {

  private static final Logger log = LoggerFactory.getLogger(MqttConnection.class);

  /** AUTHENTICATING: a CONNECT with an Authentication Method, its exchange not finished yet. */
  private enum State { AWAIT_CONNECT, AUTHENTICATING, CONNECTING, CONNECTED, CLOSED }

  private final Vertx vertx;
  private final Broker broker;
  private final Dispatcher core;
  private final MqttOptions options;
  private final MqttConnections registry;
  private final MqttTransport socket;
  private final ByteBufAllocator alloc;
  private final MqttDecoder decoder;
  private final String remote;

  private State state = State.AWAIT_CONNECT;
  private int protocolLevel = MqttVersion.V3_1_1;
  private String clientId;
  private Session session;
  /** Whether the end of this connection publishes the will: all ends but a normal DISCONNECT. */
  private boolean sendWill = true;
  // MQTT 5 connection state: what the client told us it can take, and the topic aliases.
  private int clientMaxPacketSize = Integer.MAX_VALUE;
  private int clientTopicAliasMaximum;
  private Map<String, Integer> outboundAliases;
  private String[] inboundAliases;
  private MqttProperties connackProperties = MqttProperties.EMPTY;
  private long connectTimer = -1;
  private long keepAliveTimer = -1;
  /** Runs while reading is paused because the peer reads nothing we write. */
  private long stallTimer = -1;
  private long keepAliveMs;
  private long lastReadNanos = System.nanoTime();
  // MQTT 5 enhanced authentication: the CONNECT's method, the exchange under way (initial or
  // re-authentication), whether the client owes us an AUTH 0x18, and the session to claim once
  // the initial exchange succeeds.
  /** The event loop context of this connection: authenticator futures complete back onto it. */
  private final Context context = Vertx.currentContext();
  private EnhancedAuthenticator authenticator;
  private AuthExchange authExchange;
  private String authUsername;
  private boolean awaitingAuth;
  private SessionRequest authenticatedRequest;
  /** Packets that arrived behind CONNECT while the session was being claimed (rare). */
  private List<Packet> deferred;

  /** Outbound frames of this event-loop turn, written with one flush when the turn ends. */
  private final FrameBatch batch;
  private static final byte[] NO_BYTES = new byte[0];
  /** The topic of this client's last PUBLISH (already checked), reused while it repeats. */
  private String lastTopic;
  private boolean reportedFull;
  /** Reading paused because the client does not read what we write (see flush()). */
  private boolean readPaused;

  MqttConnection(Vertx vertx, Broker broker, Dispatcher core, MqttOptions options, MqttConnections registry,
      MqttTransport socket) {
    this.vertx = vertx;
    this.broker = broker;
    this.core = core;
    this.options = options;
    this.registry = registry;
    this.socket = socket;
    this.alloc = socket.alloc();
    this.batch = new FrameBatch(alloc);
    this.decoder = new MqttDecoder(options.getMaxPacketSize())
        .userPropertyLimits(options.getMaxUserProperties(), options.getMaxUserPropertyBytes());
    this.remote = socket.remoteAddress();
  }

  void start() {
    registry.add(this);
    socket.handler(this::onMessage);
    socket.closeHandler(v -> onClosed());
    socket.exceptionHandler(e -> log.debug("{}: socket error: {}", describe(), e.toString()));
    socket.drainHandler(v -> {
      if (readPaused) {
        readPaused = false;
        cancelTimer(stallTimer);
        stallTimer = -1;
        lastReadNanos = System.nanoTime(); // keep alive counts from when we listen again
        socket.resume();
      }
      Session s = session;
      if (s != null) {
        s.writable();
      }
    });
    connectTimer = vertx.setTimer(options.getConnectTimeoutMs(), id -> {
      connectTimer = -1;
      if (state == State.AWAIT_CONNECT || state == State.AUTHENTICATING) {
        registry.warnings().info(log, "{}: no CONNECT {}within {} ms, closing", describe(),
            state == State.AUTHENTICATING ? "authentication " : "", options.getConnectTimeoutMs());
        close();
      }
    });
  }

  // ---- inbound -----------------------------------------------------------------------------

  private void onMessage(ByteBuf buf) {
    try {
      if (state == State.CLOSED) {
        return;
      }
      lastReadNanos = System.nanoTime();
      decoder.feed(buf, this::onPacket);
    } catch (MqttCodecException e) {
      onCodecError(e);
    } catch (RuntimeException e) {
      log.error("{}: internal error handling input, closing", describe(), e);
      close();
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
      write(MqttEncoder.encode(new ConnAck(false, 0x01), MqttVersion.V3_1_1, alloc));
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
    if (state == State.CLOSED) {
      return;
    }
    if (state == State.CONNECTING) {
      deferred.add(packet instanceof Publish ? copyOf((Publish) packet) : packet);
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
    switch (packet.type()) {
      case CONNECT -> onConnect((Connect) packet);
      case PUBLISH -> onPublish((Publish) packet);
      case PUBACK -> {
        if (!session.acknowledge(((Ack) packet).packetId())) {
          log.debug("{}: PUBACK for unknown packet id {}", describe(), ((Ack) packet).packetId());
        }
      }
      case PUBREC -> {
        int id = ((Ack) packet).packetId();
        if (v5() && ((Ack) packet).reasonCode() >= 0x80) {
          // The client refused the message: the delivery ends here, no PUBREL (MQTT 5 4.3.3).
          session.refused(id);
        } else if (!session.received(id)) {
          // Unknown id (e.g. already completed before a reconnect): release it anyway so the
          // client can free its state; MQTT 5 says why (0x92 packet identifier not found).
          write(MqttEncoder.encode(new Ack(PacketType.PUBREL, id, v5() ? 0x92 : 0), protocolLevel, alloc));
        }
      }
      case PUBREL -> {
        int id = ((Ack) packet).packetId();
        session.releaseQos2(id);
        write(MqttEncoder.encode(new Ack(PacketType.PUBCOMP, id), protocolLevel, alloc));
      }
      case PUBCOMP -> session.completed(((Ack) packet).packetId());
      case SUBSCRIBE -> onSubscribe((Subscribe) packet);
      case UNSUBSCRIBE -> onUnsubscribe((Unsubscribe) packet);
      case PINGREQ -> write(MqttEncoder.encode(PingResp.INSTANCE, protocolLevel, alloc));
      case AUTH -> onAuth((Auth) packet);
      case DISCONNECT -> {
        Disconnect d = (Disconnect) packet;
        // MQTT 5: 0x04 "disconnect with will message" keeps the will; a new session expiry
        // applies from now (the codec refuses non-zero after a CONNECT that said 0).
        sendWill = v5() && d.reasonCode() == 0x04;
        Long expiry = d.properties().sessionExpiryInterval();
        if (v5() && expiry != null) {
          session.setExpirySeconds(expiry);
        }
        session.disconnect(this, sendWill);
        session = null;
        close();
      }
      default -> violation("unexpected " + packet.type() + " from a client", 0x82);
    }
  }

  private void onConnect(Connect connect) {
    if (state != State.AWAIT_CONNECT) {
      violation("second CONNECT", 0x82);
      return;
    }
    int level = connect.protocolLevel();
    if (level != MqttVersion.V3_1_1 && level != MqttVersion.V5) {
      log.info("{}: protocol level {} not supported; CONNACK 0x01", describe(), level);
      write(MqttEncoder.encode(new ConnAck(false, 0x01), MqttVersion.V3_1_1, alloc));
      closeAfterWrite();
      return;
    }
    protocolLevel = level;
    boolean v5 = v5();
    MqttProperties cp = connect.properties();
    EnhancedAuthenticator auth = null;
    if (v5 && cp.authenticationMethod() != null) {
      auth = options.getAuthenticator(cp.authenticationMethod());
      if (auth == null) {
        refuseConnect(0x8C, "authentication method '" + LogSafe.text(cp.authenticationMethod()) + "' is not supported");
        return;
      }
    }
    MqttProperties ack = v5 ? new MqttProperties() : MqttProperties.EMPTY;
    String id = connect.clientId();
    if (id.isEmpty()) {
      if (!v5 && !connect.cleanSession()) {
        // MQTT-3.1.3-8: a zero-length id needs clean session.
        log.info("{}: empty client id with clean session 0; CONNACK 0x02", describe());
        write(MqttEncoder.encode(new ConnAck(false, 0x02), protocolLevel, alloc));
        closeAfterWrite();
        return;
      }
      id = "tributary-" + UUID.randomUUID();
      if (v5) {
        ack.assignedClientIdentifier(id);
      }
    }
    clientId = id;
    Message will = null;
    long willDelay = 0;
    Will w = connect.will();
    if (w != null) {
      if (Topics.levels(w.topic()) > options.getMaxTopicLevels()) {
        violation("will topic deeper than " + options.getMaxTopicLevels() + " levels", 0x97);
        return;
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
    if (keepAlive > 0) {
      // MQTT-3.1.2-24: one and a half keep-alive periods without a packet closes the connection.
      keepAliveMs = keepAlive * 1500L;
      scheduleKeepAlive(keepAliveMs);
    }
    long expiry = connect.cleanSession() ? 0 : SessionRequest.NEVER_EXPIRES;
    int receiveMaximum = 65535;
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
      connackProperties = ack;
    }
    SessionRequest request =
        new SessionRequest(id, connect.cleanSession(), expiry, will, willDelay, receiveMaximum, this);
    if (auth != null) {
      // The session is claimed only once the exchange succeeds; the connect timeout still runs.
      authenticator = auth;
      authUsername = connect.username();
      authenticatedRequest = request;
      state = State.AUTHENTICATING;
      startAuthentication(false, cp.authenticationData());
      return;
    }
    claimSession(request);
  }

  private void claimSession(SessionRequest request) {
    cancelTimer(connectTimer);
    connectTimer = -1;
    state = State.CONNECTING;
    deferred = new ArrayList<>();
    broker.connect(core, request, this::onSessionBound);
  }

  // ---- enhanced authentication (MQTT 5) ------------------------------------------------------

  /** An AUTH from the client: 0x18 answers our challenge, 0x19 starts a re-authentication. */
  private void onAuth(Auth packet) {
    byte[] data = packet.properties().authenticationData();
    if (packet.reasonCode() == Auth.RE_AUTHENTICATE) {
      if (state != State.CONNECTED || authExchange != null) {
        violation("AUTH 0x19 " + (state == State.CONNECTED ? "while an authentication is under way" : "before CONNACK"),
            0x82);
        return;
      }
      startAuthentication(true, data);
      return;
    }
    if (!awaitingAuth) {
      violation("AUTH 0x18 the broker did not ask for", 0x82);
      return;
    }
    awaitingAuth = false;
    authStep(data);
  }

  private void startAuthentication(boolean reauthentication, byte[] data) {
    try {
      authExchange = authenticator.start(
          new AuthRequest(authenticator.method(), clientId, authUsername, remote, reauthentication));
    } catch (RuntimeException e) {
      log.error("{}: authenticator {} failed to start", describe(), authenticator.method(), e);
      onAuthStep(AuthStep.failure(0x80, "authentication failed"));
      return;
    }
    authStep(data);
  }

  /** Hands the client's data to the exchange; its answer is handled on this event loop. */
  private void authStep(byte[] clientData) {
    AuthExchange exchange = authExchange;
    Future<AuthStep> f;
    try {
      f = exchange.step(clientData);
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    if (f == null) {
      f = Future.failedFuture(new IllegalStateException("authenticator returned no future"));
    }
    f.onComplete(ar -> {
      if (context != null && Vertx.currentContext() == context) {
        onAuthResult(exchange, ar);
      } else if (context != null) {
        context.runOnContext(v -> onAuthResult(exchange, ar));
      } else {
        socket.executor().execute(() -> onAuthResult(exchange, ar));
      }
    });
  }

  private void onAuthResult(AuthExchange exchange, AsyncResult<AuthStep> ar) {
    if (state == State.CLOSED || exchange != authExchange) {
      return; // the connection went away meanwhile
    }
    AuthStep step = ar.result();
    if (ar.failed() || step == null) {
      log.error("{}: authenticator {} failed", describe(), authenticator.method(), ar.cause());
      step = AuthStep.failure(0x80, "authentication failed");
    }
    onAuthStep(step);
  }

  private void onAuthStep(AuthStep step) {
    String method = authenticator.method();
    switch (step.kind()) {
      case CONTINUE -> {
        awaitingAuth = true;
        write(MqttEncoder.encode(new Auth(Auth.CONTINUE_AUTHENTICATION,
            new MqttProperties().authenticationMethod(method).authenticationData(step.data())), protocolLevel, alloc));
      }
      case SUCCESS -> {
        authExchange = null;
        if (state == State.AUTHENTICATING) {
          log.debug("{}: authenticated with {}", describe(), method);
          connackProperties.authenticationMethod(method).authenticationData(step.data());
          SessionRequest request = authenticatedRequest;
          authenticatedRequest = null;
          claimSession(request);
        } else {
          log.debug("{}: re-authenticated with {}", describe(), method);
          write(MqttEncoder.encode(new Auth(Auth.SUCCESS,
              new MqttProperties().authenticationMethod(method).authenticationData(step.data())), protocolLevel, alloc));
        }
      }
      case FAILURE -> {
        authExchange = null;
        String reason = step.reason() == null ? "not authorized" : step.reason();
        if (state == State.AUTHENTICATING) {
          int code = ReasonCodes.isValidFromServer(PacketType.CONNACK, step.reasonCode()) ? step.reasonCode() : 0x87;
          refuseConnect(code, method + " authentication failed: " + reason);
        } else {
          int code = ReasonCodes.isValidFromServer(PacketType.DISCONNECT, step.reasonCode()) ? step.reasonCode() : 0x87;
          log.info("{}: {} re-authentication failed: {}", describe(), method, reason);
          closeWithReason(code, reason);
        }
      }
    }
  }

  private void refuseConnect(int reasonCode, String reason) {
    log.info("{}: {}; CONNACK 0x{}", describe(), reason, Integer.toHexString(reasonCode));
    write(MqttEncoder.encode(new ConnAck(false, reasonCode, new MqttProperties().reasonString(reason)),
        protocolLevel, alloc));
    closeAfterWrite();
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
      List<Packet> queued = deferred;
      deferred = null;
      for (Packet p : queued == null ? List.<Packet>of() : queued) {
        if (sendWill) {
          if (p instanceof Publish) {
            onPublish((Publish) p);
          } else if (p.type() == PacketType.DISCONNECT) {
            sendWill = v5() && ((Disconnect) p).reasonCode() == 0x04;
          }
        }
        if (p instanceof Publish) {
          ((Publish) p).payload().release();
        }
      }
      session = null;
      s.disconnect(this, sendWill);
      return;
    }
    session = s;
    state = State.CONNECTED;
    // The session may already have queued resends into this turn's frames: CONNACK goes first.
    ByteBuf connack = MqttEncoder.encode(new ConnAck(present, 0x00, connackProperties), protocolLevel, alloc);
    if (batch.addFirst(connack)) {
      socket.executor().execute(this::flush);
    }
    log.debug("{}: connected, session present {}", describe(), present);
    List<Packet> queued = deferred;
    deferred = null;
    for (Packet p : queued) {
      onPacket(p);
      if (p instanceof Publish) {
        ((Publish) p).payload().release();
      }
    }
  }

  private void onPublish(Publish publish) {
    String topic = publish.topic();
    MqttProperties pp = publish.properties();
    if (v5()) {
      Integer alias = pp.topicAlias();
      if (alias != null) {
        if (alias == 0 || alias > options.getTopicAliasMaximum()) {
          violation("topic alias " + alias + " outside 1.." + options.getTopicAliasMaximum(), 0x94);
          return;
        }
        if (inboundAliases == null) {
          inboundAliases = new String[options.getTopicAliasMaximum() + 1];
        }
        if (topic.isEmpty()) {
          topic = inboundAliases[alias];
          if (topic == null) {
            violation("topic alias " + alias + " used before it was set", 0x82);
            return;
          }
        } else {
          inboundAliases[alias] = topic;
        }
      }
    }
    if (topic.equals(lastTopic)) {
      // A device publishing to one topic again: the log keeps one String for all its messages,
      // fewer long-lived objects for the collector to copy.
      topic = lastTopic;
    } else {
      if (Topics.levels(topic) > options.getMaxTopicLevels()) {
        violation("topic deeper than " + options.getMaxTopicLevels() + " levels", 0x97);
        return;
      }
      lastTopic = topic;
    }
    int qos = publish.qos();
    if (qos == 2) {
      if (v5() && session.inboundQos2Count() >= options.getReceiveMaximum()
          && !session.hasInboundQos2(publish.packetId())) {
        violation("more than Receive Maximum " + options.getReceiveMaximum() + " QoS 2 messages unreleased", 0x93);
        return;
      }
      if (!session.receiveQos2(publish.packetId())) {
        // A resend of a QoS 2 message not yet released: acknowledge, do not deliver twice.
        write(MqttEncoder.encode(new Ack(PacketType.PUBREC, publish.packetId()), protocolLevel, alloc));
        return;
      }
    }
    // The one copy of the payload: out of the read buffer into the message the log keeps, in this
    // loop's payload arena (few long-lived arrays for the collector to copy).
    ByteBuf in = publish.payload();
    int length = in.readableBytes();
    PayloadArena arena = registry.arena();
    byte[] array = arena.allocate(length);
    int offset = arena.offset();
    in.getBytes(in.readerIndex(), array, offset, length);
    long now = System.currentTimeMillis();
    broker.publish(new Message(topic, array, offset, length, qos, publish.retain(), clientId, now,
        ForwardedProperties.expiresAt(pp, now), ForwardedProperties.of(pp)));
    if (qos > 0) {
      // MQTT 5: 0x10 tells the publisher nobody subscribes (the message is still accepted).
      int reason = v5() && !broker.index().hasSubscribers(topic) ? 0x10 : 0x00;
      PacketType type = qos == 1 ? PacketType.PUBACK : PacketType.PUBREC;
      if (reason == 0x00) {
        // The common case, straight into the batch: type, remaining length 2, packet id (an MQTT 5
        // ack without a reason code means 0x00).
        ByteBuf out = reserve(4);
        if (out != null) {
          out.writeByte(type.value() << 4).writeByte(2).writeShort(publish.packetId());
        }
      } else {
        write(MqttEncoder.encode(new Ack(type, publish.packetId(), reason), protocolLevel, alloc));
      }
    }
  }

  private void onSubscribe(Subscribe subscribe) {
    List<TopicSubscription> subs = subscribe.subscriptions();
    List<Integer> codes = new ArrayList<>(subs.size());
    boolean v5 = v5();
    // MQTT 5 shared subscriptions: {share name, filter} per entry, null for an ordinary one. For a
    // 3.1.1 client "$share/..." stays an ordinary filter, as it always was (3.1.1 has no shared
    // subscriptions; its clients get exactly what they got before).
    String[][] sharedParts = new String[subs.size()][];
    for (int i = 0; i < subs.size(); i++) {
      TopicSubscription sub = subs.get(i);
      int code = sub.qos();
      String filter = sub.filter();
      if (v5 && SharedGroup.isShared(filter)) {
        // The codec already refused what is not a topic filter at all (0x81) and No Local on a
        // shared subscription (0x82). What is left breaking MQTT-4.8.2-1/2 (an empty share name,
        // '+' or '#' as the share name, no topic filter after it) is a well-formed filter the
        // spec gives no reason code for: refuse that one filter with 0x8F (Topic Filter invalid)
        // and keep the others of the SUBSCRIBE, rather than dropping the connection.
        String[] parts = SharedGroup.parse(filter);
        if (parts == null) {
          code = 0x8F;
        } else if (Topics.levels(parts[1]) > options.getMaxTopicLevels()) {
          code = 0x97;
        } else {
          sharedParts[i] = parts;
        }
      } else if (Topics.levels(filter) > options.getMaxTopicLevels()) {
        code = v5 ? 0x97 : 0x80;
      }
      codes.add(code);
    }
    // SUBACK before the retained messages the new subscriptions bring.
    write(MqttEncoder.encode(new SubAck(subscribe.packetId(), codes), protocolLevel, alloc));
    Integer id = subscribe.properties().subscriptionIdentifier();
    for (int i = 0; i < subs.size(); i++) {
      if (codes.get(i) < 0x80) {
        TopicSubscription ts = subs.get(i);
        if (sharedParts[i] != null) {
          // No retained messages on a shared subscribe (MQTT 5 §4.8.2), whatever Retain Handling.
          session.subscribeShared(sharedParts[i][0], sharedParts[i][1], codes.get(i),
              new SubscriptionOptions(false, ts.retainAsPublished(), 2, id == null ? 0 : id));
          continue;
        }
        session.subscribe(ts.filter(), codes.get(i), v5
            ? new SubscriptionOptions(ts.noLocal(), ts.retainAsPublished(), ts.retainHandling(), id == null ? 0 : id)
            : SubscriptionOptions.DEFAULT);
      }
    }
  }

  private void onUnsubscribe(Unsubscribe unsubscribe) {
    List<Integer> codes = new ArrayList<>(unsubscribe.filters().size());
    for (String filter : unsubscribe.filters()) {
      codes.add(session.unsubscribe(filter) ? 0x00 : 0x11); // 0x11: no subscription existed
    }
    write(MqttEncoder.encode(v5() ? new UnsubAck(unsubscribe.packetId(), codes)
        : new Ack(PacketType.UNSUBACK, unsubscribe.packetId()), protocolLevel, alloc));
  }

  private static Publish copyOf(Publish p) {
    // Keep the MQTT 5 properties: a deferred PUBLISH may carry a topic alias (with an empty topic)
    // and metadata to forward. The decoded properties hold no reference into the read buffer.
    return new Publish(p.topic(), p.qos(), p.retain(), p.dup(), p.packetId(), Unpooled.copiedBuffer(p.payload()),
        p.properties());
  }

  // ---- keep alive --------------------------------------------------------------------------

  private void scheduleKeepAlive(long delayMs) {
    keepAliveTimer = vertx.setTimer(Math.max(1, delayMs), id -> {
      keepAliveTimer = -1;
      if (state == State.CLOSED) {
        return;
      }
      if (readPaused) {
        // We are not reading (the client is not reading us): its silence is not measurable.
        scheduleKeepAlive(keepAliveMs);
        return;
      }
      long idleMs = (System.nanoTime() - lastReadNanos) / 1_000_000;
      if (idleMs >= keepAliveMs) {
        log.info("{}: keep alive expired ({} ms without a packet), closing", describe(), idleMs);
        closeWithReason(0x8D, "keep alive timeout");
      } else {
        scheduleKeepAlive(keepAliveMs - idleMs);
      }
    });
  }

  // ---- outbound (ClientLink) ---------------------------------------------------------------

  @Override
  public boolean writeQueueFull() {
    boolean full = batch.bytes() >= options.getWriteQueueBytes() || socket.writeQueueFull();
    if (full) {
      reportedFull = true;
    }
    return full;
  }

  @Override
  public boolean deliver(Message message, int qos, boolean retain, boolean dup, int packetId, int[] subscriptionIds) {
    // The topic's UTF-8 bytes are encoded once per message on this loop and reused for every
    // subscriber here; the frame is written straight into this turn's batch.
    byte[] topic = registry.topicUtf8(message);
    byte[] payload = message.payloadArray();
    int payloadOffset = message.payloadOffset();
    int payloadLength = message.payloadLength();
    if (!v5()) {
      int size = MqttEncoder.publishSize(protocolLevel, topic, qos, MqttProperties.EMPTY, payloadLength);
      ByteBuf out = reserve(size);
      if (out != null) {
        MqttEncoder.writePublish(out, protocolLevel, topic, qos, retain, dup, packetId, MqttProperties.EMPTY,
            payload, payloadOffset, payloadLength);
      }
      return true;
    }
    int alias = 0;
    boolean newAlias = false;
    if (clientTopicAliasMaximum > 0) {
      // Aliases are handed out first come, first served and kept for the connection: a client
      // with few topics gets each topic string once.
      if (outboundAliases == null) {
        outboundAliases = new HashMap<>();
      }
      Integer known = outboundAliases.get(message.topic());
      if (known != null) {
        alias = known;
      } else if (outboundAliases.size() < clientTopicAliasMaximum) {
        alias = outboundAliases.size() + 1;
        newAlias = true;
      }
    }
    byte[] wireTopic = alias != 0 && !newAlias ? NO_BYTES : topic;
    long now = message.expiresAt() == 0 ? 0 : System.currentTimeMillis(); // only expiry needs the clock
    MqttProperties props = ForwardedProperties.outbound(message, subscriptionIds, alias, now);
    int size = MqttEncoder.publishSize(protocolLevel, wireTopic, qos, props, payloadLength);
    if (size > clientMaxPacketSize) {
      // MQTT-3.1.2-25: never send more than the client's maximum; the message is discarded for it.
      log.debug("{}: {} byte PUBLISH exceeds the client's maximum packet size {}, discarded",
          describe(), size, clientMaxPacketSize);
      return false;
    }
    if (newAlias) {
      outboundAliases.put(message.topic(), alias);
    }
    ByteBuf out = reserve(size);
    if (out != null) {
      MqttEncoder.writePublish(out, protocolLevel, wireTopic, qos, retain, dup, packetId, props,
          payload, payloadOffset, payloadLength);
    }
    return true;
  }

  @Override
  public void release(int packetId) {
    write(MqttEncoder.encode(new Ack(PacketType.PUBREL, packetId), protocolLevel, alloc));
  }

  @Override
  public boolean isOpen() {
    return state != State.CLOSED;
  }

  private void releaseDeferred() {
    if (deferred != null) {
      for (Packet p : deferred) {
        if (p instanceof Publish) {
          ((Publish) p).payload().release();
        }
      }
      deferred = null;
    }
  }

  @Override
  public void takenOver() {
    log.info("{}: session taken over by a new connection, closing", describe());
    session = null;
    closeWithReason(0x8E, "session taken over");
  }

  @Override
  public String describe() {
    // The client chose its id: escaped, so it cannot forge a log line.
    return (clientId == null ? "-" : LogSafe.text(clientId)) + "@" + remote;
  }

  /**
   * This turn's batch with room for {@code bytes} more, to encode a frame into; null once closed.
   * The first frame of a turn schedules the flush.
   */
  private ByteBuf reserve(int bytes) {
    if (state == State.CLOSED) {
      return null;
    }
    if (!batch.isOpen()) {
      socket.executor().execute(this::flush);
    }
    return batch.reserve(bytes);
  }

  /** Queues a frame; all frames of this event-loop turn go out in one write and one flush. */
  private void write(ByteBuf frame) {
    try {
      ByteBuf out = reserve(frame.readableBytes());
      if (out != null) {
        out.writeBytes(frame);
      }
    } finally {
      frame.release();
    }
  }

  private void flush() {
    ByteBuf out = batch.take();
    if (out == null) {
      return;
    }
    if (state == State.CLOSED) {
      out.release();
      return;
    }
    socket.write(out);
    if (!readPaused && socket.writeQueueFull()) {
      // The client is not reading what we write. Stop reading what it writes until the socket
      // drains: replies to its packets (PINGRESP, PUBACK, ...) would otherwise queue without bound.
      readPaused = true;
      socket.pause();
      stallTimer = vertx.setTimer(options.getWriteStallTimeoutMs(), id -> onWriteStall());
    }
    if (reportedFull && !socket.writeQueueFull()) {
      // Full was only this turn's own batch: the socket's drain event will not come, so resume.
      reportedFull = false;
      Session s = session;
      if (s != null) {
        s.writable();
      }
    }
  }

  /**
   * The peer has read nothing of what we wrote for the whole stall timeout while we stopped
   * reading it: it holds a descriptor and a full write queue and gives nothing back. Closed now
   * (nothing can reach a peer that does not read, so no DISCONNECT) and counted.
   */
  private void onWriteStall() {
    stallTimer = -1;
    if (state == State.CLOSED || !readPaused) {
      return;
    }
    broker.counters().increment(BrokerCounters.Counter.SLOW_CONSUMERS_CLOSED);
    registry.warnings().warn(log, "{}: read nothing of what the broker wrote for {} ms, closing", describe(),
        options.getWriteStallTimeoutMs());
    close();
  }

  // ---- closing -----------------------------------------------------------------------------

  /**
   * Closes the connection for a protocol violation. An MQTT 5 client is told why first: CONNACK
   * with the reason code while connecting, DISCONNECT once connected (MQTT-4.13.2-1).
   */
  private void violation(String reason, int reasonCode) {
    registry.warnings().warn(log, "{}: protocol violation: {}; closing", describe(), reason);
    broker.counters().increment(BrokerCounters.Counter.MQTT_PROTOCOL_VIOLATIONS);
    if (v5() && reasonCode >= 0x80) {
      MqttProperties props = new MqttProperties().reasonString(reason);
      if (state == State.CONNECTED) {
        write(MqttEncoder.encode(disconnect(reasonCode, reason), protocolLevel, alloc));
      } else if (state == State.AWAIT_CONNECT || state == State.AUTHENTICATING) {
        write(MqttEncoder.encode(new ConnAck(false, reasonCode, props), protocolLevel, alloc));
      }
    }
    close();
  }

  /** An MQTT 5 client is told why the broker closes its connection; a 3.1.1 one just sees EOF. */
  private void closeWithReason(int reasonCode, String reason) {
    if (v5() && state == State.CONNECTED) {
      write(MqttEncoder.encode(disconnect(reasonCode, reason), protocolLevel, alloc));
    }
    close();
  }

  /**
   * DISCONNECT with a reason string, left out if it would make the packet larger than the
   * client's Maximum Packet Size (MQTT-3.14.2-3): the reason code must still reach the client.
   */
  private Disconnect disconnect(int reasonCode, String reason) {
    Disconnect d = new Disconnect(reasonCode, new MqttProperties().reasonString(reason));
    return MqttEncoder.encodedSize(d, protocolLevel) <= clientMaxPacketSize ? d : new Disconnect(reasonCode);
  }

  private void closeAfterWrite() {
    state = State.CLOSED;
    ByteBuf out = batch.take();
    if (out != null) {
      socket.write(out);
    }
    socket.close();
  }

  /** Closes the socket; the will and session handling run in {@link #onClosed()}. */
  void close() {
    if (state == State.CLOSED) {
      return;
    }
    flush();
    state = State.CLOSED;
    // A client that does not read gets nothing more: close the channel outright when it is backed
    // up (what it did not read is dropped); else send what is queued and close without a reset.
    if (readPaused || !socket.channelWritable()) {
      socket.closeNow();
    } else {
      socket.close(); // bounded: the transport closes outright after GracefulClose.DRAIN_MS
    }
    // The connection is over for the broker now, not when the peer has finished closing: the
    // will goes out and the session is released without waiting for the socket's drain.
    endSession();
  }

  private void endSession() {
    Session s = session;
    session = null;
    if (s != null) {
      s.disconnect(this, sendWill);
    }
  }

  private void onClosed() {
    state = State.CLOSED;
    registry.remove(this);
    cancelTimer(connectTimer);
    cancelTimer(keepAliveTimer);
    cancelTimer(stallTimer);
    decoder.release();
    batch.release();
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
