package dev.distillmesh.student;

import io.grpc.Channel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls the index service's {@code grpc.health.v1} status and reports changes, so the student's own
 * health says NOT_SERVING while its dependency is down (a load balancer then routes elsewhere).
 * Owns one daemon thread; {@link #close} stops it. Does not own the channel.
 */
final class IndexHealthWatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(IndexHealthWatcher.class);

  private final HealthGrpc.HealthBlockingStub health;
  private final Consumer<Boolean> onChange;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "index-health");
    t.setDaemon(true);
    return t;
  });
  private Boolean last; // guarded by being touched only on the timer thread

  IndexHealthWatcher(Channel indexChannel, Consumer<Boolean> onChange) {
    this.health = HealthGrpc.newBlockingStub(indexChannel);
    this.onChange = onChange;
  }

  IndexHealthWatcher start(long periodMillis) {
    timer.scheduleWithFixedDelay(this::poll, 0, periodMillis, TimeUnit.MILLISECONDS);
    return this;
  }

  private void poll() {
    boolean up;
    try {
      up = health.withDeadlineAfter(1, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance())
          .getStatus() == ServingStatus.SERVING;
    } catch (RuntimeException e) {
      up = false;
    }
    if (last == null || last != up) {
      if (up) {
        log.info("index-service is serving");
      } else {
        log.warn("index-service is not serving; the student reports NOT_SERVING until it is");
      }
      last = up;
      onChange.accept(up);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
