package io.tributary.mqtt;

import io.netty.buffer.ByteBuf;
import io.tributary.mqtt.codec.Ack;
import io.tributary.mqtt.codec.MqttProperties;
import io.tributary.mqtt.codec.PacketType;
import io.tributary.mqtt.codec.Publish;
import io.tributary.router.Broker;
import io.tributary.router.counters.BrokerCounters;
import io.tributary.router.logging.LogSafe;
import io.tributary.router.logging.LogThrottle;
import io.tributary.router.delivery.Dispatcher;
import io.tributary.router.message.Message;
import io.tributary.router.message.PayloadArena;
import io.tributary.router.session.Session;
import io.tributary.router.topic.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PUBLISHes a client sends on one connection: MQTT 5 topic aliases resolved, the topic checked,
 * QoS 2 resends recognised, the payload copied once into the loop's arena, the message stored, and
 * the acknowledgement queued.
 */
final class MqttPublishes {

  private static final Logger log = LoggerFactory.getLogger(MqttPublishes.class);
  /** A client publishing where it may not can do so thousands of times a second. */
  private static final LogThrottle DENIALS = new LogThrottle(20, 1);

  private final MqttConnection connection;
  private final Broker broker;
  /** The connection's loop: acknowledgements released by an fsync come back through it, batched. */
  private final Dispatcher dispatcher;
  private final MqttOptions options;
  private final PayloadArena arena;
  private final MqttOutbound outbound;
  private String[] inboundAliases;
  /** The topic of this client's last PUBLISH (already checked), reused while it repeats. */
  private String lastTopic;
  /** Acknowledgements waiting for the log's fsync ({@code log.flush: always}); later ones queue behind. */
  private int acksAwaitingFlush;

  MqttPublishes(MqttConnection connection, Broker broker, Dispatcher dispatcher, MqttOptions options,
      PayloadArena arena, MqttOutbound outbound) {
    this.connection = connection;
    this.broker = broker;
    this.dispatcher = dispatcher;
    this.options = options;
    this.arena = arena;
    this.outbound = outbound;
  }

