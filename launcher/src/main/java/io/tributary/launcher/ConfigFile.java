package io.tributary.launcher;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code -conf} argument, read strictly. The Vert.x launcher, given a file it cannot read or
 * parse, logs a warning and starts the verticle with an empty configuration, which for a broker
 * means the defaults on every interface: with authentication configured, an open broker. Here a
 * missing, unreadable, empty or malformed file (or inline JSON) stops the start instead, naming the
 * file and, for a parse error, its line and column.
 */
final class ConfigFile {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ConfigFile() {
  }

  /** The value of {@code -conf}/{@code --conf} (also {@code -conf=...}) in args, or null. */
  static String argument(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if ((a.equals("-conf") || a.equals("--conf")) && i + 1 < args.length) {
        return args[i + 1];
      }
      if (a.startsWith("-conf=") || a.startsWith("--conf=")) {
        return a.substring(a.indexOf('=') + 1);
      }
    }
    return null;
  }

  /**
   * The configuration {@code conf} names: a JSON file, or (as the launcher allows) inline JSON.
   * Throws {@link ConfigException} when it cannot be used.
   */
  static JsonObject load(String conf) {
    String trimmed = conf.trim();
    if (trimmed.startsWith("{")) {
      return parse(trimmed, "the -conf value");
    }
    Path file = Path.of(conf);
    if (!Files.isRegularFile(file)) {
      throw new ConfigException("configuration file " + file.toAbsolutePath() + " not found");
    }
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException("configuration file " + file.toAbsolutePath() + " cannot be read: " + e);
    }
    if (text.isBlank()) {
      throw new ConfigException("configuration file " + file.toAbsolutePath() + " is empty");
    }
    return parse(text, "configuration file " + file.toAbsolutePath());
  }

  private static JsonObject parse(String text, String what) {
    JsonNode node;
    try {
      node = MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      // Jackson names other places as "[Source: ...; line: L, column: C]": keep only line and column.
      String detail = e.getOriginalMessage().replaceAll("\\[Source: [^\\]]*; line: (\\d+), column: (\\d+)\\]",
          "line $1, column $2");
      throw new ConfigException(what + " is not valid JSON" + where + ": " + detail);
    }
    if (node == null || !node.isObject()) {
      throw new ConfigException(what + " must hold one JSON object");
    }
    return new JsonObject(text);
  }
}
