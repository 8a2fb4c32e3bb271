package io.tributary.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class BrokerConfigTest {

  private static String error(JsonObject json) {
    return assertThrows(ConfigException.class, () -> BrokerConfig.from(json)).getMessage();
  }

  private static JsonObject listener(Object port) {
    return new JsonObject().put("name", "mqtt").put("protocol", "mqtt").put("host", "127.0.0.1").put("port", port);
  }

  @Test
  void builtInDefaultsAreConfBrokerJson() throws Exception {
    JsonObject file = new JsonObject(Files.readString(Path.of("..", "conf", "broker.json")));
    assertEquals(file, BrokerConfig.defaults());
    BrokerConfig parsed = BrokerConfig.from(file);
    BrokerConfig empty = BrokerConfig.from(new JsonObject());
    // Every key of broker.json equals the value the code uses when the key is absent.
    assertEquals(JsonObject.mapFrom(empty), JsonObject.mapFrom(parsed));
    assertEquals(1883, parsed.listeners.get(0).port);
    assertEquals("0.0.0.0", parsed.listeners.get(0).host);
    assertEquals(BrokerConfig.Transport.auto, parsed.transport);
  }

  @Test
  void unknownKeyIsNamed() {
    String msg = error(new JsonObject().put("mqtt", new JsonObject().put("maxPacketSise", 10)));
    assertTrue(msg.contains("'mqtt.maxPacketSise'"), msg);
    msg = error(new JsonObject().put("listeners", new JsonArray().add(listener(1883).put("tls", true))));
    assertTrue(msg.contains("'listeners[0].tls'"), msg);
  }

  @Test
  void wrongTypeIsNamed() {
    String msg = error(new JsonObject().put("listeners", new JsonArray().add(listener("1883"))));
    assertTrue(msg.contains("'listeners[0].port'"), msg);
    msg = error(new JsonObject().put("instances", "two"));
    assertTrue(msg.contains("'instances'"), msg);
    msg = error(new JsonObject().put("transport", "uring"));
    assertTrue(msg.contains("'transport'") && msg.contains("io_uring"), msg);
    msg = error(new JsonObject().put("mqtt", new JsonObject().put("maxPacketSize", 1.5)));
    assertTrue(msg.contains("'mqtt.maxPacketSize'"), msg);
  }

  @Test
  void impossibleValueIsNamed() {
    String msg = error(new JsonObject().put("listeners", new JsonArray().add(listener(70000))));
    assertTrue(msg.contains("'listeners[0].port'") && msg.contains("70000"), msg);
    msg = error(new JsonObject().put("instances", -1));
    assertTrue(msg.contains("'instances'"), msg);
    msg = error(new JsonObject().put("mqtt", new JsonObject().put("maxPacketSize", 0)));
    assertTrue(msg.contains("'mqtt.maxPacketSize'"), msg);
    msg = error(new JsonObject().put("sessions", new JsonObject().put("maxInflight", 0)));
    assertTrue(msg.contains("'sessions.maxInflight'"), msg);
    msg = error(new JsonObject().put("log", new JsonObject().put("retentionBytes", -5)));
    assertTrue(msg.contains("'log.retentionBytes'"), msg);
    msg = error(new JsonObject().put("listeners", new JsonArray().add(listener(1883)).add(listener(1884))));
    assertTrue(msg.contains("'listeners[1].name'") && msg.contains("duplicate"), msg);
    msg = error(new JsonObject().put("listeners", new JsonArray()
        .add(listener(1883)).add(listener(1883).put("name", "other"))));
    assertTrue(msg.contains("'listeners[1].port'"), msg);
  }

  @Test
  void protocolsNotYetServedAreRefusedByName() {
    String msg = error(new JsonObject().put("listeners", new JsonArray().add(listener(8083).put("protocol", "mqtt-ws"))));
    assertTrue(msg.contains("'listeners[0].protocol'") && msg.contains("mqtt-ws"), msg);
    msg = error(new JsonObject().put("listeners", new JsonArray().add(listener(8083).put("protocol", "amqp"))));
    assertTrue(msg.contains("'listeners[0].protocol'") && msg.contains("amqp"), msg);
  }

  @Test
  void missingRequiredListenerFieldsAreNamed() {
    String msg = error(new JsonObject().put("listeners", new JsonArray().add(new JsonObject().put("name", "x").put("protocol", "mqtt"))));
    assertTrue(msg.contains("'listeners[0].port'"), msg);
  }
}
