package io.tributary.router;

import io.tributary.router.counters.BrokerCounters;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tributary.router.counters.BrokerCounters.Counter;
import io.tributary.router.ConnectionGate.Admission;
import io.tributary.router.ConnectionGate.ListenerLimits;
import org.junit.jupiter.api.Test;

class ConnectionGateTest {

  @Test
  void brokerCapCountsEveryListenerAndReleasesMakeRoom() {
    BrokerCounters counters = new BrokerCounters();
    ConnectionGate gate = new ConnectionGate(2, counters);
    gate.listener("a", new ListenerLimits(0, 0, 1));
    gate.listener("b", new ListenerLimits(0, 0, 1));
    assertEquals(Admission.ADMITTED, gate.admit("a"));
    assertEquals(Admission.ADMITTED, gate.admit("b"));
    assertEquals(Admission.BROKER_FULL, gate.admit("a"));
    assertEquals(1, counters.get(Counter.CONNECTIONS_REFUSED_BROKER_LIMIT));
    gate.release("b");
    assertEquals(Admission.ADMITTED, gate.admit("a"));
    assertEquals(2, gate.openConnections());
    assertEquals(2, gate.openConnections("a"));
  }

  @Test
  void listenerCapLeavesTheRestForOtherListeners() {
    BrokerCounters counters = new BrokerCounters();
    ConnectionGate gate = new ConnectionGate(10, counters);
    gate.listener("ws", new ListenerLimits(2, 0, 1));
    gate.listener("mqtt", new ListenerLimits(2, 0, 1));
    assertEquals(Admission.ADMITTED, gate.admit("ws"));
    assertEquals(Admission.ADMITTED, gate.admit("ws"));
    assertEquals(Admission.LISTENER_FULL, gate.admit("ws"));
    assertEquals(Admission.ADMITTED, gate.admit("mqtt"));
    assertEquals(1, counters.get(Counter.CONNECTIONS_REFUSED_LISTENER_LIMIT));
    assertEquals(3, gate.openConnections(), "a refused socket holds no place");
  }

  @Test
  void rateIsATokenBucketPerListener() {
    BrokerCounters counters = new BrokerCounters();
    ConnectionGate gate = new ConnectionGate(100, counters);
    gate.listener("slow", new ListenerLimits(0, 1, 3)); // 1 a second after a burst of 3
    gate.listener("other", new ListenerLimits(0, 1, 3));
    for (int i = 0; i < 3; i++) {
      assertEquals(Admission.ADMITTED, gate.admit("slow"));
    }
    assertEquals(Admission.RATE_EXCEEDED, gate.admit("slow"));
    assertEquals(Admission.ADMITTED, gate.admit("other"), "each listener has its own bucket");
    assertEquals(1, counters.get(Counter.CONNECTIONS_REFUSED_RATE));
  }
}
