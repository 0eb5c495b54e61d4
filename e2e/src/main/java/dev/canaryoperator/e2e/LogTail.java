package dev.canaryoperator.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The last lines of a child process' log, for error messages that say why it died. */
record LogTail(Path log, int lines) {

  static String of(Path log) {
    return new LogTail(log, 30).read();
  }

  String read() {
    try {
      List<String> all = Files.exists(log) ? Files.readAllLines(log) : List.of();
      return "\n" + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }
}
