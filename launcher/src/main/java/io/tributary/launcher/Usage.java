package io.tributary.launcher;

import java.io.PrintStream;
import java.util.List;

/**
 * {@code java -jar tributary.jar --help}: Tributary's own options. The Vert.x launcher's generic
 * usage would list cluster and worker flags that do not apply to the broker.
 */
final class Usage {

  private static final List<String> FLAGS = List.of("-h", "-help", "--help");

  static final String TEXT = """
      Usage: java -jar tributary.jar [-conf FILE] [-instances N] [-options FILE|JSON]
             java -jar tributary.jar log inspect DIR [--records]
             java -jar tributary.jar passwd [-c | -D] [-b] [-s] [-i ITERATIONS] FILE USER [PASSWORD]

      Starts the Tributary message broker: MQTT 3.1.1 and 5.0 over TCP, TLS and WebSocket, the
      web console, and devices over raw TCP, every publish stored once in a shared commit log.

        -conf FILE          the broker configuration (JSON, see conf/broker.json). Without it:
                            MQTT on 1883, MQTT over WebSocket and the console on 8083, raw-TCP
                            devices on 7070, on all interfaces.
        -instances N        event loops (default: the config's "instances", else one per core)
        -options FILE|JSON  Vert.x options, as a JSON file or string
        -h, --help          this text

        log inspect DIR     prints the commit log's segments, offsets and time range in DIR
                            (the config's log.dir, default data) and checks every record's CRC;
                            --records prints one line per record. Exit status 1 on damage.

        passwd FILE USER    adds or changes USER in the password file FILE (Mosquitto's format:
                            files from mosquitto_passwd work, and Mosquitto reads these); the
                            password is asked twice, or read from standard input. -c creates
                            FILE anew, -D deletes USER, -b takes the password from the command
                            line, -i sets the PBKDF2 iterations (default 10000), -s writes a
                            SCRAM-SHA-256 entry (MQTT 5 enhanced authentication; Mosquitto
                            cannot read it).

      Logs go to standard output (-Dlogback.configurationFile=FILE for your own logback
      configuration). SIGTERM or Ctrl-C stops the broker and exits 0: connections close (MQTT 5
      clients get DISCONNECT 0x8B), then listeners. The configuration keys are in README.md.
      """;

  private Usage() {}

  /** True when the arguments ask for help. */
  static boolean asked(String[] args) {
    for (String a : args) {
      if (FLAGS.contains(a)) {
        return true;
      }
    }
    return false;
  }

  static void print(PrintStream out) {
    out.print(TEXT);
    out.flush();
  }
}
