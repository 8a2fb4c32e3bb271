package io.tributary.router.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.tributary.router.security.Authenticator.Decision;
import io.tributary.router.security.Authenticator.Login;
import io.tributary.router.security.PasswordAuthenticator.Anonymous;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PasswordAuthenticatorTest {

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static PasswordFile alice() {
    PasswordFile f = PasswordFile.empty();
    f.put("alice", PasswordHash.create(utf8("secret"), 1000));
    return f;
  }

  @Test
  void usersNeedTheirPasswordAndRefusalsDoNotTellUnknownUsersApart() {
    PasswordAuthenticator auth = new PasswordAuthenticator(alice(), Anonymous.DENY);
    Login right = new Login("c", "alice", utf8("secret"), true);
    assertNull(auth.quick(right), "a first login needs the hash: off the event loop");
    assertEquals(Decision.ALLOW, auth.decide(right));
    assertEquals(Decision.ALLOW, auth.quick(right), "then it is cached");
    assertEquals(Decision.BAD_CREDENTIALS, auth.decide(new Login("c", "alice", utf8("Secret"), true)));
    assertNull(auth.quick(new Login("c", "alice", utf8("Secret"), true)), "failures are not cached");
    assertEquals(Decision.BAD_CREDENTIALS, auth.decide(new Login("c", "mallory", utf8("secret"), true)));
    assertEquals(Decision.BAD_CREDENTIALS, auth.quick(new Login("c", "alice", null, true)));
    assertEquals(Decision.NOT_AUTHORIZED, auth.quick(new Login("c", null, null, true)), "anonymous: denied");
  }

  @Test
  void aReplacedFileForgetsWhatTheOldOneVerified() {
    PasswordAuthenticator auth = new PasswordAuthenticator(alice(), Anonymous.DENY);
    Login alice = new Login("c", "alice", utf8("secret"), true);
    assertEquals(Decision.ALLOW, auth.decide(alice));
    PasswordFile changed = PasswordFile.empty();
    changed.put("alice", PasswordHash.create(utf8("new"), 1000));
    auth.replace(changed);
    assertEquals(1, auth.users());
    assertNull(auth.quick(alice), "the cached old password is forgotten");
    assertEquals(Decision.BAD_CREDENTIALS, auth.decide(alice));
    assertEquals(Decision.ALLOW, auth.decide(new Login("c", "alice", utf8("new"), true)));
  }

  @Test
  void theAnonymousPolicy() {
    Login local = new Login("c", null, null, true);
    Login remote = new Login("c", null, null, false);
    PasswordAuthenticator loopback = new PasswordAuthenticator(null, Anonymous.LOOPBACK);
    assertEquals(Decision.ALLOW, loopback.quick(local));
    assertEquals(Decision.NOT_AUTHORIZED, loopback.quick(remote));
    // Without a password file a user name is not checked: the client counts as anonymous.
    assertEquals(Decision.NOT_AUTHORIZED, loopback.quick(new Login("c", "bob", utf8("x"), false)));
    assertEquals(Decision.ALLOW, new PasswordAuthenticator(null, Anonymous.ALLOW).quick(remote));
    PasswordAuthenticator withFile = new PasswordAuthenticator(alice(), Anonymous.LOOPBACK);
    assertEquals(Decision.ALLOW, withFile.quick(local));
    assertEquals(Decision.NOT_AUTHORIZED, withFile.quick(remote));
  }
}
