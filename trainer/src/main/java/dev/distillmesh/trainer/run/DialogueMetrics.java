package dev.distillmesh.trainer.run;

import dev.distillmesh.trainer.run.model.Evaluation;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Dialogue metrics: Hits@1/K and Hits@5/K over each held-out example's own K candidates, and the
 * diversity of what the student returns (Dist-n: distinct n-grams over all n-grams of the
 * responses, Li et al. 2016; higher means less repetitive).
 */
final class DialogueMetrics {
  private DialogueMetrics() {}

  /**
   * @param ranks 1-based rank of each example's gold response among its candidates
   * @param candidates K, the candidates per example (the largest if they differ)
   * @param returned the response returned for each of a sample of contexts, for Dist-n; null to skip
   * @param queries the student's query embeddings, for conicity; null for the teacher
   */
  static Evaluation evaluation(long step, int[] ranks, int candidates, List<String> returned, List<double[]> queries) {
    Evaluation base = Metrics.evaluation(step, ranks, queries);
    boolean dist = returned != null && !returned.isEmpty();
    return new Evaluation(base.step(), base.questions(), base.rAt1(), base.rAt5(), base.mrrAt10(), base.conicity(),
        base.rAt1(), base.rAt5(), candidates, dist ? distinct(returned, 2) : 0, dist ? distinct(returned, 3) : 0, 0);
  }

  /** Distinct n-grams over all n-grams of the texts (lower-cased, split on white space). */
  static double distinct(List<String> texts, int n) {
    Set<String> distinct = new HashSet<>();
    long total = 0;
    for (String text : texts) {
      String[] tokens = text.toLowerCase(Locale.ROOT).strip().split("\\s+");
      for (int i = 0; i + n <= tokens.length; i++) {
        distinct.add(String.join(" ", java.util.Arrays.copyOfRange(tokens, i, i + n)));
        total++;
      }
    }
    return total == 0 ? 0 : (double) distinct.size() / total;
  }
}
