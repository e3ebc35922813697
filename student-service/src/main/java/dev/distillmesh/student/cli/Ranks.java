package dev.distillmesh.student.cli;

import com.google.gson.JsonObject;
import dev.distillmesh.common.RankMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Ranks of the right answer, one per evaluated item (1 = first; 0 = not among those ranked), and
 * the metrics over them ({@link RankMetrics}, as the trainer computes them). Thread-safe.
 */
final class Ranks {
  private final List<Integer> ranks = new ArrayList<>();

  synchronized void add(int rank) {
    ranks.add(rank);
  }

  private synchronized RankMetrics metrics() {
    return RankMetrics.of(ranks.stream().mapToInt(Integer::intValue).toArray());
  }

  long items() {
    return metrics().items();
  }

  double at1() {
    return metrics().at1();
  }

  double at5() {
    return metrics().at5();
  }

  double mrr() {
    return metrics().mrrAt10();
  }

  /** The rank of {@code gold} among {@code ids} (best first), 0 when absent. */
  static int rank(List<String> ids, String gold) {
    int i = ids.indexOf(gold);
    return i < 0 ? 0 : i + 1;
  }

  /** "R@1 0.5000  R@5 ..." for QA, "Hits@1/K ..." for dialogue. */
  String text(boolean dialogue, int k) {
    return dialogue
        ? String.format(Locale.ROOT, "Hits@1/%d %.4f  Hits@5/%d %.4f  MRR %.4f", k, at1(), k, at5(), mrr())
        : String.format(Locale.ROOT, "R@1 %.4f  R@5 %.4f  MRR@10 %.4f", at1(), at5(), mrr());
  }

  JsonObject json(boolean dialogue) {
    JsonObject o = new JsonObject();
    o.addProperty(dialogue ? "hits_at_1" : "r_at_1", at1());
    o.addProperty(dialogue ? "hits_at_5" : "r_at_5", at5());
    o.addProperty(dialogue ? "mrr" : "mrr_at_10", mrr());
    return o;
  }
}
