package dev.distillmesh.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * CPU time of the benchmark's own processes (this JVM and the services it started) and of the
 * whole machine, so each measurement can say where the CPU went and how much of the shared
 * machine other users took meanwhile. Linux only (/proc/stat); elsewhere the machine figures are
 * zero.
 *
 * <p>Immutable; {@link #snapshot} may be called from any thread.
 */
final class CpuProbe {
  /** /proc/stat counts in USER_HZ ticks, 100 per second on every Linux we run on. */
  private static final long NANOS_PER_TICK = 10_000_000L;

  private final List<ProcessHandle> processes;

  /** @param processes measured separately, in the order {@link Usage#processNanos} reports them */
  CpuProbe(List<ProcessHandle> processes) {
    this.processes = List.copyOf(processes);
  }

  record Snapshot(long[] processNanos, long machineBusyNanos) {}

  /**
   * CPU used between two snapshots.
   *
   * @param processNanos per measured process
   * @param otherNanos by everything else on the machine (other users, other programs)
   */
  record Usage(long[] processNanos, long otherNanos) {
    static final Usage NONE = new Usage(new long[0], 0);

    Usage plus(Usage o) {
      if (processNanos.length == 0) {
        return o;
      }
      long[] sum = processNanos.clone();
      for (int i = 0; i < sum.length; i++) {
        sum[i] += o.processNanos[i];
      }
      return new Usage(sum, otherNanos + o.otherNanos);
    }
  }

  Snapshot snapshot() {
    long[] nanos = new long[processes.size()];
    for (int i = 0; i < nanos.length; i++) {
      nanos[i] = processes.get(i).info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }
    return new Snapshot(nanos, machineBusyNanos());
  }

  static Usage between(Snapshot before, Snapshot after) {
    long[] used = new long[before.processNanos.length];
    long ours = 0;
    for (int i = 0; i < used.length; i++) {
      used[i] = after.processNanos[i] - before.processNanos[i];
      ours += used[i];
    }
    long machine = after.machineBusyNanos - before.machineBusyNanos;
    return new Usage(used, Math.max(0, machine - ours));
  }

  /** Busy time of all cores: the first line of /proc/stat minus idle and iowait. */
  private static long machineBusyNanos() {
    try {
      String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0);
      String[] f = cpu.trim().split("\\s+"); // cpu user nice system idle iowait irq softirq steal
      long busy = 0;
      for (int i = 1; i <= 8 && i < f.length; i++) {
        if (i != 4 && i != 5) {
          busy += Long.parseLong(f[i]);
        }
      }
      return busy * NANOS_PER_TICK;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
