package io.tributary.launcher;

import io.tributary.router.security.AuthFileException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads one auth file ({@code auth.passwordFile}, {@code auth.aclFile}) when it changes on disk
 * (checked every {@link #CHECK_MS}: modification time, size and file identity, so an editor's or
 * {@code passwd}'s replace-by-move counts) and on {@link #reloadNow()} (SIGHUP). Connections stay;
 * new logins and every connection's next decision use the new file. A file that cannot be used
 * keeps the previous one in force and logs why, once per change. Reading runs on a worker, never
 * on an event loop.
 */
final class AuthFileReloader {

  private static final Logger log = LoggerFactory.getLogger(AuthFileReloader.class);
  static final long CHECK_MS = 1_000;

  private final Vertx vertx;
  private final String what;
  private final Path file;
  private final Function<Path, String> load;
  private final Supplier<String> inForce;
  private long timer = -1;
  /** The attributes of the file last looked at (loaded or refused); guarded by this. */
  private Object seen;

  /**
   * {@code load} reads the file and puts it in force, returning a summary for the log, or throws
   * {@link AuthFileException}; {@code inForce} says what stays in force when it does.
   */
  AuthFileReloader(Vertx vertx, String what, Path file, Function<Path, String> load, Supplier<String> inForce) {
    this.vertx = vertx;
    this.what = what;
    this.file = file;
    this.load = load;
    this.inForce = inForce;
    this.seen = stamp();
  }

  void start() {
    timer = vertx.setPeriodic(CHECK_MS, id -> vertx.executeBlocking(() -> {
      try {
        reload(false);
      } catch (AuthFileException e) {
        // logged; the previous file stays in force
      }
      return null;
    }, false));
  }

  void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /**
   * SIGHUP or the admin API: reload now, changed or not (any thread; the reading happens on a
   * worker). Completes with what is in force afterwards, or fails with why the file was refused.
   */
  Future<String> reloadNow() {
    return vertx.executeBlocking(() -> reload(true), false);
  }

  /** What the file in force now holds; throws {@link AuthFileException} when it was refused. */
  private synchronized String reload(boolean asked) {
    Object now = stamp();
    if (!asked && Objects.equals(now, seen)) {
      return null;
    }
    seen = now;
    try {
      String summary = load.apply(file);
      log.info("{} {} reloaded{}: {}", what, file, asked ? " (asked)" : "", summary);
      return summary;
    } catch (AuthFileException e) {
      log.warn("{} not reloaded, {} in force: {}", what, inForce.get(), e.getMessage());
      throw e;
    }
  }

  /** What this reloader watches: "password file", "ACL file". */
  String what() {
    return what;
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
