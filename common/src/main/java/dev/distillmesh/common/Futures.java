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
   * One future for all {@code parts}: it completes with their results, in order, once every part
   * has; it fails with the first part's failure (a {@link CompletionException} unwrapped) as soon
   * as one fails; and it fails with {@code expired.get()} when {@code deadline} passes first (at
   * once if it already has). When it fails, or is cancelled, the parts not yet done are cancelled,
   * so work queued for them can be dropped before it starts.
   *
   * <p>The deadline is timed by the JDK's {@link CompletableFuture#orTimeout} scheduler, and the
   * timer is cancelled when the result completes, so a gather that finishes early holds nothing
   * until its deadline. On expiry, the result's dependents run on that scheduler's thread: keep
   * them short. Thread-safe; parts may complete on any thread.
   *
   * @param parts the work of one request; an empty list gives an empty result at once
   * @param expired the failure to report when the deadline passes, built only then
   */
  public static <T> CompletableFuture<List<T>> allWithin(List<? extends CompletableFuture<? extends T>> parts,
      CallDeadline deadline, Supplier<? extends Throwable> expired) {
    Objects.requireNonNull(deadline, "deadline");
    Objects.requireNonNull(expired, "expired");
    List<CompletableFuture<? extends T>> all = List.copyOf(parts);
    CompletableFuture<List<T>> result = new CompletableFuture<>();
    CompletableFuture<Void> timer = new CompletableFuture<Void>()
        .orTimeout(Math.max(0, deadline.remaining(TimeUnit.NANOSECONDS)), TimeUnit.NANOSECONDS);
    timer.whenComplete((ignored, error) -> {
      if (error instanceof TimeoutException) {
        result.completeExceptionally(expired.get());
      }
    });
    for (CompletableFuture<? extends T> part : all) {
      part.whenComplete((value, error) -> {
        if (error != null) {
          result.completeExceptionally(unwrap(error));
        }
      });
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenRun(() -> {
      List<T> values = new ArrayList<>(all.size());
      for (CompletableFuture<? extends T> part : all) {
        values.add(part.join());
      }
      result.complete(values);
    });
    result.whenComplete((values, error) -> {
      timer.complete(null); // cancels the scheduled timeout
      if (error != null) {
        all.forEach(part -> part.cancel(false));
      }
    });
    return result;
  }

  private static Throwable unwrap(Throwable error) {
    Throwable t = error;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
