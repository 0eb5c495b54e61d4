package dev.canaryoperator.testsupport;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * One of the repository's bash scripts that find or build a binary: they print its path on stdout
 * and log to stderr, which is passed through so a failed install explains itself in the build log.
 */
public record RepoScript(Path file) {

  /** Runs the script to completion; its stdout, trimmed. */
  public String run() throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder("bash", file.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            // an install must never wait for an answer nobody will type
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    int exit = process.waitFor();
    if (exit != 0) {
      throw new IOException(file + " failed (exit " + exit + "); see its output above");
    }
    return out;
  }

  /** The last line of {@link #run()}: the path the script found or built. */
  public Path printedPath() throws IOException, InterruptedException {
    String out = run();
    if (out.isEmpty()) {
      throw new IOException(file + " printed no path; see its output above");
    }
    return Path.of(out.lines().reduce((first, second) -> second).orElseThrow());
  }
}
