package io.tributary.cluster;

import com.hazelcast.map.IMap;
import io.tributary.router.Broker;
import io.tributary.router.logging.LogSafe;
import io.tributary.router.message.Message;
import io.tributary.router.message.MessageCodec;
import io.tributary.router.session.WillKeeper;
import io.vertx.core.Vertx;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The wills of the clients connected to this node, kept in the cluster ({@code tributary.wills}:
 * client id -> node, delay, message), so that when a node dies a survivor publishes them, after
 * their delay, unless the client connects again somewhere first (its new connection replaces the
 * entry). Entries are removed by value, so a late removal by the old node never removes the will
 * of the client's new connection on another.
 *
 * <pre>
 *   node       uint16 length + UTF-8
 *   delay      int64  seconds
 *   timestamp  int64
 *   message    the record body ({@link MessageCodec})
 * </pre>
 */
final class ClusterWills implements WillKeeper {

  private static final Logger log = LoggerFactory.getLogger(ClusterWills.class);
  static final String WILLS = "tributary.wills";

  private final IMap<String, byte[]> wills;
  private final String node;
  private final Executor writer;
  /** What this node put for each client, to remove exactly that. */
  private final Map<String, byte[]> mine = new ConcurrentHashMap<>();

  ClusterWills(IMap<String, byte[]> wills, String node, Executor writer) {
    this.wills = wills;
    this.node = node;
    this.writer = writer;
  }

  @Override
  public void keep(String clientId, Message will, long delaySeconds) {
    byte[] entry = encode(node, delaySeconds, will);
    mine.put(clientId, entry);
    writer.execute(() -> wills.set(clientId, entry));
  }

  @Override
  public void drop(String clientId) {
    byte[] entry = mine.remove(clientId);
    if (entry != null) {
      writer.execute(() -> wills.remove(clientId, entry));
    }
  }

  /**
   * A node died: its clients' wills go out from this node after their delay, each only if its
   * entry is still the dead node's then (the client did not connect again elsewhere). Call on
   * one survivor only.
   */
  void publishFor(String deadNode, Broker broker, Vertx vertx) {
    writer.execute(() -> {
      int found = 0;
      for (Map.Entry<String, byte[]> e : wills.entrySet()) {
        Entry d = decode(e.getValue());
        if (!d.node().equals(deadNode)) {
          continue;
        }
        found++;
        String clientId = e.getKey();
        byte[] value = e.getValue();
        Runnable publish = () -> writer.execute(() -> {
          if (wills.remove(clientId, value)) {
            broker.publish(d.will().publishedAt(System.currentTimeMillis()));
            log.info("cluster: published the will of client {} (it was connected to node '{}', which died)",
                LogSafe.text(clientId), deadNode);
          }
        });
        if (d.delaySeconds() == 0) {
          publish.run();
        } else {
          vertx.setTimer(d.delaySeconds() * 1000, t -> publish.run());
        }
      }
      if (found > 0) {
        log.info("cluster: {} will(s) of clients of node '{}' to publish", found, deadNode);
      }
    });
  }

  record Entry(String node, long delaySeconds, Message will) {}

  static byte[] encode(String node, long delaySeconds, Message will) {
    byte[] name = node.getBytes(StandardCharsets.UTF_8);
    int size = MessageCodec.INSTANCE.sizeOf(will);
    ByteBuffer b = ByteBuffer.allocate(2 + name.length + 8 + 8 + size);
    b.putShort((short) name.length).put(name).putLong(delaySeconds).putLong(will.timestamp());
    MessageCodec.INSTANCE.write(will, b);
    return b.array();
  }

  static Entry decode(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    byte[] name = new byte[b.getShort() & 0xFFFF];
    b.get(name);
    long delay = b.getLong();
    long timestamp = b.getLong();
    Message will = MessageCodec.INSTANCE.read(b, b.position(), b.remaining(), timestamp);
    return new Entry(new String(name, StandardCharsets.UTF_8), delay, will);
  }
}
