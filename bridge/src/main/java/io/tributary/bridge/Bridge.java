package io.tributary.bridge;

import io.netty.buffer.ByteBufUtil;
import io.tributary.mqtt.ForwardedProperties;
import io.tributary.mqtt.codec.Ack;
import io.tributary.mqtt.codec.ConnAck;
import io.tributary.mqtt.codec.Disconnect;
import io.tributary.mqtt.codec.MqttProperties;
import io.tributary.mqtt.codec.MqttVersion;
import io.tributary.mqtt.codec.StoredProperties;
import io.tributary.mqtt.codec.Packet;
import io.tributary.mqtt.codec.PacketType;
import io.tributary.mqtt.codec.PingReq;
import io.tributary.mqtt.codec.Publish;
import io.tributary.mqtt.codec.SubAck;
import io.tributary.mqtt.codec.Subscribe;
import io.tributary.mqtt.codec.TopicSubscription;
import io.tributary.router.Broker;
import io.tributary.router.counters.BrokerCounters.Counter;
import io.tributary.router.delivery.Dispatcher;
import io.tributary.router.delivery.LogPump;
import io.tributary.router.message.Message;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bridge to another MQTT broker, as one of its clients: out, the log read through the bridge's
 * own saved position ({@link Outbound}); in, the remote's messages on the in mappings, stored here
 * with origin {@code bridge:NAME} (so this bridge never sends them back, and QoS 1/2 acknowledged
 * once stored). Connects again after any failure, waiting from the minimum delay, doubling to the
 * maximum, with jitter. Runs on one dispatcher's thread: the socket is opened from it, so its
 * callbacks and timers come back on it.
 *
 * <p>The client is the project's own (its MQTT codec on a Vert.x {@link NetClient}), not the
 * Vert.x MQTT client: that client speaks MQTT 3.1.1 only (no No Local for loop prevention) and
 * chooses packet ids itself, without resending a message under the id the remote knows, which
 * exactly-once across a reconnect needs.
 */
public final class Bridge implements LogPump, io.tributary.router.BridgeStatus {

  private static final Logger log = LoggerFactory.getLogger(Bridge.class);
  /** The origin of messages a bridge brought in: {@code bridge:NAME}. */
  public static final String ORIGIN = "bridge:";
  /** State-store keys of bridges' positions start with this. */
  public static final String POSITION_PREFIX = "bridge/";
  private static final long CONNACK_TIMEOUT_MS = 10_000;

  private final BridgeOptions options;
  private final Broker broker;
  private final Dispatcher home;
  private final Vertx vertx;
  private final Outbound out;
  private final String origin;
  private final List<TopicMapping> inbound;
  /** QoS 2 packet ids received and stored, not yet released by the remote. */
  private final Set<Integer> receivedQos2 = new HashSet<>();
  private NetClient client;
  private BridgeLink link;
  private boolean accepted;
  private boolean markerRefused;
  private int inflightLimit;
  private int failures;
  private long pingTimer = -1;
  private long retryTimer = -1;
  private boolean stopped;
  private volatile boolean connected;

  public Bridge(BridgeOptions options, Broker broker, Dispatcher home, Vertx vertx) {
    this.options = options;
    this.broker = broker;
    this.home = home;
    this.vertx = vertx;
    this.origin = ORIGIN + options.getName();
    this.inbound = options.getTopics().stream().filter(m -> m.direction().in()).toList();
    this.out = new Outbound(options.getName(), options.getTopics(), broker.log(),
        broker.positions(POSITION_PREFIX + options.getName() + "/"), broker.counters(),
        options.getProtocolLevel() == MqttVersion.V5);
    StoredProperties.register(); // records read back from the log keep their MQTT 5 properties
  }

  @Override
  public String name() {
    return options.getName();
  }

  @Override
  public boolean isConnected() {
    return connected;
  }

  @Override
  public long lag() {
    return out.lag();
  }

  /** Starts connecting (from the bridge's dispatcher thread). */
  public void start() {
    home.execute(() -> {
      NetClientOptions o = new NetClientOptions().setConnectTimeout(10_000).setTcpNoDelay(true);
      if (options.isTls()) {
        o.setSsl(true).setHostnameVerificationAlgorithm(options.isVerifyHostname() ? "HTTPS" : "");
        if (options.getTlsCa() != null) {
          o.setTrustOptions(new PemTrustOptions().addCertPath(options.getTlsCa()));
        }
        if (options.getTlsCert() != null) {
          o.setKeyCertOptions(new PemKeyCertOptions().setCertPath(options.getTlsCert()).setKeyPath(options.getTlsKey()));
        }
      }
      client = vertx.createNetClient(o);
      if (out.sendsAnything()) {
        home.addPump(this);
      }
      broker.addBridge(this);
      log.info("{}", options);
      connect();
    });
  }

