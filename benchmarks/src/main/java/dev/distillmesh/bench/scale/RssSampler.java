package dev.distillmesh.bench.scale;

import dev.distillmesh.bench.systems.MemoryProbe;

/**
 * Samples a process's resident memory from {@code /proc/<pid>/status} on a daemon thread: the
 * largest VmRSS seen, and VmHWM (the kernel's own peak, which also covers spikes between samples)
 * at the last sample (never below the largest VmRSS). Linux only; a process that cannot be read reports -1.
 *
 * <p>Thread-safe: the sampler thread writes, any thread reads; {@link #stop} ends the thread after
 * a last sample.
 */
final class RssSampler implements AutoCloseable {
  private final long pid;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile long peakRss = -1;
  private volatile long hwm = -1;
  private volatile int samples;

  /** What a finished sampling saw, in bytes. */
  record Peak(long peakRssBytes, long hwmBytes, int samples) {
    double peakRssMb() {
      return peakRssBytes / 1048576.0;
    }

    double hwmMb() {
      return hwmBytes / 1048576.0;
    }
  }

  private RssSampler(long pid, long periodMillis) {
    this.pid = pid;
    this.thread = new Thread(() -> {
      while (running) {
        sample();
        try {
          Thread.sleep(periodMillis);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "rss-sampler-" + pid);
    thread.setDaemon(true);
  }

  static RssSampler start(long pid, long periodMillis) {
    RssSampler s = new RssSampler(pid, periodMillis);
    s.thread.start();
    return s;
  }

  private void sample() {
    long[] now = MemoryProbe.rssAndPeakBytes(pid);
    if (now[0] > peakRss) {
      peakRss = now[0];
    }
    if (now[1] >= 0) {
      // The kernel folds per-thread RSS counters into VmHWM lazily, so it can trail a VmRSS read a
      // moment earlier by a few pages; the peak is never below a sample.
      hwm = Math.max(now[1], peakRss);
    }
    samples++;
  }

  /** Ends the sampling after one last sample, and returns what it saw. */
  Peak stop() throws InterruptedException {
    running = false;
    thread.interrupt();
    thread.join();
    sample();
    return new Peak(peakRss, hwm, samples);
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }
}
