package io.tributary.mqtt;

import io.netty.buffer.Unpooled;
import io.tributary.mqtt.codec.Packet;
import io.tributary.mqtt.codec.Publish;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * Packets a connection read but cannot handle yet, in arrival order: behind a CONNECT whose login
 * or session claim is under way, or behind a PUBLISH over the publish rate. A PUBLISH is copied
 * out of the read buffer (which is released after the read); the copies are released once handled
 * or dropped. Connection's thread only.
 */
final class HeldPackets {

  private final ArrayDeque<Packet> packets = new ArrayDeque<>();

  void add(Packet packet) {
    packets.add(packet instanceof Publish p ? copyOf(p) : packet);
  }

  Packet peek() {
    return packets.peek();
  }

  /** Hands the oldest to handler and releases its copy; false when none is left. */
  boolean handleNext(Consumer<Packet> handler) {
    Packet p = packets.poll();
    if (p == null) {
      return false;
    }
    try {
      handler.accept(p);
    } finally {
      release(p);
    }
    return true;
  }

  /** Hands every one to handler, in order. */
  void handleAll(Consumer<Packet> handler) {
    while (handleNext(handler)) {
      // next
    }
  }

  /** Drops what is left (the connection is gone). */
  void drop() {
    Packet p;
    while ((p = packets.poll()) != null) {
      release(p);
    }
  }

  private static void release(Packet p) {
    if (p instanceof Publish publish) {
      publish.payload().release();
    }
  }

  private static Publish copyOf(Publish p) {
    // Keep the MQTT 5 properties: a held PUBLISH may carry a topic alias (with an empty topic) and
    // metadata to forward. The decoded properties hold no reference into the read buffer.
    return new Publish(p.topic(), p.qos(), p.retain(), p.dup(), p.packetId(), Unpooled.copiedBuffer(p.payload()),
        p.properties());
  }
}
