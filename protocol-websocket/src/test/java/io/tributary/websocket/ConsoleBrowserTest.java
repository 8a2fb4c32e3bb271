package io.tributary.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in real headless Chromium (Debian's {@code chromium} and {@code chromium-driver},
 * driven by Selenium; Selenium Manager is not used, nothing is downloaded). The page is served by
 * the broker's mqtt-ws listener and talks MQTT over WebSocket back to it, while Paho clients use
 * the TCP listener of the same broker.
 *
 * <p>Without a browser the test is skipped, except in CI ({@code CI=true}), where it fails: there
 * {@code .ci/run} installs Chromium, so a missing browser is a broken build.
 */
class ConsoleBrowserTest {

  private static final Duration WAIT = HeadlessChromium.WAIT;
  private static final Path TARGET = Path.of("target");

  @Test
  void consoleExchangesMessagesWithTcpClients(@TempDir Path profile) throws Exception {
    HeadlessChromium.require();

    WebDriver driver = HeadlessChromium.start(profile);
    try (WsTestBroker broker = WsTestBroker.start()) {
      MqttClient tcpSub = paho(broker.tcpUri(), "tcp-sub");
      BlockingQueue<String> fromBrowser = new ArrayBlockingQueue<>(10);
      tcpSub.subscribe("console/out", 1,
          (t, m) -> fromBrowser.add(t + "|" + m.getQos() + "|" + new String(m.getPayload(), StandardCharsets.UTF_8)));
      MqttClient tcpPub = paho(broker.tcpUri(), "tcp-pub");
      // Retained before the page subscribes: it arrives with RETAIN=1 on subscription.
      tcpPub.publish("console/devices/7/state", message("{\"on\":true,\"level\":3}", 1, true));

      try {
        WebDriverWait wait = new WebDriverWait(driver, WAIT);
        driver.get("http://127.0.0.1:" + broker.wsPort() + "/");
        assertEquals("Tributary console", driver.getTitle());

        // The page connects by itself to ws://<its own host>/mqtt.
        wait.until(ExpectedConditions.attributeToBe(By.id("status"), "data-state", "connected"));
        assertEquals(broker.wsUri(), driver.findElement(By.id("ws-url")).getText());

        // Subscribe from the page; the filter shows up in the list once the SUBACK is in.
        WebElement filter = driver.findElement(By.id("filter"));
        filter.clear();
        filter.sendKeys("console/#");
        new Select(driver.findElement(By.id("sub-qos"))).selectByValue("1");
        driver.findElement(By.id("subscribe")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(
            By.cssSelector("#subscriptions li[data-filter='console/#']")));

        // TCP -> browser.
        tcpPub.publish("console/sensors/1/temp", message("21.5", 1, false));
        WebElement row = wait.until(ExpectedConditions.presenceOfElementLocated(
            By.cssSelector("#messages tr.message[data-topic='console/sensors/1/temp']")));
        assertEquals("21.5", row.findElement(By.cssSelector(".payload")).getText());
        assertEquals("1", row.findElement(By.cssSelector(".qos")).getText());
        assertEquals("", row.findElement(By.cssSelector(".retain")).getText());

        WebElement retained = wait.until(ExpectedConditions.presenceOfElementLocated(
            By.cssSelector("#messages tr.message[data-topic='console/devices/7/state']")));
        assertEquals("retained", retained.findElement(By.cssSelector(".retain")).getText());
        assertEquals("{\"on\":true,\"level\":3}", retained.findElement(By.cssSelector(".payload")).getText());

        // A binary payload (not UTF-8) is shown as hex even in text mode.
        MqttMessage binary = new MqttMessage(new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef, 0x00, 0x2a});
        binary.setQos(1);
        tcpPub.publish("console/devices/7/raw", binary);
        WebElement raw = wait.until(ExpectedConditions.presenceOfElementLocated(
            By.cssSelector("#messages tr.message[data-topic='console/devices/7/raw']")));
        assertTrue(raw.findElement(By.cssSelector(".payload")).getText().contains("de ad be ef 00 2a"),
            "non-UTF-8 payload is shown as hex");

        // The hex toggle re-renders every payload, and back.
        driver.findElement(By.cssSelector("label[for='format-hex']")).click();
        wait.until(ExpectedConditions.textToBePresentInElement(row.findElement(By.cssSelector(".payload")), "32 31 2e 35"));
        driver.findElement(By.cssSelector("label[for='format-text']")).click();
        wait.until(ExpectedConditions.textToBePresentInElement(row.findElement(By.cssSelector(".payload")), "21.5"));

        // Browser -> TCP (and back to the page through its own subscription).
        WebElement topic = driver.findElement(By.id("pub-topic"));
        topic.clear();
        topic.sendKeys("console/out");
        driver.findElement(By.id("pub-payload")).sendKeys("hello from the browser");
        new Select(driver.findElement(By.id("pub-qos"))).selectByValue("1");
        assertFalse(driver.findElement(By.id("pub-retain")).isSelected());
        driver.findElement(By.id("publish")).click();
        String got = fromBrowser.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertNotNull(got, "the TCP subscriber got nothing from the browser");
        assertEquals("console/out|1|hello from the browser", got);
        wait.until(ExpectedConditions.attributeToBe(By.id("pub-result"), "data-result", "ok"));
        WebElement echo = wait.until(ExpectedConditions.presenceOfElementLocated(
            By.cssSelector("#messages tr.message[data-topic='console/out']")));
        assertEquals("hello from the browser", echo.findElement(By.cssSelector(".payload")).getText());

        List<WebElement> rows = driver.findElements(By.cssSelector("#messages tr.message"));
        assertEquals(4, rows.size());
        assertEquals("4", driver.findElement(By.id("message-count")).getText());

        // Replay from the page: "From: earliest" subscribes $replay/earliest/{filter}, and the
        // history (the temperature published before) arrives again over MQTT.js.
        filter.clear();
        filter.sendKeys("console/sensors/#");
        driver.findElement(By.id("replay-from")).sendKeys("earliest");
        driver.findElement(By.id("subscribe")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(
            By.cssSelector("#subscriptions li[data-filter='$replay/earliest/console/sensors/#']")));
        wait.until(d -> d.findElements(By.cssSelector("#messages tr.message[data-topic='console/sensors/1/temp']"))
            .size() == 2);
        driver.findElement(By.id("replay-from")).clear();

        HeadlessChromium.screenshot(driver, TARGET.resolve("console.png"));
      } catch (Throwable t) {
        HeadlessChromium.screenshot(driver, TARGET.resolve("console-failure.png"));
        try {
          System.err.println("console status: " + driver.findElement(By.id("status")).getText()
              + ", last log line: " + driver.findElement(By.id("log")).getText());
        } catch (RuntimeException e) {
          t.addSuppressed(e);
        }
        throw t;
      } finally {
        close(tcpPub);
        close(tcpSub);
      }
    } finally {
      driver.quit();
    }
  }

  /**
   * Issue 13: the page's login fields log in against the broker's password file. Opened without
   * them the page is refused once and stops (it does not retry into flapping detection); with
   * them it connects, as the user it named.
   */
  @Test
  void consoleLogsInWithItsFields(@TempDir Path profile) throws Exception {
    HeadlessChromium.require();
    io.tributary.router.security.PasswordFile users = io.tributary.router.security.PasswordFile.empty();
    users.put("alice", io.tributary.router.security.PasswordHash.create(
        "s3cret".getBytes(StandardCharsets.UTF_8), 1_000));
    io.tributary.mqtt.MqttOptions mqtt = new io.tributary.mqtt.MqttOptions().setLoginAuthenticator(
        new io.tributary.router.security.PasswordAuthenticator(users,
            io.tributary.router.security.PasswordAuthenticator.Anonymous.DENY));
    WebDriver driver = HeadlessChromium.start(profile);
    try (WsTestBroker broker = WsTestBroker.start(ws -> { }, mqtt)) {
      WebDriverWait wait = new WebDriverWait(driver, WAIT);
      driver.get("http://127.0.0.1:" + broker.wsPort() + "/");
      wait.until(ExpectedConditions.attributeToBe(By.id("status"), "data-state", "error"));
      assertEquals("login refused", driver.findElement(By.id("status")).getText());
      assertTrue(driver.findElement(By.id("log")).getText().contains("enter the user name and password"));
      Thread.sleep(3_000); // longer than the page's reconnect period: it must not have retried
      assertEquals(1, broker.broker().counters().get(
          io.tributary.router.counters.BrokerCounters.Counter.LOGINS_REFUSED_NOT_AUTHORIZED));

      driver.findElement(By.id("username")).sendKeys("alice");
      driver.findElement(By.id("password")).sendKeys("wrong");
      driver.findElement(By.id("connect")).click();
      wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("log"), "login refused"));
      assertEquals(1, broker.broker().counters().get(
          io.tributary.router.counters.BrokerCounters.Counter.LOGINS_REFUSED_BAD_CREDENTIALS));

      WebElement password = driver.findElement(By.id("password"));
      password.clear();
      password.sendKeys("s3cret");
      driver.findElement(By.id("connect")).click();
      wait.until(ExpectedConditions.attributeToBe(By.id("status"), "data-state", "connected"));
      HeadlessChromium.screenshot(driver, TARGET.resolve("console-login.png"));
    } catch (Throwable t) {
      HeadlessChromium.screenshot(driver, TARGET.resolve("console-login-failure.png"));
      throw t;
    } finally {
      driver.quit();
    }
  }

  private static void close(MqttClient client) {
    try {
      client.disconnect();
      client.close();
    } catch (Exception e) {
      System.err.println("closing " + client.getClientId() + ": " + e);
    }
  }




  private static MqttClient paho(String uri, String clientId) throws Exception {
    MqttClient client = new MqttClient(uri, clientId, new MemoryPersistence());
    MqttConnectOptions options = new MqttConnectOptions();
    options.setCleanSession(true);
    client.connect(options);
    return client;
  }

  private static MqttMessage message(String payload, int qos, boolean retained) {
    MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
    m.setQos(qos);
    m.setRetained(retained);
    return m;
  }

}
