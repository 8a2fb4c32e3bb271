package io.tributary.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tributary.mqtt.codec.Packet;
import io.tributary.mqtt.codec.Publish;
import io.tributary.mqtt.codec.SubAck;
import io.tributary.mqtt.codec.Subscribe;
import io.tributary.mqtt.codec.TopicSubscription;
import io.tributary.router.RouterOptions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client subscribes and another client, on another event loop, publishes right after: the
 * subscriber gets the message exactly once (DESIGN "Offsets": a subscription takes effect from the
 * records its loop has not dispatched yet). Before the fix, with the subscriber's loop idle, the
 * publish could be appended before the SUBSCRIBE was handled and the loop's cursor then jumped
 * past it.
 */
@Timeout(180)
class SubscribeRaceTest {

  private static final int ROUNDS = 100;

  @Test
  void publishRightAfterSubscribeSentReachesTheSubscriberOnAnotherLoop() throws Exception {
    runRounds(false, false);
  }

  @Test
  void publishAfterSubackReachesTheSubscriberOnAnotherLoop() throws Exception {
    runRounds(true, false);
  }

  @Test
  void aRetainedPublishRacingTheSubscribeArrivesOnceNotFromTheStoreAndLive() throws Exception {
    runRounds(false, true);
  }

  private static void runRounds(boolean waitForSuback, boolean retain) throws Exception {
    try (TestBroker broker = TestBroker.start(2, new MqttOptions(), new RouterOptions())) {
      int[] base = broker.openConnections();
      MqttWire publisher = MqttWire.connect311(broker.port(), "race-pub", true);
      int pubLoop = MqttWire.loopOfNewClient(broker, base);
      List<String> failures = new ArrayList<>();
      try {
        for (int round = 0; round < ROUNDS; round++) {
          int[] before = broker.openConnections();
          MqttWire subscriber = MqttWire.connect311(broker.port(), "race-sub-" + round, true);
          int subLoop = MqttWire.loopOfNewClient(broker, before);
          if (subLoop == pubLoop) {
            subscriber.disconnect();
            subscriber.close();
            MqttWire.awaitOpenConnections(broker, before);
            continue; // only connections on different loops race
          }
          String topic = "race/" + round;
          subscriber.send(new Subscribe(1, List.of(new TopicSubscription(topic, 1))));
          if (waitForSuback) {
            assertEquals(SubAck.class, subscriber.read(5000).getClass());
          }
          if (retain) {
            publisher.publish(topic, 1, true, ("r" + round).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            publisher.expectAck(io.tributary.mqtt.codec.PacketType.PUBACK, 5000);
          } else {
            publisher.publishAndComplete(topic, 1, "m" + round);
          }
          // The one expected PUBLISH within 2 s, then 100 ms more for a second copy.
          int publishes = 0;
          long deadline = System.currentTimeMillis() + 2000;
          while (System.currentTimeMillis() < deadline) {
            Packet p = subscriber.read(Math.max(1, deadline - System.currentTimeMillis()));
            if (p == null) {
              break;
            }
            if (p instanceof Publish pub) {
              publishes++;
              if (pub.qos() > 0) {
                subscriber.ack(io.tributary.mqtt.codec.PacketType.PUBACK, pub.packetId());
              }
              deadline = Math.min(deadline, System.currentTimeMillis() + 100);
            }
          }
          int expected = 1;
          if (publishes != expected) {
            failures.add("round " + round + ": " + publishes + " publishes, expected " + expected);
          }
          subscriber.disconnect();
          subscriber.close();
          MqttWire.awaitOpenConnections(broker, before);
        }
      } finally {
        publisher.close();
      }
      assertEquals(List.of(), failures);
    }
  }
}