  private void connect() {
    if (stopped) {
      return;
    }
    retryTimer = -1;
    client.connect(options.getPort(), options.getHost()).onComplete(ar -> {
      if (stopped) {
        if (ar.succeeded()) {
          ar.result().close();
        }
        return;
      }
      if (ar.failed()) {
        retry("cannot connect: " + ar.cause().getMessage());
        return;
      }
      int level = options.getProtocolLevel();
      BridgeLink l = new BridgeLink(ar.result(), level, this::onPacket, why -> lost(why));
      link = l;
      accepted = false;
      l.connect(options, level == MqttVersion.V3_1_1 && options.isBridgeMarker() && !markerRefused);
      vertx.setTimer(CONNACK_TIMEOUT_MS, id -> {
        if (link == l && !accepted && !l.isClosed()) {
          l.close();
          lost("no CONNACK within " + CONNACK_TIMEOUT_MS + " ms");
        }
      });
    });
  }

  private void startPings(BridgeLink l) {
    long keepAliveMs = options.getKeepAliveSeconds() * 1000L;
    if (keepAliveMs == 0) {
      return;
    }
    pingTimer = vertx.setPeriodic(Math.max(500, keepAliveMs / 2), id -> {
      if (l != link || l.isClosed()) {
        vertx.cancelTimer(id);
        return;
      }
      if (System.currentTimeMillis() - l.lastReceived() > keepAliveMs * 3 / 2) {
        l.close();
        lost("no answer from the remote within 1.5 keep alive intervals");
        return;
      }
      l.send(PingReq.INSTANCE);
    });
  }

  private void onPacket(Packet p) {
    switch (p.type()) {
      case CONNACK -> onConnAck((ConnAck) p);
      case PUBLISH -> onPublish((Publish) p);
      case PUBACK -> {
        out.acked(((Ack) p).packetId());
        home.wake();
      }
      case PUBREC -> onPubRec((Ack) p);
      case PUBCOMP -> {
        out.completed(((Ack) p).packetId());
        home.wake();
      }
      case PUBREL -> {
        int id = ((Ack) p).packetId();
        receivedQos2.remove(id);
        link.send(new Ack(PacketType.PUBCOMP, id));
      }
      case SUBACK -> onSubAck((SubAck) p);
      case DISCONNECT -> {
        link.close();
        lost("the remote disconnected (reason 0x" + Integer.toHexString(((Disconnect) p).reasonCode()) + ")");
      }
      default -> { } // PINGRESP, UNSUBACK: nothing to do; keep alive counts any bytes
    }
  }

  private void onConnAck(ConnAck a) {
    BridgeLink l = link;
    if (a.reasonCode() != 0) {
      l.close();
      boolean markerTried = options.getProtocolLevel() == MqttVersion.V3_1_1 && options.isBridgeMarker() && !markerRefused;
      if (markerTried && a.reasonCode() == ConnAck.UNACCEPTABLE_PROTOCOL_VERSION) {
        markerRefused = true;
        log.warn("bridge '{}': the remote refused the bridge marker (protocol level 0x84); connecting without it: "
            + "a message sent both ways may come back once", name());
        connect();
        return;
      }
      retry("refused by the remote: CONNACK 0x" + Integer.toHexString(a.reasonCode()));
      return;
    }
    accepted = true;
    connected = true;
    startPings(l);
    failures = 0;
    broker.counters().increment(Counter.BRIDGE_CONNECTS);
    Integer receiveMaximum = a.properties().receiveMaximum();
    inflightLimit = Math.min(options.getMaxInflight(), receiveMaximum != null ? receiveMaximum : 65_535);
    Long maxPacket = a.properties().maximumPacketSize();
    out.remoteMaxPacket(maxPacket != null ? maxPacket : 0);
    boolean resumed = a.sessionPresent() && !options.isCleanStart();
    log.info("bridge '{}': connected to {}:{} ({}), {} in flight to resend", name(), options.getHost(),
        options.getPort(), resumed ? "session resumed" : "new session", out.inflight());
    if (!resumed) {
      receivedQos2.clear();
    }
    // MQTT 5 subscribes every time (retain handling 1: retained messages only for a new
    // subscription); 3.1.1 only for a new session, which otherwise kept them.
    if (!inbound.isEmpty() && (!resumed || options.getProtocolLevel() == MqttVersion.V5)) {
      List<TopicSubscription> subs = new ArrayList<>();
      boolean v5 = options.getProtocolLevel() == MqttVersion.V5;
      for (TopicMapping m : inbound) {
        subs.add(v5 ? new TopicSubscription(m.remoteFilter(), m.qos(), true, true,
            TopicSubscription.SEND_RETAINED_IF_NEW) : new TopicSubscription(m.remoteFilter(), m.qos()));
      }
      l.send(new Subscribe(1, subs));
    }
    out.resend(resumed, packet -> l.queue((Packet) packet));
    l.flush();
    home.wake();
  }

