package io.tributary.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.tributary.mqtt.TestBroker;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs every scenario kind briefly against a real in-process Tributary, and the failure paths
 * against fake brokers. Small scales, ~1 s per run, no wall-clock performance thresholds.
 */
class LoadGeneratorTest {

  static {
    // Netty 4.2.10's io_uring has a wrong assert (netty/netty#16705) that surefire's -ea turns into a
    // dead event loop; switched off before Netty loads so these tests run on io_uring like production.
    ClassLoader.getSystemClassLoader().setPackageAssertionStatus("io.netty.channel.uring", false);
    LoadGeneratorTest.class.getClassLoader().setPackageAssertionStatus("io.netty.channel.uring", false);
  }

  private static TestBroker broker;

  @BeforeAll
  static void startBroker() {
    broker = TestBroker.start();
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  private static Scenario scenario(Scenario.Kind kind) {
    return new Scenario()
        .setKind(kind)
        .setPort(broker.port())
        .setWarmupSeconds(0.3)
        .setMeasureSeconds(1.0)
        .setWindow(64);
  }

  private static LoadResult run(Scenario s) throws Exception {
    return assertTimeoutPreemptively(Duration.ofSeconds(30), () -> LoadGenerator.run(s), s::toString);
  }

  private static void assertFlowing(LoadResult r) {
    assertTrue(r.published() > 0, () -> "nothing published: " + r);
    assertTrue(r.delivered() > 0, () -> "nothing delivered: " + r);
    assertTrue(r.seconds() > 0.5 && r.seconds() < 5, () -> "window of " + r.seconds() + " s: " + r);
    assertTrue(r.publishedPerSecond() > 0 && r.deliveredPerSecond() > 0, r::toString);
    assertTrue(Double.isFinite(r.generatorCpuPercent()), r::toString);
    assertOrderedLatency(r);
  }

  private static void assertOrderedLatency(LoadResult r) {
    assertTrue(Double.isFinite(r.latencyP50Micros()) && r.latencyP50Micros() >= 0, r::toString);
    assertTrue(r.latencyP50Micros() <= r.latencyP99Micros(), r::toString);
    assertTrue(r.latencyP99Micros() <= r.latencyP999Micros(), r::toString);
    assertTrue(r.latencyP999Micros() <= r.latencyMaxMicros(), r::toString);
    assertTrue(Double.isFinite(r.latencyMaxMicros()), r::toString);
  }

  /** In closed loop at QoS 1 nothing is lost and deliveries trail publishes by at most the windows. */
  private static void assertTracks(LoadResult r, int copies, long slack) {
    assertEquals(0, r.lost(), () -> "lost at QoS 1: " + r);
    long expected = r.published() * copies;
    assertTrue(Math.abs(expected - r.delivered()) <= slack,
        () -> "delivered " + r.delivered() + " vs published*" + copies + " = " + expected + " (slack " + slack + "): " + r);
  }

  @Test
  void fanInQos0() throws Exception {
    LoadResult r = run(scenario(Scenario.Kind.FAN_IN).setPublishers(3).setQos(0));
    assertFlowing(r);
    // no broker pid: broker fields are NaN
    assertTrue(Double.isNaN(r.brokerCpuSeconds()) && Double.isNaN(r.brokerRssKiB()), r::toString);
    assertTrue(Double.isNaN(r.rssPerConnectionKiB()) && Double.isNaN(r.connectionsPerSecond()), r::toString);
  }

  @Test
  void fanInQos1Mqtt5WithBrokerPid() throws Exception {
    LoadResult r = run(scenario(Scenario.Kind.FAN_IN).setPublishers(3).setQos(1).setProtocolVersion(5)
        .setBrokerPid(ProcessHandle.current().pid()));
    assertFlowing(r);
    assertTracks(r, 1, 3 * 64);
    assertTrue(r.brokerCpuSeconds() > 0 && Double.isFinite(r.brokerCpuPerMillion()), r::toString);
    assertTrue(r.brokerRssKiB() > 0 && r.brokerCpuPercent() > 0, r::toString);
  }

  @Test
  void fanOutQos1DeliversEveryCopy() throws Exception {
    LoadResult r = run(scenario(Scenario.Kind.FAN_OUT).setSubscribers(5).setQos(1));
    assertFlowing(r);
    // Every publisher's window (4 publishers, 64 each) can be delivered, 5 copies each, and not yet
    // acknowledged when the measurement ends.
    assertTracks(r, 5, 5 * 4 * 64);
  }

  @Test
  void fanOutQos0Mqtt5() throws Exception {
    LoadResult r = run(scenario(Scenario.Kind.FAN_OUT).setSubscribers(4).setQos(0).setProtocolVersion(5)
        .setPayloadBytes(300));
    assertFlowing(r);
    // QoS 0 may drop under load, but never more copies than published ones
    assertTrue(r.delivered() <= r.published() * 4 + 4 * 64, r::toString);
  }

  @Test
  void pairsQos1() throws Exception {
    LoadResult r = run(scenario(Scenario.Kind.PAIRS).setPublishers(3).setQos(1));
    assertFlowing(r);
    assertTracks(r, 1, 3 * 64);
  }

  @Test
  void pairsQos0Mqtt5() throws Exception {
    LoadResult r = run(scenario(Scenario.Kind.PAIRS).setPublishers(2).setQos(0).setProtocolVersion(5));
    assertFlowing(r);
  }

  @Test
  void sharedFanInQos1() throws Exception {
    // protocol 4 asked, but shared subscriptions always run over MQTT 5
    LoadResult r = run(scenario(Scenario.Kind.SHARED_FAN_IN).setPublishers(3).setSubscribers(2).setQos(1)
        .setProtocolVersion(4));
    assertFlowing(r);
    assertTracks(r, 1, 3 * 64);
  }

  @Test
  void fixedRateKeepsTheSchedule() throws Exception {
    LoadResult r = run(scenario(Scenario.Kind.FAN_IN).setMode(Scenario.Mode.FIXED_RATE).setPublishers(2)
        .setQos(1).setRate(2_000).setMeasureSeconds(1.5));
    assertFlowing(r);
    assertTrue(Math.abs(r.publishedPerSecond() - 2_000) <= 400, () -> "asked 2000/s: " + r);
    assertEquals(0, r.lost(), r::toString);
  }

  @Test
  void fixedRateQos0Mqtt5FanOut() throws Exception {
    LoadResult r = run(scenario(Scenario.Kind.FAN_OUT).setMode(Scenario.Mode.FIXED_RATE).setSubscribers(3)
        .setQos(0).setProtocolVersion(5).setRate(3_000));
    assertFlowing(r);
    assertTrue(Math.abs(r.publishedPerSecond() - 3_000) <= 600, () -> "asked 3000/s: " + r);
    assertTrue(r.deliveredPerSecond() > 3 * 3_000 * 0.5, r::toString);
  }

  @Test
  void idleConnectionsReportRssPerConnection() throws Exception {
    LoadResult r = run(scenario(Scenario.Kind.IDLE_CONNECTIONS).setConnections(200)
        .setBrokerPid(ProcessHandle.current().pid()));
    assertTrue(Double.isFinite(r.rssPerConnectionKiB()), r::toString);
    assertTrue(r.brokerRssKiB() > 0, r::toString);
    assertEquals(0, r.published(), r::toString);
  }

  @Test
  void connectionStormCompletesItsCycles() throws Exception {
    LoadResult r = run(scenario(Scenario.Kind.CONNECTION_STORM).setConnections(300).setConcurrency(8)
        .setProtocolVersion(5));
    assertTrue(r.connectionsPerSecond() > 0 && Double.isFinite(r.connectionsPerSecond()), r::toString);
    // the measured part is at least the 300 cycles after the warm-up, and at least the measure time
    double cycles = r.connectionsPerSecond() * r.seconds();
    assertTrue(cycles >= 300 - 1, () -> cycles + " cycles: " + r);
    assertTrue(r.seconds() >= 1.0, () -> "measured for " + r.seconds() + " s: " + r);
  }

  /** The storm's logins are real: they pass a password file holding the users, and fail one without. */
  @Test
  void connectionStormLogsInAsItsUsers() throws Exception {
    io.tributary.router.security.PasswordFile users = io.tributary.router.security.PasswordFile.empty();
    for (int i = 0; i < 5; i++) {
      users.put(Scenario.user(i), io.tributary.router.security.PasswordHash.create(
          Scenario.password(i).getBytes(java.nio.charset.StandardCharsets.UTF_8), 1_000));
    }
    try (TestBroker secured = TestBroker.start(1, new io.tributary.mqtt.MqttOptions().setLoginAuthenticator(
        new io.tributary.router.security.PasswordAuthenticator(users,
            io.tributary.router.security.PasswordAuthenticator.Anonymous.DENY)),
        new io.tributary.router.RouterOptions())) {
      Scenario storm = scenario(Scenario.Kind.CONNECTION_STORM).setPort(secured.port()).setConnections(100)
          .setConcurrency(4).setUsers(5);
      LoadResult r = run(storm);
      assertTrue(r.connectionsPerSecond() > 0, r::toString);
      LoadException e = assertThrows(LoadException.class,
          () -> LoadGenerator.run(new Scenario(storm).setUsers(6).setConnections(20)));
      assertTrue(e.getMessage().contains("CONNACK"), e.getMessage());
      assertThrows(LoadException.class, () -> LoadGenerator.run(new Scenario(storm).setUsers(0).setConnections(5)),
          "anonymous refused");
    }
  }

  @Test
  void brokerThatClosesEveryConnectionFailsTheRun() throws Exception {
    try (FakeBroker fake = new FakeBroker(FakeBroker.CLOSE)) {
      Scenario s = scenario(Scenario.Kind.FAN_IN).setPort(fake.port());
      LoadException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
          () -> assertThrows(LoadException.class, () -> LoadGenerator.run(s)));
      assertTrue(e.getMessage().contains("closed the connection"), e::getMessage);
    }
  }

