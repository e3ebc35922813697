package dev.distillmesh.common.resilience;

import io.grpc.ClientCall;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener.SimpleForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A client-, server- or bidi-streaming call under the breaker and the bulkhead, never retried:
 * messages already streamed cannot be replayed. The call holds its breaker permission and
 * bulkhead slot from {@link #start} until its listener's onClose, so a long-lived stream occupies
 * a slot for its whole life.
 *
 * <p>Thread-safety as for any {@link ClientCall}: the caller serialises its calls. A rejected call
 * swaps in a no-op delegate (volatile, written once in start) so the caller's remaining
 * sendMessage/halfClose calls are dropped, the way {@code ClientInterceptors} handles a failed
 * start.
 */
final class GuardedStreamingCall<ReqT, RespT> extends ForwardingClientCall<ReqT, RespT> {
  private final CallGuard guard;
  private volatile ClientCall<ReqT, RespT> delegate;
  /** Set by whichever of onClose or a throwing start gives the permits back first. */
  private final AtomicBoolean released = new AtomicBoolean();

  GuardedStreamingCall(ClientCall<ReqT, RespT> delegate, CallGuard guard) {
    this.delegate = delegate;
    this.guard = guard;
  }

  @Override
  protected ClientCall<ReqT, RespT> delegate() {
    return delegate;
  }

  @Override
  public void start(Listener<RespT> responseListener, Metadata headers) {
    Status rejected = guard.admit();
    if (rejected != null) {
      delegate = new NoopCall<>();
      responseListener.onClose(rejected, new Metadata());
      return;
    }
    long startNanos = System.nanoTime();
    guard.recordAttempt(false);
    try {
      delegate.start(new SimpleForwardingClientCallListener<>(responseListener) {
        @Override
        public void onClose(Status status, Metadata trailers) {
          release(status, startNanos);
          super.onClose(status, trailers);
        }
      }, headers);
    } catch (RuntimeException e) {
      // A local bug, not news about the peer: hand the permits back without an outcome.
      if (released.compareAndSet(false, true)) {
        guard.abandon();
      }
      throw e;
    }
  }

  private void release(Status status, long startNanos) {
    if (released.compareAndSet(false, true)) {
      guard.release(status, startNanos);
    }
  }

  /** Drops everything: the call was already closed with the rejection status. */
  private static final class NoopCall<ReqT, RespT> extends ClientCall<ReqT, RespT> {
    @Override
    public void start(Listener<RespT> listener, Metadata headers) {}

    @Override
    public void request(int numMessages) {}

    @Override
    public void cancel(String message, Throwable cause) {}

    @Override
    public void halfClose() {}

    @Override
    public void sendMessage(ReqT message) {}

    @Override
    public boolean isReady() {
      return false;
    }
  }
}
