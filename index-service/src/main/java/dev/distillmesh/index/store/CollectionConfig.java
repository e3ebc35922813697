package dev.distillmesh.index.store;

import dev.distillmesh.common.CollectionNames;
import dev.distillmesh.common.DomainException;
import dev.distillmesh.index.faiss.Metric;
import java.util.Objects;

/**
 * What a collection is: its name, vector dimension, index spec and metric, whether it keeps its
 * records' base vectors (fixed at creation), and the projection its serving generation was made
 * with (the identity without base vectors). The spec and the projection belong to a generation: a
 * rebuild may change the spec, a Reproject the projection. Immutable.
 */
public record CollectionConfig(String name, int dimension, IndexSpec spec, Metric metric,
    boolean keepsBaseVectors, Projection projection) {
  public static final int MAX_DIMENSION = 4096;

  /** A collection without base vectors. */
  public CollectionConfig(String name, int dimension, IndexSpec spec, Metric metric) {
    this(name, dimension, spec, metric, false, Projection.IDENTITY);
  }

  public CollectionConfig {
    validateName(name);
    if (dimension < 1 || dimension > MAX_DIMENSION) {
      throw DomainException.invalid(
          "dimension " + dimension + " out of range; allowed 1.." + MAX_DIMENSION);
    }
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(metric, "metric");
    Objects.requireNonNull(projection, "projection");
    if (!keepsBaseVectors && !projection.isIdentity()) {
      throw new IllegalArgumentException("a collection without base vectors has no projection to change");
    }
    if (!projection.isIdentity() && projection.matrix().length != dimension * dimension) {
      throw new IllegalArgumentException("projection of " + projection.matrix().length + " values for dimension "
          + dimension);
    }
  }

  /** Same collection with another index spec (used by rebuilds). */
  public CollectionConfig withSpec(IndexSpec newSpec) {
    return new CollectionConfig(name, dimension, newSpec, metric, keepsBaseVectors, projection);
  }

  /** Same collection served with another projection (used by Reproject). */
  CollectionConfig withProjection(Projection newProjection) {
    return new CollectionConfig(name, dimension, spec, metric, keepsBaseVectors, newProjection);
  }

  static void validateName(String name) {
    CollectionNames.check(name, "collection name");
  }
}