  @Test
  void refusedConnectAndRefusedSubscribeFail() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Scenario refused = scenario(Scenario.Kind.CONNECTION_STORM).setPort(port).setConnections(10);
    LoadException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
        () -> assertThrows(LoadException.class, () -> LoadGenerator.run(refused)));
    assertTrue(e.getMessage().contains("cannot connect"), e::getMessage);

    try (FakeBroker fake = new FakeBroker(FakeBroker.REFUSE_CONNECT)) {
      Scenario s = scenario(Scenario.Kind.IDLE_CONNECTIONS).setPort(fake.port()).setConnections(3);
      LoadException e2 = assertTimeoutPreemptively(Duration.ofSeconds(20),
          () -> assertThrows(LoadException.class, () -> LoadGenerator.run(s)));
      assertTrue(e2.getMessage().contains("CONNACK return code 0x05"), e2::getMessage);
    }
    try (FakeBroker fake = new FakeBroker(FakeBroker.REFUSE_SUBSCRIBE)) {
      Scenario s = scenario(Scenario.Kind.FAN_OUT).setPort(fake.port()).setSubscribers(2).setQos(1);
      LoadException e3 = assertTimeoutPreemptively(Duration.ofSeconds(20),
          () -> assertThrows(LoadException.class, () -> LoadGenerator.run(s)));
      assertTrue(e3.getMessage().contains("refused the subscription to bench/out: SUBACK code 0x80"), e3::getMessage);
    }
  }

  @Test
  void badScenarioIsRejectedBeforeConnecting() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LoadGenerator.run(scenario(Scenario.Kind.FAN_IN).setPayloadBytes(8)));
    assertTrue(e.getMessage().contains("payloadBytes"), e::getMessage);
  }

  @Test
  void cliParsesAndRejectsArguments() {
    Scenario s = Load.parse(new String[] {"--kind", "shared-fan-in", "--qos", "1", "--publishers", "4",
        "--subscribers", "2", "--port", "1999", "--mode", "fixed-rate", "--rate", "5000", "--warmup", "0.5",
        "--measure", "2", "--broker-pid", "42", "--protocol", "5", "--event-loops", "3", "--payload", "100"});
    assertEquals(Scenario.Kind.SHARED_FAN_IN, s.getKind());
    assertEquals(Scenario.Mode.FIXED_RATE, s.getMode());
    assertEquals(1, s.getQos());
    assertEquals(4, s.getPublishers());
    assertEquals(1999, s.getPort());
    assertEquals(5000, s.getRate());
    assertEquals(0.5, s.getWarmupSeconds());
    assertEquals(42, s.getBrokerPid());
    assertEquals(3, s.getEventLoops());
    assertEquals(100, s.getPayloadBytes());
    assertNull(Load.parse(new String[] {"--help"}));

    assertBadArgument("--qos", "--kind", "fan-in", "--qos", "2");
    assertBadArgument("--kind", "--kind", "fan-sideways");
    assertBadArgument("--payload", "--kind", "fan-in", "--payload", "8");
    assertBadArgument("--bogus", "--kind", "fan-in", "--bogus", "1");
    assertBadArgument("--port", "--kind", "fan-in", "--port");
    assertBadArgument("--kind", "--qos", "1");
    assertBadArgument("--measure", "--kind", "pairs", "--measure", "0");

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Load.run(new String[] {"--kind", "fan-in", "--window", "many"}, new PrintStream(out),
        new PrintStream(err));
    assertEquals(2, status);
    assertEquals("", out.toString());
    assertTrue(err.toString().contains("--window many: not a whole number"), err::toString);
  }

  private static void assertBadArgument(String named, String... args) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Load.parse(args));
    assertTrue(e.getMessage().contains(named), () -> "message does not name " + named + ": " + e.getMessage());
  }

  @Test
  void cliPrintsOneJsonLine() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> Load.run(new String[] {"--kind", "pairs",
        "--publishers", "1", "--port", Integer.toString(broker.port()), "--warmup", "0.2", "--measure", "0.5"},
        new PrintStream(out), new PrintStream(err)));
    assertEquals(0, status, err::toString);
    String json = out.toString(StandardCharsets.UTF_8).trim();
    assertTrue(json.startsWith("{\"scenario\":") && json.endsWith("}") && !json.contains("\n"), json);
    assertTrue(err.toString().contains("delivered"), err::toString);
  }

  @Test
  void readerCutsPacketsAcrossAndWithinReads() throws Exception {
    // a PUBLISH whose remaining length needs two bytes, then a PINGRESP, then a PUBACK
    ByteBuf all = Unpooled.buffer();
    byte[] topic = "bench/in/7".getBytes(StandardCharsets.UTF_8);
    int remaining = 2 + topic.length + 2 + 200;
    all.writeByte(0x32);
    MqttPacketReader.writeVbi(all, remaining);
    all.writeShort(topic.length).writeBytes(topic).writeShort(77).writeLong(123).writeInt(7).writeInt(9)
        .writeZero(200 - 16);
    all.writeByte(0xD0).writeByte(0);
    all.writeByte(0x40).writeByte(2).writeShort(5);
    byte[] bytes = new byte[all.readableBytes()];
    all.readBytes(bytes);

    for (int chunk : new int[] {1, 2, 3, 7, 100, bytes.length}) {
      List<String> seen = new ArrayList<>();
      MqttPacketReader reader = new MqttPacketReader(ByteBufAllocator.DEFAULT);
      MqttPacketReader.Sink sink = (header, buf, index, length) -> {
        String s = Integer.toHexString(header) + "/" + length;
        if (header >> 4 == 3) {
          int p = index + 2 + buf.getUnsignedShort(index);
          s += "/id" + buf.getUnsignedShort(p) + "/ts" + buf.getLong(p + 2) + "/pub" + buf.getInt(p + 10);
        }
        seen.add(s);
        return true;
      };
      for (int i = 0; i < bytes.length; i += chunk) {
        ByteBuf in = Unpooled.directBuffer();
        in.writeBytes(bytes, i, Math.min(chunk, bytes.length - i));
        reader.read(in, sink);
        assertEquals(0, in.refCnt(), "read buffers are released");
      }
      reader.release();
      assertEquals(List.of("32/" + remaining + "/id77/ts123/pub7", "d0/0", "40/2"), seen, "chunk " + chunk);
    }
  }

  @Test
  void transportIsTheBestAvailable() {
    io.vertx.core.transport.Transport t = LoadGenerator.transport();
    assertNotNull(t);
    if (io.vertx.core.transport.Transport.IO_URING != null && io.vertx.core.transport.Transport.IO_URING.available()) {
      assertEquals("io_uring", t.name());
    }
  }

  /** A TCP server that misbehaves in one way for every connection. */
  private static final class FakeBroker implements AutoCloseable {
    static final int CLOSE = 0;
    static final int REFUSE_CONNECT = 1;
    static final int REFUSE_SUBSCRIBE = 2;

    private final ServerSocket server;
    private final Thread thread;
    private final List<Socket> sockets = new ArrayList<>();

    FakeBroker(int behaviour) throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      thread = new Thread(() -> {
        while (!server.isClosed()) {
          try {
            Socket s = server.accept();
            if (behaviour == CLOSE) {
              s.close();
              continue;
            }
            synchronized (sockets) {
              sockets.add(s);
            }
            Thread t = new Thread(() -> serve(s, behaviour), "fake-broker-conn");
            t.setDaemon(true);
            t.start();
          } catch (IOException e) {
            return;
          }
        }
      }, "fake-broker");
      thread.setDaemon(true);
      thread.start();
    }

    private static void serve(Socket s, int behaviour) {
      try (s) {
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        byte[] buf = new byte[1024];
        if (in.read(buf) <= 0) {
          return;
        }
        if (behaviour == REFUSE_CONNECT) {
          out.write(new byte[] {0x20, 2, 0, 5});
          out.flush();
          in.read(buf);
          return;
        }
        out.write(new byte[] {0x20, 2, 0, 0});
        out.flush();
        if (in.read(buf) <= 0) {
          return;
        }
        out.write(new byte[] {(byte) 0x90, 3, 0, 1, (byte) 0x80});
        out.flush();
        while (in.read(buf) > 0) {
          // wait for the client to go
        }
      } catch (IOException e) {
        // client gone
      }
    }

    int port() {
      return server.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      server.close();
      synchronized (sockets) {
        for (Socket s : sockets) {
          s.close();
        }
      }
    }
  }
}
