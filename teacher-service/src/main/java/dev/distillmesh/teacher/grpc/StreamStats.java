package dev.distillmesh.teacher.grpc;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters over all StreamScores calls of a server: open streams, answers sent, and the most
 * requests any one stream has held at once (which flow control keeps at or below the window).
 * Thread-safe.
 */
public final class StreamStats {
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicLong answered = new AtomicLong();
  private final AtomicInteger peakHeld = new AtomicInteger();

  void opened() {
    open.incrementAndGet();
  }

  void closed() {
    open.decrementAndGet();
  }

  void answered() {
    answered.incrementAndGet();
  }

  void held(int n) {
    peakHeld.accumulateAndGet(n, Math::max);
  }

  public int openStreams() {
    return open.get();
  }

  public long answeredRequests() {
    return answered.get();
  }

  /** The most requests one stream held at once since the server started. */
  public int peakHeld() {
    return peakHeld.get();
  }
}
