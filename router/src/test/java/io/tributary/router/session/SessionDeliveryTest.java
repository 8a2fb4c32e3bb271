package io.tributary.router.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.router.Broker;
import io.tributary.router.RouterOptions;
import io.tributary.router.delivery.Dispatcher;
import io.tributary.router.message.Message;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Sessions and delivery without sockets: a real {@link Broker} and log, one dispatcher on a thread
 * of its own, and links that record what they are given. Each step runs on the dispatcher's thread
 * and the test waits for the loop to go idle before it looks.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SessionDeliveryTest {

  private final ExecutorService loop = Executors.newSingleThreadExecutor();
  private Broker broker;
  private Dispatcher dispatcher;

  private void start(RouterOptions options) {
    broker = new Broker(options);
    dispatcher = broker.addDispatcher(loop, "test");
  }

  @AfterEach
  void close() {
    loop.shutdownNow();
    if (broker != null) {
      broker.close();
    }
  }

  /** One delivery as the link saw it. */
  record Delivered(String payload, int qos, boolean retain, boolean redelivery, int id) {}

  /** A link that records deliveries and releases; acknowledgements are up to the test. */
  static class Recording implements ClientLink {
    final List<Delivered> got = new ArrayList<>();
    boolean open = true;
    boolean takenOver;

    @Override
    public boolean writeQueueFull() {
      return false;
    }

    @Override
    public boolean deliver(Message m, int qos, boolean retain, boolean redelivery, int id, int[] ids) {
      got.add(new Delivered(new String(m.payload(), StandardCharsets.UTF_8), qos, retain, redelivery, id));
      return true;
    }

    @Override
    public boolean isOpen() {
      return open;
    }

    @Override
    public void takenOver() {
      takenOver = true;
      open = false;
    }

    @Override
    public String describe() {
      return "recording link";
    }

    List<String> payloads() {
      return got.stream().map(Delivered::payload).toList();
    }
  }

  /** An MQTT-like link: also takes exactly-once deliveries. */
  static final class RecordingExactlyOnce extends Recording implements ExactlyOnceLink {
    final List<Integer> released = new ArrayList<>();

    @Override
    public void release(int id) {
      released.add(id);
    }
  }

  private <T> T on(Callable<T> step) throws Exception {
    T result = loop.submit(step).get(10, TimeUnit.SECONDS);
    idle();
    return result;
  }

  /** Waits until the loop has run everything queued so far (twice: drains queue more tasks). */
  private void idle() throws Exception {
    for (int i = 0; i < 3; i++) {
      loop.submit(() -> null).get(10, TimeUnit.SECONDS);
    }
  }

  private Session connect(String clientId, boolean clean, long expiry, int receiveMaximum, ClientLink link)
      throws Exception {
    Session[] s = new Session[1];
    on(() -> {
      broker.connect(dispatcher, new SessionRequest(clientId, clean, expiry, null, 0, receiveMaximum, link),
          (session, present) -> s[0] = session);
      return null;
    });
    idle();
    return s[0];
  }

  private void publish(String topic, String payload, int qos) {
    broker.publish(new Message(topic, payload.getBytes(StandardCharsets.UTF_8), qos, false, "pub",
        System.currentTimeMillis()));
  }

  @Test
  void theInflightWindowHoldsBackDeliveriesUntilAcknowledgedInOrder() throws Exception {
    start(new RouterOptions().setMaxInflight(2));
    Recording link = new Recording();
    Session s = connect("w", true, 0, 65535, link);
    on(() -> s.subscribe("t", 1));
    for (int i = 0; i < 5; i++) {
      publish("t", "m" + i, 1);
    }
    idle();
    assertEquals(List.of("m0", "m1"), on(link::payloads));
    assertTrue(on(() -> s.acknowledge(link.got.get(0).id())));
    assertEquals(List.of("m0", "m1", "m2"), on(link::payloads));
    assertFalse(on(() -> s.acknowledge(999)), "an unknown id is refused");
    on(() -> s.acknowledge(link.got.get(1).id()) && s.acknowledge(link.got.get(2).id()));
    assertEquals(List.of("m0", "m1", "m2", "m3", "m4"), on(link::payloads));
  }

  @Test
  void aReconnectResendsWhatWasNotAcknowledgedInTheOrderFirstSentThenCatchesUp() throws Exception {
    start(new RouterOptions());
    Recording first = new Recording();
    Session s = connect("p", true, SessionRequest.NEVER_EXPIRES, 65535, first);
    on(() -> s.subscribe("t", 1));
    publish("t", "a", 1);
    publish("t", "b", 1);
    publish("t", "c", 1);
    idle();
    on(() -> s.acknowledge(first.got.get(1).id())); // b done; a and c are not
    on(() -> {
      s.disconnect(first, false);
      return null;
    });
    publish("t", "d", 1); // while offline
    publish("t", "zero", 0); // QoS 0 while offline: not queued
    Recording second = new Recording();
    Session again = connect("p", false, SessionRequest.NEVER_EXPIRES, 65535, second);
    assertTrue(again == s, "the same session");
    List<Delivered> got = on(() -> List.copyOf(second.got));
    assertEquals(List.of("a", "c", "d"), got.stream().map(Delivered::payload).toList());
    assertTrue(got.get(0).redelivery() && got.get(1).redelivery(), "resent ones are marked: " + got);
    assertEquals(first.got.get(0).id(), got.get(0).id(), "same delivery id");
    assertFalse(got.get(2).redelivery(), "a new one is not: " + got);
  }

  @Test
  void exactlyOnceGoesThroughReceivedReleaseAndCompleted() throws Exception {
    start(new RouterOptions().setMaxInflight(1));
    RecordingExactlyOnce link = new RecordingExactlyOnce();
    Session s = connect("q2", true, 0, 65535, link);
    on(() -> s.subscribe("t", 2));
    publish("t", "x", 2);
    publish("t", "y", 2);
    idle();
    int id = on(() -> link.got.get(0).id());
    assertEquals(List.of("x"), on(link::payloads), "window of one");
    assertTrue(on(() -> s.received(id)));
    assertEquals(List.of(id), on(() -> List.copyOf(link.released)));
    assertEquals(List.of("x"), on(link::payloads), "released is not done");
    assertFalse(on(() -> s.acknowledge(id)), "a QoS 2 delivery is not acknowledged like QoS 1");
    assertTrue(on(() -> s.completed(id)));
    assertEquals(List.of("x", "y"), on(link::payloads));
  }

  @Test
  void aLinkWithoutExactlyOnceGetsQos2AsQos1() throws Exception {
    start(new RouterOptions());
    Recording link = new Recording();
    Session s = connect("dev", true, 0, 65535, link);
    on(() -> s.subscribe("t", 2));
    publish("t", "x", 2);
    idle();
    assertEquals(1, on(() -> link.got.get(0).qos()));
    assertTrue(on(() -> s.acknowledge(link.got.get(0).id())));
  }

  @Test
  void aSecondConnectionTakesTheSessionOver() throws Exception {
    start(new RouterOptions());
    Recording first = new Recording();
    Session s = connect("same", true, SessionRequest.NEVER_EXPIRES, 65535, first);
    on(() -> s.subscribe("t", 1));
    Recording second = new Recording();
    Session again = connect("same", false, SessionRequest.NEVER_EXPIRES, 65535, second);
    assertTrue(on(() -> first.takenOver), "the old link was told");
    assertTrue(again == s);
    publish("t", "after", 1);
    idle();
    assertEquals(List.of(), on(first::payloads));
    assertEquals(List.of("after"), on(second::payloads));
  }

  @Test
  void aNewSubscriptionTakesWhatWasStoredWithinTheLookbackOnce() throws Exception {
    start(new RouterOptions().setSubscribeLookbackMs(60_000));
    Recording link = new Recording();
    Session s = connect("look", true, 0, 65535, link);
    on(() -> s.subscribe("other", 1));
    publish("t", "just-before", 1);
    publish("other", "seen", 1);
    idle();
    on(() -> s.subscribe("t", 1));
    publish("t", "after", 1);
    idle();
    assertEquals(List.of("seen", "just-before", "after"), on(link::payloads));
  }

  @Test
  void theLookbackNeverReachesBeforeTheConnectionWasMade() throws Exception {
    start(new RouterOptions().setSubscribeLookbackMs(60_000));
    publish("t", "before-connect", 1);
    Recording link = new Recording();
    Session s = connect("late", true, 0, 65535, link);
    publish("t", "after-connect", 1);
    idle();
    on(() -> s.subscribe("t", 1));
    publish("t", "after-subscribe", 1);
    idle();
    assertEquals(List.of("after-connect", "after-subscribe"), on(link::payloads));
  }

  @Test
  void withoutLookbackANewSubscriptionStartsAtTheDispatchersCursor() throws Exception {
    start(new RouterOptions().setSubscribeLookbackMs(0));
    Recording link = new Recording();
    Session s = connect("nolook", true, 0, 65535, link);
    publish("t", "before", 1);
    idle();
    on(() -> s.subscribe("t", 1));
    publish("t", "after", 1);
    idle();
    assertEquals(List.of("after"), on(link::payloads));
  }
}
