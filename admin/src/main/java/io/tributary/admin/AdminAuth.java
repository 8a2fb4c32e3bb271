package io.tributary.admin;

import io.tributary.router.security.Authenticator;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may use the admin API: a bearer token from the config, or HTTP Basic as a user of the
 * password file with the admin role (checked off the event loop: it hashes). With no credential
 * configured, loopback peers only. Refusals are JSON: 401 with a challenge, 403 for a peer that
 * may not come in at all.
 */
final class AdminAuth implements Handler<RoutingContext> {

  private static final Logger log = LoggerFactory.getLogger(AdminAuth.class);

  private final Vertx vertx;
  private final AdminOptions options;

  AdminAuth(Vertx vertx, AdminOptions options) {
    this.vertx = vertx;
    this.options = options;
  }

  @Override
  public void handle(RoutingContext rc) {
    String peer = rc.request().remoteAddress() == null ? null : rc.request().remoteAddress().hostAddress();
    if (!options.isAuthConfigured()) {
      if (Authenticator.isLoopback(peer)) {
        rc.next();
      } else {
        Json.error(rc, 403, "the admin API without credentials (admin.users, admin.tokens) answers loopback addresses only");
      }
      return;
    }
    String header = rc.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      if (tokenMatches(header.substring(7).trim())) {
        rc.next();
      } else {
        refuse(rc, peer, "unknown bearer token");
      }
      return;
    }
    if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6) && options.getPasswords() != null) {
      String user;
      byte[] password;
      try {
        String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        int colon = decoded.indexOf(':');
        if (colon < 0) {
          refuse(rc, peer, "malformed Basic credentials");
          return;
        }
        user = decoded.substring(0, colon);
        password = decoded.substring(colon + 1).getBytes(StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        refuse(rc, peer, "malformed Basic credentials");
        return;
      }
      if (!options.getUsers().contains(user)) {
        refuse(rc, peer, "user without the admin role");
        return;
      }
      Authenticator.Login login = new Authenticator.Login(null, user, password, Authenticator.isLoopback(peer));
      vertx.executeBlocking(() -> options.getPasswords().decide(login)).onComplete(ar -> {
        if (ar.succeeded() && ar.result() == Authenticator.Decision.ALLOW) {
          rc.next();
        } else {
          refuse(rc, peer, "wrong user name or password");
        }
      });
      return;
    }
    refuse(rc, peer, "no credentials");
  }

  private boolean tokenMatches(String offered) {
    byte[] given = offered.getBytes(StandardCharsets.UTF_8);
    boolean match = false;
    for (String token : options.getTokens()) {
      // Constant time per token: how long a refusal takes says nothing about how close it was.
      match |= MessageDigest.isEqual(given, token.getBytes(StandardCharsets.UTF_8));
    }
    return match;
  }

  private void refuse(RoutingContext rc, String peer, String why) {
    log.info("admin API: {} {} from {} refused: {}", rc.request().method(), rc.request().path(), peer, why);
    rc.response().putHeader("WWW-Authenticate", "Basic realm=\"tributary\", charset=\"UTF-8\"");
    Json.error(rc, 401, "authentication required: " + why);
  }
}
