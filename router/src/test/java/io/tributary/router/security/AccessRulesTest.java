package io.tributary.router.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessRulesTest {

  private static final List<String> FILE = List.of(
      "# anonymous clients",
      "topic read public/#",
      "",
      "user alice",
      "topic readwrite alice/#",
      "topic deny alice/secret",
      "topic write inbox/+",
      "topic sensors/#", // access omitted: readwrite
      "pattern readwrite devices/%c/#", // a pattern inside a user section is still for everyone
      "user bob",
      "topic read alice/#",
      "pattern read users/%u/news");

  private static ClientAccess access(List<String> lines, String clientId, String user) {
    return new Authorizer(AccessRules.parse(lines, "acl")).access(clientId, user);
  }

  @Test
  void anonymousClientsGetTheRulesBeforeTheFirstUser() {
    ClientAccess anon = access(FILE, "c1", null);
    assertTrue(anon.mayRead("public/news"));
    assertFalse(anon.mayPublish("public/news"));
    assertFalse(anon.mayRead("alice/x"));
    assertTrue(anon.mayRead("devices/c1/state")); // patterns apply to anonymous clients too
    assertFalse(anon.mayRead("users/null/news")); // %u of a client without a user name matches nothing
  }

  @Test
  void usersGetTheirOwnRulesAndThePatterns() {
    ClientAccess alice = access(FILE, "c2", "alice");
    assertTrue(alice.mayPublish("alice/a/b"));
    assertTrue(alice.mayRead("alice"));
    assertFalse(alice.mayRead("alice/secret"), "deny wins over readwrite");
    assertFalse(alice.mayPublish("alice/secret"));
    assertTrue(alice.mayPublish("inbox/bob"));
    assertFalse(alice.mayRead("inbox/bob"), "write only");
    assertTrue(alice.mayRead("sensors/1") && alice.mayPublish("sensors/1"));
    assertFalse(alice.mayRead("public/news"), "a user does not get the anonymous rules");
    assertTrue(alice.mayPublish("devices/c2/up"));
    assertFalse(alice.mayPublish("devices/c3/up"));
    assertTrue(alice.mayRead("users/alice/news"));
    assertFalse(alice.mayRead("users/bob/news"));

    ClientAccess bob = access(FILE, "c3", "bob");
    assertTrue(bob.mayRead("alice/secret"));
    assertFalse(bob.mayPublish("alice/x"));
    ClientAccess stranger = access(FILE, "c4", "carol");
    assertFalse(stranger.mayRead("alice/x"));
    assertTrue(stranger.mayRead("devices/c4/down"), "a user without a section still gets the patterns");
  }

  @Test
  void identitiesThatWouldWidenAPatternMatchNothing() {
    for (String id : List.of("a/b", "+", "#", "x/#")) {
      ClientAccess c = access(FILE, id, null);
      assertFalse(c.mayPublish("devices/a/b/up"), id);
      assertFalse(c.mayPublish("devices/" + id + "/up"), id);
    }
  }

  @Test
  void placeholdersAreFilledInOnePass() {
    ClientAccess c = access(FILE, "%u", "alice");
    assertTrue(c.mayPublish("devices/%u/up"), "the client id is taken as it is");
    assertFalse(c.mayPublish("devices/alice/up"), "not filled in again with the user name");
  }

  @Test
  void sysIsReadOnlyForEveryone() {
    List<String> lines = List.of("topic readwrite $SYS/#", "topic readwrite #");
    ClientAccess c = access(lines, "c", null);
    assertTrue(c.mayRead("$SYS/broker/uptime"));
    assertFalse(c.mayPublish("$SYS/broker/uptime"));
    assertFalse(c.mayPublish("$SYS"));
    assertTrue(ClientAccess.OPEN.mayPublish("$SYSTEM/x"), "only $SYS itself");
    assertFalse(ClientAccess.OPEN.mayPublish("$SYS/x"), "also without an ACL file");
    assertTrue(ClientAccess.OPEN.mayRead("$SYS/x"));
    assertFalse(access(List.of("topic #"), "c", null).mayRead("$SYS/x"), "'#' does not reach '$' topics");
  }

  @Test
  void subscribeIsRefusedOnlyWhereNothingIsReadable() {
    ClientAccess alice = access(FILE, "c2", "alice");
    assertTrue(alice.maySubscribe("#"), "covers alice/# and more: granted, filtered per topic");
    assertTrue(alice.maySubscribe("alice/+"));
    assertTrue(alice.maySubscribe("+/news"), "alice/news is readable under it");
    assertFalse(alice.maySubscribe("alice/secret"), "denied whole");
    assertFalse(alice.maySubscribe("inbox/#"), "write only");
    assertFalse(alice.maySubscribe("public/#"));
    assertFalse(alice.maySubscribe("$SYS/#"));
    assertTrue(access(FILE, "c1", null).maySubscribe("public/+/x"));
  }

  @Test
  void decisionsFollowAReload() {
    Authorizer authorizer = new Authorizer(AccessRules.parse(List.of("topic read a/#"), "acl"));
    ClientAccess c = authorizer.access("c", null);
    assertTrue(c.mayRead("a/1"));
    assertFalse(c.mayRead("b/1"));
    authorizer.replace(AccessRules.parse(List.of("topic read b/#"), "acl"));
    assertFalse(c.mayRead("a/1"), "a cached decision does not outlive its rules");
    assertTrue(c.mayRead("b/1"));
  }

  @Test
  void theCacheStaysBounded() {
    ClientAccess c = access(List.of("topic read t/#"), "c", null);
    for (int i = 0; i < ClientAccess.CACHE_MAX * 3; i++) {
      assertTrue(c.mayRead("t/" + i));
      assertFalse(c.mayRead("u/" + i));
    }
  }

  @Test
  void badLinesAreNamed(@TempDir Path dir) throws Exception {
    assertEquals("acl line 2: unknown keyword 'topics' (expected user, topic or pattern)",
        assertThrows(AuthFileException.class, () -> AccessRules.parse(List.of("topic a", "topics b"), "acl"))
            .getMessage());
    assertEquals("acl line 1: 'a/#/b' is not a valid topic filter",
        assertThrows(AuthFileException.class, () -> AccessRules.parse(List.of("topic read a/#/b"), "acl"))
            .getMessage());
    assertEquals("acl line 1: 'user' needs a user name",
        assertThrows(AuthFileException.class, () -> AccessRules.parse(List.of("user"), "acl")).getMessage());
    assertEquals("acl line 1: 'deny' needs a topic filter after it",
        assertThrows(AuthFileException.class, () -> AccessRules.parse(List.of("pattern deny"), "acl")).getMessage());
    Path missing = dir.resolve("none.acl");
    assertTrue(assertThrows(AuthFileException.class, () -> AccessRules.load(missing)).getMessage()
        .startsWith(missing + ": cannot be read"));
    Path file = dir.resolve("ok.acl");
    Files.write(file, FILE);
    AccessRules rules = AccessRules.load(file);
    assertEquals(8, rules.ruleCount());
    assertEquals(2, rules.userCount());
  }

  @Test
  void withoutRulesEveryoneGetsTheOpenAccess() {
    assertSame(ClientAccess.OPEN, Authorizer.OPEN.access("c", "u"));
    assertTrue(ClientAccess.OPEN.isOpen());
    assertThrows(IllegalStateException.class, () -> Authorizer.OPEN.replace(AccessRules.parse(List.of(), "acl")));
  }
}
