package io.tributary.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13: {@code conf/secure.json} works as the README's Security section says: the packaged
 * broker on that file (its ports moved to free ones and its relative paths into a temporary
 * directory, nothing else changed), the development certificates of {@code conf/dev-certs.sh},
 * users made by {@code passwd}, {@code conf/secure.acl}; mosquitto clients over TLS and a device
 * over TLS with its client certificate.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SecureConfigIT {

  @TempDir
  Path dir;
  private final BrokerProcess process = new BrokerProcess();

  @AfterEach
  void stop() throws Exception {
    process.close();
  }

  private static int run(List<String> cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", cmd));
    return p.exitValue();
  }

  private static String output(Process p) throws Exception {
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
  }

  @Test
  void theLockedDownExampleWorksAsTheReadmeSays() throws Exception {
    Path conf = Files.createDirectories(dir.resolve("conf"));
    for (String f : List.of("secure.json", "secure.acl", "dev-certs.sh")) {
      Files.copy(Path.of("../conf", f), conf.resolve(f));
    }
    assertEquals(0, run(List.of("bash", conf.resolve("dev-certs.sh").toString())));
    String passwords = conf.resolve("passwords").toString();
    for (List<String> user : List.of(List.of("-c", "-b", passwords, "operator", "op-secret"),
        List.of("-b", passwords, "dashboard", "dash-secret"))) {
      List<String> cmd = new ArrayList<>(List.of(BrokerProcess.java(), "-jar", BrokerProcess.JAR, "passwd"));
      cmd.addAll(user);
      assertEquals(0, run(cmd));
    }
    // The example as it is, but on free ports, 127.0.0.1, and with its relative paths under dir.
    String text = Files.readString(conf.resolve("secure.json")).replace("\"conf/", "\"" + conf + "/");
    JsonObject json = new JsonObject(text);
    int[] ports = new int[3];
    for (int i = 0; i < 3; i++) {
      ports[i] = io.tributary.mqtt.TestBroker.freePort();
      json.getJsonArray("listeners").getJsonObject(i).put("port", ports[i]).put("host", "127.0.0.1");
    }
    json.put("log", new JsonObject().put("dir", dir.resolve("data").toString()));
    Path config = Files.writeString(dir.resolve("secure.json"), json.encodePrettily());
    process.start("-conf", config.toString());
    String acl = process.awaitLine("authorization: ACL file");
    assertTrue(acl.contains("6 rule(s) for 2 user(s)"), acl);
    process.awaitLine("Tributary started");

    String ca = conf.resolve("certs/ca.pem").toString();
    List<String> mqtts = List.of("-h", "localhost", "-p", Integer.toString(ports[0]), "--cafile", ca);
    List<String> sub = new ArrayList<>(List.of("/usr/bin/mosquitto_sub"));
    sub.addAll(mqtts);
    sub.addAll(List.of("-u", "operator", "-P", "op-secret", "-t", "devices/+/up", "-v", "-C", "1"));
    Process operator = new ProcessBuilder(sub).redirectErrorStream(true).start();
    Thread.sleep(1_500); // subscribed
    // A device over TLS, identified by its certificate (CN=dev1), sends a line on its uplink.
    Process device = new ProcessBuilder("openssl", "s_client", "-quiet", "-connect", "localhost:" + ports[2],
        "-CAfile", ca, "-cert", conf.resolve("certs/client.pem").toString(), "-key",
        conf.resolve("certs/client.key").toString()).redirectErrorStream(true).start();
    device.getOutputStream().write("hello from dev1\n".getBytes(StandardCharsets.UTF_8));
    device.getOutputStream().flush();
    assertEquals("devices/dev1/up hello from dev1", output(operator), "the operator reads every device");
    device.destroy();

    List<String> dashboard = new ArrayList<>(List.of("/usr/bin/mosquitto_pub"));
    dashboard.addAll(mqtts);
    dashboard.addAll(List.of("-u", "dashboard", "-P", "dash-secret", "-V", "5", "-q", "1", "-t", "devices/dev1/down",
        "-m", "reboot"));
    String refused = output(new ProcessBuilder(dashboard).redirectErrorStream(true).start());
    assertTrue(refused.contains("Not authorized"), "a dashboard may not command a device: " + refused);
    List<String> anonymous = new ArrayList<>(List.of("/usr/bin/mosquitto_pub"));
    anonymous.addAll(mqtts);
    anonymous.addAll(List.of("-t", "x", "-m", "anonymous"));
    assertEquals(5, run(anonymous), "CONNACK 5: anonymous clients refused");
    List<String> plain = List.of("/usr/bin/mosquitto_pub", "-h", "127.0.0.1", "-p", Integer.toString(ports[0]),
        "-u", "operator", "-P", "op-secret", "-t", "x", "-m", "no TLS");
    assertTrue(run(plain) != 0, "no plain-text MQTT on the TLS port");
  }
}
