package dev.distillmesh.teacher;

import dev.distillmesh.common.CallDeadline;
import dev.distillmesh.common.batch.DynamicBatcher;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A teacher backend: judges (context, candidate) pairs and, if it can, generates candidates.
 * Implemented by the embedded ONNX ensemble and by the Triton client.
 *
 * <p>Requests reach a backend already validated ({@link TeacherLimits}) and with a kind from
 * {@link #kinds()}. Failures complete the future with a {@link dev.distillmesh.common.DomainException}
 * whose kind says whose fault it is. Implementations are thread-safe, batch concurrent requests
 * themselves and bound their queues (RESOURCE_EXHAUSTED when full).
 */
public interface Teacher extends AutoCloseable {

  /** "embedded" or "triton". */
  String backend();

  /** The score kinds this backend produces. */
  Set<ScoreKind> kinds();

  boolean canGenerate();

  /** The models behind the backend, with their current readiness. */
  List<TeacherModel> models();

  /** Whether the backend can serve now; drives the service's health. */
  boolean ready();

  /** The name reported with scores, e.g. "e5-small-v2" or "triton:scorer". */
  String modelLabel(ScoreKind kind);

  /** Statistics of the backend's batchers by name, for metrics; none unless it batches. */
  default Map<String, DynamicBatcher.Stats> batchStats() {
    return Map.of();
  }

  /** The backend's cache, for Info and metrics; empty unless it caches. */
  default Optional<CacheStats> cacheStats() {
    return Optional.empty();
  }

  /** The name reported with generated candidates; the backend's name unless it says better. */
  default String generatorLabel() {
    return backend();
  }

  /**
   * Scores every pair. The result has one array per item, one score per candidate, in order.
   *
   * @param deadline when the caller stops waiting; work not started by then is dropped
   */
  CompletableFuture<float[][]> score(ScoreKind kind, List<ScoreItem> items, CallDeadline deadline);

  /** Samples {@code sampling.n()} candidates per context; one list per context, in order. */
  CompletableFuture<List<List<String>>> generate(List<String> contexts, Sampling sampling, CallDeadline deadline);

  @Override
  void close();
}
