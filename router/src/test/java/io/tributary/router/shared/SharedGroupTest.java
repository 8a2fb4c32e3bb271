package io.tributary.router.shared;

import io.tributary.router.message.Message;
import io.tributary.router.delivery.Dispatcher;
import io.tributary.router.delivery.SubscriptionOptions;
import io.tributary.router.session.Session;
import io.tributary.router.session.SessionRequest;
import io.tributary.router.session.ClientLink;
import io.tributary.router.Broker;
import io.tributary.router.RouterOptions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Router-level shared subscriptions: two cores on their own threads, links that ack at once. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SharedGroupTest {

  private final Broker broker = new Broker(new RouterOptions().setMaxInflight(4));
  private final List<ExecutorService> threads = new ArrayList<>();

  @AfterEach
  void close() {
    threads.forEach(ExecutorService::shutdownNow);
    broker.close();
  }

  private Dispatcher core(String name) {
    ExecutorService e = Executors.newSingleThreadExecutor();
    threads.add(e);
    return broker.addDispatcher(e, name);
  }

  /** A link that records what it gets and, when asked, acknowledges QoS 1 right away. */
  private static final class Link implements ClientLink {
    final List<String> got = new ArrayList<>();
    final boolean ack;
    Session session;
    Dispatcher core;

    Link(boolean ack) {
      this.ack = ack;
    }

    @Override
    public boolean writeQueueFull() {
      return false;
    }

    @Override
    public boolean deliver(Message m, int qos, boolean retain, boolean dup, int packetId, int[] ids) {
      synchronized (got) {
        got.add(new String(m.payload(), StandardCharsets.UTF_8));
      }
      if (ack && qos == 1) {
        core.execute(() -> session.acknowledge(packetId));
      }
      return true;
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void takenOver() {
    }

    @Override
    public String describe() {
      return "test";
    }

    int count() {
      synchronized (got) {
        return got.size();
      }
    }
  }

  private Session connect(Dispatcher core, String id, Link link) throws Exception {
    CompletableFuture<Session> f = new CompletableFuture<>();
    link.core = core;
    core.execute(() -> broker.connect(core, new SessionRequest(id, true, 0, null, 0, 65535, link), (s, p) -> {
      link.session = s;
      f.complete(s);
    }));
    return f.get(5, TimeUnit.SECONDS);
  }

  private void on(Dispatcher core, Runnable r) throws Exception {
    CompletableFuture<Void> f = new CompletableFuture<>();
    core.execute(() -> {
      r.run();
      f.complete(null);
    });
    f.get(5, TimeUnit.SECONDS);
  }

  private void publish(String topic, String payload, int qos) {
    broker.publish(new Message(topic, payload.getBytes(StandardCharsets.UTF_8), qos, false, "pub", 0));
  }

  private static void await(java.util.function.BooleanSupplier done) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    while (!done.getAsBoolean() && System.currentTimeMillis() < deadline) {
      Thread.sleep(5);
    }
  }

  @Test
  void parseFollowsMqtt482() {
    assertArrayEquals(new String[] {"g", "a/+/#"}, SharedGroup.parse("$share/g/a/+/#"));
    assertArrayEquals(new String[] {"g", "/"}, SharedGroup.parse("$share/g//"));
    assertNull(SharedGroup.parse("$share//a"));
    assertNull(SharedGroup.parse("$share/+/a"));
    assertNull(SharedGroup.parse("$share/#"));
    assertNull(SharedGroup.parse("$share/g"));
    assertNull(SharedGroup.parse("$share/g/"));
    assertNull(SharedGroup.parse("$share/g/a#"));
    assertNull(SharedGroup.parse("a/b"));
  }

  @Test
  void everyRecordGoesToExactlyOneMemberOnEitherCore() throws Exception {
    Dispatcher c1 = core("c1");
    Dispatcher c2 = core("c2");
    List<Link> links = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Link l = new Link(true);
      Dispatcher c = i % 2 == 0 ? c1 : c2;
      Session s = connect(c, "m" + i, l);
      on(c, () -> s.subscribeShared("g", "t/#", 1, SubscriptionOptions.DEFAULT));
      links.add(l);
    }
    int n = 2000;
    for (int i = 0; i < n; i++) {
      publish("t/" + (i % 3), "r" + i, i % 2);
    }
    AtomicInteger total = new AtomicInteger();
    await(() -> {
      total.set(links.stream().mapToInt(Link::count).sum());
      return total.get() >= n;
    });
    Thread.sleep(100);
    Map<String, Integer> seen = new HashMap<>();
    for (Link l : links) {
      synchronized (l.got) {
        l.got.forEach(p -> seen.merge(p, 1, Integer::sum));
      }
      assertTrue(l.count() > 0, "every member gets some");
    }
    assertEquals(n, seen.size());
    assertTrue(seen.values().stream().allMatch(v -> v == 1), "no duplicates");
  }

  @Test
  void aMemberThatDisconnectsHandsBackItsUnacknowledgedMessages() throws Exception {
    Dispatcher c1 = core("c1");
    Dispatcher c2 = core("c2");
    Link lazy = new Link(false); // never acknowledges: holds its window of 4
    Session s1 = connect(c1, "lazy", lazy);
    on(c1, () -> s1.subscribeShared("g", "x", 1, SubscriptionOptions.DEFAULT));
    int n = 3;
    for (int i = 0; i < n; i++) {
      publish("x", "a" + i, 1);
    }
    await(() -> lazy.count() == n);
    assertEquals(n, lazy.count());
    Link good = new Link(true);
    Session s2 = connect(c2, "good", good);
    on(c2, () -> s2.subscribeShared("g", "x", 1, SubscriptionOptions.DEFAULT));
    on(c1, () -> s1.disconnect(lazy, false));
    await(() -> good.count() == n);
    assertEquals(List.of("a0", "a1", "a2"), good.got);
    assertEquals(1, broker.sharedGroup("$share/g/x").memberCount());
    on(c2, () -> s2.unsubscribe("$share/g/x"));
    assertNull(broker.sharedGroup("$share/g/x"));
  }
}
