package io.tributary.router.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A password file in Mosquitto's format: one {@code user:hash} per line ({@link PasswordHash}),
 * blank lines and lines starting with {@code #} ignored. Read whole; a line that cannot be used
 * fails the load naming file and line, so a broken file is never half applied. Written whole to a
 * temporary file (owner read/write only) and moved over the old one, so a reader never sees half a
 * file.
 */
public final class PasswordFile {

  private final Map<String, PasswordHash> users;

  private PasswordFile(Map<String, PasswordHash> users) {
    this.users = users;
  }

  public static PasswordFile empty() {
    return new PasswordFile(new LinkedHashMap<>());
  }

  /** Reads file; throws {@link AuthFileException} naming the file and line of any problem. */
  public static PasswordFile load(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new AuthFileException(file + ": cannot be read: " + e);
    }
    Map<String, PasswordHash> users = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int colon = line.indexOf(':');
      String where = file + " line " + (i + 1);
      if (colon <= 0) {
        throw new AuthFileException(where + ": expected user:hash");
      }
      String user = line.substring(0, colon);
      try {
        if (users.put(user, PasswordHash.parse(line.substring(colon + 1))) != null) {
          throw new AuthFileException(where + ": user '" + user + "' appears twice");
        }
      } catch (IllegalArgumentException e) {
        throw new AuthFileException(where + " (user '" + user + "'): " + e.getMessage());
      }
    }
    return new PasswordFile(users);
  }

  /** The user's hash, or null for a user the file does not have. */
  public PasswordHash hashOf(String user) {
    return users.get(user);
  }

  public Map<String, PasswordHash> users() {
    return Collections.unmodifiableMap(users);
  }

  /** Adds or replaces a user. */
  public void put(String user, PasswordHash hash) {
    if (user.isEmpty() || user.indexOf(':') >= 0 || user.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("a user name must be non-empty, without ':' or line breaks");
    }
    users.put(user, hash);
  }

  /** Removes a user; false if there was none. */
  public boolean remove(String user) {
    return users.remove(user) != null;
  }

  /** Writes every user to file, replacing it in one move. */
  public void save(Path file) throws IOException {
    List<String> lines = new ArrayList<>();
    users.forEach((user, hash) -> lines.add(user + ":" + hash.encoded()));
    Path dir = file.toAbsolutePath().getParent();
    Path tmp = dir.resolve("." + file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    try {
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException | FileAlreadyExistsException e) {
      Files.createFile(tmp);
    }
    Files.write(tmp, lines, StandardCharsets.UTF_8);
    try {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
