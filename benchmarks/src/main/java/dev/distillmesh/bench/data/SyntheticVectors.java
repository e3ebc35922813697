package dev.distillmesh.bench.data;

import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Clustered synthetic unit vectors: gaussian blobs around random unit centres. Each vector is
 * {@code normalize(centre + spread / sqrt(dim) * N(0, I))} for a uniformly chosen centre, so
 * {@code spread} is the noise norm relative to the centre's (1.0 puts a vector at cosine ~0.7 to
 * its centre). Queries are drawn the same way around the same centres.
 *
 * <p>Uniformly random vectors have no neighbourhood structure in 384 dimensions and make every
 * HNSW's recall collapse, which says nothing about real embeddings; blobs keep the benchmark
 * meaningful. Generation is deterministic for a seed, whatever the number of threads.
 */
public final class SyntheticVectors {
  private static final int CHUNK = 4096;

  private final int dimension;
  private final int clusters;
  private final double spread;
  private final long seed;
  private final float[][] centres;

  public SyntheticVectors(int dimension, int clusters, double spread, long seed) {
    this.dimension = dimension;
    this.clusters = clusters;
    this.spread = spread;
    this.seed = seed;
    SplittableRandom rng = new SplittableRandom(seed);
    centres = new float[clusters][];
    for (int c = 0; c < clusters; c++) {
      centres[c] = gaussianUnit(rng);
    }
  }

  public Dataset generate(int baseCount, int queryCount) {
    String name = String.format("synthetic-%dk", baseCount / 1000);
    return new Dataset(name, draw(baseCount, 1), draw(queryCount, 2));
  }

  /** {@code count} vectors from stream {@code stream} (1 = base, 2 = queries). */
  private float[][] draw(int count, int stream) {
    float[][] out = new float[count][];
    int chunks = (count + CHUNK - 1) / CHUNK;
    double sigma = spread / Math.sqrt(dimension);
    IntStream.range(0, chunks).parallel().forEach(chunk -> {
      SplittableRandom rng = new SplittableRandom(mix(seed, stream, chunk));
      int end = Math.min(count, (chunk + 1) * CHUNK);
      for (int i = chunk * CHUNK; i < end; i++) {
        float[] centre = centres[rng.nextInt(clusters)];
        float[] v = new float[dimension];
        for (int d = 0; d < dimension; d++) {
          v[d] = (float) (centre[d] + sigma * rng.nextGaussian());
        }
        out[i] = Dataset.normalize(v);
      }
    });
    return out;
  }

  private float[] gaussianUnit(SplittableRandom rng) {
    float[] v = new float[dimension];
    for (int d = 0; d < dimension; d++) {
      v[d] = (float) rng.nextGaussian();
    }
    return Dataset.normalize(v);
  }

  private static long mix(long seed, int stream, int chunk) {
    long z = seed ^ (0x9E3779B97F4A7C15L * (stream * 1_000_003L + chunk + 1));
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
