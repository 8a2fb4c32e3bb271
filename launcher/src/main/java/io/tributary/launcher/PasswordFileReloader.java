package io.tributary.launcher;

import io.tributary.router.security.PasswordAuthenticator;
import io.tributary.router.security.PasswordFile;
import io.tributary.router.security.PasswordFileException;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads {@code auth.passwordFile} when it changes on disk (checked every {@link #CHECK_MS}:
 * modification time, size and file identity, so an editor's or {@code passwd}'s replace-by-move
 * counts) and on {@link #reloadNow()} (SIGHUP). Connections stay; new logins use the new file. A
 * file that cannot be used keeps the previous users in force and logs why, once per change.
 * Reading runs on a worker, never on an event loop.
 */
final class PasswordFileReloader {

  private static final Logger log = LoggerFactory.getLogger(PasswordFileReloader.class);
  static final long CHECK_MS = 1_000;

  private final Vertx vertx;
  private final Path file;
  private final PasswordAuthenticator authenticator;
  private long timer = -1;
  /** The attributes of the file last looked at (loaded or refused); guarded by this. */
  private Object seen;

  PasswordFileReloader(Vertx vertx, Path file, PasswordAuthenticator authenticator) {
    this.vertx = vertx;
    this.file = file;
    this.authenticator = authenticator;
    this.seen = stamp();
  }

  void start() {
    timer = vertx.setPeriodic(CHECK_MS, id -> vertx.executeBlocking(() -> {
      reload(false);
      return null;
    }, false));
  }

  void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /** SIGHUP: reload now, changed or not (any thread; the reading happens on a worker). */
  void reloadNow() {
    vertx.executeBlocking(() -> {
      reload(true);
      return null;
    }, false);
  }

  private synchronized void reload(boolean asked) {
    Object now = stamp();
    if (!asked && Objects.equals(now, seen)) {
      return;
    }
    seen = now;
    try {
      PasswordFile reloaded = PasswordFile.load(file);
      authenticator.replace(reloaded);
      log.info("password file {} reloaded{}: {} user(s)", file, asked ? " (SIGHUP)" : "", reloaded.users().size());
    } catch (PasswordFileException e) {
      log.warn("password file not reloaded, the previous {} user(s) stay in force: {}", authenticator.users(),
          e.getMessage());
    }
  }

  /** What tells one version of the file from another; null when it cannot be read. */
  private Object stamp() {
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      return java.util.List.of(a.lastModifiedTime(), a.size(), String.valueOf(a.fileKey()));
    } catch (IOException e) {
      return null;
    }
  }
}