  void publish(Publish publish, Session session, boolean v5) {
    String topic = publish.topic();
    MqttProperties pp = publish.properties();
    if (v5) {
      Integer alias = pp.topicAlias();
      if (alias != null) {
        if (alias == 0 || alias > options.getTopicAliasMaximum()) {
          connection.violation("topic alias " + alias + " outside 1.." + options.getTopicAliasMaximum(), 0x94);
          return;
        }
        if (inboundAliases == null) {
          inboundAliases = new String[options.getTopicAliasMaximum() + 1];
        }
        if (topic.isEmpty()) {
          topic = inboundAliases[alias];
          if (topic == null) {
            connection.violation("topic alias " + alias + " used before it was set", 0x82);
            return;
          }
        } else {
          inboundAliases[alias] = topic;
        }
      }
    }
    if (topic.equals(lastTopic)) {
      // A device publishing to one topic again: one String for all its messages, so fewer
      // objects, and catching-up sessions' no-match cache (by identity) recognises it.
      topic = lastTopic;
    } else {
      if (Topics.levels(topic) > options.getMaxTopicLevels()) {
        connection.violation("topic deeper than " + options.getMaxTopicLevels() + " levels", 0x97);
        return;
      }
      lastTopic = topic;
    }
    int qos = publish.qos();
    if (!session.access().mayPublish(topic)) {
      broker.counters().increment(BrokerCounters.Counter.PUBLISHES_DENIED);
      DENIALS.info(log, "{}: PUBLISH to '{}' denied by the access rules", connection.describe(), LogSafe.text(topic));
      refused(qos, publish.packetId(), v5 ? 0x87 : 0x00);
      return;
    }
    if (publish.retain() && !broker.admitsRetained(topic, publish.payload().readableBytes())) {
      broker.counters().increment(BrokerCounters.Counter.RETAINED_REFUSED_LIMIT);
      DENIALS.info(log, "{}: retained PUBLISH to '{}' refused: limits.maxRetainedMessages / maxRetainedBytes reached",
          connection.describe(), LogSafe.text(topic));
      refused(qos, publish.packetId(), v5 ? 0x97 : 0x00);
      return;
    }
    if (qos == 2) {
      if (v5 && session.inboundQos2Count() >= options.getReceiveMaximum()
          && !session.hasInboundQos2(publish.packetId())) {
        connection.violation("more than Receive Maximum " + options.getReceiveMaximum() + " QoS 2 messages unreleased", 0x93);
        return;
      }
      if (!session.receiveQos2(publish.packetId())) {
        // A resend of a QoS 2 message not yet released: acknowledge, do not deliver twice.
        outbound.send(new Ack(PacketType.PUBREC, publish.packetId()));
        return;
      }
    }
    // The payload leaves the read buffer for this loop's payload arena (one array per MiB of
    // messages, not one per message); the log then copies it into its record.
    ByteBuf in = publish.payload();
    int length = in.readableBytes();
    byte[] array = arena.allocate(length);
    int offset = arena.offset();
    in.getBytes(in.readerIndex(), array, offset, length);
    long now = System.currentTimeMillis();
    long stored = broker.publish(new Message(topic, array, offset, length, qos, publish.retain(),
        connection.clientId(), now, ForwardedProperties.expiresAt(pp, now), ForwardedProperties.of(pp)));
    connection.traffic().messageIn(qos);
    if (qos == 2) {
      session.qos2Stored(publish.packetId());
    }
    if (qos > 0) {
      // MQTT 5: 0x10 tells the publisher nobody subscribes (the message is still accepted).
      int reason = v5 && !broker.index().hasSubscribers(topic) ? 0x10 : 0x00;
      PacketType type = qos == 1 ? PacketType.PUBACK : PacketType.PUBREC;
      int packetId = publish.packetId();
      if (acksAwaitingFlush == 0 && broker.isDurable(stored)) {
        acknowledge(type, packetId, reason); // the common case
      } else {
        // Acknowledged once fsynced; acks leave in PUBLISH order (MQTT-4.6.0-2), so one that
        // would be ready sooner still waits behind those before it.
        acksAwaitingFlush++;
        broker.whenDurable(stored, dispatcher::executeBatched, () -> {
          acksAwaitingFlush--;
          acknowledge(type, packetId, reason);
        });
      }
    }
  }

  /**
   * A PUBLISH the broker refuses (access rules, a limit): nothing is stored. MQTT 5 says why in the
   * PUBACK/PUBREC ({@code reason}); MQTT 3.1.1 has no way to, so the message is acknowledged and
   * dropped, as Mosquitto does. A 3.1.1 QoS 2 flow still completes: PUBREL of any id gets its
   * PUBCOMP.
   */
  private void refused(int qos, int packetId, int reason) {
    if (qos == 0) {
      return;
    }
    PacketType type = qos == 1 ? PacketType.PUBACK : PacketType.PUBREC;
    if (acksAwaitingFlush == 0) {
      acknowledge(type, packetId, reason);
    } else {
      acksAwaitingFlush++; // behind the acknowledgements still waiting for the fsync
      broker.whenDurable(broker.log().endOffset() - 1, dispatcher::executeBatched, () -> {
        acksAwaitingFlush--;
        acknowledge(type, packetId, reason);
      });
    }
  }

  /** Whether acknowledgements wait for the log's fsync (flush interval or always). */
  boolean awaitingDurability() {
    return acksAwaitingFlush > 0;
  }

  private void acknowledge(PacketType type, int packetId, int reason) {
    if (reason == 0x00) {
      outbound.sendShortAck(type, packetId);
    } else {
      outbound.send(new Ack(type, packetId, reason));
    }
  }
}
