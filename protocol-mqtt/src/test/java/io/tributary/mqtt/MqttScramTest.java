package io.tributary.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.mqtt.auth.ScramSha256Authenticator;
import io.tributary.mqtt.codec.Auth;
import io.tributary.mqtt.codec.ConnAck;
import io.tributary.mqtt.codec.MqttProperties;
import io.tributary.router.RouterOptions;
import io.tributary.router.counters.BrokerCounters.Counter;
import io.tributary.router.security.AccessRules;
import io.tributary.router.security.Authorizer;
import io.tributary.router.security.PasswordAuthenticator;
import io.tributary.router.security.PasswordFile;
import io.tributary.router.security.PasswordHash;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * MQTT 5 enhanced authentication SCRAM-SHA-256 against the password file, over real sockets. The
 * client side is a SCRAM client written here from RFC 5802 with the JDK's crypto (no MQTT client
 * library drives AUTH exchanges: Paho 1.2.5 sends malformed AUTH packets); the server side is also
 * checked against RFC 7677's example in ScramServerTest.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MqttScramTest {

  static final long T = 10_000;
  static final String METHOD = "SCRAM-SHA-256";
  private static TestBroker broker;

  @BeforeAll
  static void start() {
    PasswordFile file = PasswordFile.empty();
    file.put("alice", PasswordHash.createScram(bytes("s3cret"), 4096));
    file.put("bob", PasswordHash.create(bytes("b0b"), 1000)); // a $7$ entry: no SCRAM for bob
    PasswordAuthenticator users = new PasswordAuthenticator(file, PasswordAuthenticator.Anonymous.DENY);
    broker = TestBroker.start(2, new MqttOptions().setLoginAuthenticator(users)
        .addAuthenticator(new ScramSha256Authenticator(users::scramKeys)), new RouterOptions());
    broker.broker().setAuthorizer(new Authorizer(AccessRules.parse(List.of("user alice", "topic readwrite scram/#"),
        "test.acl")));
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static MqttProperties auth(String data) {
    return new MqttProperties().authenticationMethod(METHOD).authenticationData(bytes(data));
  }

  /** A SCRAM-SHA-256 client (RFC 5802 §3, §5), just enough for these tests. */
  static final class ScramClient {
    final String user;
    final String password;
    final String clientNonce;
    String clientFirstBare;
    byte[] serverSignature;

    ScramClient(String user, String password) {
      this.user = user;
      this.password = password;
      byte[] n = new byte[18];
      new SecureRandom().nextBytes(n);
      this.clientNonce = Base64.getEncoder().encodeToString(n);
    }

    String first() {
      clientFirstBare = "n=" + user.replace("=", "=3D").replace(",", "=2C") + ",r=" + clientNonce;
      return "n,," + clientFirstBare;
    }

    String last(String serverFirst) throws Exception {
      String nonce = null;
      byte[] salt = null;
      int iterations = 0;
      for (String a : serverFirst.split(",")) {
        switch (a.substring(0, 2)) {
          case "r=" -> nonce = a.substring(2);
          case "s=" -> salt = Base64.getDecoder().decode(a.substring(2));
          case "i=" -> iterations = Integer.parseInt(a.substring(2));
          default -> { }
        }
      }
      assertTrue(nonce != null && nonce.startsWith(clientNonce) && nonce.length() > clientNonce.length(), serverFirst);
      byte[] salted = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
          .generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, 256)).getEncoded();
      byte[] clientKey = hmac(salted, "Client Key");
      byte[] storedKey = MessageDigest.getInstance("SHA-256").digest(clientKey);
      String withoutProof = "c=biws,r=" + nonce;
      String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
      byte[] signature = hmac(storedKey, authMessage);
      byte[] proof = new byte[clientKey.length];
      for (int i = 0; i < proof.length; i++) {
        proof[i] = (byte) (clientKey[i] ^ signature[i]);
      }
      serverSignature = hmac(hmac(salted, "Server Key"), authMessage);
      return withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof);
    }

    private static byte[] hmac(byte[] key, String data) throws Exception {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(bytes(data));
    }
  }

  /** CONNECT with SCRAM as user/password, answering the server-first message; returns the CONNACK. */
  private static ConnAck scram(MqttWire c, String clientId, ScramClient client) throws Exception {
    c.sendConnect5(clientId, auth(client.first()));
    Auth serverFirst = c.expect(Auth.class, T);
    assertEquals(Auth.CONTINUE_AUTHENTICATION, serverFirst.reasonCode());
    assertEquals(METHOD, serverFirst.properties().authenticationMethod());
    String first = new String(serverFirst.properties().authenticationData(), StandardCharsets.UTF_8);
    c.send(new Auth(Auth.CONTINUE_AUTHENTICATION, auth(client.last(first))));
    return c.expect(ConnAck.class, T);
  }

  @Test
  void theRightPasswordConnectsAndTheServerProvesItKnowsIt() throws Exception {
    ScramClient alice = new ScramClient("alice", "s3cret");
    try (MqttWire c = MqttWire.open5(broker.port())) {
      ConnAck ack = scram(c, "scram-ok", alice);
      assertEquals(0x00, ack.reasonCode());
      assertEquals(METHOD, ack.properties().authenticationMethod());
      assertArrayEquals(bytes("v=" + Base64.getEncoder().encodeToString(alice.serverSignature)),
          ack.properties().authenticationData(), "server-final: the server signature");
      // The CONNECT named no user: the access rules see the user SCRAM proved.
      assertEquals(0x01, c.subscribe("scram/x", 1));
      assertEquals(0x87, c.subscribe("other/#", 1));
    }
  }

  @Test
  void aWrongPasswordAnUnknownUserAndANonScramEntryAllGet0x86() throws Exception {
    long before = broker.broker().counters().get(Counter.LOGINS_REFUSED_BAD_CREDENTIALS);
    for (ScramClient client : List.of(new ScramClient("alice", "wrong"), new ScramClient("mallory", "s3cret"),
        new ScramClient("bob", "b0b"))) {
      try (MqttWire c = MqttWire.open5(broker.port())) {
        ConnAck ack = scram(c, "scram-bad-" + client.user, client);
        assertEquals(0x86, ack.reasonCode(), client.user);
        assertTrue(c.awaitClosed(T));
      }
    }
    assertEquals(before + 3, broker.broker().counters().get(Counter.LOGINS_REFUSED_BAD_CREDENTIALS));
  }

  @Test
  void aMalformedClientFirstIsRefusedAndOtherMethodsGet0x8C() throws Exception {
    try (MqttWire c = MqttWire.open5(broker.port())) {
      c.sendConnect5("scram-malformed", auth("p=tls-unique,,n=alice,r=abc"));
      assertEquals(0x87, c.expect(ConnAck.class, T).reasonCode());
    }
    try (MqttWire c = MqttWire.open5(broker.port())) {
      c.sendConnect5("scram-512", new MqttProperties().authenticationMethod("SCRAM-SHA-512")
          .authenticationData(bytes("n,,n=alice,r=abc")));
      assertEquals(0x8C, c.expect(ConnAck.class, T).reasonCode());
    }
  }

  @Test
  void aScramEntryAlsoServesAPlainPasswordLogin() throws Exception {
    MqttClient c = new MqttClient(broker.tcpUri(), "scram-plain", new MemoryPersistence());
    MqttConnectOptions o = new MqttConnectOptions();
    o.setUserName("alice");
    o.setPassword("s3cret".toCharArray());
    o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    c.connect(o);
    assertTrue(c.isConnected());
    c.disconnect();
    c.close();
  }
}
