package io.tributary.mqtt;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.tributary.mqtt.codec.Ack;
import io.tributary.mqtt.codec.Disconnect;
import io.tributary.mqtt.codec.MqttEncoder;
import io.tributary.mqtt.codec.MqttVersion;
import io.tributary.mqtt.codec.MqttProperties;
import io.tributary.mqtt.codec.Packet;
import io.tributary.mqtt.codec.PacketType;
import io.tributary.router.logging.ConnectionLog;
import io.tributary.router.counters.BrokerCounters;
import io.tributary.router.message.Message;
import io.tributary.router.session.ExactlyOnceLink;
import io.tributary.router.session.Session;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbound half of an MQTT connection: what the broker writes to the client. Deliveries from
 * the session (the connection's {@link ExactlyOnceLink}) with MQTT 5 topic aliases and the
 * client's maximum packet size, and every frame of an event-loop turn gathered in one
 * {@link FrameBatch} and flushed once. When the client stops reading, reading from it stops too,
 * and after {@link MqttOptions#getWriteStallTimeoutMs()} the connection is closed.
 */
final class MqttOutbound implements ExactlyOnceLink {

  private static final Logger log = LoggerFactory.getLogger(MqttOutbound.class);
  private static final byte[] NO_BYTES = new byte[0];

  private final MqttConnection connection;
  private final Vertx vertx;
  private final MqttOptions options;
  private final MqttConnections registry;
  private final BrokerCounters counters;
  private final MqttTransport socket;
  private final ByteBufAllocator alloc;
  /** Outbound frames of this event-loop turn, written with one flush when the turn ends. */
  private final FrameBatch batch;

  private int protocolLevel;
  // MQTT 5: what the client told us it can take, and the topic aliases given to it.
  private int clientMaxPacketSize = Integer.MAX_VALUE;
  private int clientTopicAliasMaximum;
  private Map<String, Integer> aliases;
  private boolean reportedFull;
  /** Reading paused because the client does not read what we write (see flush()). */
  private boolean readPaused;
  /** Runs while reading is paused. */
  private long stallTimer = -1;

  MqttOutbound(MqttConnection connection, Vertx vertx, MqttOptions options, MqttConnections registry,
      BrokerCounters counters, MqttTransport socket) {
    this.connection = connection;
    this.vertx = vertx;
    this.options = options;
    this.registry = registry;
    this.counters = counters;
    this.socket = socket;
    this.alloc = socket.alloc();
    this.batch = new FrameBatch(alloc);
    this.protocolLevel = io.tributary.mqtt.codec.MqttVersion.V3_1_1;
  }

  /** The CONNECT's protocol level, and (MQTT 5) the client's limits for what we send. */
  void connected(int protocolLevel, int clientMaxPacketSize, int clientTopicAliasMaximum) {
    this.protocolLevel = protocolLevel;
    this.clientMaxPacketSize = clientMaxPacketSize;
    this.clientTopicAliasMaximum = clientTopicAliasMaximum;
  }

  void protocolLevel(int level) {
    this.protocolLevel = level;
  }

  private boolean v5() {
    return protocolLevel == io.tributary.mqtt.codec.MqttVersion.V5;
  }

  // ---- the session's link ------------------------------------------------------------------

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
    if (connection.traced()) {
      trace("Publish{topic=" + message.topic() + ", qos=" + qos + ", retain=" + retain + ", dup=" + dup + ", packetId="
          + packetId + ", payload=" + message.payloadLength() + " bytes}");
    }
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
        registry.traffic().messageOut(qos);
      }
      return true;
    }
    int alias = 0;
    boolean newAlias = false;
    if (clientTopicAliasMaximum > 0) {
      // Aliases are handed out first come, first served and kept for the connection: a client
      // with few topics gets each topic string once.
      if (aliases == null) {
        aliases = new HashMap<>();
      }
      Integer known = aliases.get(message.topic());
      if (known != null) {
        alias = known;
      } else if (aliases.size() < clientTopicAliasMaximum) {
        alias = aliases.size() + 1;
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
      aliases.put(message.topic(), alias);
    }
    ByteBuf out = reserve(size);
    if (out != null) {
      MqttEncoder.writePublish(out, protocolLevel, wireTopic, qos, retain, dup, packetId, props,
          payload, payloadOffset, payloadLength);
      registry.traffic().messageOut(qos);
    }
    return true;
  }

  @Override
  public void release(int packetId) {
    send(new Ack(PacketType.PUBREL, packetId));
  }

  @Override
  public boolean isOpen() {
    return connection.isOpen();
  }

  @Override
  public void takenOver() {
    connection.takenOver();
  }

  @Override
  public String describe() {
    return connection.describe();
  }

  @Override
  public void closedByAdmin() {
    connection.closedByAdmin();
  }

  @Override
  public io.tributary.router.session.ConnectionDetails details() {
    return connection.details();
  }

  // ---- frames ------------------------------------------------------------------------------

  /** Encodes and queues a packet for this turn's flush. */
  void send(Packet packet) {
    trace(packet);
    write(MqttEncoder.encode(packet, protocolLevel, alloc));
  }

  private void trace(Object what) {
    if (connection.traced()) {
      ConnectionLog.TRACE.info("{} out: {}", describe(), what);
    }
  }

  /** Encodes a packet at an explicit protocol level (a CONNACK refusing an unknown level). */
  void send(Packet packet, int level) {
    write(MqttEncoder.encode(packet, level, alloc));
  }

  /**
   * A PUBACK or PUBREC with reason 0x00, straight into the batch: type, remaining length 2, packet
   * id (an MQTT 5 ack without a reason code means 0x00).
   */
  void sendShortAck(PacketType type, int packetId) {
    if (connection.traced()) { // checked first: no string is built for an untraced client
      trace(type + "{packetId=" + packetId + "}");
    }
    ByteBuf out = reserve(4);
    if (out != null) {
      out.writeByte(type.value() << 4).writeByte(2).writeShort(packetId);
    }
  }

  /** The CONNACK goes before anything the session queued into this turn already (its resends). */
  void sendFirst(Packet connack) {
    trace(connack);
    if (batch.addFirst(MqttEncoder.encode(connack, protocolLevel, alloc))) {
      socket.executor().execute(this::flush);
    }
  }

  /**
   * DISCONNECT with a reason string, left out if it would make the packet larger than the
   * client's Maximum Packet Size (MQTT-3.14.2-3): the reason code must still reach the client.
   */
  Disconnect disconnect(int reasonCode, String reason) {
    Disconnect d = new Disconnect(reasonCode, new MqttProperties().reasonString(reason));
    return MqttEncoder.encodedSize(d, protocolLevel) <= clientMaxPacketSize ? d : new Disconnect(reasonCode);
  }

  /**
   * This turn's batch with room for {@code bytes} more, to encode a frame into; null once closed.
   * The first frame of a turn schedules the flush.
   */
  private ByteBuf reserve(int bytes) {
    if (!connection.isOpen()) {
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

  void flush() {
    ByteBuf out = batch.take();
    if (out == null) {
      return;
    }
    if (!connection.isOpen()) {
      out.release();
      return;
    }
    registry.traffic().bytesOut(out.readableBytes());
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
      connection.writable();
    }
  }

  /**
   * The client acknowledged one of the broker's deliveries: PUBACK (QoS 1), PUBREC or PUBCOMP
   * (QoS 2). The session frees its window; a PUBREC is answered with PUBREL.
   */
  void acknowledged(Ack ack, Session session) {
    int id = ack.packetId();
    switch (ack.type()) {
      case PUBACK -> {
        if (!session.acknowledge(id)) {
          log.debug("{}: PUBACK for unknown packet id {}", connection.describe(), id);
        }
      }
      case PUBREC -> {
        if (protocolLevel == MqttVersion.V5 && ack.reasonCode() >= 0x80) {
          // The client refused the message: the delivery ends here, no PUBREL (MQTT 5 4.3.3).
          session.refused(id);
        } else if (!session.received(id)) {
          // Unknown id (e.g. already completed before a reconnect): release it anyway so the
          // client can free its state; MQTT 5 says why (0x92 packet identifier not found).
          send(new Ack(PacketType.PUBREL, id, protocolLevel == MqttVersion.V5 ? 0x92 : 0));
        }
      }
      default -> session.completed(id); // PUBCOMP
    }
  }

  /** The socket's write queue drained: read again if we had stopped. */
  void drained() {
    if (readPaused) {
      readPaused = false;
      cancelStallTimer();
      connection.readingAgain();
      if (!connection.readingStopped()) { // still over its publish rate: the throttle resumes
        socket.resume();
      }
    }
    connection.writable();
  }

  /** Reading is paused because the client does not read what we write. */
  boolean readPaused() {
    return readPaused;
  }

  /**
   * The peer has read nothing of what we wrote for the whole stall timeout while we stopped
   * reading it: it holds a descriptor and a full write queue and gives nothing back. Closed now
   * (nothing can reach a peer that does not read, so no DISCONNECT) and counted.
   */
  private void onWriteStall() {
    stallTimer = -1;
    if (!connection.isOpen() || !readPaused) {
      return;
    }
    counters.increment(BrokerCounters.Counter.SLOW_CONSUMERS_CLOSED);
    registry.warnings().warn(log, "{}: read nothing of what the broker wrote for {} ms, closing", describe(),
        options.getWriteStallTimeoutMs());
    connection.close("read nothing of what the broker wrote for " + options.getWriteStallTimeoutMs() + " ms");
  }

  /** Writes what is queued and closes the socket (after a refusal: nothing more will come). */
  void writeAndClose() {
    ByteBuf out = batch.take();
    if (out != null) {
      registry.traffic().bytesOut(out.readableBytes());
      socket.write(out);
    }
    socket.close();
  }

  /**
   * Closes the socket, sending what is queued. A client that does not read gets nothing more: the
   * channel closes outright when it is backed up (what it did not read is dropped).
   */
  void close() {
    if (readPaused || !socket.channelWritable()) {
      socket.closeNow();
    } else {
      socket.close(); // bounded: the transport closes outright after GracefulClose.DRAIN_MS
    }
  }

  /** The socket is closed: buffers and timers go. */
  void closed() {
    cancelStallTimer();
    batch.release();
  }

  private void cancelStallTimer() {
    if (stallTimer >= 0) {
      vertx.cancelTimer(stallTimer);
      stallTimer = -1;
    }
  }
}
