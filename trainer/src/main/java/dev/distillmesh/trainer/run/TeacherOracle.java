package dev.distillmesh.trainer.run;

import dev.distillmesh.common.DomainException;
import dev.distillmesh.common.resilience.Backoff;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The teacher as a run asks it: scores of candidates for a context, each request waited out while
 * the teacher is down, overloaded or slow, and only for the pairs it has not answered before (a
 * {@link PairScoreCache} of {@value #CACHE_BYTES} bytes at most, so what a run holds does not grow
 * with what the teacher has read); and a priming pass over texts it will read often. Used by the
 * run's thread only (not thread-safe).
 */
final class TeacherOracle {
  private static final Logger log = LoggerFactory.getLogger(TeacherOracle.class);
  private static final int PRIME_SLICE = 128;
  /** The bound on the teacher's scores a run remembers: about 700,000 pairs. */
  static final long CACHE_BYTES = 64L << 20;
  /**
   * Waiting out the teacher: the request is sent again after 0.5 s, 1 s, … up to 10 s between
   * tries, for as long as it takes (the run's StopRun ends the wait).
   */
  private static final Backoff WAIT_FOR_TEACHER = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(10), 0);
  /** A passing condition of the teacher, by the kind the one remote-status mapping gave it. */
  private static final Set<DomainException.Kind> PASSING = Set.of(DomainException.Kind.UNAVAILABLE,
      DomainException.Kind.RESOURCE_EXHAUSTED, DomainException.Kind.DEADLINE_EXCEEDED);

  /** Sends one score request; the answer (or a DomainException) completes the future. */
  @FunctionalInterface
  interface Scores {
    CompletableFuture<float[]> send(String context, List<String> candidates);
  }

  private final String runId;
  private final Scores teacher;
  private final BooleanSupplier stopRequested;
  private final Consumer<String> message;
  private final PairScoreCache cache = new PairScoreCache(CACHE_BYTES);

  /**
   * @param stopRequested ends a wait for the teacher (the last failure is then thrown)
   * @param message where the run's status message is set while it waits (and cleared after)
   */
  TeacherOracle(String runId, Scores teacher, BooleanSupplier stopRequested, Consumer<String> message) {
    this.runId = runId;
    this.teacher = teacher;
    this.stopRequested = stopRequested;
    this.message = message;
  }

  /** The teacher's scores of {@code candidates} for {@code context}, in order. */
  float[] score(String context, List<String> candidates) throws Exception {
    return scoreAll(List.of(context), List.of(candidates)).get(0);
  }

  /**
   * Scores for many contexts, in order. Pairs answered before come from the cache; for the others
   * every request is sent before the first answer is awaited.
   */
  List<float[]> scoreAll(List<String> contexts, List<List<String>> candidates) throws Exception {
    int n = contexts.size();
    List<float[]> out = new ArrayList<>(n);
    List<List<Integer>> missing = new ArrayList<>(n);
    List<CompletableFuture<float[]>> sent = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      List<String> cands = candidates.get(i);
      float[] row = new float[cands.size()];
      List<Integer> ask = new ArrayList<>();
      for (int j = 0; j < row.length; j++) {
        Float cached = cache.get(contexts.get(i), cands.get(j));
        if (cached == null) {
          ask.add(j);
        } else {
          row[j] = cached;
        }
      }
      out.add(row);
      missing.add(ask);
      sent.add(ask.isEmpty() ? null : teacher.send(contexts.get(i), pick(cands, ask)));
    }
    for (int i = 0; i < n; i++) {
      List<Integer> ask = missing.get(i);
      if (ask.isEmpty()) {
        continue;
      }
      List<String> asked = pick(candidates.get(i), ask);
      float[] answered = await(sent.get(i), contexts.get(i), asked);
      if (answered.length != asked.size()) {
        throw new DomainException(DomainException.Kind.INTERNAL, "the teacher answered " + answered.length
            + " scores for " + asked.size() + " candidates");
      }
      for (int f = 0; f < ask.size(); f++) {
        out.get(i)[ask.get(f)] = answered[f];
        cache.put(contexts.get(i), asked.get(f), answered[f]);
      }
    }
    return out;
  }

  private static List<String> pick(List<String> texts, List<Integer> at) {
    List<String> out = new ArrayList<>(at.size());
    for (int j : at) {
      out.add(texts.get(j));
    }
    return out;
  }

  /**
   * Has the teacher judge {@code texts} once, a slice at a time, before the run asks about them
   * many times: an encoder teacher caches their embeddings, and a slice encodes well within its
   * per-request time limit where all of them at once might not.
   */
  void prime(List<String> texts) throws Exception {
    for (int from = 0; from < texts.size() && !stopRequested.getAsBoolean(); from += PRIME_SLICE) {
      List<String> slice = texts.subList(from, Math.min(texts.size(), from + PRIME_SLICE));
      await(teacher.send("warm-up", slice), "warm-up", slice);
    }
  }

  /**
   * The answer to a request already sent, waiting out a teacher that is down, overloaded or slow:
   * the request is sent again until it is answered or the run is stopped (see {@link
   * #untilAnswered}).
   */
  private float[] await(CompletableFuture<float[]> sent, String context, List<String> candidates) throws Exception {
    return untilAnswered(runId, attempt -> answer(attempt == 1 ? sent : teacher.send(context, candidates)),
        stopRequested, message);
  }

  /**
   * Runs {@code call} until the teacher answers it: a failure that says the teacher is down,
   * overloaded or slow is tried again ({@link #WAIT_FOR_TEACHER}) until it is answered or the run
   * is stopped, and meanwhile the run's message says it waits. Any other failure (a bad request, a
   * teacher that cannot score this kind) is thrown, and ends the run. A run's preparation waits
   * for the teacher this way too.
   */
  static <T> T untilAnswered(String runId, Backoff.Attempt<T> call, BooleanSupplier stopRequested,
      Consumer<String> message) throws Exception {
    return WAIT_FOR_TEACHER.run(attempt -> {
      T answer = call.run(attempt);
      if (attempt > 1) {
        log.info("run {}: the teacher answers again after {} attempts", runId, attempt);
        message.accept("");
      }
      return answer;
    }, e -> e instanceof DomainException d && PASSING.contains(d.kind()) && !stopRequested.getAsBoolean(),
        (attempt, e, pause) -> {
          if (attempt == 1) {
            log.warn("run {}: teacher call failed ({}); waiting for the teacher", runId, e.getMessage());
          }
          message.accept("waiting for the teacher: " + e.getMessage());
        });
  }

  private static float[] answer(CompletableFuture<float[]> f) throws InterruptedException {
    try {
      return f.get(30, TimeUnit.MINUTES);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof DomainException d) {
        throw d;
      }
      throw new DomainException(DomainException.Kind.UNAVAILABLE, "teacher call failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new DomainException(DomainException.Kind.DEADLINE_EXCEEDED, "the teacher did not answer in 30 minutes");
    }
  }
}
