package dev.distillmesh.bench.systems;

/**
 * Graph parameters every system is built with, so that the comparison is like for like.
 *
 * @param m neighbours per node (FAISS HNSW M, Lucene maxConn, JVector degree); FAISS and Lucene
 *     allow 2*m on the bottom layer, JVector m on every layer
 * @param efConstruction candidate-list size while inserting (FAISS efConstruction, Lucene
 *     beamWidth, JVector beamWidth)
 * @param buildThreads threads used to build the index
 */
public record HnswParams(int m, int efConstruction, int buildThreads) {
  public HnswParams {
    if (m < 2 || efConstruction < 1 || buildThreads < 1) {
      throw new IllegalArgumentException("bad HNSW parameters " + m + "/" + efConstruction + "/"
          + buildThreads);
    }
  }
}
