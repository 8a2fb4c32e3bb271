package io.tributary.mqtt;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.tributary.mqtt.codec.Ack;
import io.tributary.mqtt.codec.ConnAck;
import io.tributary.mqtt.codec.Connect;
import io.tributary.mqtt.codec.MqttCodecException;
import io.tributary.mqtt.codec.MqttDecoder;
import io.tributary.mqtt.codec.MqttEncoder;
import io.tributary.mqtt.codec.MqttVersion;
import io.tributary.mqtt.codec.Packet;
import io.tributary.mqtt.codec.PacketType;
import io.tributary.mqtt.codec.PingResp;
import io.tributary.mqtt.codec.Publish;
import io.tributary.mqtt.codec.SubAck;
import io.tributary.mqtt.codec.Subscribe;
import io.tributary.mqtt.codec.TopicSubscription;
import io.tributary.mqtt.codec.Unsubscribe;
import io.tributary.mqtt.codec.Will;
import io.tributary.router.Broker;
import io.tributary.router.ClientLink;
import io.tributary.router.Core;
import io.tributary.router.Message;
import io.tributary.router.Session;
import io.tributary.router.Topics;
import io.vertx.core.Vertx;
import io.vertx.core.internal.net.NetSocketInternal;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MQTT connection: the per-connection state machine between the codec and the router. Lives
 * entirely on the event loop that accepted the socket.
 */
final class MqttConnection implements ClientLink {

  private static final Logger log = LoggerFactory.getLogger(MqttConnection.class);

  private enum State { AWAIT_CONNECT, CONNECTING, CONNECTED, CLOSED }

  private final Vertx vertx;
  private final Broker broker;
  private final Core core;
  private final MqttOptions options;
  private final MqttConnections registry;
  private final NetSocketInternal socket;
  private final ByteBufAllocator alloc;
  private final MqttDecoder decoder;
  private final String remote;

  private State state = State.AWAIT_CONNECT;
  private int protocolLevel = MqttVersion.V3_1_1;
  private String clientId;
  private Session session;
  private boolean graceful;
  private long connectTimer = -1;
  private long keepAliveTimer = -1;
  private long keepAliveMs;
  private long lastReadNanos = System.nanoTime();
  /** Packets that arrived behind CONNECT while the session was being claimed (rare). */
  private List<Packet> deferred;

  // Outbound frames of this event-loop turn, written with one flush when the turn ends.
  private CompositeByteBuf pending;
  /**
   * Small frames of this turn (acks, PINGRESP) copied into one buffer, so that replies queued for
   * a client that reads slowly cost their bytes, not a buffer object and a component each.
   */
  private ByteBuf smallFrames;
  private static final int SMALL_FRAME_BYTES = 64;
  private static final int SMALL_FRAMES_CHUNK = 8 * 1024;
  /** How long a graceful close may wait for queued frames to go out before the channel is closed. */
  private static final long CLOSE_GRACE_MS = 2000;
  private boolean reportedFull;
  /** Reading paused because the client does not read what we write (see flush()). */
  private boolean readPaused;

  MqttConnection(Vertx vertx, Broker broker, Core core, MqttOptions options, MqttConnections registry,
      NetSocketInternal socket) {
    this.vertx = vertx;
    this.broker = broker;
    this.core = core;
    this.options = options;
    this.registry = registry;
    this.socket = socket;
    this.alloc = socket.channelHandlerContext().alloc();
    this.decoder = new MqttDecoder(options.getMaxPacketSize());
    this.remote = String.valueOf(socket.remoteAddress());
  }

