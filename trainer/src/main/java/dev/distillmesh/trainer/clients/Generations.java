package dev.distillmesh.trainer.clients;

import java.util.List;

/**
 * The teacher's sampled responses: {@code candidates.get(i)} for the i-th context asked.
 *
 * @param model the model that generated them, for provenance
 */
public record Generations(String model, List<List<String>> candidates) {
  public Generations {
    candidates = candidates.stream().map(List::copyOf).toList();
  }
}