  private void onSubAck(SubAck a) {
    for (int i = 0; i < a.reasonCodes().size() && i < inbound.size(); i++) {
      int code = a.reasonCodes().get(i);
      if (code >= 0x80) {
        log.warn("bridge '{}': the remote refused the subscription to '{}' (0x{})", name(),
            inbound.get(i).remoteFilter(), Integer.toHexString(code));
      }
    }
  }

  private void onPublish(Publish p) {
    BridgeLink l = link;
    int id = p.packetId();
    if (p.qos() == 2 && receivedQos2.contains(id)) {
      l.send(new Ack(PacketType.PUBREC, id)); // stored already; the remote resent before our PUBREC
      return;
    }
    String topic = localTopic(p.topic());
    if (topic == null) {
      if (p.qos() > 0) {
        l.send(new Ack(p.qos() == 1 ? PacketType.PUBACK : PacketType.PUBREC, id));
      }
      return;
    }
    byte[] payload = ByteBufUtil.getBytes(p.payload());
    long now = System.currentTimeMillis();
    Message m = new Message(topic, payload, 0, payload.length, p.qos(), p.retain(), options.getClientId(), now,
        ForwardedProperties.expiresAt(p.properties(), now), ForwardedProperties.of(p.properties()), origin);
    long offset = broker.publish(m);
    broker.counters().increment(Counter.BRIDGE_MESSAGES_IN);
    if (p.qos() == 2) {
      receivedQos2.add(id);
    }
    if (p.qos() > 0) {
      broker.whenDurable(offset, home::execute,
          () -> l.send(new Ack(p.qos() == 1 ? PacketType.PUBACK : PacketType.PUBREC, id)));
    }
  }

  private String localTopic(String remoteTopic) {
    for (TopicMapping m : inbound) {
      String local = m.toLocal(remoteTopic);
      if (local != null) {
        return local;
      }
    }
    return null;
  }

  private void onPubRec(Ack a) {
    Ack rel = out.received(a.packetId(), a.reasonCode());
    if (rel != null) {
      BridgeLink l = link;
      // The released mark must be as durable as the log's flush policy before the remote may
      // forget the packet id (see Outbound).
      broker.whenDurable(out.offsetOf(a.packetId()), home::execute, () -> l.send(rel));
    } else {
      home.wake();
    }
  }

  @Override
  public boolean pump() {
    BridgeLink l = link;
    if (!accepted || l == null || l.isClosed()) {
      return false;
    }
    boolean more = out.pump(inflightLimit, packet -> l.queue((Packet) packet));
    l.flush();
    return more;
  }

  private void lost(String why) {
    if (accepted) {
      log.warn("bridge '{}': connection to {}:{} lost: {}", name(), options.getHost(), options.getPort(), why);
    }
    retry(accepted ? null : why);
  }

  /** Connects again after the backoff; why (or null when already logged) is logged. */
  private void retry(String why) {
    connected = false;
    accepted = false;
    link = null;
    if (pingTimer >= 0) {
      vertx.cancelTimer(pingTimer);
      pingTimer = -1;
    }
    if (stopped || retryTimer >= 0) {
      return;
    }
    broker.counters().increment(Counter.BRIDGE_CONNECTION_FAILURES);
    long delay = Math.min(options.getReconnectMaxMs(), options.getReconnectMinMs() << Math.min(failures, 20));
    delay = delay / 2 + ThreadLocalRandom.current().nextLong(delay / 2 + 1);
    failures++;
    if (why != null) {
      log.warn("bridge '{}' to {}:{}: {}; trying again in {} ms", name(), options.getHost(), options.getPort(), why,
          delay);
    }
    retryTimer = vertx.setTimer(Math.max(1, delay), id -> connect());
  }

  /** Disconnects (a DISCONNECT, so the remote keeps the session without a will) and stops reconnecting. */
  public Future<Void> stop() {
    Promise<Void> done = Promise.promise();
    home.execute(() -> {
      stopped = true;
      connected = false;
      home.removePump(this);
      out.maybeSave(true);
      if (retryTimer >= 0) {
        vertx.cancelTimer(retryTimer);
      }
      if (pingTimer >= 0) {
        vertx.cancelTimer(pingTimer);
      }
      if (link != null) {
        link.send(new Disconnect(0));
        link.close();
      }
      Future<Void> closed = client != null ? client.close() : Future.succeededFuture();
      closed.onComplete(ar -> done.complete());
    });
    return done.future();
  }
}
