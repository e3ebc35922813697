package dev.distillmesh.index.store;

import dev.distillmesh.common.DomainException;
import dev.distillmesh.index.faiss.FaissIndex;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A k-nearest-neighbour search of one generation that returns live records only. FAISS still holds
 * the vectors of tombstoned slots, so it is asked for k plus the number of tombstones, and a query
 * that still comes back short is asked again for twice as many, until k live hits are found or the
 * whole index has been asked: k live results come back whenever the generation holds k.
 *
 * <p>Stateless; the caller holds its generation's lock (shared) around {@link #search}.
 */
final class GenerationSearch {
  private GenerationSearch() {}

  /** Checks per-request search parameters against the index family of {@code config}. */
  static void checkParams(CollectionConfig config, StoreOptions options, int efSearch, int nprobe) {
    IndexSpec spec = config.spec();
    if (efSearch != 0 && spec.family() != IndexSpec.Family.HNSW) {
      throw DomainException.invalid("ef_search applies to HNSW indexes only; this collection is "
          + spec.factory() + " (send 0)");
    }
    if (efSearch < 0 || efSearch > Limits.MAX_EF_SEARCH) {
      throw DomainException.invalid("ef_search " + efSearch + " out of range; allowed 0 (default "
          + options.defaultEfSearch() + ") or 1.." + Limits.MAX_EF_SEARCH);
    }
    if (nprobe != 0 && spec.family() != IndexSpec.Family.IVF) {
      throw DomainException.invalid("nprobe applies to IVF indexes only; this collection is "
          + spec.factory() + " (send 0)");
    }
    if (nprobe < 0 || nprobe > spec.nlist()) {
      throw new DomainException(DomainException.Kind.OUT_OF_RANGE, "nprobe " + nprobe
          + " out of range; allowed 0 (default) or 1.." + spec.nlist() + " (nlist)");
    }
  }

  /** Searches {@code queries.length / dimension} vectors of {@code index}, whose slots are {@code slots}. */
  static List<List<SearchHit>> search(FaissIndex index, SlotTable slots, CollectionConfig config,
      StoreOptions options, float[] queries, int k, int efSearch, int nprobe, boolean payloads, boolean vectors) {
    int n = queries.length / config.dimension();
    List<List<SearchHit>> results = new ArrayList<>(n);
    long size = slots.size();
    int wanted = (int) Math.min(k, slots.liveCount());
    if (wanted == 0) {
      for (int q = 0; q < n; q++) {
        results.add(List.of());
      }
      return results;
    }
    int fetch = (int) Math.min(size, (long) k + (size - slots.liveCount()));
    int threads = Math.max(1, Math.min(options.searchThreads(), n));
    // The JNI glue sizes HNSW's candidate queue as max(ef, results asked for).
    int ef = efSearch > 0 ? efSearch : options.defaultEfSearch();
    int probes = nprobe > 0 ? nprobe : Math.min(16, Math.max(1, config.spec().nlist()));
    FaissIndex.SearchParams params = new FaissIndex.SearchParams(ef, probes, threads);
    FaissIndex.Neighbors found = index.search(queries, fetch, params);
    for (int q = 0; q < n; q++) {
      List<SearchHit> hits = collect(slots, found, q, wanted, payloads);
      int d = config.dimension();
      float[] one = hits.size() < wanted ? Arrays.copyOfRange(queries, q * d, (q + 1) * d) : null;
      for (int retryFetch = fetch; hits.size() < wanted && retryFetch < size; ) {
        retryFetch = (int) Math.min(size, 2L * retryFetch);
        hits = collect(slots, index.search(one, retryFetch, params), 0, wanted, payloads);
      }
      results.add(vectors ? withVectors(index, slots, config, hits) : hits);
    }
    return results;
  }

  private static List<SearchHit> withVectors(FaissIndex index, SlotTable slots, CollectionConfig config,
      List<SearchHit> hits) {
    List<SearchHit> out = new ArrayList<>(hits.size());
    for (SearchHit h : hits) {
      RecordVectors.Pair v = RecordVectors.of(index, slots.entry(h.id()), config);
      out.add(new SearchHit(h.id(), h.score(), h.payload(), v.vector(), v.base()));
    }
    return out;
  }

  /** The first {@code wanted} live hits of query {@code q}, skipping tombstones and empty slots. */
  private static List<SearchHit> collect(SlotTable slots, FaissIndex.Neighbors found, int q, int wanted,
      boolean payloads) {
    List<SearchHit> hits = new ArrayList<>(wanted);
    int k = found.k();
    for (int j = 0; j < k && hits.size() < wanted; j++) {
      long slot = found.slots()[q * k + j];
      if (slot < 0 || slot >= slots.size()) {
        continue;
      }
      String id = slots.idAt((int) slot);
      if (id == null) {
        continue;
      }
      Payload payload = payloads ? slots.payload(id) : null;
      hits.add(new SearchHit(id, found.scores()[q * k + j], payload));
    }
    return hits;
  }
}
