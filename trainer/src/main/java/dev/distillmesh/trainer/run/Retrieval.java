package dev.distillmesh.trainer.run;

import dev.distillmesh.trainer.clients.Passage;
import java.util.List;
import java.util.Map;

/**
 * The served collection as a QA run sees it: the passages the student would retrieve for a query,
 * passages by id, and a sample to draw negatives from. {@link CollectionRetrieval} is the index's;
 * the objectives' learning tests use an exact in-memory one.
 */
interface Retrieval {
  /**
   * The {@code k} best passages for each query (already adapted, {@code A·e}: what the student
   * searches with), best first.
   */
  List<List<Passage>> search(List<float[]> queries, int k);

  /** The passages of {@code ids} the collection holds, by id (absent ids are left out). */
  Map<String, Passage> fetch(List<String> ids);

  /** {@code n} distinct passages drawn at random from the collection (fewer if it holds fewer). */
  List<Passage> sample(int n, long seed) throws Exception;
}
