package dev.moe2.simulator.cli;

import java.util.Locale;

/** A progress bar on standard error (a line per step when not on a terminal). */
public final class Progress {

  private final String what;
  private final int total;
  private int shown = -1;

  public Progress(String what, int total) {
    this.what = what;
    this.total = total;
  }

  public synchronized void update(int done) {
    int width = 30;
    int filled = total == 0 ? width : (int) ((long) width * done / total);
    boolean terminal = System.console() != null;
    if (!terminal && filled == shown && done != total) {
      return;
    }
    shown = filled;
    String bar =
        String.format(
            Locale.ROOT,
            "%-24s [%s%s] %d/%d",
            what,
            "=".repeat(filled),
            " ".repeat(width - filled),
            done,
            total);
    System.err.print(terminal ? "\r" + bar : bar + "\n");
    if (terminal && done == total) {
      System.err.println();
    }
  }
}
