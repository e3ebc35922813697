package dev.distillmesh.trainer.run;

import dev.distillmesh.trainer.clients.Passage;
import dev.distillmesh.trainer.learn.QueryAdapter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a QA step's candidates come from, for every QA objective: the passages the student
 * retrieves for each question under the adapter being trained, the batch's gold passages, and
 * passages sampled from the collection as negatives; and the small list operations the
 * objectives share. Candidates are {@link Passage}s (text for the teacher, served vector for the
 * student), deduplicated by id.
 */
final class QaCandidates {
  private final QaWorkspace workspace;
  private final Hyper hyper;

  QaCandidates(QaWorkspace workspace, Hyper hyper) {
    this.workspace = workspace;
    this.hyper = hyper;
  }

  /** The top {@code k} passages of each question of the batch under {@code a}, best first. */
  List<List<Passage>> retrieved(Batch batch, QueryAdapter a, int k) {
    List<float[]> adapted = new ArrayList<>(batch.size());
    for (float[] q : batch.queries()) {
      adapted.add(a.applyFloat(q));
    }
    return workspace.collection().search(adapted, k);
  }

  /** Each question's gold passage, or null (traffic has none; a passage deleted since the start has none either). */
  List<Passage> golds(Batch batch) {
    List<String> ids = new ArrayList<>();
    for (int g : batch.golds()) {
      if (g >= 0) {
        ids.add(workspace.data().goldIds().get(g));
      }
    }
    Map<String, Passage> found = ids.isEmpty() ? Map.of() : workspace.collection().fetch(ids);
    List<Passage> out = new ArrayList<>(Collections.nCopies(batch.size(), null));
    for (int i = 0; i < batch.size(); i++) {
      int g = batch.golds().get(i);
      if (g >= 0) {
        out.set(i, found.get(workspace.data().goldIds().get(g)));
      }
    }
    return out;
  }

  /** {@code hyper.negatives()} passages sampled from the collection, seeded by the step and {@code salt}. */
  List<Passage> negatives(long step, int salt) throws Exception {
    return workspace.collection().sample(hyper.negatives(), hyper.seed() * 31 + step * 1009 + salt);
  }

  /** The passages of the lists in order, each id once (its first occurrence). */
  @SafeVarargs
  static List<Passage> union(List<Passage>... lists) {
    Map<String, Passage> out = new LinkedHashMap<>();
    for (List<Passage> list : lists) {
      for (Passage p : list) {
        if (p != null) {
          out.putIfAbsent(p.id(), p);
        }
      }
    }
    return new ArrayList<>(out.values());
  }

  /** The position of {@code p} in {@code list} by id, or -1 (also for a null p). */
  static int indexOf(List<Passage> list, Passage p) {
    if (p == null) {
      return -1;
    }
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i).id().equals(p.id())) {
        return i;
      }
    }
    return -1;
  }

  static List<String> texts(List<Passage> passages) {
    return passages.stream().map(Passage::text).toList();
  }

  static float[][] vectors(List<Passage> passages) {
    float[][] out = new float[passages.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = passages.get(i).vector();
    }
    return out;
  }

  /** The position in {@code row} of the highest score among the first {@code n} (the first of equals). */
  static int best(float[] row, int n) {
    int best = 0;
    for (int j = 1; j < n; j++) {
      if (row[j] > row[best]) {
        best = j;
      }
    }
    return best;
  }
}
