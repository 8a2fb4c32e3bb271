package io.tributary.bench.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole suite, tiny: one round of fan-in-q1 on both brokers. Needs the broker's fat jar (a
 * reactor build packages the launcher before bench) and mosquitto; skipped without them, except
 * under CI=true, where missing tools fail the test.
 */
class SuiteSmokeTest {

  private static final Pattern NUMBER = Pattern.compile("[0-9][0-9,]*(\\.[0-9]+)?");

  @Test
  void tinySuiteWritesATableWithBothBrokers(@TempDir Path out) throws Exception {
    Path root = Suite.root();
    Path jar = root.resolve("launcher/target/tributary.jar");
    Path mosquitto = SuiteOptions.findMosquitto();
    List<String> missing = new ArrayList<>();
    if (!Files.isRegularFile(jar)) {
      missing.add("the broker jar " + jar + " (./mvnw package -pl launcher -am)");
    }
    if (!Files.isExecutable(mosquitto)) {
      missing.add("mosquitto (not on PATH nor at /usr/sbin/mosquitto; apt-get install -y mosquitto)");
    }
    if (!missing.isEmpty()) {
      String why = "SuiteSmokeTest needs " + String.join(" and ", missing);
      if ("true".equals(System.getenv("CI"))) {
        fail(why);
      }
      assumeTrue(false, why);
    }

    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    int code = Suite.run(new String[] {"--rounds", "1", "--only", "fan-in-q1", "--warmup", "0.5", "--measure", "1",
        "--out", out.toString(), "--jar", jar.toString(), "--mosquitto", mosquitto.toString()}, root,
        new PrintStream(new ByteArrayOutputStream()), new PrintStream(progress, true, StandardCharsets.UTF_8));
    String log = progress.toString(StandardCharsets.UTF_8);
    assertEquals(0, code, log);

    Path latest = out.resolve("latest.md");
    assertTrue(Files.isRegularFile(latest), log);
    String md = Files.readString(latest, StandardCharsets.UTF_8);
    Matcher row = Pattern.compile("\\| `fan-in-q1` \\| delivered msg/s \\| ([^|]+) \\| ([^|]+) \\|").matcher(md);
    assertTrue(row.find(), md);
    assertTrue(NUMBER.matcher(row.group(1).trim()).matches(), "Tributary msg/s: " + row.group(1) + "\n" + md);
    assertTrue(NUMBER.matcher(row.group(2).trim()).matches(), "Mosquitto msg/s: " + row.group(2) + "\n" + md);
    assertTrue(md.contains("| Tributary ("), md);
    assertTrue(md.contains("| Mosquitto | 1/1 |"), md);

    try (Stream<Path> files = Files.list(out)) {
      List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
      assertEquals(3, names.size(), names.toString());
      Path jsonl = out.resolve(names.stream().filter(n -> n.endsWith(".jsonl")).findFirst().orElseThrow());
      List<String> lines = Files.readAllLines(jsonl);
      assertEquals(2, lines.size(), lines.toString());
      assertTrue(lines.get(0).contains("\"broker\":\"tributary\""), lines.get(0));
      assertTrue(lines.get(1).contains("\"broker\":\"mosquitto\""), lines.get(1));
    }
  }
}
