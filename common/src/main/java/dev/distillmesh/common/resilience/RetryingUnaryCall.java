package dev.distillmesh.common.resilience;

import io.grpc.Attributes;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A unary call that may run as several attempts, each a fresh {@link ClientCall} on {@code next}.
 *
 * <p>Everything the caller sends is recorded ({@link RequestReplay}) and the first attempt starts
 * at {@link #halfClose()}: a unary request is complete by then, so every attempt replays the same
 * headers, flow-control requests and message. An attempt that fails with UNAVAILABLE before any response header or
 * message arrived is retried after a backoff; once the peer has answered, the call is committed
 * (as in gRPC's own retry design) and the attempt's status is final.
 *
 * <p>Threading: caller methods, attempt callbacks and the backoff timer run on different threads;
 * {@link #lock} guards every mutable field. Calls into an attempt happen outside the lock, and
 * only one thread drives an attempt's start sequence (start, request, sendMessage, halfClose);
 * {@code cancel} and {@code request} reach an attempt only after that sequence, because gRPC
 * forbids cancelling a call and then sending on it. The caller's listener gets callbacks from
 * the current attempt's (serialised) callbacks, or, when no attempt is open, from the caller's
 * own thread in {@link #start} or {@link #cancel}.
 */
final class RetryingUnaryCall<ReqT, RespT> extends ClientCall<ReqT, RespT> {
  private final MethodDescriptor<ReqT, RespT> method;
  private final CallOptions callOptions;
  private final Channel next;
  private final CallGuard guard;
  private final ScheduledExecutorService scheduler;
  /** The caller's context: its deadline and cancellation must follow retries onto the timer. */
  private final Context context;
  private final RetryBudget budget;

  /** Written once in start() (under lock), before any attempt exists; null until then. */
  private volatile Listener<RespT> listener;
  /** Set by an attempt's first response header or message: from then on, no retry. */
  private volatile boolean committed;

  private final RequestReplay<ReqT> request = new RequestReplay<>();

  private final Object lock = new Object();
  // All fields below are guarded by lock.
  private long startNanos;
  private int attemptCount;
  /** The open attempt, or null while buffering, in backoff or finished. */
  private Attempt current;
  private ScheduledFuture<?> pendingRetry;
  private boolean cancelled;
  private String cancelMessage;
  private Throwable cancelCause;
  /** Set once the caller's listener got (or is about to get) onClose; nothing starts after. */
  private boolean finished;

  RetryingUnaryCall(MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next,
      CallGuard guard, ScheduledExecutorService scheduler) {
    this.method = method;
    this.callOptions = callOptions;
    this.next = next;
    this.guard = guard;
    this.scheduler = scheduler;
    this.context = Context.current();
    this.budget = new RetryBudget(guard, callOptions, context);
  }

  @Override
  public void start(Listener<RespT> responseListener, Metadata callerHeaders) {
    Status rejected;
    synchronized (lock) {
      if (cancelled) {
        throw new IllegalStateException("call was cancelled"); // as gRPC's own ClientCall does
      }
      // Under the lock: a concurrent cancel() must see either no start or the permits taken.
      rejected = guard.admit();
      listener = responseListener;
      finished = rejected != null;
      startNanos = System.nanoTime();
    }
    request.headers(callerHeaders);
    if (rejected != null) {
      responseListener.onClose(rejected, new Metadata());
    }
  }

  @Override
  public void request(int numMessages) {
    ClientCall<ReqT, RespT> live;
    synchronized (lock) { // an attempt still starting picks up the new total at its end
      request.request(numMessages);
      live = liveCall();
    }
    if (live != null) {
      live.request(numMessages);
    }
  }

  @Override
  public void sendMessage(ReqT message) {
    request.message(message);
  }

  @Override
  public void setMessageCompression(boolean enabled) {
    request.compression(enabled);
  }

  @Override
  public void halfClose() {
    try {
      startAttempt();
    } catch (RuntimeException e) {
      finish(failedToStart(e), new Metadata()); // frees the permits; the caller sees both
      throw e;
    }
  }

  @Override
  public void cancel(String message, Throwable cause) {
    ClientCall<ReqT, RespT> live = null;
    synchronized (lock) {
      if (finished || cancelled) {
        return;
      }
      cancelled = true;
      cancelMessage = message;
      cancelCause = cause;
      if (listener == null) {
        return; // not started: nothing taken, nothing to close; start() will refuse
      }
      if (current != null) {
        if (!current.sequenceDone) {
          current.cancelPending = true; // the thread starting it cancels it when done
          return;
        }
        live = current.call; // its onClose sees `cancelled` and finishes the call
      } else if (pendingRetry != null) {
        pendingRetry.cancel(false);
      }
    }
    if (live != null) {
      live.cancel(message, cause);
    } else {
      finish(Status.CANCELLED.withDescription(message == null ? "cancelled by the caller" : message)
          .withCause(cause), new Metadata());
    }
  }

  @Override
  public boolean isReady() {
    ClientCall<ReqT, RespT> live;
    boolean buffering;
    synchronized (lock) {
      live = liveCall();
      buffering = !finished; // the one unary message can always be buffered
    }
    return live != null ? live.isReady() : buffering;
  }

  @Override
  public Attributes getAttributes() {
    ClientCall<ReqT, RespT> live;
    synchronized (lock) {
      live = liveCall();
    }
    return live != null ? live.getAttributes() : Attributes.EMPTY;
  }

  /** The attempt that may be cancelled or queried now (its start sequence is over), or null. */
  private ClientCall<ReqT, RespT> liveCall() {
    return current != null && current.sequenceDone ? current.call : null;
  }

  /** Timer task: an attempt that cannot even start ends the call instead of hanging it. */
  private void startRetry() {
    try {
      startAttempt();
    } catch (RuntimeException e) {
      // Not on the timer thread: a blocking stub only wakes for work run on its own executor.
      Executor executor = callOptions.getExecutor();
      Runnable fail = () -> finish(failedToStart(e), new Metadata());
      if (executor != null) {
        executor.execute(fail);
      } else {
        fail.run();
      }
    }
  }

  private static Status failedToStart(RuntimeException e) {
    return Status.INTERNAL.withDescription("attempt failed to start: " + e).withCause(e);
  }

  /** Runs on the caller's thread (first attempt) or the timer thread (retries). */
  private void startAttempt() {
    synchronized (lock) {
      if (finished || cancelled) {
        return;
      }
    }
    ClientCall<ReqT, RespT> call;
    Context previous = context.attach();
    try {
      call = next.newCall(method, callOptions);
    } finally {
      context.detach(previous);
    }
    Attempt attempt = new Attempt(call);
    boolean isRetry;
    synchronized (lock) {
      pendingRetry = null;
      if (finished || cancelled) {
        return; // rejected at start, or cancel() already closed the call during the backoff
      }
      current = attempt;
      isRetry = attemptCount++ > 0;
    }
    guard.recordAttempt(isRetry);
    int toRequest;
    try {
      toRequest = request.replay(call, attempt);
    } catch (RuntimeException e) {
      call.cancel("attempt failed to start", e); // the caller of startAttempt ends the call
      throw e;
    }
    int lateRequests;
    boolean cancelNow;
    String message;
    Throwable cause;
    synchronized (lock) { // cancel() and request() left this attempt to us until now
      attempt.sequenceDone = true;
      lateRequests = request.requested() - toRequest;
      cancelNow = attempt.cancelPending && !attempt.closed;
      message = cancelMessage;
      cause = cancelCause;
    }
    if (lateRequests > 0) {
      call.request(lateRequests);
    }
    if (cancelNow) {
      call.cancel(message, cause);
    }
  }

  /** Runs in the attempt's onClose: either schedules the next attempt or finishes. */
  private void onAttemptClosed(Attempt attempt, Status status, Metadata trailers) {
    boolean retryable;
    int attempts;
    synchronized (lock) {
      attempt.closed = true;
      if (current == attempt) {
        current = null;
      }
      retryable = !status.isOk() && !committed && !cancelled;
      attempts = attemptCount;
    }
    if (!retryable) {
      if (status.isOk()) {
        budget.succeeded();
      }
      finish(status, trailers);
      return;
    }
    RetryBudget.Decision decision = budget.afterFailure(status, trailers, attempts);
    if (decision.finalStatus() != null) {
      finish(decision.finalStatus(), trailers);
      return;
    }
    synchronized (lock) {
      if (cancelled) {
        return; // cancel() ran after this attempt closed, found nothing open and finished
      }
      try {
        pendingRetry = scheduler.schedule(
            this::startRetry, decision.delayMillis(), TimeUnit.MILLISECONDS);
        return;
      } catch (RejectedExecutionException e) {
        status = status.augmentDescription("not retried: the retry scheduler is shut down");
      }
    }
    finish(status, trailers);
  }

  private void finish(Status status, Metadata trailers) {
    long started;
    synchronized (lock) {
      if (finished) {
        return;
      }
      finished = true;
      started = startNanos;
    }
    guard.release(status, started);
    listener.onClose(status, trailers);
  }

  /** One attempt: its call, its start-sequence state (guarded by lock) and its listener. */
  private final class Attempt extends Listener<RespT> {
    final ClientCall<ReqT, RespT> call;
    boolean sequenceDone;
    boolean cancelPending;
    boolean closed;

    Attempt(ClientCall<ReqT, RespT> call) {
      this.call = call;
    }

    @Override
    public void onHeaders(Metadata responseHeaders) {
      committed = true;
      listener.onHeaders(responseHeaders);
    }

    @Override
    public void onMessage(RespT message) {
      committed = true;
      listener.onMessage(message);
    }

    @Override
    public void onReady() {
      listener.onReady();
    }

    @Override
    public void onClose(Status status, Metadata trailers) {
      onAttemptClosed(this, status, trailers);
    }
  }
}
