package dev.canaryoperator.e2e;

import java.io.PrintStream;
import java.util.List;

/**
 * Shows a block of lines that changes every second. On a terminal the block is redrawn in place
 * with plain ANSI escapes; otherwise (a pipe, a CI log) each change is printed as one new line.
 */
final class Terminal {
  private final PrintStream out;
  private final boolean interactive;
  private List<String> shown = List.of();

  Terminal(PrintStream out, boolean interactive) {
    this.out = out;
    this.interactive = interactive;
  }

  static Terminal system() {
    return new Terminal(
        System.out, System.console() != null && !"dumb".equals(System.getenv("TERM")));
  }

  /** Replaces the block shown last with {@code lines}. */
  synchronized void show(List<String> lines) {
    if (interactive) {
      StringBuilder sb = new StringBuilder();
      if (!shown.isEmpty()) {
        sb.append("\u001b[").append(shown.size()).append('F'); // to the start of the block
      }
      for (String line : lines) {
        sb.append("\u001b[2K").append(line).append('\n');
      }
      for (int i = lines.size(); i < shown.size(); i++) {
        sb.append("\u001b[2K\n");
      }
      out.print(sb);
      out.flush();
      shown = lines.size() >= shown.size() ? List.copyOf(lines) : pad(lines, shown.size());
    } else if (!lines.equals(shown)) {
      // one line per change: a log reads top to bottom, and a block would repeat every second
      out.println(
          String.join(
              "  |  ", lines.stream().map(String::strip).filter(l -> !l.isEmpty()).toList()));
      out.flush();
      shown = List.copyOf(lines);
    }
  }

  /** Starts a new block below the current one; what was shown stays. */
  synchronized void newBlock() {
    shown = List.of();
  }

  synchronized void say(String line) {
    newBlock();
    out.println(line);
    out.flush();
  }

  private static List<String> pad(List<String> lines, int size) {
    String[] padded = new String[size];
    for (int i = 0; i < size; i++) {
      padded[i] = i < lines.size() ? lines.get(i) : "";
    }
    return List.of(padded);
  }
}
