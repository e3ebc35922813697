package dev.distillmesh.student.query;

import dev.distillmesh.common.CallDeadline;
import dev.distillmesh.common.DomainException;
import java.util.List;

/**
 * What the index service holds, as the student reports it: its collections with the projection
 * each one serves (a collection's response adapter, applied by the index). The index-service client
 * ({@code dev.distillmesh.student.client.IndexGateway}) implements it beside {@link VectorIndex}.
 *
 * <p>Implementations are thread-safe; every call is bounded by the caller's deadline and fails
 * with a {@link DomainException} whose message names the index.
 */
public interface IndexCatalog {
  /**
   * One collection of the index and the projection its serving generation was made with (version
   * 0: the identity, no Reproject yet; {@code projectedAtMillis} 0 then).
   */
  record CollectionState(String name, int dimension, boolean keepsBaseVectors, long projectionVersion,
      String projectionDescription, long projectedAtMillis) {}

  /** Every collection the index serves, in name order (damaged ones, which it does not serve, left out). */
  List<CollectionState> collections(CallDeadline deadline);
}
