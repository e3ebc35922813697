package dev.distillmesh.student.grpc;

import io.grpc.Context;
import io.grpc.Deadline;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** The deadline a request is served under: the client's, capped by the server's own limit. */
final class Deadlines {
  private Deadlines() {}

  static Deadline forCurrentCall(Duration cap) {
    Deadline limit = Deadline.after(cap.toNanos(), TimeUnit.NANOSECONDS);
    Deadline client = Context.current().getDeadline();
    return client == null ? limit : client.minimum(limit);
  }
}
