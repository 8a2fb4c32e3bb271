package io.tributary.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.websocket.HeadlessChromium;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console's broker view (served by the admin listener, built on the admin API) in real
 * headless Chromium: the overview's figures and chart, the clients table with its Disconnect
 * button, offline sessions, retained messages, the log. Paho clients make the traffic. Screenshots
 * of each view go to target/screenshots/. Without a browser the test is skipped, except in CI
 * ({@code CI=true}), where it fails.
 */
class BrokerViewBrowserTest {


  @Test
  void theBrokerViewShowsAndActsOnTheBroker(@TempDir Path profile) throws Exception {
    HeadlessChromium.require();
    int mqtt = EmbeddedBrokerTest.freePort();
    int admin = EmbeddedBrokerTest.freePort();
    JsonObject config = new JsonObject().put("instances", 2).put("log", EmbeddedBrokerTest.freshLog())
        .put("sys", new JsonObject().put("intervalSeconds", 0))
        .put("listeners", new JsonArray()
            .add(new JsonObject().put("name", "mqtt").put("protocol", "mqtt").put("host", "127.0.0.1").put("port", mqtt))
            .add(new JsonObject().put("name", "admin").put("protocol", "admin").put("host", "127.0.0.1").put("port", admin)));
    Vertx vertx = Vertx.vertx();
    WebDriver driver = null;
    try {
      vertx.deployVerticle(new BrokerVerticle(), new DeploymentOptions().setConfig(config)).await(20, TimeUnit.SECONDS);
      MqttClient offline = paho(mqtt, "view-offline", false);
      offline.subscribe("plant/#", 1);
      offline.disconnect();
      offline.close();
      MqttClient keeper = paho(mqtt, "view-keeper", false);
      keeper.subscribe("plant/#", 1);
      MqttClient pub = paho(mqtt, "view-pub", true);
      MqttMessage temp = new MqttMessage("21.5".getBytes(StandardCharsets.UTF_8));
      temp.setRetained(true);
      temp.setQos(1);
      pub.publish("plant/line1/temp", temp);

      driver = HeadlessChromium.start(profile);
      WebDriverWait wait = new WebDriverWait(driver, HeadlessChromium.WAIT);
      driver.get("http://127.0.0.1:" + admin + "/");
      wait.until(d -> "2".equals(d.findElement(By.id("o-connections")).getText()));
      assertEquals("2 / 1", driver.findElement(By.id("o-sessions")).getText(), "online / offline");
      // Traffic for the chart: the rate card shows it within a poll or two.
      for (int i = 0; i < 40; i++) {
        pub.publish("plant/line1/count", new MqttMessage(String.valueOf(i).getBytes(StandardCharsets.UTF_8)));
        Thread.sleep(100);
      }
      wait.until(d -> !"0".equals(d.findElement(By.id("o-in-rate")).getText()));
      assertTrue(driver.findElement(By.id("state")).getText().equals("live"));
      HeadlessChromium.screenshot(driver, Path.of("target", "screenshots", "broker-overview.png"));

      tab(driver, "clients");
      wait.until(d -> !d.findElements(By.cssSelector("#clients tr[data-client-id='view-keeper']")).isEmpty());
      String row = driver.findElement(By.cssSelector("#clients tr[data-client-id='view-keeper']")).getText();
      assertTrue(row.contains("mqtt") && row.contains("127.0.0.1:"), row);
      // view-keeper set no callback, so Paho acknowledges nothing: its window fills (32 in flight)
      // and it falls behind; the publisher subscribes to nothing and is behind on nothing.
      wait.until(d -> d.findElement(By.cssSelector("#clients tr[data-client-id='view-keeper'] td:nth-child(8)")).getText()
          .equals("32"));
      assertEquals("0", driver.findElement(By.cssSelector("#clients tr[data-client-id='view-pub'] td:nth-child(9)")).getText());
      HeadlessChromium.screenshot(driver, Path.of("target", "screenshots", "broker-clients.png"));
      click(wait, "#clients tr[data-client-id='view-keeper'] button");
      long deadline = System.currentTimeMillis() + 10_000;
      while (keeper.isConnected() && System.currentTimeMillis() < deadline) {
        Thread.sleep(50);
      }
      assertFalse(keeper.isConnected(), "Disconnect in the page closed the client's connection");
      wait.until(d -> d.findElements(By.cssSelector("#clients tr[data-client-id='view-keeper']")).isEmpty());

      tab(driver, "sessions");
      wait.until(d -> !d.findElements(By.cssSelector("#sessions tr[data-client-id='view-keeper']")).isEmpty());
      assertFalse(driver.findElements(By.cssSelector("#sessions tr[data-client-id='view-offline']")).isEmpty());
      HeadlessChromium.screenshot(driver, Path.of("target", "screenshots", "broker-sessions.png"));
      click(wait, "#sessions tr[data-client-id='view-offline'] button");
      wait.until(d -> d.findElements(By.cssSelector("#sessions tr[data-client-id='view-offline']")).isEmpty());
      assertEquals(404, status(admin, "/api/v1/sessions/view-offline"), "End session ended it");

      tab(driver, "retained");
      wait.until(d -> !d.findElements(By.cssSelector("#retained tr[data-topic='plant/line1/temp']")).isEmpty());
      assertTrue(driver.findElement(By.cssSelector("#retained tr[data-topic='plant/line1/temp']")).getText()
          .contains("21.5"));
      HeadlessChromium.screenshot(driver, Path.of("target", "screenshots", "broker-retained.png"));
      click(wait, "#retained tr[data-topic='plant/line1/temp'] button");
      wait.until(d -> d.findElements(By.cssSelector("#retained tr[data-topic='plant/line1/temp']")).isEmpty());

      tab(driver, "log");
      wait.until(d -> d.findElement(By.id("log")).getText().contains("Records"));
      assertTrue(driver.findElement(By.id("log")).getText().contains("Segments"));
      HeadlessChromium.screenshot(driver, Path.of("target", "screenshots", "broker-log.png"));
      keeper.close();
      pub.disconnect();
      pub.close();
    } finally {
      if (driver != null) {
        driver.quit();
      }
      vertx.close().await(20, TimeUnit.SECONDS);
    }
  }

  private static void tab(WebDriver driver, String view) {
    driver.findElement(By.cssSelector(".tabs button[data-view='" + view + "']")).click();
  }

  private static int status(int port, String path) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static MqttClient paho(int port, String id, boolean clean) throws Exception {
    MqttClient c = new MqttClient("tcp://127.0.0.1:" + port, id, new MemoryPersistence());
    MqttConnectOptions o = new MqttConnectOptions();
    o.setCleanSession(clean);
    o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    o.setAutomaticReconnect(false);
    c.connect(o);
    return c;
  }





  /**
   * Clicks the element the selector finds, again if the page re-rendered it between finding and
   * clicking (the view redraws its tables every 2 s: the element found can go stale).
   */
  private static void click(WebDriverWait wait, String selector) {
    wait.until(d -> {
      try {
        d.findElement(By.cssSelector(selector)).click();
        return true;
      } catch (org.openqa.selenium.StaleElementReferenceException redrawn) {
        return false;
      }
    });
  }
}
