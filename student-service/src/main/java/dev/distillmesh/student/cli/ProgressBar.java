package dev.distillmesh.student.cli;

import java.io.PrintStream;

/**
 * A progress line for long commands: redrawn in place on a terminal, one line per tenth of the way
 * otherwise (so logs stay readable). Not thread-safe.
 */
final class ProgressBar {
  private static final int WIDTH = 30;
  private final PrintStream out;
  private final String unit;
  private final long total;
  private final boolean terminal;
  private final long startNanos = System.nanoTime();
  private long lastDrawNanos;
  private int lastTenth = -1;

  ProgressBar(PrintStream out, String unit, long total, boolean terminal) {
    this.out = out;
    this.unit = unit;
    this.total = Math.max(1, total);
    this.terminal = terminal;
  }

  void update(long done) {
    long now = System.nanoTime();
    int tenth = (int) Math.min(10, done * 10 / total);
    // Off a terminal, one line per tenth; the last line is left to finish(), which has the true rate.
    if (terminal ? now - lastDrawNanos < 200_000_000L && done < total : tenth == lastTenth || tenth == 10) {
      return;
    }
    lastDrawNanos = now;
    lastTenth = tenth;
    out.print((terminal ? "\r" : "") + line(done, now) + (terminal ? "" : "\n"));
    out.flush();
  }

  void finish(long done) {
    out.print((terminal ? "\r" : "") + line(done, System.nanoTime()) + "\n");
    out.flush();
  }

  private String line(long done, long now) {
    double seconds = Math.max(1e-3, (now - startNanos) / 1e9);
    double rate = done / seconds;
    int filled = (int) Math.min(WIDTH, done * WIDTH / total);
    String bar = "=".repeat(filled) + (filled < WIDTH ? ">" + " ".repeat(WIDTH - filled - 1) : "");
    long eta = rate > 0 ? (long) ((total - Math.min(done, total)) / rate) : 0;
    return String.format("[%s] %d/%d %s  %.1f/s  eta %d:%02d", bar, done, total, unit, rate, eta / 60, eta % 60);
  }
}
