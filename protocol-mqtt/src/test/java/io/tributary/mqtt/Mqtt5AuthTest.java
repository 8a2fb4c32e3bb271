package io.tributary.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.tributary.mqtt.auth.AuthExchange;
import io.tributary.mqtt.auth.AuthRequest;
import io.tributary.mqtt.auth.AuthStep;
import io.tributary.mqtt.auth.EnhancedAuthenticator;
import io.tributary.mqtt.codec.Ack;
import io.tributary.mqtt.codec.Auth;
import io.tributary.mqtt.codec.ConnAck;
import io.tributary.mqtt.codec.Connect;
import io.tributary.mqtt.codec.Disconnect;
import io.tributary.mqtt.codec.MqttCodecException;
import io.tributary.mqtt.codec.MqttDecoder;
import io.tributary.mqtt.codec.MqttEncoder;
import io.tributary.mqtt.codec.MqttProperties;
import io.tributary.mqtt.codec.MqttVersion;
import io.tributary.mqtt.codec.Packet;
import io.tributary.mqtt.codec.PacketType;
import io.tributary.mqtt.codec.Publish;
import io.tributary.mqtt.codec.SubAck;
import io.tributary.mqtt.codec.Subscribe;
import io.tributary.mqtt.codec.TopicSubscription;
import io.tributary.router.RouterOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5 AUTH and enhanced authentication (issue 3): the AUTH flow around CONNECT (continue until
 * success or failure), re-authentication of a connected client, and the method registry of
 * {@link MqttOptions#addAuthenticator}. Raw packets built with the project's codec, since client
 * libraries barely drive AUTH; one Paho v5 test for the plain case.
 */
class Mqtt5AuthTest {

  static final String METHOD = "TEST-CHALLENGE";
  static final long T = 10_000;

  /**
   * A toy challenge-response method. The client's first Authentication Data (CONNECT or AUTH 0x19)
   * is the number of rounds, as text; each round the server sends a nonce and the client must
   * answer with it reversed. After the last round: success with data "welcome <client id>". The
   * first step answers synchronously, the checks of answers complete on a foreign thread (as a
   * directory lookup would), so both paths of the broker are used.
   */
  static final class ChallengeAuthenticator implements EnhancedAuthenticator {
    final List<AuthRequest> requests = new CopyOnWriteArrayList<>();

    @Override
    public String method() {
      return METHOD;
    }

    @Override
    public AuthExchange start(AuthRequest request) {
      requests.add(request);
      return new AuthExchange() {
        int roundsLeft = -1;
        String nonce;

        @Override
        public Future<AuthStep> step(byte[] clientData) {
          if (roundsLeft < 0) {
            try {
              roundsLeft = Integer.parseInt(text(clientData));
            } catch (NumberFormatException e) {
              return AuthStep.failure("initial data must be a number of rounds").future();
            }
            return next().future();
          }
          String expected = new StringBuilder(nonce).reverse().toString();
          String answer = text(clientData);
          Promise<AuthStep> p = Promise.promise();
          CompletableFuture.runAsync(() -> p.complete(
              expected.equals(answer) ? next() : AuthStep.failure(0x87, "wrong answer")));
          return p.future();
        }

        private AuthStep next() {
          if (roundsLeft == 0) {
            return AuthStep.success(bytes("welcome " + request.clientId()));
          }
          roundsLeft--;
          nonce = UUID.randomUUID().toString();
          return AuthStep.challenge(bytes(nonce));
        }
      };
    }
  }

  static ChallengeAuthenticator authenticator;
  static TestBroker broker;

  @BeforeAll
  static void start() {
    authenticator = new ChallengeAuthenticator();
    broker = TestBroker.start(2, new MqttOptions().addAuthenticator(authenticator), new RouterOptions());
  }

  @AfterAll
  static void stop() {
    if (broker != null) {
      broker.close();
    }
  }

  static byte[] bytes(String s) {
    return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
  }

  static String text(byte[] b) {
    return b == null ? null : new String(b, StandardCharsets.UTF_8);
  }

  static String reversed(byte[] b) {
    return new StringBuilder(text(b)).reverse().toString();
  }

  static MqttProperties authProps(String method, String data) {
    return new MqttProperties().authenticationMethod(method).authenticationData(bytes(data));
  }

  /** Connects with {@link #METHOD}, answering {@code rounds} challenges correctly. */
  static Raw authenticated(String clientId, int rounds) throws IOException {
    Raw c = Raw.open(broker.port());
    c.sendConnect(clientId, authProps(METHOD, String.valueOf(rounds)));
    for (int i = 0; i < rounds; i++) {
      Auth challenge = c.expect(Auth.class);
      c.send(new Auth(Auth.CONTINUE_AUTHENTICATION, authProps(METHOD, reversed(challenge.properties().authenticationData()))));
    }
    ConnAck ack = c.expect(ConnAck.class);
    assertEquals(0x00, ack.reasonCode(), "CONNACK " + ack);
    assertEquals(METHOD, ack.properties().authenticationMethod());
    assertEquals("welcome " + clientId, text(ack.properties().authenticationData()));
    return c;
  }

  // ---- CONNECT ------------------------------------------------------------------------------

  @Test
  void unsupportedMethodGetsConnack8C() throws Exception {
    try (Raw c = Raw.open(broker.port())) {
      c.sendConnect("auth-unknown", authProps("SCRAM-SHA-512", "client-first"));
      ConnAck ack = c.expect(ConnAck.class);
      assertEquals(0x8C, ack.reasonCode());
      assertTrue(c.awaitClosed(T), "closed after CONNACK 0x8C");
    }
  }

  @Test
  void oneStepSuccessCarriesMethodAndData() throws Exception {
    try (Raw c = authenticated("auth-one-step", 0)) {
      AuthRequest req = lastRequest("auth-one-step");
      assertFalse(req.reauthentication());
      assertEquals(METHOD, req.method());
      c.ping();
    }
  }

  @Test
  void multiStepSuccessThenPublishAndSubscribe() throws Exception {
    try (Raw c = authenticated("auth-two-rounds", 2)) {
      assertEquals(0x01, c.subscribe("auth/multi", 1));
      c.publish("auth/multi", 1, "after auth");
      // PUBACK and the delivery of our own message, in either order
      boolean acked = false;
      Publish got = null;
      while (!acked || got == null) {
        Packet p = c.read(T);
        assertNotNull(p, "PUBACK and PUBLISH expected");
        if (p instanceof Ack a && a.type() == PacketType.PUBACK) {
          acked = true;
        } else if (p instanceof Publish pub) {
          got = pub;
          c.send(new Ack(PacketType.PUBACK, pub.packetId()));
        } else {
          fail("unexpected " + p);
        }
      }
      assertEquals("after auth", got.payload().toString(StandardCharsets.UTF_8));
    }
  }

  @Test
  void usernameAndAssignedClientIdReachTheAuthenticator() throws Exception {
    try (Raw c = Raw.open(broker.port())) {
      c.send(new Connect(MqttVersion.V5, "", true, 0, "alice", null, null, authProps(METHOD, "0")));
      ConnAck ack = c.expect(ConnAck.class);
      assertEquals(0x00, ack.reasonCode());
      String assigned = ack.properties().assignedClientIdentifier();
      assertNotNull(assigned);
      AuthRequest req = lastRequest(assigned);
      assertEquals("alice", req.username());
      assertEquals("welcome " + assigned, text(ack.properties().authenticationData()));
    }
  }

  @Test
  void wrongAnswerGetsConnack87AndClose() throws Exception {
    try (Raw c = Raw.open(broker.port())) {
      c.sendConnect("auth-wrong", authProps(METHOD, "1"));
      Auth challenge = c.expect(Auth.class);
      assertEquals(Auth.CONTINUE_AUTHENTICATION, challenge.reasonCode());
      assertEquals(METHOD, challenge.properties().authenticationMethod());
      assertNotNull(challenge.properties().authenticationData());
      c.send(new Auth(Auth.CONTINUE_AUTHENTICATION, authProps(METHOD, "not the nonce")));
      ConnAck ack = c.expect(ConnAck.class);
      assertEquals(0x87, ack.reasonCode());
      assertTrue(c.awaitClosed(T), "closed after CONNACK 0x87");
    }
  }

  @Test
  void publishDuringAuthenticationIsAProtocolError() throws Exception {
    try (Raw watcher = authenticated("auth-watcher", 0);
        Raw c = Raw.open(broker.port())) {
      assertEquals(0x00, watcher.subscribe("auth/early", 0));
      c.sendConnect("auth-early-publish", authProps(METHOD, "1"));
      c.expect(Auth.class);
      c.publish("auth/early", 0, "too early");
      ConnAck ack = c.expect(ConnAck.class);
      assertEquals(0x82, ack.reasonCode());
      assertTrue(c.awaitClosed(T), "closed after the protocol error");
      watcher.expectNothing(300); // the early PUBLISH was not published
    }
  }

  @Test
  void unsolicitedAuthContinueIsAProtocolError() throws Exception {
    try (Raw c = authenticated("auth-unsolicited", 0)) {
      c.send(new Auth(Auth.CONTINUE_AUTHENTICATION, authProps(METHOD, "?")));
      Disconnect d = c.expect(Disconnect.class);
      assertEquals(0x82, d.reasonCode());
      assertTrue(c.awaitClosed(T));
    }
  }

  @Test
  void connectTimeoutCoversAuthentication() throws Exception {
    try (TestBroker b = TestBroker.start(1,
            new MqttOptions().setConnectTimeoutMs(300).addAuthenticator(new ChallengeAuthenticator()),
            new RouterOptions());
        Raw c = Raw.open(b.port())) {
      c.sendConnect("auth-slow", authProps(METHOD, "1"));
      c.expect(Auth.class);
      long t0 = System.nanoTime();
      assertTrue(c.awaitClosed(T), "closed while the client does not answer");
      assertTrue(System.nanoTime() - t0 < 5_000_000_000L);
    }
  }

  @Test
  void authenticatorsAreKeyedByMethod() {
    MqttOptions o = new MqttOptions().addAuthenticator(new ChallengeAuthenticator());
    assertEquals(ChallengeAuthenticator.class, o.getAuthenticator(METHOD).getClass());
    assertNull(o.getAuthenticator("OTHER"));
    assertEquals(1, new MqttOptions(o).getAuthenticators().size());
    assertThrows(IllegalArgumentException.class, () -> o.addAuthenticator(new ChallengeAuthenticator()));
    assertTrue(new MqttOptions().getAuthenticators().isEmpty());
  }

  // ---- re-authentication --------------------------------------------------------------------

  @Test
  void reauthenticationSucceedsWhileTheConnectionKeepsWorking() throws Exception {
    try (Raw c = authenticated("auth-reauth", 1)) {
      c.send(new Auth(Auth.RE_AUTHENTICATE, authProps(METHOD, "1")));
      Auth challenge = c.expect(Auth.class);
      assertEquals(Auth.CONTINUE_AUTHENTICATION, challenge.reasonCode());
      assertTrue(lastRequest("auth-reauth").reauthentication());
      // the connection works in the middle of the exchange
      c.publish("auth/reauth", 1, "meanwhile");
      Ack puback = c.expect(Ack.class);
      assertEquals(PacketType.PUBACK, puback.type());
      c.send(new Auth(Auth.CONTINUE_AUTHENTICATION, authProps(METHOD, reversed(challenge.properties().authenticationData()))));
      Auth ok = c.expect(Auth.class);
      assertEquals(Auth.SUCCESS, ok.reasonCode());
      assertEquals(METHOD, ok.properties().authenticationMethod());
      assertArrayEquals(bytes("welcome auth-reauth"), ok.properties().authenticationData());
      // and after it; a second re-authentication works too
      assertEquals(0x00, c.subscribe("auth/reauth/after", 0));
      c.send(new Auth(Auth.RE_AUTHENTICATE, authProps(METHOD, "0")));
      assertEquals(Auth.SUCCESS, c.expect(Auth.class).reasonCode());
    }
  }

  @Test
  void failedReauthenticationGetsDisconnect87() throws Exception {
    try (Raw c = authenticated("auth-reauth-fail", 0)) {
      c.send(new Auth(Auth.RE_AUTHENTICATE, authProps(METHOD, "1")));
      c.expect(Auth.class);
      c.send(new Auth(Auth.CONTINUE_AUTHENTICATION, authProps(METHOD, "wrong")));
      Disconnect d = c.expect(Disconnect.class);
      assertEquals(0x87, d.reasonCode());
      assertTrue(c.awaitClosed(T), "closed after DISCONNECT 0x87");
    }
  }

  @Test
  void reauthenticationDuringReauthenticationIsAProtocolError() throws Exception {
    try (Raw c = authenticated("auth-reauth-twice", 0)) {
      c.send(new Auth(Auth.RE_AUTHENTICATE, authProps(METHOD, "1")));
      c.expect(Auth.class);
      c.send(new Auth(Auth.RE_AUTHENTICATE, authProps(METHOD, "1")));
      assertEquals(0x82, c.expect(Disconnect.class).reasonCode());
    }
  }

  // ---- Paho v5 --------------------------------------------------------------------------------

  /**
   * Paho v5 sends the CONNECT's Authentication Method and Data and reads the CONNACK's. It cannot
   * go further: Paho 1.2.5 sets the reserved flags of its AUTH packets to 0001 (a malformed packet,
   * MQTT-3.15.1-1; eclipse-paho/paho.mqtt.java#980), so the AUTH rounds are tested with raw
   * packets above.
   */
  @Test
  void pahoConnectsWithAnAuthenticationMethod() throws Exception {
    MqttAsyncClient paho = new MqttAsyncClient(broker.tcpUri(), "auth-paho", new MemoryPersistence());
    try {
      IMqttToken token = paho.connect(pahoOptions("0"));
      token.waitForCompletion(T);
      assertTrue(paho.isConnected());
      assertEquals(METHOD, token.getResponseProperties().getAuthenticationMethod());
      assertArrayEquals(bytes("welcome auth-paho"), token.getResponseProperties().getAuthenticationData());
      paho.publish("auth/paho", bytes("hi"), 1, false).waitForCompletion(T);
      paho.disconnect().waitForCompletion(T);
    } finally {
      paho.close(true);
    }
    MqttAsyncClient refused = new MqttAsyncClient(broker.tcpUri(), "auth-paho-refused", new MemoryPersistence());
    try {
      MqttException e = assertThrows(MqttException.class,
          () -> refused.connect(pahoOptions("not a number")).waitForCompletion(T));
      assertEquals(0x87, e.getReasonCode());
      assertFalse(refused.isConnected());
    } finally {
      refused.close(true);
    }
  }

  private static MqttConnectionOptions pahoOptions(String authData) {
    MqttConnectionOptions o = new MqttConnectionOptions();
    o.setAuthMethod(METHOD);
    o.setAuthData(bytes(authData));
    return o;
  }

  private static AuthRequest lastRequest(String clientId) {
    AuthRequest last = null;
    for (AuthRequest r : authenticator.requests) {
      if (clientId.equals(r.clientId())) {
        last = r;
      }
    }
    assertNotNull(last, "no authentication request for " + clientId);
    return last;
  }

  // ---- a raw MQTT 5 client ------------------------------------------------------------------

  /** A blocking raw-socket MQTT 5 client on the project's codec; one thread drives it. */
  static final class Raw implements AutoCloseable {
    private static final UnpooledByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final MqttDecoder decoder = MqttDecoder.forClient(1 << 20, MqttVersion.V5, ALLOC);
    private final ArrayDeque<Packet> received = new ArrayDeque<>();
    private final byte[] buffer = new byte[16 * 1024];
    private int nextId = 1;

    private Raw(Socket socket) throws IOException {
      this.socket = socket;
      this.in = socket.getInputStream();
      this.out = socket.getOutputStream();
    }

    static Raw open(int port) throws IOException {
      Socket s = new Socket();
      s.setTcpNoDelay(true);
      s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      return new Raw(s);
    }

    void sendConnect(String clientId, MqttProperties props) throws IOException {
      send(new Connect(MqttVersion.V5, clientId, true, 0, null, null, null, props));
    }

    void send(Packet p) throws IOException {
      ByteBuf buf = MqttEncoder.encode(p, MqttVersion.V5, ALLOC);
      try {
        out.write(ByteBufUtil.getBytes(buf));
        out.flush();
      } finally {
        buf.release();
      }
    }

    void ping() throws IOException {
      send(io.tributary.mqtt.codec.PingReq.INSTANCE);
      assertEquals(PacketType.PINGRESP, read(T).type());
    }

    int subscribe(String filter, int qos) throws IOException {
      int id = nextId++;
      send(new Subscribe(id, List.of(new TopicSubscription(filter, qos))));
      SubAck ack = expect(SubAck.class);
      assertEquals(id, ack.packetId());
      return ack.returnCodes().get(0);
    }

    void publish(String topic, int qos, String payload) throws IOException {
      send(new Publish(topic, qos, false, false, qos == 0 ? 0 : nextId++,
          Unpooled.wrappedBuffer(bytes(payload))));
    }

    /** The next packet, or null after timeoutMs; throws SocketException-like errors when closed. */
    Packet read(long timeoutMs) throws IOException {
      long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
      while (received.isEmpty()) {
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        if (left <= 0) {
          return null;
        }
        socket.setSoTimeout((int) Math.max(1, left));
        int n;
        try {
          n = in.read(buffer);
        } catch (SocketTimeoutException e) {
          continue;
        } catch (SocketException e) {
          throw new java.io.EOFException("reset: " + e.getMessage());
        }
        if (n < 0) {
          throw new java.io.EOFException("EOF");
        }
        try {
          decoder.feed(Unpooled.wrappedBuffer(buffer, 0, n),
              p -> received.add(p instanceof Publish pub ? pub.copy() : p));
        } catch (MqttCodecException e) {
          throw new AssertionError("broker sent a malformed packet: " + e.getMessage(), e);
        }
      }
      return received.poll();
    }

    <P extends Packet> P expect(Class<P> type) throws IOException {
      Packet p;
      try {
        p = read(T);
      } catch (java.io.EOFException e) {
        throw new AssertionError("expected " + type.getSimpleName() + " but the connection closed", e);
      }
      assertNotNull(p, "expected " + type.getSimpleName());
      if (!type.isInstance(p)) {
        fail("expected " + type.getSimpleName() + " but got " + p);
      }
      return type.cast(p);
    }

    void expectNothing(long ms) throws IOException {
      Packet p = read(ms);
      assertNull(p, "expected nothing but got " + p);
    }

    boolean awaitClosed(long timeoutMs) throws IOException {
      long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
      try {
        while (System.nanoTime() < deadline) {
          read(Math.max(1, (deadline - System.nanoTime()) / 1_000_000L));
        }
        return false;
      } catch (java.io.EOFException e) {
        return true;
      }
    }

    @Override
    public void close() {
      decoder.release();
      try {
        socket.close();
      } catch (IOException e) {
        // ignore
      }
    }
  }
}
