package io.tributary.admin;

import io.tributary.router.security.Authenticator;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Options of the admin listener: where it binds (TLS through {@link #setServerOptions}), and who
 * may use the API: users of the broker's password file given the admin role, or holders of a
 * bearer token. With neither, the API answers loopback peers only.
 */
public final class AdminOptions {

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8081;
  /** Seconds an idle HTTP connection to the admin listener stays open. */
  public static final int DEFAULT_IDLE_TIMEOUT_SECONDS = 30;

  private HttpServerOptions serverOptions = new HttpServerOptions().setHost(DEFAULT_HOST).setPort(DEFAULT_PORT)
      .setIdleTimeout(DEFAULT_IDLE_TIMEOUT_SECONDS).setHttp2ClearTextEnabled(false);
  private String name = "admin";
  private final Set<String> users = new LinkedHashSet<>();
  private final List<String> tokens = new ArrayList<>();
  private Authenticator passwords;

  public AdminOptions() {
  }

  public AdminOptions(AdminOptions other) {
    this.serverOptions = new HttpServerOptions(other.serverOptions);
    this.name = other.name;
    this.users.addAll(other.users);
    this.tokens.addAll(other.tokens);
    this.passwords = other.passwords;
  }

  /** {@code host}, {@code port}, {@code users} and {@code tokens} (the password check is code: set it). */
  public AdminOptions(JsonObject json) {
    this();
    if (json.containsKey("host")) serverOptions.setHost(json.getString("host"));
    if (json.containsKey("port")) serverOptions.setPort(json.getInteger("port"));
    if (json.containsKey("name")) setName(json.getString("name"));
    JsonArray u = json.getJsonArray("users");
    if (u != null) u.forEach(v -> users.add((String) v));
    JsonArray t = json.getJsonArray("tokens");
    if (t != null) t.forEach(v -> tokens.add((String) v));
  }

  public HttpServerOptions getServerOptions() {
    return serverOptions;
  }

  /**
   * Host, port and TLS of the HTTP server; copied. HTTP/2 over clear text (h2c upgrade) is turned
   * off: scrapers and curl speak HTTP/1.1, and the JDK's HttpClient, which asks for the upgrade by
   * default, now and then saw the upgraded connection end with EOF.
   */
  public AdminOptions setServerOptions(HttpServerOptions serverOptions) {
    this.serverOptions = new HttpServerOptions(serverOptions).setHttp2ClearTextEnabled(false);
    return this;
  }

  public String getName() {
    return name;
  }

  /** The listener's name, in log lines. */
  public AdminOptions setName(String name) {
    this.name = Objects.requireNonNull(name, "name");
    return this;
  }

  public Set<String> getUsers() {
    return users;
  }

  /** Users of the password file with the admin role: they log in with HTTP Basic. */
  public AdminOptions setUsers(Set<String> users) {
    this.users.clear();
    this.users.addAll(users);
    return this;
  }

  public List<String> getTokens() {
    return tokens;
  }

  /** Bearer tokens that open the API ({@code Authorization: Bearer <token>}). */
  public AdminOptions setTokens(List<String> tokens) {
    this.tokens.clear();
    this.tokens.addAll(tokens);
    return this;
  }

  public Authenticator getPasswords() {
    return passwords;
  }

  /** Checks the admin users' passwords (the broker's password file). */
  public AdminOptions setPasswords(Authenticator passwords) {
    this.passwords = passwords;
    return this;
  }

  /** Whether any credential is configured; without one the API is for loopback peers only. */
  public boolean isAuthConfigured() {
    return !tokens.isEmpty() || (!users.isEmpty() && passwords != null);
  }
}
