package dev.distillmesh.trainer.run;

import dev.distillmesh.trainer.learn.Adam;
import dev.distillmesh.trainer.learn.ListwiseLoss;
import dev.distillmesh.trainer.learn.QueryAdapter;
import dev.distillmesh.trainer.run.model.RunStatus;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a run trains: the context adapter A with its optimizer, and (for a DIALOGUE run with
 * train_response_adapter) the response adapter B with its own; and one optimisation step over a
 * batch's examples. Owned by the run's thread.
 */
final class Adapters {
  /** The loss of one step, averaged per context, and the pairs it scored. */
  record StepLoss(double kd, double ce, double identity, long pairs) {
    double total() {
      return kd + ce + identity;
    }
  }

  private final QueryAdapter context;
  private final Adam contextAdam;
  private final QueryAdapter response;
  private final Adam responseAdam;

  /** @param response B, or null when the run trains only A (then {@code responseAdam} is null too) */
  Adapters(QueryAdapter context, Adam contextAdam, QueryAdapter response, Adam responseAdam) {
    this.context = context;
    this.contextAdam = contextAdam;
    this.response = response;
    this.responseAdam = responseAdam;
  }

  /** Untrained adapters (the identity) with fresh optimizers. */
  static Adapters identity(int dim, double learningRate, boolean trainsResponse) {
    return start(dim, learningRate, trainsResponse ? QueryAdapter.identity(dim) : null);
  }

  /**
   * A new run's adapters with fresh optimizers: A the identity, B (when the run trains it) a copy
   * of {@code response}, the projection the collection is served with.
   *
   * @param response null when the run trains A only
   */
  static Adapters start(int dim, double learningRate, QueryAdapter response) {
    return new Adapters(QueryAdapter.identity(dim), new Adam(dim * dim, learningRate),
        response == null ? null : QueryAdapter.of(dim, response.values().clone()),
        response == null ? null : new Adam(dim * dim, learningRate));
  }

  /**
   * The adapters a checkpoint holds; B as the identity when the run trains it but the checkpoint
   * has none (it was written before the run trained B).
   */
  static Adapters restore(Checkpoint saved, double learningRate, boolean trainsResponse) {
    int dim = saved.dim();
    QueryAdapter b = null;
    Adam bAdam = null;
    if (saved.response() != null) {
      b = QueryAdapter.of(dim, saved.response().adapter());
      bAdam = new Adam(learningRate, saved.response().m(), saved.response().v(), saved.response().adamSteps());
    } else if (trainsResponse) {
      b = QueryAdapter.identity(dim);
      bAdam = new Adam(dim * dim, learningRate);
    }
    return new Adapters(QueryAdapter.of(dim, saved.adapter()),
        new Adam(learningRate, saved.m(), saved.v(), saved.adamSteps()), b, bAdam);
  }

  /** A checkpoint of these adapters with the run's record, data position and pending publish. */
  Checkpoint checkpoint(RunStatus record, long position, Publisher.Pending pending) {
    Checkpoint.Response r = response == null ? null : new Checkpoint.Response(responseAdam.steps(), response.values(),
        responseAdam.firstMoment(), responseAdam.secondMoment(), pending.responseVersion());
    return new Checkpoint(record.step(), position, contextAdam.steps(), context.dim(), context.values(),
        contextAdam.firstMoment(), contextAdam.secondMoment(), pending.version(), pending.step(), record, r);
  }

  QueryAdapter context() {
    return context;
  }

  /** B, or null when the run does not train it. */
  QueryAdapter response() {
    return response;
  }

  int dim() {
    return context.dim();
  }

  /**
   * One step: sums the examples' gradients, averages them per context (a context may bring several
   * examples: G2R has one per positive, and the KD term), pulls A (and B) toward the identity and
   * steps the optimizers.
   *
   * @param responseBase the base embeddings the examples' candidate indices point into, for ∂L/∂B
   */
  StepLoss step(List<Example> batch, double identityWeight, float[][] responseBase) {
    double[] grad = new double[context.values().length];
    double kd = 0;
    double ce = 0;
    long pairs = 0;
    for (Example ex : batch) {
      ListwiseLoss.Terms t = ListwiseLoss.accumulate(context, ex.query(), ex.vectors(), ex.teacher(), ex.gold(),
          ex.scale(), ex.wKd(), ex.wCe(), grad, ex.candidateGrad());
      kd += t.kd();
      ce += t.ce();
      pairs += ex.candidates().length;
    }
    Set<float[]> seenQueries = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Example ex : batch) {
      seenQueries.add(ex.query());
    }
    int contexts = Math.max(1, seenQueries.size());
    for (int i = 0; i < grad.length; i++) {
      grad[i] /= contexts;
    }
    double identity = context.identityPull(identityWeight, grad);
    contextAdam.step(context.values(), grad);
    if (response != null && !batch.isEmpty()) {
      identity += stepResponse(batch, contexts, identityWeight, responseBase);
    }
    return new StepLoss(kd / contexts, ce / contexts, identity, pairs);
  }

  /**
   * Folds the step's ∂L/∂p_j (one row per response, shared by the examples) into ∂L/∂B (p_j =
   * B·e_j), averaged over the batch's contexts, pulls B toward the identity and steps its
   * optimizer; returns the identity term.
   */
  private double stepResponse(List<Example> batch, int contexts, double identityWeight, float[][] base) {
    // Filled in the examples' order, as the objective made the rows: the summation order, and so
    // the adapter's bits, depend only on the run's seed.
    Map<Integer, double[]> rows = new HashMap<>();
    for (Example ex : batch) {
      for (int j = 0; j < ex.candidates().length; j++) {
        rows.putIfAbsent(ex.candidates()[j], ex.candidateGrad()[j]);
      }
    }
    double[] grad = new double[response.values().length];
    for (Map.Entry<Integer, double[]> row : rows.entrySet()) {
      QueryAdapter.addOuter(row.getValue(), base[row.getKey()], grad);
    }
    for (int i = 0; i < grad.length; i++) {
      grad[i] /= contexts;
    }
    double identity = response.identityPull(identityWeight, grad);
    responseAdam.step(response.values(), grad);
    return identity;
  }
}
