package io.tributary.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.router.RouterOptions;
import io.tributary.router.counters.BrokerCounters.Counter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * limits.publishRate and publishBytesRate: a client publishing faster is slowed by not being read,
 * loses nothing, and is not closed for keep alive while it waits.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PublishRateTest {

  private static BlockingQueue<String> subscribe(TestBroker broker, String filter) throws Exception {
    BlockingQueue<String> got = new LinkedBlockingQueue<>();
    MqttClient sub = new MqttClient(broker.tcpUri(), "rate-sub-" + System.nanoTime(), new MemoryPersistence());
    sub.connect();
    sub.subscribe(filter, 1, (t, m) -> got.add(new String(m.getPayload(), StandardCharsets.UTF_8)));
    return got;
  }

  @Test
  void aClientOverItsRateIsSlowedNotDroppedNorClosed() throws Exception {
    try (TestBroker broker = TestBroker.start(2, new MqttOptions().setPublishRate(50), new RouterOptions())) {
      BlockingQueue<String> got = subscribe(broker, "rate/#");
      // Keep alive 1 s: the broker closes a connection silent for 1.5 s, and the 150 messages take
      // about 2 s at 50 a second once the first second's worth is spent.
      try (MqttWire publisher = MqttWire.connect311(broker.port(), "fast", true, 1, null)) {
        long start = System.nanoTime();
        for (int i = 0; i < 150; i++) {
          publisher.publish("rate/x", 0, false, ("m" + i).getBytes(StandardCharsets.UTF_8));
        }
        for (int i = 0; i < 150; i++) {
          assertEquals("m" + i, got.poll(10, TimeUnit.SECONDS), "every message, in order");
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        // A lower bound (the rate holds), not a speed expectation: it cannot fail on a slow machine.
        assertTrue(ms >= 1_500, "150 messages at 50/s after a burst of 50 took only " + ms + " ms");
        assertTrue(broker.broker().counters().get(Counter.PUBLISHES_THROTTLED) > 0);
        publisher.publishAndComplete("rate/x", 1, "still connected");
        assertEquals("still connected", got.poll(10, TimeUnit.SECONDS));
      }
    }
  }

  @Test
  void theByteRateCountsPayloads() throws Exception {
    try (TestBroker broker = TestBroker.start(1, new MqttOptions().setPublishBytesRate(10_000),
        new RouterOptions())) {
      BlockingQueue<String> got = subscribe(broker, "bytes/#");
      try (MqttWire publisher = MqttWire.connect311(broker.port(), "big", true, 30, null)) {
        long start = System.nanoTime();
        byte[] kib = new byte[1_000];
        for (int i = 0; i < 30; i++) {
          publisher.publish("bytes/x", 0, false, kib);
        }
        for (int i = 0; i < 30; i++) {
          assertTrue(got.poll(10, TimeUnit.SECONDS) != null, "message " + i);
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(ms >= 1_500, "30 KB at 10 KB/s after a burst of 10 KB took only " + ms + " ms");
      }
    }
  }
}
