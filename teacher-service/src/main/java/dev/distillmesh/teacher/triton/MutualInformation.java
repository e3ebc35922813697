package dev.distillmesh.teacher.triton;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import dev.distillmesh.common.CallDeadline;
import dev.distillmesh.teacher.ScoreItem;
import dev.distillmesh.teacher.triton.PairScorer.LogLik;
import dev.distillmesh.teacher.triton.PairScorer.Pair;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * MUTUAL_INFORMATION from the scorer: {@code (loglik(r|c) − mean over the dummy contexts d of
 * loglik(r|d)) / token_count(r|c)}. The dummy-context mean stands in for log P(r); it depends on
 * the response alone, so it is cached per response text (at most {@link #DUMMY_CACHE_ENTRIES},
 * least recently used evicted first) and a response seen before costs one pair, not four. The
 * dummy pairs of the responses not cached go to the scorer with the request's own pairs, in the
 * same batches.
 *
 * <p>Thread-safe: the cache is Guava's concurrent cache. Two concurrent requests over the same new
 * response may both score its dummy pairs; the means are equal, so either may be kept.
 */
final class MutualInformation {
  /** The contexts whose mean log-likelihood of a response stands in for log P(r). */
  static final List<String> DUMMY_CONTEXTS = List.of(".", "<PAD>", "<UNK>");

  /** Responses whose dummy-context log-likelihood is remembered. */
  static final int DUMMY_CACHE_ENTRIES = 100_000;

  private final PairScorer scorer;
  private final Cache<String, Float> dummyMeans =
      CacheBuilder.newBuilder().maximumSize(DUMMY_CACHE_ENTRIES).build();

  MutualInformation(PairScorer scorer) {
    this.scorer = scorer;
  }

  /**
   * One row per item, one score per candidate.
   *
   * @throws dev.distillmesh.common.DomainException RESOURCE_EXHAUSTED at once when the pairs do not
   *     fit the scorer's queue
   */
  CompletableFuture<float[][]> score(List<ScoreItem> items, CallDeadline deadline) {
    List<Pair> pairs = PairScorer.pairs(items, deadline);
    Map<String, Float> means = new HashMap<>();
    List<String> uncached = new ArrayList<>();
    for (String response : new LinkedHashSet<>(pairs.stream().map(Pair::response).toList())) {
      Float cached = dummyMeans.getIfPresent(response);
      if (cached != null) {
        means.put(response, cached);
      } else {
        uncached.add(response);
      }
    }
    List<Pair> all = new ArrayList<>(pairs);
    for (String response : uncached) {
      for (String dummy : DUMMY_CONTEXTS) {
        all.add(new Pair(dummy, response, deadline));
      }
    }
    return scorer.logLiks(all, deadline, results -> {
      for (int j = 0; j < uncached.size(); j++) {
        float mean = dummyMean(results, pairs.size() + j * DUMMY_CONTEXTS.size());
        means.put(uncached.get(j), mean);
        dummyMeans.put(uncached.get(j), mean);
      }
      return PairScorer.shape(items, i -> {
        Pair pair = pairs.get(i);
        return scorer.perToken(results.get(i), pair, means.get(pair.response()));
      });
    });
  }

  /** The mean summed log-likelihood of the dummy-context answers starting at {@code from}. */
  private static float dummyMean(List<LogLik> results, int from) {
    double sum = 0;
    for (int d = 0; d < DUMMY_CONTEXTS.size(); d++) {
      sum += results.get(from + d).sum();
    }
    return (float) (sum / DUMMY_CONTEXTS.size());
  }
}
