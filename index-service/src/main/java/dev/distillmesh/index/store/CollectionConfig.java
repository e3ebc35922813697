package dev.distillmesh.index.store;

import dev.distillmesh.common.CollectionNames;
import dev.distillmesh.common.DomainException;
import dev.distillmesh.index.faiss.Metric;
import java.util.Objects;

/** What a collection is: its name, vector dimension, index spec and metric. Immutable. */
public record CollectionConfig(String name, int dimension, IndexSpec spec, Metric metric) {
  public static final int MAX_DIMENSION = 4096;

  public CollectionConfig {
    validateName(name);
    if (dimension < 1 || dimension > MAX_DIMENSION) {
      throw DomainException.invalid(
          "dimension " + dimension + " out of range; allowed 1.." + MAX_DIMENSION);
    }
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(metric, "metric");
  }

  /** Same collection with another index spec (used by rebuilds). */
  public CollectionConfig withSpec(IndexSpec newSpec) {
    return new CollectionConfig(name, dimension, newSpec, metric);
  }

  static void validateName(String name) {
    CollectionNames.check(name, "collection name");
  }
}
