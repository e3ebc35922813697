package dev.distillmesh.index.store;

/**
 * Tuning of the store; every field has a sensible default in {@link #defaults()}.
 *
 * @param searchThreads most OpenMP threads one search request may use (batches of queries)
 * @param buildThreads OpenMP threads for adding vectors and training
 * @param hnswEfConstruction HNSW candidate list size while inserting (FAISS default is 40)
 * @param defaultEfSearch HNSW candidate list size when a request sends 0
 * @param checkpointMinBytes the log is folded into a snapshot once it exceeds this many bytes and
 *     the size of the last snapshot (so total snapshot I/O stays linear in the data written)
 * @param compactionMinTombstones compaction runs only with at least this many tombstones...
 * @param compactionTombstoneRatio ...and at least this fraction of the index being tombstones
 * @param compactionIntervalMillis how often the background compactor looks
 */
public record StoreOptions(
    int searchThreads,
    int buildThreads,
    int hnswEfConstruction,
    int defaultEfSearch,
    long checkpointMinBytes,
    long compactionMinTombstones,
    double compactionTombstoneRatio,
    long compactionIntervalMillis) {

  public static StoreOptions defaults() {
    return new StoreOptions(2, 2, 64, 256, 64L << 20, 1000, 0.2, 10_000);
  }

  public StoreOptions withCompaction(long minTombstones, double ratio, long intervalMillis) {
    return new StoreOptions(searchThreads, buildThreads, hnswEfConstruction, defaultEfSearch,
        checkpointMinBytes, minTombstones, ratio, intervalMillis);
  }

  public StoreOptions withCheckpointMinBytes(long bytes) {
    return new StoreOptions(searchThreads, buildThreads, hnswEfConstruction, defaultEfSearch,
        bytes, compactionMinTombstones, compactionTombstoneRatio, compactionIntervalMillis);
  }

  public StoreOptions withThreads(int search, int build) {
    return new StoreOptions(search, build, hnswEfConstruction, defaultEfSearch, checkpointMinBytes,
        compactionMinTombstones, compactionTombstoneRatio, compactionIntervalMillis);
  }
}
