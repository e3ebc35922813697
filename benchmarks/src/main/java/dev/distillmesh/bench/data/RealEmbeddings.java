package dev.distillmesh.bench.data;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.distillmesh.encoder.EncoderSpec;
import dev.distillmesh.encoder.OnnxEncoder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;

/**
 * The "real" dataset: MiniLM embeddings of SQuAD-dev passages ({@code title + ". " + text}) plus
 * the distinct DailyDialog train responses, searched with a seeded sample of SQuAD questions.
 *
 * <p>Texts are read from the shared data directory at run time (never copied into the repository).
 * Vectors are cached under the cache directory in files named after the model, the token limit,
 * the text set and a hash of the texts, so a rerun skips encoding and changed data re-encodes.
 */
public final class RealEmbeddings {
  /** The student's bundled encoder, the same code that serves queries. */
  private static final EncoderSpec MODEL = EncoderSpec.bundled();
  private static final int DIMENSION = 384;
  private static final int BATCH = 32;

  private final Path dataDir;
  private final Path cacheDir;
  private final int maxTokens;
  private final int threads;
  private final PrintStream log;

  /**
   * @param dataDir the shared data directory (holding squad-dev/ and dialog/)
   * @param cacheDir where vector files are cached
   * @param maxTokens MiniLM truncation length
   * @param threads ONNX Runtime intra-op threads
   */
  public RealEmbeddings(Path dataDir, Path cacheDir, int maxTokens, int threads, PrintStream log) {
    this.dataDir = dataDir;
    this.cacheDir = cacheDir;
    this.maxTokens = maxTokens;
    this.threads = threads;
    this.log = log;
  }

  /**
   * @param queryCount SQuAD questions to sample (seeded)
   * @param maxCorpus cap on corpus texts (passages first, then responses); 0 = no cap
   */
  public Dataset load(int queryCount, int maxCorpus, long seed) throws Exception {
    List<String> corpus = new ArrayList<>(
        readJsonl(dataDir.resolve("squad-dev/passages.jsonl"),
            o -> o.get("title").getAsString() + ". " + o.get("text").getAsString()));
    int passages = corpus.size();
    Set<String> responses = new LinkedHashSet<>(
        readJsonl(dataDir.resolve("dialog/train.jsonl"), o -> o.get("response").getAsString()));
    responses.removeAll(corpus);
    corpus.addAll(responses);
    if (maxCorpus > 0 && corpus.size() > maxCorpus) {
      corpus = new ArrayList<>(corpus.subList(0, maxCorpus));
    }
    List<String> questions = readJsonl(dataDir.resolve("squad-dev/queries.jsonl"),
        o -> o.get("question").getAsString());
    Collections.shuffle(questions, new Random(seed));
    questions = new ArrayList<>(questions.subList(0, Math.min(queryCount, questions.size())));
    log.printf("real corpus: %d squad passages + %d distinct dialog responses = %d texts;"
        + " %d squad questions (seed %d)%n", passages, corpus.size() - passages, corpus.size(),
        questions.size(), seed);

    float[][] base = cachedOrEncode("squad-passages+dd-train-responses", corpus);
    float[][] queries = cachedOrEncode("squad-questions-n" + questions.size() + "-s" + seed,
        questions);
    return new Dataset("minilm-real", base, queries);
  }

  private float[][] cachedOrEncode(String label, List<String> texts) throws Exception {
    String key = MODEL.name() + "-t" + maxTokens + "-" + label + "-"
        + hash(texts).substring(0, 12) + ".f32";
    Path file = cacheDir.resolve(key);
    if (Files.exists(file)) {
      float[][] rows = VectorFile.read(file, DIMENSION);
      if (rows.length == texts.size()) {
        log.printf("  %s: %d vectors from cache %s%n", label, rows.length, file);
        return rows;
      }
      log.printf("  %s: cache %s has %d rows, expected %d; re-encoding%n", label, file,
          rows.length, texts.size());
    }
    float[][] rows = encode(label, texts);
    VectorFile.write(file, rows);
    log.printf("  %s: cached %d vectors in %s%n", label, rows.length, file);
    return rows;
  }

  private float[][] encode(String label, List<String> texts) throws Exception {
    // Batches of similar length waste little on padding: encode in length order, store in place.
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      order.add(i);
    }
    order.sort(Comparator.comparingInt(i -> texts.get(i).length()));
    float[][] out = new float[texts.size()][];
    long start = System.nanoTime();
    long lastReport = start;
    try (OnnxEncoder embedder = OnnxEncoder.open(MODEL.withMaxTokens(maxTokens), threads)) {
      for (int from = 0; from < order.size(); from += BATCH) {
        List<Integer> ids = order.subList(from, Math.min(order.size(), from + BATCH));
        List<String> batch = new ArrayList<>(ids.size());
        ids.forEach(i -> batch.add(texts.get(i)));
        float[][] vectors = embedder.embed(batch.stream().map(t -> embedder.tokenize(t, "")).toList());
        for (int j = 0; j < ids.size(); j++) {
          out[ids.get(j)] = vectors[j];
        }
        long now = System.nanoTime();
        int done = from + ids.size();
        if (now - lastReport > 15e9 || done == order.size()) {
          double rate = done / ((now - start) / 1e9);
          log.printf("  encoding %s: %d/%d (%.0f texts/s, ~%.0f s left; longest texts last)%n",
              label, done, order.size(), rate, (order.size() - done) / rate);
          lastReport = now;
        }
      }
    }
    return out;
  }

  private String hash(List<String> texts) throws NoSuchAlgorithmException {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    String header = MODEL.name() + "|" + maxTokens + "|";
    sha.update(header.getBytes(StandardCharsets.UTF_8));
    for (String t : texts) {
      sha.update(t.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) '\n');
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  private static List<String> readJsonl(Path file, Function<JsonObject, String> field)
      throws IOException {
    List<String> out = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (!line.isBlank()) {
          out.add(field.apply(JsonParser.parseString(line).getAsJsonObject()));
        }
      }
    }
    return out;
  }
}
