package dev.distillmesh.index.store;

import dev.distillmesh.common.DomainException;
import dev.distillmesh.index.faiss.Metric;
import java.util.Objects;
import java.util.regex.Pattern;

/** What a collection is: its name, vector dimension, index spec and metric. Immutable. */
public record CollectionConfig(String name, int dimension, IndexSpec spec, Metric metric) {
  public static final int MAX_DIMENSION = 4096;
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

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
    if (name == null || name.isEmpty()) {
      throw DomainException.invalid("collection name is empty; allowed [A-Za-z0-9_-]{1,64}");
    }
    if (!NAME.matcher(name).matches()) {
      throw DomainException.invalid("collection name \"" + Limits.abbreviate(name)
          + "\" is not allowed; allowed [A-Za-z0-9_-]{1,64}");
    }
  }
}
