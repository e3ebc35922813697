package dev.distillmesh.bench.systems;

import dev.distillmesh.bench.data.Dataset;

/**
 * One approximate-nearest-neighbour system under test, holding one index over one dataset.
 *
 * <p>Lifecycle: construct, {@link #build} exactly once, then {@link #search} any number of times,
 * then {@link #close}. The creator closes it; {@code close} frees everything the system allocated
 * (native memory, temp directories, child processes).
 *
 * <p>Thread-safety: {@link #search} may be called from several threads at once after {@link
 * #build} has returned; {@link #build} and {@link #close} are called from one thread.
 */
public interface AnnSystem extends AutoCloseable {
  /** What the build cost in memory, and how that was measured (the systems differ). */
  record MemoryUse(long bytes, String how) {}

  /** Label for the results table, e.g. {@code "(b) faiss in-process"}. */
  String name();

  /** Name of the knob {@link #search}'s {@code effort} sets, e.g. {@code "efSearch"}. */
  String effortName();

  /**
   * Indexes {@code data.base()}; vector {@code i} gets id {@code i}. Blocks until every vector is
   * searchable.
   */
  MemoryUse build(Dataset data) throws Exception;

  /**
   * The ids of the (approximately) {@code k} best base vectors for {@code query} by inner product,
   * best first.
   *
   * @param effort candidate-list size (HNSW efSearch or its equivalent); {@code >= k}
   */
  int[] search(float[] query, int k, int effort) throws Exception;

  /** True when {@link #searchBatch} answers several queries in one call. */
  default boolean supportsBatch() {
    return false;
  }

  /**
   * Searches several queries in one call (one RPC, one native call); row {@code q} holds the ids
   * for {@code queries[q]}. Only systems with a batch API implement it.
   */
  default int[][] searchBatch(float[][] queries, int k, int effort) throws Exception {
    throw new UnsupportedOperationException(name() + " has no batch search");
  }

  @Override
  void close() throws Exception;
}
