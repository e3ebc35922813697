package dev.distillmesh.common.resilience;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A real single-thread timer that tells tests when a retry was scheduled, so they can act "during
 * the backoff" with a latch instead of a sleep.
 */
final class RecordingTimer extends ScheduledThreadPoolExecutor {
  /** Counted down by the first scheduled task. */
  final CountDownLatch firstScheduled = new CountDownLatch(1);
  private volatile ScheduledFuture<?> last;
  private volatile int scheduledCount;

  RecordingTimer() {
    super(1, task -> {
      Thread thread = new Thread(task, "test-retry-timer");
      thread.setDaemon(true);
      return thread;
    });
  }

  @Override
  public synchronized ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    ScheduledFuture<?> future = super.schedule(command, delay, unit);
    last = future;
    scheduledCount++;
    firstScheduled.countDown();
    return future;
  }

  ScheduledFuture<?> last() {
    return last;
  }

  int scheduledCount() {
    return scheduledCount;
  }
}
