package io.tributary.launcher;

import io.tributary.router.security.PasswordFile;
import io.tributary.router.security.AuthFileException;
import io.tributary.router.security.PasswordHash;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code java -jar tributary.jar passwd [-c | -D] [-b] [-s] [-i N] FILE USER [PASSWORD]}: adds,
 * changes or deletes a user of a password file, like {@code mosquitto_passwd}, in the same format
 * (Mosquitto reads these files and this reads Mosquitto's). The password is asked twice on the
 * terminal, or read as one line from standard input when there is none; {@code -b} takes it from
 * the command line (visible to other users of the machine: for scripts and tests). {@code -s}
 * writes a SCRAM-SHA-256 entry instead, for users who log in with MQTT 5 enhanced authentication
 * too (Mosquitto does not read such entries).
 */
final class PasswdCommand {

  static final String USAGE = "Usage: java -jar tributary.jar passwd [-c | -D] [-b] [-s] [-i ITERATIONS] FILE USER [PASSWORD]";

  private PasswdCommand() {
  }

  static boolean asked(String[] args) {
    return args.length > 0 && args[0].equals("passwd");
  }

  /** Runs it; 0 done, 1 the file or the password could not be used, 2 usage. */
  static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
    boolean create = false;
    boolean delete = false;
    boolean batch = false;
    boolean scram = false;
    int iterations = PasswordHash.DEFAULT_ITERATIONS;
    List<String> rest = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      switch (args[i]) {
        case "-c" -> create = true;
        case "-D" -> delete = true;
        case "-b" -> batch = true;
        case "-s" -> scram = true;
        case "-i" -> {
          try {
            iterations = Integer.parseInt(i + 1 < args.length ? args[++i] : "");
          } catch (NumberFormatException e) {
            iterations = 0;
          }
        }
        default -> rest.add(args[i]);
      }
    }
    if ((create && delete) || iterations < 1 || rest.size() != (batch ? 3 : 2) || (delete && batch)) {
      err.println(USAGE);
      return 2;
    }
    Path file = Path.of(rest.get(0));
    String user = rest.get(1);
    try {
      PasswordFile passwords = create || !Files.exists(file) ? PasswordFile.empty() : PasswordFile.load(file);
      if (delete) {
        if (!passwords.remove(user)) {
          err.println("passwd: " + file + " has no user '" + user + "'");
          return 1;
        }
      } else {
        byte[] password = batch ? rest.get(2).getBytes(StandardCharsets.UTF_8) : readPassword(in, out);
        if (password == null) {
          err.println("passwd: the passwords do not match, or none was given; nothing changed");
          return 1;
        }
        passwords.put(user, scram ? PasswordHash.createScram(password, iterations)
            : PasswordHash.create(password, iterations));
        Arrays.fill(password, (byte) 0);
      }
      passwords.save(file);
      return 0;
    } catch (AuthFileException | IllegalArgumentException | IOException e) {
      err.println("passwd: " + e.getMessage());
      return 1;
    }
  }

  /** Twice on the terminal, or one line of standard input; null if empty or the two differ. */
  private static byte[] readPassword(InputStream in, PrintStream out) throws IOException {
    Console console = System.console();
    String password;
    if (console != null) {
      char[] first = console.readPassword("Password: ");
      char[] second = console.readPassword("Reenter password: ");
      if (first == null || second == null || !Arrays.equals(first, second)) {
        return null;
      }
      password = new String(first);
    } else {
      password = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
    }
    return password == null || password.isEmpty() ? null : password.getBytes(StandardCharsets.UTF_8);
  }
}
