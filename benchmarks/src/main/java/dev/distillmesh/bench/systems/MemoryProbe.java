package dev.distillmesh.bench.systems;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Memory and disk measurements on Linux (/proc). */
public final class MemoryProbe {
  private MemoryProbe() {}

  /** Resident set size of a process in bytes (VmRSS), or -1 when it cannot be read. */
  public static long rssBytes(long pid) {
    return rssAndPeakBytes(pid)[0];
  }

  /**
   * {VmRSS, VmHWM} of a process in bytes: its resident set now and the kernel's peak of it, -1 for
   * what cannot be read (e.g. a process that is gone).
   */
  public static long[] rssAndPeakBytes(long pid) {
    try {
      return parseStatus(Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")));
    } catch (IOException | RuntimeException e) {
      return new long[] {-1, -1};
    }
  }

  /** {VmRSS, VmHWM} in bytes from the lines of a {@code /proc/PID/status} file ("VmRSS:  1234 kB"). */
  public static long[] parseStatus(List<String> status) {
    long[] out = {-1, -1};
    for (String line : status) {
      if (line.startsWith("VmRSS:")) {
        out[0] = kilobytes(line) * 1024;
      } else if (line.startsWith("VmHWM:")) {
        out[1] = kilobytes(line) * 1024;
      }
    }
    return out;
  }

  private static long kilobytes(String line) {
    String[] parts = line.substring(line.indexOf(':') + 1).trim().split("\\s+");
    if (parts.length != 2 || !parts[1].equals("kB")) {
      throw new IllegalArgumentException("not a kB line: " + line);
    }
    return Long.parseLong(parts[0]);
  }

  /** This process's RSS after a full GC (so freed heap garbage does not count twice). */
  public static long selfRssAfterGc() {
    heapUsedAfterGc();
    return rssBytes(ProcessHandle.current().pid());
  }

  /** Java heap in use after two full GCs, in bytes. */
  public static long heapUsedAfterGc() {
    for (int i = 0; i < 2; i++) {
      System.gc();
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** Total size of the regular files under {@code dir}. */
  public static long dirBytes(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> {
        try {
          return Files.size(p);
        } catch (IOException e) {
          return 0;
        }
      }).sum();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes {@code dir} and everything under it; missing is fine. */
  public static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}
