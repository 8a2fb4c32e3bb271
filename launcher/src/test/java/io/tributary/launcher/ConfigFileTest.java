package io.tributary.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The -conf argument is read strictly: what cannot be used stops the start (issue 13, fail closed). */
class ConfigFileTest {

  @TempDir
  Path dir;

  private static String error(String conf) {
    return assertThrows(ConfigException.class, () -> ConfigFile.load(conf)).getMessage();
  }

  @Test
  void theArgumentIsFoundInEveryForm() {
    assertEquals("a.json", ConfigFile.argument(new String[] {"-conf", "a.json"}));
    assertEquals("a.json", ConfigFile.argument(new String[] {"-instances", "2", "--conf", "a.json"}));
    assertEquals("a.json", ConfigFile.argument(new String[] {"-conf=a.json"}));
    assertEquals("a.json", ConfigFile.argument(new String[] {"--conf=a.json"}));
    assertNull(ConfigFile.argument(new String[] {"-instances", "2"}));
  }

  @Test
  void aFileOrInlineJsonIsRead() throws Exception {
    Path file = Files.writeString(dir.resolve("b.json"), "{\"instances\": 2}");
    assertEquals(new JsonObject().put("instances", 2), ConfigFile.load(file.toString()));
    assertEquals(new JsonObject().put("instances", 3), ConfigFile.load(" {\"instances\": 3}"));
  }

  @Test
  void whatCannotBeUsedIsNamed() throws Exception {
    Path missing = dir.resolve("missing.json");
    assertTrue(error(missing.toString()).contains(missing + " not found"));
    Path empty = Files.writeString(dir.resolve("empty.json"), "\n\n");
    assertTrue(error(empty.toString()).contains(empty + " is empty"));
    Path broken = Files.writeString(dir.resolve("broken.json"), "{\n  \"instances\": 2,\n  \"log\": {\"dir\": }\n}");
    String msg = error(broken.toString());
    assertTrue(msg.contains(broken + " is not valid JSON at line 3, column 18"), msg);
    Path array = Files.writeString(dir.resolve("array.json"), "[1, 2]");
    assertTrue(error(array.toString()).contains("must hold one JSON object"));
    assertTrue(error("{\"instances\": ").contains("the -conf value is not valid JSON"));
  }

  @Test
  void aConfigurationWithoutListenersIsRefused() {
    String msg = assertThrows(ConfigException.class,
        () -> BrokerConfig.from(new JsonObject().put("listeners", new io.vertx.core.json.JsonArray()))).getMessage();
    assertTrue(msg.contains("'listeners'") && msg.contains("at least one listener"), msg);
  }
}