  void start() {
    registry.add(this);
    socket.messageHandler(this::onMessage);
    socket.closeHandler(v -> onClosed());
    socket.exceptionHandler(e -> log.debug("{}: socket error: {}", describe(), e.toString()));
    socket.drainHandler(v -> {
      if (readPaused) {
        readPaused = false;
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
      if (state == State.AWAIT_CONNECT) {
        log.info("{}: no CONNECT within {} ms, closing", describe(), options.getConnectTimeoutMs());
        close();
      }
    });
  }

  // ---- inbound -----------------------------------------------------------------------------

  private void onMessage(Object msg) {
    if (!(msg instanceof ByteBuf)) {
      io.netty.util.ReferenceCountUtil.release(msg);
      return;
    }
    ByteBuf buf = (ByteBuf) msg;
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
    violation(e.getMessage());
  }

  private void onPacket(Packet packet) {
    if (state == State.CLOSED) {
      return;
    }
    if (state == State.CONNECTING) {
      deferred.add(packet instanceof Publish ? copyOf((Publish) packet) : packet);
      return;
    }
    switch (packet.type()) {
      case CONNECT -> onConnect((Connect) packet);
      case PUBLISH -> onPublish((Publish) packet);
      case PUBACK -> {
        if (!session.puback(((Ack) packet).packetId())) {
          log.debug("{}: PUBACK for unknown packet id {}", describe(), ((Ack) packet).packetId());
        }
      }
      case PUBREC -> {
        int id = ((Ack) packet).packetId();
        if (!session.pubrec(id)) {
          // Unknown id (e.g. already completed before a reconnect): release it anyway so the
          // client can free its state.
          write(MqttEncoder.encode(new Ack(PacketType.PUBREL, id), protocolLevel, alloc));
        }
      }
      case PUBREL -> {
        int id = ((Ack) packet).packetId();
        session.releaseQos2(id);
        write(MqttEncoder.encode(new Ack(PacketType.PUBCOMP, id), protocolLevel, alloc));
      }
      case PUBCOMP -> session.pubcomp(((Ack) packet).packetId());
      case SUBSCRIBE -> onSubscribe((Subscribe) packet);
      case UNSUBSCRIBE -> onUnsubscribe((Unsubscribe) packet);
      case PINGREQ -> write(MqttEncoder.encode(PingResp.INSTANCE, protocolLevel, alloc));
      case DISCONNECT -> {
        graceful = true;
        session.disconnect(this, true);
        session = null;
        close();
      }
      default -> violation("unexpected " + packet.type() + " from a client");
    }
  }

  private void onConnect(Connect connect) {
    if (state != State.AWAIT_CONNECT) {
      violation("second CONNECT");
      return;
    }
    cancelTimer(connectTimer);
    connectTimer = -1;
    if (connect.protocolLevel() != MqttVersion.V3_1_1) {
      log.info("{}: protocol level {} not supported yet; CONNACK 0x01", describe(), connect.protocolLevel());
      write(MqttEncoder.encode(new ConnAck(false, 0x01), MqttVersion.V3_1_1, alloc));
      closeAfterWrite();
      return;
    }
    protocolLevel = connect.protocolLevel();
    String id = connect.clientId();
    if (id.isEmpty()) {
      if (!connect.cleanSession()) {
        // MQTT-3.1.3-8: a zero-length id needs clean session.
        log.info("{}: empty client id with clean session 0; CONNACK 0x02", describe());
        write(MqttEncoder.encode(new ConnAck(false, 0x02), protocolLevel, alloc));
        closeAfterWrite();
        return;
      }
      id = "tributary-" + UUID.randomUUID();
    }
    clientId = id;
    Message will = null;
    Will w = connect.will();
    if (w != null) {
      if (Topics.levels(w.topic()) > options.getMaxTopicLevels()) {
        violation("will topic deeper than " + options.getMaxTopicLevels() + " levels");
        return;
      }
      will = new Message(w.topic(), w.payload(), w.qos(), w.retain(), id, System.currentTimeMillis());
    }
    int keepAlive = connect.keepAliveSeconds();
    if (keepAlive > 0) {
      // MQTT-3.1.2-24: one and a half keep-alive periods without a packet closes the connection.
      keepAliveMs = keepAlive * 1500L;
      scheduleKeepAlive(keepAliveMs);
    }
    state = State.CONNECTING;
    deferred = new ArrayList<>();
    broker.connect(core, id, connect.cleanSession(), will, this, this::onSessionBound);
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
        if (!graceful) {
          if (p instanceof Publish) {
            onPublish((Publish) p);
          } else if (p.type() == PacketType.DISCONNECT) {
            graceful = true;
          }
        }
        if (p instanceof Publish) {
          ((Publish) p).payload().release();
        }
      }
      session = null;
      s.disconnect(this, graceful);
      return;
    }
    session = s;
    state = State.CONNECTED;
    // The session may already have queued resends into this turn's frames: CONNACK goes first.
    ByteBuf connack = MqttEncoder.encode(new ConnAck(present, 0x00), protocolLevel, alloc);
    if (pending == null) {
      write(connack);
    } else {
      pending.addComponent(true, 0, connack);
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
    if (Topics.levels(topic) > options.getMaxTopicLevels()) {
      violation("topic deeper than " + options.getMaxTopicLevels() + " levels");
      return;
    }
    int qos = publish.qos();
    if (qos == 2 && !session.receiveQos2(publish.packetId())) {
      // A resend of a QoS 2 message not yet released: acknowledge, do not deliver twice.
      write(MqttEncoder.encode(new Ack(PacketType.PUBREC, publish.packetId()), protocolLevel, alloc));
      return;
    }
    // The one copy of the payload: out of the read buffer into the message the log keeps.
    byte[] payload = ByteBufUtil.getBytes(publish.payload());
    broker.publish(new Message(topic, payload, qos, publish.retain(), clientId, System.currentTimeMillis()));
    if (qos == 1) {
      write(MqttEncoder.encode(new Ack(PacketType.PUBACK, publish.packetId()), protocolLevel, alloc));
    } else if (qos == 2) {
      write(MqttEncoder.encode(new Ack(PacketType.PUBREC, publish.packetId()), protocolLevel, alloc));
    }
  }

