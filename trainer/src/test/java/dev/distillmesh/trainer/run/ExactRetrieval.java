package dev.distillmesh.trainer.run;

import dev.distillmesh.trainer.clients.Passage;
import dev.distillmesh.trainer.learn.ListwiseLoss;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A collection searched exactly in memory (every passage scored by its inner product with the
 * query), for the objectives' learning tests: the same {@link Retrieval} a run has over the
 * index-service, without the service. The passages' vectors are the arrays given, not copies.
 */
final class ExactRetrieval implements Retrieval {
  private final List<Passage> passages = new ArrayList<>();
  private final Map<String, Passage> byId = new HashMap<>();

  ExactRetrieval(List<String> ids, List<String> texts, float[][] vectors) {
    for (int j = 0; j < ids.size(); j++) {
      Passage p = new Passage(ids.get(j), texts.get(j), vectors[j], null);
      passages.add(p);
      byId.put(p.id(), p);
    }
  }

  @Override
  public List<List<Passage>> search(List<float[]> queries, int k) {
    List<List<Passage>> out = new ArrayList<>();
    for (float[] q : queries) {
      double[] u = new double[q.length];
      for (int d = 0; d < q.length; d++) {
        u[d] = q[d];
      }
      List<Passage> ranked = new ArrayList<>(passages);
      ranked.sort((a, b) -> Double.compare(ListwiseLoss.dot(u, b.vector()), ListwiseLoss.dot(u, a.vector())));
      out.add(new ArrayList<>(ranked.subList(0, Math.min(k, ranked.size()))));
    }
    return out;
  }

  @Override
  public Map<String, Passage> fetch(List<String> ids) {
    Map<String, Passage> out = new HashMap<>();
    for (String id : ids) {
      if (byId.containsKey(id)) {
        out.put(id, byId.get(id));
      }
    }
    return out;
  }

  @Override
  public List<Passage> sample(int n, long seed) {
    Random rnd = new Random(seed);
    LinkedHashSet<Integer> chosen = new LinkedHashSet<>();
    while (chosen.size() < Math.min(n, passages.size())) {
      chosen.add(rnd.nextInt(passages.size()));
    }
    return chosen.stream().map(passages::get).toList();
  }
}
