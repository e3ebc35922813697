package dev.distillmesh.student.cli;

import com.google.gson.JsonObject;
import java.util.Locale;

/**
 * Ranks of the right answer, one per evaluated item (1 = first; 0 = not among those ranked), and
 * the metrics over them: R@1, R@5 and MRR@10 for QA (Hits@1/K, Hits@5/K and MRR for dialogue are
 * the same sums over each item's own K candidates). Thread-safe.
 */
final class Ranks {
  private long items;
  private long at1;
  private long at5;
  private double reciprocal;

  synchronized void add(int rank) {
    items++;
    at1 += rank == 1 ? 1 : 0;
    at5 += rank >= 1 && rank <= 5 ? 1 : 0;
    reciprocal += rank >= 1 && rank <= 10 ? 1.0 / rank : 0;
  }

  synchronized long items() {
    return items;
  }

  synchronized double at1() {
    return items == 0 ? 0 : (double) at1 / items;
  }

  synchronized double at5() {
    return items == 0 ? 0 : (double) at5 / items;
  }

  synchronized double mrr() {
    return items == 0 ? 0 : reciprocal / items;
  }

  /** The rank of {@code gold} among {@code ids} (best first), 0 when absent. */
  static int rank(java.util.List<String> ids, String gold) {
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