  private void onSubscribe(Subscribe subscribe) {
    List<TopicSubscription> subs = subscribe.subscriptions();
    List<Integer> codes = new ArrayList<>(subs.size());
    for (TopicSubscription sub : subs) {
      codes.add(Topics.levels(sub.filter()) > options.getMaxTopicLevels() ? 0x80 : sub.qos());
    }
    // SUBACK before the retained messages the new subscriptions bring.
    write(MqttEncoder.encode(new SubAck(subscribe.packetId(), codes), protocolLevel, alloc));
    for (int i = 0; i < subs.size(); i++) {
      if (codes.get(i) != 0x80) {
        session.subscribe(subs.get(i).filter(), codes.get(i));
      }
    }
  }

  private void onUnsubscribe(Unsubscribe unsubscribe) {
    for (String filter : unsubscribe.filters()) {
      session.unsubscribe(filter);
    }
    write(MqttEncoder.encode(new Ack(PacketType.UNSUBACK, unsubscribe.packetId()), protocolLevel, alloc));
  }

  private static Publish copyOf(Publish p) {
    return new Publish(p.topic(), p.qos(), p.retain(), p.dup(), p.packetId(), Unpooled.copiedBuffer(p.payload()));
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
        close();
      } else {
        scheduleKeepAlive(keepAliveMs - idleMs);
      }
    });
  }

  // ---- outbound (ClientLink) ---------------------------------------------------------------

  @Override
  public boolean writeQueueFull() {
    boolean full = (pending != null && pending.readableBytes() >= options.getWriteQueueBytes())
        || socket.writeQueueFull();
    if (full) {
      reportedFull = true;
    }
    return full;
  }

  @Override
  public void publish(Message message, int qos, boolean retain, boolean dup, int packetId) {
    write(MqttEncoder.encodePublish(protocolLevel, message.topic(), qos, retain, dup, packetId,
        Unpooled.wrappedBuffer(message.payload()), alloc));
  }

  @Override
  public void pubrel(int packetId) {
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
    close();
  }

  @Override
  public String describe() {
    return (clientId == null ? "-" : clientId) + "@" + remote;
  }

  /** Queues a frame; all frames of this event-loop turn go out in one write and one flush. */
  private void write(ByteBuf frame) {
    if (state == State.CLOSED) {
      frame.release();
      return;
    }
    if (pending == null) {
      pending = alloc.compositeBuffer(Integer.MAX_VALUE);
      socket.channelHandlerContext().executor().execute(this::flush);
    }
    int size = frame.readableBytes();
    if (size <= SMALL_FRAME_BYTES) {
      if (smallFrames != null && smallFrames.writableBytes() < size) {
        pending.addComponent(true, smallFrames);
        smallFrames = null;
      }
      if (smallFrames == null) {
        smallFrames = alloc.buffer(SMALL_FRAMES_CHUNK, SMALL_FRAMES_CHUNK);
      }
      smallFrames.writeBytes(frame);
      frame.release();
      return;
    }
    takeSmallFrames();
    pending.addComponent(true, frame);
  }

  /** Appends the small frames gathered so far to pending, keeping the order of all frames. */
  private void takeSmallFrames() {
    if (smallFrames != null) {
      pending.addComponent(true, smallFrames);
      smallFrames = null;
    }
  }

  private void flush() {
    if (pending != null) {
      takeSmallFrames();
    }
    CompositeByteBuf out = pending;
    pending = null;
    if (out == null) {
      return;
    }
    if (state == State.CLOSED) {
      out.release();
      return;
    }
    socket.writeMessage(out);
    if (!readPaused && socket.writeQueueFull()) {
      // The client is not reading what we write. Stop reading what it writes until the socket
      // drains: replies to its packets (PINGRESP, PUBACK, ...) would otherwise queue without bound.
      readPaused = true;
      socket.pause();
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

  // ---- closing -----------------------------------------------------------------------------

  private void violation(String reason) {
    log.warn("{}: protocol violation: {}; closing", describe(), reason);
    registry.countViolation();
    close();
  }

  private void closeAfterWrite() {
    state = State.CLOSED;
    if (pending != null) {
      takeSmallFrames();
    }
    CompositeByteBuf out = pending;
    pending = null;
    if (out != null) {
      socket.writeMessage(out).onComplete(ar -> socket.close());
    } else {
      socket.close();
    }
  }

  /** Closes the socket; the will and session handling run in {@link #onClosed()}. */
  void close() {
    if (state == State.CLOSED) {
      return;
    }
    if (pending != null) {
      flush();
    }
    state = State.CLOSED;
    // Vert.x closes a socket once its queued writes are flushed, so a client that does not read
    // would keep the connection, and what is queued for it, forever. Close the channel outright
    // when it is backed up (what the client did not read is dropped), else after a grace period.
    // (The handler context's close() goes below Vert.x's handler, which would wait for the flush.)
    io.netty.channel.ChannelHandlerContext ctx = socket.channelHandlerContext();
    if (readPaused || !ctx.channel().isWritable()) {
      ctx.close();
    } else {
      socket.close();
      vertx.setTimer(CLOSE_GRACE_MS, id -> {
        if (ctx.channel().isOpen()) {
          ctx.close();
        }
      });
    }
  }

  private void onClosed() {
    state = State.CLOSED;
    registry.remove(this);
    cancelTimer(connectTimer);
    cancelTimer(keepAliveTimer);
    decoder.release();
    if (pending != null) {
      pending.release();
      pending = null;
    }
    if (smallFrames != null) {
      smallFrames.release();
      smallFrames = null;
    }
    // Packets deferred behind a CONNECT still being claimed stay for onSessionBound, which always
    // follows and handles (and releases) them.
    Session s = session;
    session = null;
    if (s != null) {
      s.disconnect(this, graceful);
    }
  }

  private void cancelTimer(long id) {
    if (id >= 0) {
      vertx.cancelTimer(id);
    }
  }
}
