package dev.distillmesh.teacher.triton;

import dev.distillmesh.common.CallDeadline;
import dev.distillmesh.common.DomainException;
import dev.distillmesh.common.DomainException.Kind;
import dev.distillmesh.common.batch.DynamicBatcher;
import dev.distillmesh.proto.kserve.ModelInferResponse;
import dev.distillmesh.teacher.ScoreItem;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * Scores (context, response) pairs with Triton's pair models: the scorer (log-likelihood) and, when
 * configured, the selector (COHERENCE). Pairs of concurrent requests are gathered per model by a
 * {@link DynamicBatcher} into ModelInfer calls of at most {@code maxBatchPairs}; at most {@code
 * queueCapacity} pairs wait per model and a request that does not fit fails at once with
 * RESOURCE_EXHAUSTED. A batch is sent under the latest deadline among its pairs that still have
 * time, and not at all when none has; a request's result fails with DEADLINE_EXCEEDED when its
 * deadline passes, and its queued pairs are then dropped ({@link TritonClient#gather}).
 *
 * <p>Readiness is the caller's to check. Thread-safe; {@link #close} fails queued pairs with
 * UNAVAILABLE.
 */
final class PairScorer implements AutoCloseable {
  /** One (context, response) pair, with the deadline of the request it belongs to. */
  record Pair(String context, String response, CallDeadline deadline) {}

  /** The scorer's answer for one pair: the response's summed log-likelihood and its token count. */
  record LogLik(float sum, int tokens) {}

  private final TritonClient client;
  private final KServeCodec codec;
  private final String scorerModel;
  private final String selectorModel;
  private final DynamicBatcher<Pair, LogLik> scorer;
  private final DynamicBatcher<Pair, Float> selector; // null without a selector

  PairScorer(TritonClient client, KServeCodec codec, TritonSettings settings) {
    this.client = client;
    this.codec = codec;
    this.scorerModel = settings.scorerModel();
    this.selectorModel = settings.selectorModel();
    this.scorer = new DynamicBatcher<>("triton-" + scorerModel, this::runScorer,
        settings.maxBatchPairs(), 0, settings.queueCapacity());
    this.selector = settings.hasSelector()
        ? new DynamicBatcher<>("triton-" + selectorModel, this::runSelector,
            settings.maxBatchPairs(), 0, settings.queueCapacity())
        : null;
  }

  /** LOG_LIKELIHOOD: each response's log-likelihood given its context, per token. */
  CompletableFuture<float[][]> logLikelihood(List<ScoreItem> items, CallDeadline deadline) {
    List<Pair> pairs = pairs(items, deadline);
    return logLiks(pairs, deadline, results -> shape(items, i -> perToken(results.get(i), pairs.get(i), 0f)));
  }

  /**
   * The scorer's answers for {@code pairs}, in order, then {@code finish} of them.
   *
   * @throws DomainException RESOURCE_EXHAUSTED at once when the pairs do not fit the queue
   */
  <R> CompletableFuture<R> logLiks(List<Pair> pairs, CallDeadline deadline, Function<List<LogLik>, R> finish) {
    return client.gather(scorer.submitAll(pairs), deadline, scorerModel, finish);
  }

  /**
   * {@code (sum − baseline) / tokens}: a log-likelihood per token, less a baseline log-likelihood
   * of the response (0 for none).
   *
   * @throws DomainException INTERNAL when the scorer counted no tokens, which breaks its contract
   */
  float perToken(LogLik ll, Pair pair, float baseline) {
    if (ll.tokens() <= 0) {
      throw codec.broken(scorerModel, "token_count is " + ll.tokens() + " for a response of "
          + pair.response().length() + " characters; every response must have at least one token");
    }
    double logLik = ll.sum() - baseline;
    return (float) (logLik / ll.tokens());
  }

  /** COHERENCE: the selector's probability for each pair. Only when a selector is configured. */
  CompletableFuture<float[][]> coherence(List<ScoreItem> items, CallDeadline deadline) {
    return client.gather(selector.submitAll(pairs(items, deadline)), deadline, selectorModel,
        results -> shape(items, i -> {
          float p = results.get(i);
          if (!(p >= 0f && p <= 1f)) {
            throw codec.broken(selectorModel, "probability " + p + " is outside [0, 1]");
          }
          return p;
        }));
  }

  /** The scorer's and the selector's pair batchers, named "triton-" and the model. */
  Map<String, DynamicBatcher.Stats> batchStats() {
    Map<String, DynamicBatcher.Stats> stats = new LinkedHashMap<>();
    stats.put(scorer.name(), scorer.stats());
    if (selector != null) {
      stats.put(selector.name(), selector.stats());
    }
    return stats;
  }

  @Override
  public void close() {
    scorer.close();
    if (selector != null) {
      selector.close();
    }
  }

  /** Every (context, candidate) pair of the items, item by item. */
  static List<Pair> pairs(List<ScoreItem> items, CallDeadline deadline) {
    List<Pair> pairs = new ArrayList<>();
    for (ScoreItem item : items) {
      for (String candidate : item.candidates()) {
        pairs.add(new Pair(item.context(), candidate, deadline));
      }
    }
    return pairs;
  }

  /** One row per item, one score per candidate, from the flat pair index. */
  static float[][] shape(List<ScoreItem> items, IntFunction<Float> score) {
    float[][] out = new float[items.size()][];
    int k = 0;
    for (int i = 0; i < items.size(); i++) {
      out[i] = new float[items.get(i).candidates().size()];
      for (int j = 0; j < out[i].length; j++) {
        out[i][j] = score.apply(k++);
      }
    }
    return out;
  }

  /** The scorer's batch function: one ModelInfer for all pairs (run on the batcher's thread). */
  private List<LogLik> runScorer(List<Pair> pairs) throws InterruptedException {
    ModelInferResponse response = inferPairs(scorerModel, pairs, "loglik_sum", "token_count");
    float[] sums = codec.fp32Output(response, scorerModel, "loglik_sum", pairs.size());
    int[] counts = codec.int32Output(response, scorerModel, "token_count", pairs.size());
    List<LogLik> out = new ArrayList<>(pairs.size());
    for (int i = 0; i < pairs.size(); i++) {
      out.add(new LogLik(sums[i], counts[i]));
    }
    return out;
  }

  /** The selector's batch function: one ModelInfer for all pairs (run on the batcher's thread). */
  private List<Float> runSelector(List<Pair> pairs) throws InterruptedException {
    ModelInferResponse response = inferPairs(selectorModel, pairs, "probability");
    float[] p = codec.fp32Output(response, selectorModel, "probability", pairs.size());
    List<Float> out = new ArrayList<>(pairs.size());
    for (float v : p) {
      out.add(v);
    }
    return out;
  }

  /**
   * Sends the pairs and waits for the answer, under the latest deadline among the pairs that still
   * have time; fails without calling Triton if none has.
   */
  private ModelInferResponse inferPairs(String model, List<Pair> pairs, String... outputs)
      throws InterruptedException {
    CallDeadline latest = null;
    for (Pair p : pairs) {
      if (!p.deadline().isExpired() && (latest == null || p.deadline().compareTo(latest) > 0)) {
        latest = p.deadline();
      }
    }
    if (latest == null) {
      throw new DomainException(Kind.DEADLINE_EXCEEDED, "the deadline of every request in a batch for model '"
          + model + "' passed before it could be sent to Triton at " + client.target());
    }
    try {
      return client.infer(codec.pairs(model, pairs.stream().map(Pair::context).toList(),
          pairs.stream().map(Pair::response).toList(), outputs), latest).get();
    } catch (ExecutionException e) {
      throw client.translate(e, model);
    }
  }
}
