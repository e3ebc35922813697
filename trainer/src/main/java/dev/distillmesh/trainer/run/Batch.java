package dev.distillmesh.trainer.run;

import java.util.List;

/**
 * The questions (or dialogue contexts) of one step.
 *
 * @param texts what the teacher reads
 * @param queries their base embeddings, what the context adapter maps
 * @param golds each one's gold candidate in the task's pool, or -1 (traffic has none)
 */
record Batch(List<String> texts, List<float[]> queries, List<Integer> golds) {
  Batch {
    texts = List.copyOf(texts);
    queries = List.copyOf(queries);
    golds = List.copyOf(golds);
  }

  int size() {
    return texts.size();
  }
}
