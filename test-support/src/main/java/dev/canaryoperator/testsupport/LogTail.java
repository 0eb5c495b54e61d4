package dev.canaryoperator.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The last lines of a child process' log, for error messages that say why it died. */
public record LogTail(Path log, int lines) {

  public static String of(Path log) {
    return new LogTail(log, 30).read();
  }

  public String read() {
    try {
      List<String> all = Files.exists(log) ? Files.readAllLines(log) : List.of();
      return "\n" + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }
}
