package dev.distillmesh.trainer.run;

import dev.distillmesh.common.DomainException;
import dev.distillmesh.proto.trainer.v1.Hyperparameters;
import dev.distillmesh.proto.trainer.v1.NegativeMass;
import dev.distillmesh.proto.trainer.v1.Objective;

/**
 * A run's hyperparameters with the contract's defaults applied (0 means default) and ranges
 * checked; the messages name the field and what is allowed.
 */
record Hyper(double learningRate, double teacherTemperature, double studentScale, double alpha, int topK,
    int negatives, boolean scoreNegatives, int batchSize, double identityWeight, long maxSteps, int epochs,
    int evalEvery, double tau1, double tau2, long seed, int generatedPerContext, int generateMinLength) {

  static Hyper of(Objective objective, Hyperparameters h) {
    double lr = or(h.getLearningRate(), 1e-4);
    positive("learning_rate", lr, 1);
    double t = or(h.getTeacherTemperature(), 0.02);
    positive("teacher_temperature", t, 100);
    double scale = or(h.getStudentScale(), 20);
    positive("student_scale", scale, 1000);
    double alpha = h.getAlpha() == 0 ? (objective == Objective.G2R ? 0.5 : 0) : h.getAlpha();
    if (!(alpha >= 0 && alpha <= 1)) {
      throw DomainException.invalid("hyper.alpha must be in [0, 1], got " + h.getAlpha());
    }
    int topK = h.getTopK() == 0 ? (objective == Objective.RDR ? 16 : 0) : h.getTopK();
    if (topK < 0 || topK > 4096 || (objective == Objective.RDR && topK < 2)) {
      throw DomainException.invalid("hyper.top_k must be in 2..4096 for RDR and 0 (all) or 1..4096 for TOPK, got "
          + Integer.toUnsignedString(h.getTopK()));
    }
    int negatives = h.getNegatives() == 0 ? 32 : h.getNegatives();
    if (negatives < 1 || negatives > 4096) {
      throw DomainException.invalid("hyper.negatives must be in 1..4096, got " + Integer.toUnsignedString(h.getNegatives()));
    }
    int batch = h.getBatchSize() == 0 ? 32 : h.getBatchSize();
    if (batch < 1 || batch > 1024) {
      throw DomainException.invalid("hyper.batch_size must be in 1..1024, got " + Integer.toUnsignedString(h.getBatchSize()));
    }
    double lambda = h.getIdentityWeight() == 0 ? 1e-3 : h.getIdentityWeight();
    if (!(lambda >= 0 && lambda <= 1000)) {
      throw DomainException.invalid("hyper.identity_weight must be in [0, 1000], got " + h.getIdentityWeight());
    }
    int epochs = h.getEpochs() == 0 ? 1 : h.getEpochs();
    if (epochs < 1 || epochs > 1000) {
      throw DomainException.invalid("hyper.epochs must be in 1..1000, got " + Integer.toUnsignedString(h.getEpochs()));
    }
    int evalEvery = h.getEvalEvery() == 0 ? 50 : h.getEvalEvery();
    if (evalEvery < 1) {
      throw DomainException.invalid("hyper.eval_every must be positive, got " + Integer.toUnsignedString(h.getEvalEvery()));
    }
    if (h.getMaxSteps() < 0 || h.getMaxSteps() > 100_000_000L) {
      throw DomainException.invalid("hyper.max_steps must be at most 100000000, got " + Long.toUnsignedString(h.getMaxSteps()));
    }
    double tau1 = or(h.getTau1(), 0.01);
    positive("tau1", tau1, 100);
    double tau2 = or(h.getTau2(), 0.05);
    positive("tau2", tau2, 100);
    if (h.getGeneratedPerContext() > 64) {
      throw DomainException.invalid("hyper.generated_per_context must be in 0..64, got "
          + Integer.toUnsignedString(h.getGeneratedPerContext()));
    }
    if (h.getGenerateMinLength() > 1024) {
      throw DomainException.invalid("hyper.generate_min_length must be in 0..1024, got "
          + Integer.toUnsignedString(h.getGenerateMinLength()));
    }
    return new Hyper(lr, t, scale, alpha, topK, negatives, h.getNegativeMass() != NegativeMass.ZERO, batch, lambda,
        h.getMaxSteps(), epochs, evalEvery, tau1, tau2, h.getSeed() == 0 ? 1 : h.getSeed(), h.getGeneratedPerContext(),
        h.getGenerateMinLength());
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
