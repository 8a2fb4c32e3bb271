package io.tributary.router.security;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class ScramServerTest {

  private static final byte[] SECRET = "decoy secret".getBytes(StandardCharsets.UTF_8);

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The keys RFC 7677's example user "user" (password "pencil") has: salt and 4096 iterations. */
  private static PasswordHash.ScramKeys pencil() {
    byte[] salt = Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ==");
    byte[] salted = Scram.saltedPassword("pencil".toCharArray(), salt, 4096);
    return new PasswordHash.ScramKeys(4096, salt, Scram.storedKey(salted), Scram.serverKey(salted));
  }

  /** RFC 7677 section 3, message for message. */
  @Test
  void rfc7677Example() throws Exception {
    ScramServer s = new ScramServer(u -> u.equals("user") ? pencil() : null, SECRET, "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0");
    assertEquals("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
        new String(s.first(b("n,,n=user,r=rOprNGfwEbeRWgbNEkqO")), StandardCharsets.UTF_8));
    assertEquals("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", new String(s.last(b(
        "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")),
        StandardCharsets.UTF_8));
    assertEquals("user", s.username());
  }

  @Test
  void aWrongProofIsBadCredentials() throws Exception {
    ScramServer s = new ScramServer(u -> pencil(), SECRET, "SNONCE");
    s.first(b("n,,n=user,r=CNONCE"));
    ScramServer.ScramException e = assertThrows(ScramServer.ScramException.class, () -> s.last(b(
        "c=biws,r=CNONCESNONCE,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")));
    assertTrue(e.badCredentials());
  }

  @Test
  void anUnknownUserLooksLikeAKnownOneUntilTheProof() throws Exception {
    ScramServer a = new ScramServer(u -> null, SECRET, "S");
    String first = new String(a.first(b("n,,n=nobody,r=C")), StandardCharsets.UTF_8);
    assertTrue(first.matches("r=CS,s=[A-Za-z0-9+/=]{16},i=" + PasswordHash.DEFAULT_ITERATIONS), first);
    ScramServer again = new ScramServer(u -> null, SECRET, "S");
    assertEquals(first, new String(again.first(b("n,,n=nobody,r=C")), StandardCharsets.UTF_8), "the same each time");
    assertTrue(assertThrows(ScramServer.ScramException.class,
        () -> a.last(b("c=biws,r=CS,p=" + Base64.getEncoder().encodeToString(new byte[32])))).badCredentials());
  }

  @Test
  void protocolBreachesAreNotBadCredentials() throws Exception {
    for (String bad : new String[] {"p=tls-unique,,n=user,r=x", "n=user,r=x", "n,,r=x", "n,,n=us=er,r=x",
        "n,,n=user,r=x,m=ext"}) {
      ScramServer s = new ScramServer(u -> pencil(), SECRET, "S");
      assertFalse(assertThrows(ScramServer.ScramException.class, () -> s.first(b(bad)), bad).badCredentials());
    }
    ScramServer s = new ScramServer(u -> pencil(), SECRET, "S");
    s.first(b("n,,n=user,r=C"));
    assertFalse(assertThrows(ScramServer.ScramException.class,
        () -> s.last(b("c=biws,r=OTHER,p=AAAA"))).badCredentials(), "another nonce");
  }

  @Test
  void aScramEntryServesPlainLoginsTooAndRoundTripsThroughTheFileForm() {
    PasswordHash h = PasswordHash.createScram(b("s3cret"), 4096);
    assertTrue(h.matches(b("s3cret")));
    assertFalse(h.matches(b("nope")));
    PasswordHash parsed = PasswordHash.parse(h.encoded());
    assertTrue(parsed.encoded().startsWith("$scram-sha-256$4096$"));
    assertTrue(parsed.matches(b("s3cret")));
    assertArrayEquals(h.scramKeys().storedKey(), parsed.scramKeys().storedKey());
    assertEquals(null, PasswordHash.create(b("x"), 10).scramKeys(), "a $7$ entry cannot serve SCRAM");
  }
}
