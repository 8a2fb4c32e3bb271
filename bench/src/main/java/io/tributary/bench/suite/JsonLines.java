package io.tributary.bench.suite;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.bench.load.LoadResult;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The raw runs, one JSON object a line: round, table, broker, its version, transport, scenario id,
 * error (null when it ran), then every {@link LoadResult} field (NaN written as null).
 */
final class JsonLines {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private JsonLines() {
  }

  static String line(RunRecord r) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("round", r.round());
    n.put("table", r.table());
    n.put("broker", r.broker());
    n.put("brokerVersion", r.brokerVersion());
    n.put("transport", r.transport());
    n.put("scenario", r.scenario());
    if (r.error() == null) {
      n.putNull("error");
    } else {
      n.put("error", r.error());
    }
    if (r.result() != null) {
      for (RecordComponent c : LoadResult.class.getRecordComponents()) {
        if (n.has(c.getName())) {
          continue;
        }
        Object v;
        try {
          v = c.getAccessor().invoke(r.result());
        } catch (ReflectiveOperationException e) {
          continue;
        }
        if (v instanceof Double dv) {
          if (dv.isNaN() || dv.isInfinite()) {
            n.putNull(c.getName());
          } else {
            n.put(c.getName(), dv);
          }
        } else if (v instanceof Long lv) {
          n.put(c.getName(), lv);
        } else if (v instanceof Integer iv) {
          n.put(c.getName(), iv);
        } else {
          n.put(c.getName(), String.valueOf(v));
        }
      }
    }
    try {
      return MAPPER.writeValueAsString(n);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static void append(Path file, RunRecord r) throws IOException {
    Files.writeString(file, line(r) + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }
}
