package dev.distillmesh.bench.systems;

import dev.distillmesh.bench.data.Dataset;
import dev.distillmesh.index.faiss.FaissIndex;
import dev.distillmesh.index.faiss.Metric;

/**
 * FAISS {@code HNSW<m>,Flat} through our JNI binding, in this JVM: the same engine the
 * index-service runs, without gRPC, persistence or id mapping. Memory is the RSS growth of this
 * process across the build (FAISS allocates natively, outside the Java heap).
 */
public final class FaissInProcess implements AnnSystem {
  private static final int ADD_CHUNK = 65_536;

  private final HnswParams params;
  private final String label;
  private FaissIndex index;

  /** @param label suffix for the name, e.g. the FAISS variant ("avx2", "generic") */
  public FaissInProcess(HnswParams params, String label) {
    this.params = params;
    this.label = label;
  }

  @Override
  public String name() {
    return "(b) faiss in-process" + (label.isEmpty() ? "" : " " + label);
  }

  @Override
  public String effortName() {
    return "efSearch";
  }

  @Override
  public MemoryUse build(Dataset data) {
    FaissIndex.nativeLibrary(); // loaded before the "before" reading, so the library is not counted
    long before = MemoryProbe.selfRssAfterGc();
    index = FaissIndex.create(data.dimension(), "HNSW" + params.m() + ",Flat",
        Metric.INNER_PRODUCT);
    index.setEfConstruction(params.efConstruction());
    for (int from = 0; from < data.size(); from += ADD_CHUNK) {
      index.add(Dataset.flatten(data.base(), from, Math.min(data.size(), from + ADD_CHUNK)),
          params.buildThreads());
    }
    return new MemoryUse(MemoryProbe.selfRssAfterGc() - before, "RSS delta (native)");
  }

  @Override
  public int[] search(float[] query, int k, int effort) {
    return searchBatch(new float[][] {query}, k, effort)[0];
  }

  @Override
  public boolean supportsBatch() {
    return true;
  }

  /** One native call for the whole batch, with up to 2 OpenMP threads (as the service uses). */
  @Override
  public int[][] searchBatch(float[][] queries, int k, int effort) {
    FaissIndex.Neighbors nn = index.search(Dataset.flatten(queries, 0, queries.length), k,
        new FaissIndex.SearchParams(effort, 0, Math.min(2, queries.length)));
    int[][] ids = new int[queries.length][k];
    for (int q = 0; q < queries.length; q++) {
      for (int j = 0; j < k; j++) {
        ids[q][j] = (int) nn.slots()[q * k + j];
      }
    }
    return ids;
  }

  @Override
  public void close() {
    if (index != null) {
      index.close();
    }
  }
}
