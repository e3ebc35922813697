package dev.distillmesh.bench.systems;

import dev.distillmesh.bench.data.Dataset;
import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.ListRandomAccessVectorValues;
import io.github.jbellis.jvector.graph.RandomAccessVectorValues;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.similarity.BuildScoreProvider;
import io.github.jbellis.jvector.graph.similarity.DefaultSearchScoreProvider;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.github.jbellis.jvector.vector.VectorizationProvider;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;

/**
 * JVector 4 in memory: GraphIndexBuilder over full-precision vectors (exact DOT_PRODUCT scores, no
 * quantisation), degree m on every layer, beamWidth = efConstruction, JVector's defaults for the
 * rest (neighbour overflow 1.2, alpha 1.2, hierarchy on, final refinement on), on a ForkJoinPool
 * of buildThreads. Search is GraphSearcher with rerankK = effort (JVector's "overquery" candidate
 * count), one searcher per thread (a searcher is not thread-safe).
 *
 * <p>Memory: growth of the Java heap across the build (graph and vector wrappers; JVector wraps
 * the dataset's arrays rather than copying them where the vectorization provider allows).
 */
public final class JVectorHnsw implements AnnSystem {
  private static final float NEIGHBOR_OVERFLOW = 1.2f;
  private static final float ALPHA = 1.2f;

  private final HnswParams params;
  private RandomAccessVectorValues vectors;
  private ImmutableGraphIndex graph;
  private ThreadLocal<GraphSearcher> searchers;
  private VectorTypeSupport vts;

  public JVectorHnsw(HnswParams params) {
    this.params = params;
  }

  @Override
  public String name() {
    return "(d) jvector 4.0.2";
  }

  @Override
  public String effortName() {
    return "rerankK";
  }

  @Override
  public MemoryUse build(Dataset data) throws Exception {
    long heapBefore = MemoryProbe.heapUsedAfterGc();
    vts = VectorizationProvider.getInstance().getVectorTypeSupport();
    List<VectorFloat<?>> rows = new ArrayList<>(data.size());
    for (float[] row : data.base()) {
      rows.add(vts.createFloatVector(row));
    }
    vectors = new ListRandomAccessVectorValues(rows, data.dimension());
    BuildScoreProvider scores = BuildScoreProvider.randomAccessScoreProvider(vectors,
        VectorSimilarityFunction.DOT_PRODUCT);
    ForkJoinPool pool = new ForkJoinPool(params.buildThreads());
    try (GraphIndexBuilder builder = new GraphIndexBuilder(scores, data.dimension(), params.m(),
        params.efConstruction(), NEIGHBOR_OVERFLOW, ALPHA, true, true, pool, pool)) {
      graph = builder.build(vectors);
    } finally {
      pool.shutdown();
    }
    searchers = ThreadLocal.withInitial(() -> new GraphSearcher(graph));
    long heap = MemoryProbe.heapUsedAfterGc() - heapBefore;
    return new MemoryUse(heap, "heap delta");
  }

  @Override
  public int[] search(float[] query, int k, int effort) {
    VectorFloat<?> q = vts.createFloatVector(query);
    SearchResult result = searchers.get().search(
        DefaultSearchScoreProvider.exact(q, VectorSimilarityFunction.DOT_PRODUCT, vectors),
        k, Math.max(k, effort), 0.0f, 0.0f, Bits.ALL);
    SearchResult.NodeScore[] nodes = result.getNodes();
    int[] ids = new int[nodes.length];
    for (int j = 0; j < nodes.length; j++) {
      ids[j] = nodes[j].node;
    }
    return ids;
  }

  @Override
  public void close() throws Exception {
    if (graph != null) {
      graph.close();
    }
  }
}
