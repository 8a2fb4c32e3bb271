package io.tributary.bench.suite;

import io.tributary.bench.load.Scenario;
import io.tributary.router.security.PasswordFile;
import io.tributary.router.security.PasswordHash;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * The password files of a storm with logins, each broker's made by its own tool at its own default
 * strength: Tributary's {@code PasswordHash} (PBKDF2-HMAC-SHA512, 10,000 iterations, what
 * {@code tributary passwd} writes), Mosquitto's {@code mosquitto_passwd -U} (101 iterations). Made
 * once per user count and reused by every run of the suite (making 1,000 Tributary users takes
 * seconds).
 */
final class BenchPasswords {

  private static final Map<String, Path> MADE = new ConcurrentHashMap<>();

  private BenchPasswords() {
  }

  static Path tributary(int users) throws IOException {
    return made("tributary-" + users, () -> {
      PasswordFile file = PasswordFile.empty();
      List<PasswordHash> hashes = IntStream.range(0, users).parallel()
          .mapToObj(i -> PasswordHash.create(Scenario.password(i).getBytes(StandardCharsets.UTF_8),
              PasswordHash.DEFAULT_ITERATIONS))
          .toList();
      for (int i = 0; i < users; i++) {
        file.put(Scenario.user(i), hashes.get(i));
      }
      Path path = Files.createTempFile("bench-tributary-", ".passwords");
      file.save(path);
      return path;
    });
  }

  /** mosquitto_passwd is looked for beside the mosquitto binary, then in /usr/bin. */
  static Path mosquitto(int users, Path mosquittoBinary) throws IOException {
    return made("mosquitto-" + users, () -> {
      Path path = Files.createTempFile("bench-mosquitto-", ".passwords");
      List<String> lines = new ArrayList<>(users);
      for (int i = 0; i < users; i++) {
        lines.add(Scenario.user(i) + ":" + Scenario.password(i));
      }
      Files.write(path, lines, StandardCharsets.UTF_8);
      Path tool = mosquittoBinary.resolveSibling("mosquitto_passwd");
      if (!Files.isExecutable(tool)) {
        tool = Path.of("/usr/bin/mosquitto_passwd");
      }
      Process p = new ProcessBuilder(tool.toString(), "-U", path.toString()).redirectErrorStream(true).start();
      try {
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
          throw new IOException(tool + " -U failed: " + new String(p.getInputStream().readAllBytes(),
              StandardCharsets.UTF_8));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted making " + path, e);
      }
      // Mosquitto drops root for its own user, which must still read the file.
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-r--r--"));
      return path;
    });
  }

  private interface Maker {
    Path make() throws IOException;
  }

  private static synchronized Path made(String key, Maker maker) throws IOException {
    Path path = MADE.get(key);
    if (path == null) {
      path = maker.make();
      path.toFile().deleteOnExit();
      MADE.put(key, path);
    }
    return path;
  }
}
