package io.tributary.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.mqtt.codec.Will;
import io.tributary.mqtt.codec.ConnAck;
import io.tributary.mqtt.codec.Connect;
import io.tributary.mqtt.codec.MqttEncoder;
import io.tributary.mqtt.codec.PingResp;
import io.tributary.router.RouterOptions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A socket must send a complete CONNECT within the connect timeout or it is closed. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectTimeoutTest {

  private static final int TIMEOUT_MS = 500;

  private static TestBroker start() {
    return TestBroker.start(2, new MqttOptions().setConnectTimeoutMs(TIMEOUT_MS), new RouterOptions());
  }

  @Test
  void silentSocketIsClosed() throws Exception {
    try (TestBroker broker = start()) {
      for (int i = 0; i < 2; i++) { // one per event loop
        try (MqttWire c = MqttWire.open311(broker.port())) {
          long start = System.nanoTime();
          assertTrue(c.awaitClosed(5000), "a socket that sends nothing is closed");
          long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
          assertTrue(elapsedMs >= TIMEOUT_MS - 100, "closed before the timeout: " + elapsedMs + " ms");
        }
      }
      MqttWire.awaitOpenConnections(broker, new int[2]);
      assertEquals(0, broker.broker().sessionCount());
    }
  }

  @Test
  void socketThatSendsOnlyPartOfConnectIsClosed() throws Exception {
    try (TestBroker broker = start();
        MqttWire c = MqttWire.open311(broker.port())) {
      ByteBuf connect = MqttEncoder.encode(new Connect(4, "slow", true, 0, null, null, null), 4,
          UnpooledByteBufAllocator.DEFAULT);
      byte[] bytes = ByteBufUtil.getBytes(connect);
      connect.release();
      c.sendBytes(Arrays.copyOf(bytes, 5)); // a trickle of bytes is not a CONNECT
      assertTrue(c.awaitClosed(5000), "an incomplete CONNECT does not hold the socket open");
      assertEquals(0, broker.broker().sessionCount());
    }
  }

  @Test
  void connectSentInTimeIsNotClosedLater() throws Exception {
    try (TestBroker broker = start();
        MqttWire c = MqttWire.open311(broker.port())) {
      c.expectNothing(TIMEOUT_MS / 5);
      ConnAck ack = c.connect("in-time", true, 0, (Will) null);
      assertEquals(0, ack.returnCode());
      c.expectNothing(TIMEOUT_MS * 3); // well past the connect timeout: still open
      c.ping();
      c.expect(PingResp.class, 5000);
    }
  }
}
