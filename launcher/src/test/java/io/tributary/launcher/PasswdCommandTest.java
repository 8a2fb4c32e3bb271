package io.tributary.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.router.security.PasswordFile;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code passwd}'s options as the launcher runs them (LauncherIT runs it as a process, with Mosquitto). */
class PasswdCommandTest {

  @TempDir
  Path dir;

  private int passwd(String stdin, String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "passwd";
    System.arraycopy(args, 0, all, 1, args.length);
    return PasswdCommand.run(all, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
        new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream()));
  }

  @Test
  void dashSWritesAScramEntryThatServesBothLogins() throws Exception {
    Path file = dir.resolve("passwords");
    assertEquals(0, passwd("", "-c", "-b", "-s", "-i", "4096", file.toString(), "alice", "s3cret"));
    assertEquals(0, passwd("b0b\n", file.toString(), "bob"));
    String text = Files.readString(file);
    assertTrue(text.contains("alice:$scram-sha-256$4096$"), text);
    assertTrue(text.contains("bob:$7$10000$"), text);
    PasswordFile loaded = PasswordFile.load(file);
    assertTrue(loaded.hashOf("alice").matches("s3cret".getBytes(StandardCharsets.UTF_8)));
    assertNotNull(loaded.hashOf("alice").scramKeys());
    assertNull(loaded.hashOf("bob").scramKeys());
    assertEquals(2, passwd("", "-s", "-D", file.toString()), "usage");
  }
}
