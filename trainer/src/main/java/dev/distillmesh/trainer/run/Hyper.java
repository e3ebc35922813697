package dev.distillmesh.trainer.run;

import dev.distillmesh.common.DomainException;
import dev.distillmesh.trainer.run.model.HyperSettings;
import dev.distillmesh.trainer.run.model.RunSpec.ObjectiveKind;

/**
 * A run's hyperparameters with the contract's defaults applied (0 means default) and ranges
 * checked; the messages name the field and what is allowed.
 */
record Hyper(double learningRate, double teacherTemperature, double studentScale, double alpha, int topK,
    int negatives, boolean scoreNegatives, int batchSize, double identityWeight, long maxSteps, int epochs,
    int evalEvery, double tau1, double tau2, long seed, int generatedPerContext, int generateMinLength,
    int candidates, int efSearch) {

  static Hyper of(ObjectiveKind objective, HyperSettings h) {
    double lr = or(h.learningRate(), 1e-4);
    positive("learning_rate", lr, 1);
    double t = or(h.teacherTemperature(), 0.02);
    positive("teacher_temperature", t, 100);
    double scale = or(h.studentScale(), 20);
    positive("student_scale", scale, 1000);
    double alpha = h.alpha() == 0 ? (objective == ObjectiveKind.G2R ? 0.5 : 0) : h.alpha();
    if (!(alpha >= 0 && alpha <= 1)) {
      throw DomainException.invalid("hyper.alpha must be in [0, 1], got " + h.alpha());
    }
    int candidates = h.candidates() == 0 ? 50 : h.candidates();
    if (candidates < 2 || candidates > 1000) {
      throw DomainException.invalid("hyper.candidates must be in 2..1000 (passages retrieved per question), got "
          + Integer.toUnsignedString(h.candidates()));
    }
    if (h.efSearch() != 0 && (h.efSearch() < 16 || h.efSearch() > 4096)) {
      throw DomainException.invalid("hyper.ef_search must be 0 (the collection's default) or in 16..4096, got "
          + Integer.toUnsignedString(h.efSearch()));
    }
    int topK = h.topK() == 0 ? (objective == ObjectiveKind.RDR ? Math.min(16, candidates) : 0) : h.topK();
    if (topK < 0 || topK > 4096 || (objective == ObjectiveKind.RDR && (topK < 2 || topK > candidates))) {
      throw DomainException.invalid("hyper.top_k must be in 2..candidates (" + candidates + ") for RDR and 0 (all)"
          + " or 1..4096 for TOPK, got " + Integer.toUnsignedString(h.topK()));
    }
    int negatives = h.negatives() == 0 ? (objective == ObjectiveKind.G2R ? 32 : 8) : h.negatives();
    if (negatives < 1 || negatives > 1024) {
      throw DomainException.invalid("hyper.negatives must be in 1..1024, got " + Integer.toUnsignedString(h.negatives()));
    }
    int batch = h.batchSize() == 0 ? 32 : h.batchSize();
    if (batch < 1 || batch > 1024) {
      throw DomainException.invalid("hyper.batch_size must be in 1..1024, got " + Integer.toUnsignedString(h.batchSize()));
    }
    double lambda = h.identityWeight() == 0 ? 1e-3 : h.identityWeight();
    if (!(lambda >= 0 && lambda <= 1000)) {
      throw DomainException.invalid("hyper.identity_weight must be in [0, 1000], got " + h.identityWeight());
    }
    int epochs = h.epochs() == 0 ? 1 : h.epochs();
    if (epochs < 1 || epochs > 1000) {
      throw DomainException.invalid("hyper.epochs must be in 1..1000, got " + Integer.toUnsignedString(h.epochs()));
    }
    int evalEvery = h.evalEvery() == 0 ? 50 : h.evalEvery();
    if (evalEvery < 1) {
      throw DomainException.invalid("hyper.eval_every must be positive, got " + Integer.toUnsignedString(h.evalEvery()));
    }
    if (h.maxSteps() < 0 || h.maxSteps() > 100_000_000L) {
      throw DomainException.invalid("hyper.max_steps must be at most 100000000, got " + Long.toUnsignedString(h.maxSteps()));
    }
    double tau1 = or(h.tau1(), 0.01);
    positive("tau1", tau1, 100);
    double tau2 = or(h.tau2(), 0.05);
    positive("tau2", tau2, 100);
    if (h.generatedPerContext() > 64) {
      throw DomainException.invalid("hyper.generated_per_context must be in 0..64, got "
          + Integer.toUnsignedString(h.generatedPerContext()));
    }
    if (h.generateMinLength() > 1024) {
      throw DomainException.invalid("hyper.generate_min_length must be in 0..1024, got "
          + Integer.toUnsignedString(h.generateMinLength()));
    }
    return new Hyper(lr, t, scale, alpha, topK, negatives, h.negativeMass() != HyperSettings.NegativeMass.ZERO, batch, lambda,
        h.maxSteps(), epochs, evalEvery, tau1, tau2, h.seed() == 0 ? 1 : h.seed(), h.generatedPerContext(),
        h.generateMinLength(), candidates, h.efSearch());
  }

  private static double or(double value, double fallback) {
    return value == 0 ? fallback : value;
  }

  private static void positive(String field, double value, double max) {
    if (!(value > 0 && value <= max)) {
      throw DomainException.invalid("hyper." + field + " must be in (0, " + max + "], got " + value);
    }
  }
}
