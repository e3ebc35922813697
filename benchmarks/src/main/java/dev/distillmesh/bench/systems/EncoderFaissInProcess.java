package dev.distillmesh.bench.systems;

import dev.distillmesh.bench.data.Dataset;
import dev.distillmesh.bench.data.VectorFile;
import dev.distillmesh.index.faiss.FaissIndex;
import dev.distillmesh.index.faiss.Metric;
import dev.distillmesh.encoder.EncoderSpec;
import dev.distillmesh.encoder.OnnxEncoder;
import dev.distillmesh.encoder.Tokenized;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * The student's query path without the mesh: the student's own {@link OnnxEncoder} (bundled
 * MiniLM) and a FAISS {@code HNSW32,Flat} index of the same passages through the index-service's
 * JNI binding, both in this JVM. {@link #answer} is what {@code Answer} does minus gRPC, the
 * dynamic batcher, the identity adapter and the payload lookup: tokenize, one ONNX Runtime run,
 * one FAISS search.
 *
 * <p>Passage vectors are encoded once and cached under the cache directory (keyed by the model,
 * the token limit and a hash of the texts), so only the first run pays ~100 s for them.
 *
 * <p>Thread-safe: the encoder and FAISS searches allow concurrent callers. The caller closes it.
 */
public final class EncoderFaissInProcess implements AutoCloseable {
  private static final int ENCODE_BATCH = 32;

  private final OnnxEncoder encoder;
  private final FaissIndex index;
  private final String queryPrefix;

  private EncoderFaissInProcess(OnnxEncoder encoder, FaissIndex index) {
    this.encoder = encoder;
    this.index = index;
    this.queryPrefix = encoder.spec().queryPrefix();
  }

  /**
   * @param passages the texts to index; row i gets FAISS slot i
   * @param onnxThreads ONNX Runtime intra-op threads (the student's --onnx-threads)
   * @param efConstruction HNSW build breadth (the index-service's own is 64)
   */
  public static EncoderFaissInProcess open(List<String> passages, int onnxThreads,
      int efConstruction, Path cacheDir, PrintStream log) throws Exception {
    FaissIndex.nativeLibrary(); // fail before the encoder loads and encodes, not after
    OnnxEncoder encoder = OnnxEncoder.open(EncoderSpec.bundled(), onnxThreads);
    try {
      float[][] vectors = cachedOrEncode(encoder, passages, cacheDir, log);
      long t0 = System.nanoTime();
      FaissIndex index = FaissIndex.create(encoder.dimension(), "HNSW32,Flat",
          Metric.INNER_PRODUCT);
      index.setEfConstruction(efConstruction);
      index.add(Dataset.flatten(vectors, 0, vectors.length), 2);
      log.printf("in-process FAISS HNSW32,Flat (efConstruction %d): %d vectors in %.1f s%n",
          efConstruction, vectors.length, (System.nanoTime() - t0) / 1e9);
      return new EncoderFaissInProcess(encoder, index);
    } catch (Exception | Error e) {
      encoder.close();
      throw e;
    }
  }

  /** FAISS slots (= passage rows) of the k best passages for {@code question}, best first. */
  public long[] answer(String question, int k, int efSearch) throws Exception {
    return search(encoder.embed(List.of(encoder.tokenize(question, queryPrefix)))[0], k, efSearch);
  }

  /** FAISS slots of the k best passages for an embedded question (the search half of answer). */
  public long[] search(float[] query, int k, int efSearch) {
    return index.search(query, k, new FaissIndex.SearchParams(efSearch, 0, 1)).slots();
  }

  /** Embeddings of {@code texts} as the student's batcher would compute them: one run. */
  public float[][] embedQuestions(List<String> texts) throws Exception {
    List<Tokenized> batch = new ArrayList<>(texts.size());
    for (String t : texts) {
      batch.add(encoder.tokenize(t, queryPrefix));
    }
    return encoder.embed(batch);
  }

  /** Embeddings of all {@code texts}, in order, computed {@value #ENCODE_BATCH} per run. */
  public float[][] embedQuestionsInBatches(List<String> texts) throws Exception {
    float[][] vectors = new float[texts.size()][];
    for (int from = 0; from < texts.size(); from += ENCODE_BATCH) {
      float[][] rows = embedQuestions(
          texts.subList(from, Math.min(texts.size(), from + ENCODE_BATCH)));
      System.arraycopy(rows, 0, vectors, from, rows.length);
    }
    return vectors;
  }

  public int onnxThreads() {
    return encoder.threads();
  }

  private static float[][] cachedOrEncode(OnnxEncoder encoder, List<String> texts, Path cacheDir,
      PrintStream log) throws Exception {
    EncoderSpec spec = encoder.spec();
    String key = spec.name() + "-t" + spec.maxTokens() + "-onnxencoder-squad-passages-"
        + hash(spec, texts).substring(0, 12) + ".f32";
    Path file = cacheDir.resolve(key);
    if (Files.exists(file)) {
      float[][] rows = VectorFile.read(file, encoder.dimension());
      if (rows.length == texts.size()) {
        log.printf("passage vectors: %d from cache %s%n", rows.length, file);
        return rows;
      }
    }
    // Similar lengths in one batch waste little on padding: encode in length order.
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      order.add(i);
    }
    order.sort(Comparator.comparingInt(i -> texts.get(i).length()));
    float[][] rows = new float[texts.size()][];
    long t0 = System.nanoTime();
    for (int from = 0; from < order.size(); from += ENCODE_BATCH) {
      List<Integer> ids = order.subList(from, Math.min(order.size(), from + ENCODE_BATCH));
      List<Tokenized> batch = new ArrayList<>();
      ids.forEach(i -> batch.add(encoder.tokenize(texts.get(i), spec.passagePrefix())));
      float[][] out = encoder.embed(batch);
      for (int j = 0; j < ids.size(); j++) {
        rows[ids.get(j)] = out[j];
      }
    }
    log.printf("passage vectors: encoded %d in-process in %.1f s; cached in %s%n", rows.length,
        (System.nanoTime() - t0) / 1e9, file);
    VectorFile.write(file, rows);
    return rows;
  }

  private static String hash(EncoderSpec spec, List<String> texts) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    sha.update((spec.name() + "|" + spec.maxTokens() + "|" + spec.passagePrefix() + "|")
        .getBytes(StandardCharsets.UTF_8));
    for (String t : texts) {
      sha.update(t.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) '\n');
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  @Override
  public void close() throws Exception {
    index.close();
    encoder.close();
  }
}
