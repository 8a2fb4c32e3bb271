package io.tributary.launcher;

import io.tributary.commitlog.LogInspector;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * {@code java -jar tributary.jar log inspect DIR [--records]}: prints a log directory's segments,
 * offsets and time range and checks every record's CRC, without changing anything (safe while a
 * broker runs on the directory).
 */
final class LogCommand {

  static final String USAGE = "Usage: java -jar tributary.jar log inspect DIR [--records]";

  private LogCommand() {
  }

  /** True when the arguments are this command. */
  static boolean asked(String[] args) {
    return args.length > 0 && args[0].equals("log");
  }

  /** Runs it; returns the exit status: 0 all valid, 1 damage found, 2 usage or I/O error. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length < 3 || !args[1].equals("inspect") || args.length > 4
        || (args.length == 4 && !args[3].equals("--records"))) {
      err.println(USAGE);
      return 2;
    }
    try {
      int damaged = new LogInspector(out, args.length == 4).inspect(Path.of(args[2]));
      return damaged == 0 ? 0 : 1;
    } catch (IOException e) {
      err.println("log inspect: " + e.getMessage());
      return 2;
    }
  }
}
