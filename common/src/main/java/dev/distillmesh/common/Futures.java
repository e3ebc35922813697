package dev.distillmesh.common;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/** Gathering futures that serve one request, against that request's deadline. */
public final class Futures {
  private Futures() {}

  /**
   * {@code work} bounded by {@code deadline}: the result completes as {@code work} does (a {@link
   * CompletionException} unwrapped), or fails with {@code expired.get()} when {@code deadline}
   * passes first (at once, on the caller's thread, if it already has). When the result fails, or is
   * cancelled (e.g. by a client that gave up), {@code work} is cancelled, so whatever it still has
   * queued is dropped instead of run for nobody. This is what makes a server's own cap on a
   * request's time hold: gRPC ends a call at the client's deadline, not at the server's.
   *
   * <p>The deadline is timed by the JDK's {@link CompletableFuture#orTimeout} scheduler, and the
   * timer is cancelled when the result completes, so work that finishes early holds nothing until
   * its deadline. On expiry, the result's dependents run on that scheduler's thread: keep them
   * short. Thread-safe.
   *
   * @param expired the failure to report when the deadline passes, built only then
   */
  public static <T> CompletableFuture<T> within(CompletableFuture<T> work, CallDeadline deadline,
      Supplier<? extends Throwable> expired) {
    Objects.requireNonNull(work, "work");
    Objects.requireNonNull(deadline, "deadline");
    Objects.requireNonNull(expired, "expired");
    CompletableFuture<T> result = new CompletableFuture<>();
    result.whenComplete((value, error) -> {
      if (error != null) {
        work.cancel(false);
      }
    });
    long left = deadline.remaining(TimeUnit.NANOSECONDS);
    if (left <= 0) {
      result.completeExceptionally(expired.get());
      return result;
    }
    work.whenComplete((value, error) -> {
      if (error != null) {
        result.completeExceptionally(unwrap(error));
      } else {
        result.complete(value);
      }
    });
    CompletableFuture<Void> timer = new CompletableFuture<Void>().orTimeout(left, TimeUnit.NANOSECONDS);
    timer.whenComplete((ignored, error) -> {
      if (error instanceof TimeoutException) {
        result.completeExceptionally(expired.get());
      }
    });
    result.whenComplete((value, error) -> timer.complete(null)); // cancels the scheduled timeout
    return result;
  }

  /**
   * One future for all {@code parts}, {@linkplain #within bounded} by {@code deadline}: it
   * completes with their results, in order, once every part has; it fails with the first part's
   * failure (unwrapped) as soon as one fails; and it fails with {@code expired.get()} when {@code
   * deadline} passes first. When it fails, or is cancelled, the parts not yet done are cancelled.
   * Thread-safe; parts may complete on any thread.
   *
   * @param parts the work of one request; an empty list gives an empty result at once
   * @param expired the failure to report when the deadline passes, built only then
   */
  public static <T> CompletableFuture<List<T>> allWithin(List<? extends CompletableFuture<? extends T>> parts,
      CallDeadline deadline, Supplier<? extends Throwable> expired) {
    List<CompletableFuture<? extends T>> all = List.copyOf(parts);
    CompletableFuture<List<T>> gathered = new CompletableFuture<>();
    for (CompletableFuture<? extends T> part : all) {
      part.whenComplete((value, error) -> {
        if (error != null) {
          gathered.completeExceptionally(unwrap(error));
        }
      });
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenRun(() -> {
      List<T> values = new ArrayList<>(all.size());
      for (CompletableFuture<? extends T> part : all) {
        values.add(part.join());
      }
      gathered.complete(values);
    });
    gathered.whenComplete((values, error) -> {
      if (error != null) { // a part failed, the deadline passed, or the caller cancelled
        all.forEach(part -> part.cancel(false));
      }
    });
    return within(gathered, deadline, expired);
  }

  private static Throwable unwrap(Throwable error) {
    Throwable t = error;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
