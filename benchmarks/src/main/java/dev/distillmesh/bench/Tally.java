package dev.distillmesh.bench;

import java.util.Arrays;

/**
 * Everything measured for one row of the student benchmark's table, summed over the blocks it ran
 * in (systems that are compared run in alternating blocks, so a change in the shared machine's
 * load hits both alike).
 *
 * <p>Not thread-safe: the benchmark's main thread adds blocks after they finish.
 */
final class Tally {
  private final String config;
  private final String system;
  private final int concurrency;
  private final int itemsPerCall;
  private long[] nanos = new long[0];
  private long wallNanos;
  private int errors;
  private Throwable firstError;
  private CpuProbe.Usage cpu = CpuProbe.Usage.NONE;

  /**
   * @param config the student configuration this row belongs to (e.g. "default")
   * @param itemsPerCall sentences per call (32 for the batch rows, 1 for a question)
   */
  Tally(String config, String system, int concurrency, int itemsPerCall) {
    this.config = config;
    this.system = system;
    this.concurrency = concurrency;
    this.itemsPerCall = itemsPerCall;
  }

  /** One timed run of calls, e.g. {@code () -> loop.run(...)}. */
  interface Measurement {
    ClosedLoop.Block run() throws Exception;
  }

  /** Runs {@code m} and adds its calls and the CPU {@code probe} saw meanwhile to this row. */
  void measure(CpuProbe probe, Measurement m) throws Exception {
    CpuProbe.Snapshot before = probe.snapshot();
    ClosedLoop.Block block = m.run();
    add(block, CpuProbe.between(before, probe.snapshot()));
  }

  void add(ClosedLoop.Block block, CpuProbe.Usage used) {
    int old = nanos.length;
    nanos = Arrays.copyOf(nanos, old + block.nanos().length);
    System.arraycopy(block.nanos(), 0, nanos, old, block.nanos().length);
    wallNanos += block.wallNanos();
    errors += block.errors();
    if (firstError == null) {
      firstError = block.firstError();
    }
    cpu = cpu.plus(used);
  }

  String config() {
    return config;
  }

  String system() {
    return system;
  }

  int concurrency() {
    return concurrency;
  }

  int calls() {
    return nanos.length;
  }

  int errors() {
    return errors;
  }

  Throwable firstError() {
    return firstError;
  }

  boolean measured() {
    return nanos.length > 0;
  }

  LatencyStats latency() {
    return LatencyStats.of(nanos);
  }

  /** Successful calls per second of wall time, times sentences per call. */
  double itemsPerSecond() {
    return nanos.length * (double) itemsPerCall / (wallNanos / 1e9);
  }

  /** CPU milliseconds per sentence of process {@code i} (in the probe's order). */
  double cpuMsPerItem(int i) {
    if (cpu.processNanos().length <= i || nanos.length == 0) {
      return Double.NaN;
    }
    return cpu.processNanos()[i] / 1e6 / (nanos.length * (double) itemsPerCall);
  }

  /** Cores other programs kept busy on average while this row ran. */
  double otherCores() {
    return wallNanos == 0 ? 0 : cpu.otherNanos() / (double) wallNanos;
  }
}
