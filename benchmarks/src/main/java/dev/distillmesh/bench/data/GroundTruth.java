package dev.distillmesh.bench.data;

import dev.distillmesh.index.faiss.FaissIndex;
import dev.distillmesh.index.faiss.Metric;

/**
 * Exact top-k neighbours by inner product, from a FAISS {@code Flat} index (exhaustive search, so
 * exact up to float rounding). Row {@code q} holds the ids of query {@code q}'s k best base
 * vectors, best first.
 */
public final class GroundTruth {
  private static final int ADD_CHUNK = 16_384;
  private static final int QUERY_CHUNK = 256;

  private GroundTruth() {}

  public static int[][] exactTopK(Dataset data, int k, int threads) {
    int[][] truth = new int[data.queries().length][];
    try (FaissIndex flat = FaissIndex.create(data.dimension(), "Flat", Metric.INNER_PRODUCT)) {
      for (int from = 0; from < data.size(); from += ADD_CHUNK) {
        flat.add(Dataset.flatten(data.base(), from, Math.min(data.size(), from + ADD_CHUNK)),
            threads);
      }
      FaissIndex.SearchParams params = new FaissIndex.SearchParams(0, 0, threads);
      for (int from = 0; from < truth.length; from += QUERY_CHUNK) {
        int to = Math.min(truth.length, from + QUERY_CHUNK);
        FaissIndex.Neighbors nn = flat.search(Dataset.flatten(data.queries(), from, to), k, params);
        for (int q = from; q < to; q++) {
          truth[q] = new int[k];
          for (int j = 0; j < k; j++) {
            truth[q][j] = (int) nn.slots()[(q - from) * k + j];
          }
        }
      }
    }
    return truth;
  }
}
