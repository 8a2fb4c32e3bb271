package io.tributary.router.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Password hashes and files in Mosquitto 2.0's format, checked against Debian's mosquitto_passwd. */
class PasswordHashTest {

  static final Path MOSQUITTO_PASSWD = Path.of("/usr/bin/mosquitto_passwd");

  @TempDir
  Path dir;

  @BeforeEach
  void requireMosquittoPasswd() {
    assertTrue(Files.isExecutable(MOSQUITTO_PASSWD),
        "mosquitto_passwd must be installed (apt-get install -y mosquitto; .ci/run does it)");
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Runs mosquitto_passwd -b with the extra arguments; returns the file's lines. */
  private List<String> mosquittoPasswd(Path file, String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of(MOSQUITTO_PASSWD.toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    return Files.readAllLines(file);
  }

  @Test
  void filesMadeByMosquittoPasswdAreRead() throws Exception {
    Path file = dir.resolve("mosquitto.pw");
    mosquittoPasswd(file, "-c", "-b", file.toString(), "alice", "secret");
    mosquittoPasswd(file, "-b", file.toString(), "bob", "pa:ss wörd");
    mosquittoPasswd(file, "-H", "sha512", "-b", file.toString(), "carol", "c0rrect");
    PasswordFile passwords = PasswordFile.load(file);
    assertEquals(List.of("alice", "bob", "carol"), List.copyOf(passwords.users().keySet()));
    assertEquals(101, passwords.hashOf("alice").iterations(), "Mosquitto 2.0's default");
    assertTrue(passwords.hashOf("alice").matches(utf8("secret")));
    assertFalse(passwords.hashOf("alice").matches(utf8("Secret")));
    assertTrue(passwords.hashOf("bob").matches(utf8("pa:ss wörd")));
    assertFalse(passwords.hashOf("bob").matches(utf8("pa:ss word")));
    assertTrue(passwords.hashOf("carol").encoded().startsWith("$6$"));
    assertTrue(passwords.hashOf("carol").matches(utf8("c0rrect")));
    assertFalse(passwords.hashOf("carol").matches(utf8("c0rrect ")));
    assertNull(passwords.hashOf("dave"));
  }

  @Test
  void createdHashesRoundTripAndOnlyTheirPasswordMatches() {
    PasswordHash h = PasswordHash.create(utf8("s3cret-ü"), 1000);
    PasswordHash parsed = PasswordHash.parse(h.encoded());
    assertEquals(h.encoded(), parsed.encoded());
    assertEquals(1000, parsed.iterations());
    assertTrue(parsed.matches(utf8("s3cret-ü")));
    assertFalse(parsed.matches(utf8("s3cret-u")));
    assertFalse(parsed.matches(new byte[] {(byte) 0xC3}), "bytes that are not UTF-8 match nothing");
    assertFalse(parsed.matches(new byte[0]));
    assertTrue(!h.encoded().equals(PasswordHash.create(utf8("s3cret-ü"), 1000).encoded()), "a new salt each time");
  }

  @Test
  void aFileWrittenHereIsReadAgainAndOwnerOnly() throws Exception {
    Path file = dir.resolve("tributary.pw");
    PasswordFile passwords = PasswordFile.empty();
    passwords.put("alice", PasswordHash.create(utf8("one"), 10));
    passwords.put("bob", PasswordHash.create(utf8("two"), 10));
    passwords.save(file);
    assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    PasswordFile again = PasswordFile.load(file);
    assertTrue(again.hashOf("alice").matches(utf8("one")));
    assertTrue(again.hashOf("bob").matches(utf8("two")));
    assertTrue(again.remove("alice"));
    again.save(file);
    assertEquals(1, Files.readAllLines(file).size());
    assertThrows(IllegalArgumentException.class, () -> again.put("a:b", PasswordHash.create(utf8("x"), 1)));
  }

  @Test
  void aBrokenLineNamesFileAndLine() throws Exception {
    Path file = dir.resolve("broken.pw");
    String good = PasswordHash.create(utf8("x"), 1).encoded();
    String[][] cases = {
        {"# users\n\nalice:" + good + "\nbob\n", "line 4: expected user:hash"},
        {"alice:" + good + "\nalice:" + good + "\n", "line 2: user 'alice' appears twice"},
        {"alice:$5$abc$def\n", "line 1 (user 'alice'): unknown hash type $5$"},
        {"alice:$7$many$c2FsdA==$aGFzaA==\n", "line 1 (user 'alice'): iterations are not a number"},
        {"alice:$7$101$!!!$aGFzaA==\n", "line 1 (user 'alice'): salt or hash is not base64"},
        {"alice:plaintext\n", "line 1 (user 'alice'): not a $6$ or $7$ password hash"},
    };
    for (String[] c : cases) {
      Files.writeString(file, c[0]);
      String msg = assertThrows(AuthFileException.class, () -> PasswordFile.load(file)).getMessage();
      assertTrue(msg.startsWith(file.toString()) && msg.contains(c[1]), msg);
    }
    String missing = assertThrows(AuthFileException.class, () -> PasswordFile.load(dir.resolve("none.pw")))
        .getMessage();
    assertTrue(missing.contains("none.pw") && missing.contains("cannot be read"), missing);
  }
}
