package io.tributary.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.router.RouterOptions;
import io.tributary.router.counters.BrokerCounters;
import io.tributary.router.security.PasswordAuthenticator;
import io.tributary.router.security.PasswordAuthenticator.Anonymous;
import io.tributary.router.security.PasswordFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * User name and password on CONNECT, against a password file made by Debian's mosquitto_passwd:
 * Paho v3 and v5, mosquitto_pub; the refusal codes of both protocol levels.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MqttLoginTest {

  @TempDir
  Path dir;
  private TestBroker broker;

  @BeforeEach
  void start() throws Exception {
    assertTrue(Files.isExecutable(Path.of("/usr/bin/mosquitto_passwd")),
        "mosquitto_passwd must be installed (apt-get install -y mosquitto; .ci/run does it)");
    Path file = dir.resolve("passwords");
    run("/usr/bin/mosquitto_passwd", "-c", "-b", file.toString(), "alice", "s3cret");
    broker = TestBroker.start(2, new MqttOptions().setLoginAuthenticator(
        new PasswordAuthenticator(PasswordFile.load(file), Anonymous.DENY)), new RouterOptions());
  }

  @AfterEach
  void stop() {
    broker.close();
  }

  private static int run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    return p.exitValue();
  }

  private MqttClient paho3(String user, String password) throws MqttException {
    MqttClient c = new MqttClient(broker.tcpUri(), "p3-" + user, new MemoryPersistence());
    MqttConnectOptions o = new MqttConnectOptions();
    if (user != null) {
      o.setUserName(user);
    }
    if (password != null) {
      o.setPassword(password.toCharArray());
    }
    o.setConnectionTimeout(10);
    o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1); // no retry at 3.1 after a refusal
    c.connect(o);
    return c;
  }

  private long count(BrokerCounters.Counter c) {
    return broker.broker().counters().get(c);
  }

  @Test
  void mqtt311RefusesBadCredentialsWith4AndAnonymousWith5() throws Exception {
    MqttClient ok = paho3("alice", "s3cret");
    assertTrue(ok.isConnected());
    ok.disconnect();
    ok.close();
    MqttException bad = assertThrows(MqttException.class, () -> paho3("alice", "wrong"));
    assertEquals(MqttException.REASON_CODE_FAILED_AUTHENTICATION, bad.getReasonCode());
    MqttException unknown = assertThrows(MqttException.class, () -> paho3("mallory", "s3cret"));
    assertEquals(MqttException.REASON_CODE_FAILED_AUTHENTICATION, unknown.getReasonCode(), "same answer");
    MqttException anonymous = assertThrows(MqttException.class, () -> paho3(null, null));
    assertEquals(MqttException.REASON_CODE_NOT_AUTHORIZED, anonymous.getReasonCode());
    assertEquals(2, count(BrokerCounters.Counter.LOGINS_REFUSED_BAD_CREDENTIALS));
    assertEquals(1, count(BrokerCounters.Counter.LOGINS_REFUSED_NOT_AUTHORIZED));
  }

  @Test
  void mqtt5RefusesWith0x86And0x87() throws Exception {
    Mqtt5Paho ok = Mqtt5Paho.connect(broker, "p5-ok", o -> {
      o.setUserName("alice");
      o.setPassword("s3cret".getBytes(StandardCharsets.UTF_8));
    });
    ok.close();
    org.eclipse.paho.mqttv5.common.MqttException bad = assertThrows(org.eclipse.paho.mqttv5.common.MqttException.class,
        () -> Mqtt5Paho.connect(broker, "p5-bad", o -> {
          o.setUserName("alice");
          o.setPassword("nope".getBytes(StandardCharsets.UTF_8));
        }));
    assertEquals(0x86, bad.getReasonCode());
    org.eclipse.paho.mqttv5.common.MqttException anonymous = assertThrows(
        org.eclipse.paho.mqttv5.common.MqttException.class, () -> Mqtt5Paho.connect(broker, "p5-anon"));
    assertEquals(0x87, anonymous.getReasonCode());
  }

  @Test
  void clientIdsOfRawTcpDevicesAreReserved() throws Exception {
    MqttClient c = new MqttClient(broker.tcpUri(), "device/pump-1", new MemoryPersistence());
    MqttConnectOptions o = new MqttConnectOptions();
    o.setUserName("alice");
    o.setPassword("s3cret".toCharArray());
    o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    MqttException e = assertThrows(MqttException.class, () -> c.connect(o));
    assertEquals(MqttException.REASON_CODE_INVALID_CLIENT_ID, e.getReasonCode(), "3.1.1: 0x02 identifier rejected");
    c.close();
    org.eclipse.paho.mqttv5.common.MqttException e5 = assertThrows(org.eclipse.paho.mqttv5.common.MqttException.class,
        () -> Mqtt5Paho.connect(broker, "device/pump-1", v -> {
          v.setUserName("alice");
          v.setPassword("s3cret".getBytes(StandardCharsets.UTF_8));
        }));
    assertEquals(0x85, e5.getReasonCode(), "5: client identifier not valid");
  }

  @Test
  void mosquittoClientsLogInAndPublishesBehindTheConnectWaitForTheCheck() throws Exception {
    Process sub = new ProcessBuilder("/usr/bin/mosquitto_sub", "-h", "127.0.0.1", "-p", "" + broker.port(),
        "-u", "alice", "-P", "s3cret", "-t", "login/#", "-C", "1", "-v").redirectErrorStream(true).start();
    Thread.sleep(1_000); // subscribed (the password check runs off the event loop first)
    // mosquitto_pub sends its PUBLISH right behind the CONNECT, before the CONNACK.
    assertEquals(0, run("/usr/bin/mosquitto_pub", "-h", "127.0.0.1", "-p", "" + broker.port(), "-u", "alice",
        "-P", "s3cret", "-t", "login/a", "-m", "hello"));
    assertTrue(sub.waitFor(20, TimeUnit.SECONDS), "mosquitto_sub got the message");
    assertEquals(List.of("login/a hello"), List.of(new String(sub.getInputStream().readAllBytes(),
        StandardCharsets.UTF_8).strip()));
    assertEquals(4, run("/usr/bin/mosquitto_pub", "-h", "127.0.0.1", "-p", "" + broker.port(), "-u", "alice",
        "-P", "wrong", "-t", "login/a", "-m", "x"), "mosquitto_pub exits with the CONNACK code: 4, bad user name or password");
  }
}
