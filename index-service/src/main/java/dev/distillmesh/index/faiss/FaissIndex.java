package dev.distillmesh.index.faiss;

import java.lang.ref.Cleaner;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One native {@code faiss::Index}. Vectors get consecutive <em>slots</em> (0, 1, 2, ...) in the
 * order they are added; mapping slots to record ids is the caller's job.
 *
 * <p>Thread-safety: searches, {@link #reconstruct} and {@link #write} may run concurrently with
 * each other; {@link #add}, {@link #train} and {@link #close} take the object exclusively (FAISS
 * does not allow adding while searching). The lock is a {@link ReentrantReadWriteLock} held
 * across the native call.
 *
 * <p>Ownership: the creator closes it. {@link #close()} is idempotent; a {@link Cleaner} frees the
 * native memory of an index that was never closed. Every call on a closed index throws {@link
 * IllegalStateException}; every FAISS error throws {@link FaissException}.
 */
public final class FaissIndex implements AutoCloseable {
  /**
   * What a search request can tune. {@code efSearch} (HNSW) and {@code nprobe} (IVF): 0 means the
   * index default. With FAISS 1.7.3 an efSearch below the index's own (16) acts as 16. {@code
   * threads}: OpenMP threads for this call, at least 1.
   */
  public record SearchParams(int efSearch, int nprobe, int threads) {
    public static final SearchParams DEFAULT = new SearchParams(0, 0, 1);

    public SearchParams {
      if (efSearch < 0 || nprobe < 0) {
        throw new IllegalArgumentException("efSearch and nprobe must be >= 0");
      }
      checkThreads(threads);
    }
  }

  /**
   * Result of a search of {@code queries} vectors: row {@code q} occupies {@code [q*k, (q+1)*k)}.
   * A slot of -1 means FAISS found fewer than k vectors; its score is meaningless.
   */
  public record Neighbors(int queries, int k, float[] scores, long[] slots) {}

  /** The family of the index, for validating per-request parameters. */
  public enum Kind {
    FLAT,
    HNSW,
    IVF,
    OTHER
  }

  private static final Cleaner CLEANER = Cleaner.create();

  /** Holds the handle for the Cleaner; must not reference the FaissIndex itself. */
  private static final class NativeHandle implements Runnable {
    private long handle;

    NativeHandle(long handle) {
      this.handle = handle;
    }

    @Override
    public synchronized void run() {
      if (handle != 0) {
        nFree(handle);
        handle = 0;
      }
    }
  }

  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final NativeHandle state;
  private final Cleaner.Cleanable cleanable;
  private final int dimension;
  private final Metric metric;
  private final Kind kind;
  private boolean closed; // guarded by lock

  private FaissIndex(long handle, Metric metric) {
    this.state = new NativeHandle(handle);
    this.cleanable = CLEANER.register(this, state);
    this.dimension = nDimension(handle);
    this.metric = metric;
    this.kind = Kind.values()[nKind(handle)];
  }

  /**
   * Creates an empty index from a FAISS factory string such as {@code "Flat"}, {@code
   * "HNSW32,Flat"} or {@code "IVF256,Flat"}.
   *
   * @throws FaissException when FAISS rejects the spec
   */
  public static FaissIndex create(int dimension, String factorySpec, Metric metric) {
    if (dimension <= 0) {
      throw new IllegalArgumentException("dimension must be > 0, got " + dimension);
    }
    Objects.requireNonNull(factorySpec, "factorySpec");
    Objects.requireNonNull(metric, "metric");
    FaissNative.load();
    return new FaissIndex(nCreate(dimension, factorySpec, metric.nativeCode()), metric);
  }

  /**
   * Loads the native library now, if it is not loaded yet, and describes it: the FAISS version,
   * its SIMD level and the file it was loaded from. {@link #create} and {@link #read} load it on
   * first use; call this first where that first use must not pay for it (a memory or latency
   * measurement), or to report which build runs.
   *
   * @throws UnsatisfiedLinkError listing every attempt, when no variant loads
   */
  public static String nativeLibrary() {
    return FaissNative.buildInfo() + " from " + FaissNative.loadedFrom();
  }

  /** Reads an index written by {@link #write}; dimension and metric come from the file. */
  public static FaissIndex read(Path file) {
    FaissNative.load();
    long handle = nRead(file.toAbsolutePath().toString());
    return new FaissIndex(handle, nMetric(handle) == 1 ? Metric.L2 : Metric.INNER_PRODUCT);
  }

  public int dimension() {
    return dimension;
  }

  public Metric metric() {
    return metric;
  }

  public Kind kind() {
    return kind;
  }

  /** Number of inverted lists of an IVF index, 0 for other kinds. */
  public int nlist() {
    return withRead(() -> nNlist(state.handle));
  }

  /** Number of vectors added (including any the caller considers deleted). */
  public long size() {
    return withRead(() -> nSize(state.handle));
  }

  public boolean isTrained() {
    return withRead(() -> nIsTrained(state.handle));
  }

  /** Sets HNSW's construction-time candidate list size; affects vectors added afterwards. */
  public void setEfConstruction(int efConstruction) {
    if (efConstruction <= 0) {
      throw new IllegalArgumentException("efConstruction must be > 0");
    }
    withWrite(() -> nSetEfConstruction(state.handle, efConstruction));
  }

  /** Trains an index that needs it (IVF) on {@code vectors.length / dimension} vectors. */
  public void train(float[] vectors, int threads) {
    checkThreads(threads);
    int n = rows(vectors);
    withWrite(() -> nTrain(state.handle, n, vectors, threads));
  }

  /**
   * Appends {@code vectors.length / dimension} vectors, which get the next consecutive slots.
   *
   * @return the slot of the first vector added
   */
  public long add(float[] vectors, int threads) {
    checkThreads(threads);
    int n = rows(vectors);
    lock.writeLock().lock();
    try {
      long first = nSize(checkedHandle());
      nAdd(state.handle, n, vectors, threads);
      return first;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Searches {@code queries.length / dimension} vectors for their {@code k} best slots each. */
  public Neighbors search(float[] queries, int k, SearchParams params) {
    int n = rows(queries);
    if (k <= 0) {
      throw new IllegalArgumentException("k must be > 0, got " + k);
    }
    if ((long) n * k > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("queries * k too large: " + n + " * " + k);
    }
    float[] scores = new float[n * k];
    long[] slots = new long[n * k];
    withRead(() -> nSearch(state.handle, n, queries, k, params.efSearch(), params.nprobe(),
        params.threads(), scores, slots));
    return new Neighbors(n, k, scores, slots);
  }

  /** Returns the stored vector of a slot (exact for Flat storage). */
  public float[] reconstruct(long slot) {
    float[] out = new float[dimension];
    withRead(() -> {
      if (slot < 0 || slot >= nSize(state.handle)) {
        throw new IllegalArgumentException("slot " + slot + " out of range");
      }
      nReconstruct(state.handle, slot, out);
    });
    return out;
  }

  /** Returns the stored vectors of slots {@code [first, first + count)}, row after row. */
  public float[] reconstructRange(long first, int count) {
    if (count <= 0 || (long) count * dimension > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("count must be in 1.." + Integer.MAX_VALUE / dimension);
    }
    float[] out = new float[count * dimension];
    withRead(() -> {
      if (first < 0 || first + count > nSize(state.handle)) {
        throw new IllegalArgumentException("slots " + first + ".." + (first + count - 1)
            + " out of range 0.." + (nSize(state.handle) - 1));
      }
      nReconstructRange(state.handle, first, count, out);
    });
    return out;
  }

  /** Writes the index to a file (FAISS's own format). */
  public void write(Path file) {
    withRead(() -> nWrite(state.handle, file.toAbsolutePath().toString()));
  }

  /** Frees the native index. Idempotent; waits for running calls to finish. */
  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (!closed) {
        closed = true;
        cleanable.clean();
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  private static void checkThreads(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
  }

  private int rows(float[] vectors) {
    Objects.requireNonNull(vectors, "vectors");
    if (vectors.length == 0 || vectors.length % dimension != 0) {
      throw new IllegalArgumentException(
          "vector data of length " + vectors.length + " is not a positive multiple of dimension "
              + dimension);
    }
    return vectors.length / dimension;
  }

  private long checkedHandle() {
    if (closed) {
      throw new IllegalStateException("FAISS index is closed");
    }
    return state.handle;
  }

  private interface NativeCall<T> {
    T call();
  }

  private <T> T withRead(NativeCall<T> call) {
    lock.readLock().lock();
    try {
      checkedHandle();
      return call.call();
    } finally {
      lock.readLock().unlock();
    }
  }

  private void withRead(Runnable call) {
    withRead(() -> {
      call.run();
      return null;
    });
  }

  private void withWrite(Runnable call) {
    lock.writeLock().lock();
    try {
      checkedHandle();
      call.run();
    } finally {
      lock.writeLock().unlock();
    }
  }

  private static native long nCreate(int dimension, String spec, int metric);

  private static native long nRead(String path);

  private static native void nWrite(long handle, String path);

  private static native void nFree(long handle);

  private static native int nDimension(long handle);

  private static native long nSize(long handle);

  private static native int nMetric(long handle);

  private static native boolean nIsTrained(long handle);

  private static native int nKind(long handle);

  private static native int nNlist(long handle);

  private static native void nSetEfConstruction(long handle, int efConstruction);

  private static native void nTrain(long handle, int n, float[] vectors, int threads);

  private static native void nAdd(long handle, int n, float[] vectors, int threads);

  private static native void nSearch(long handle, int n, float[] queries, int k, int efSearch,
      int nprobe, int threads, float[] scores, long[] slots);

  private static native void nReconstruct(long handle, long slot, float[] out);

  private static native void nReconstructRange(long handle, long first, int count, float[] out);
}
