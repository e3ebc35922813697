package dev.distillmesh.teacher.embedded;

import dev.distillmesh.common.CallDeadline;
import dev.distillmesh.common.DomainException;
import dev.distillmesh.common.batch.DynamicBatcher;
import dev.distillmesh.encoder.OnnxEncoder;
import dev.distillmesh.teacher.CacheStats;
import dev.distillmesh.teacher.Sampling;
import dev.distillmesh.teacher.ScoreItem;
import dev.distillmesh.teacher.ScoreKind;
import dev.distillmesh.teacher.Teacher;
import dev.distillmesh.teacher.TeacherModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The CPU teacher: an ensemble of ONNX sentence encoders (e5-small-v2 alone by default). The
 * RELEVANCE of a pair is {@code Σ_m w_m · cos(E_m(query: c), E_m(passage: r))} over the members
 * {@code m}. Candidate embeddings are cached per member (bounded, keyed by the text's hash), so a
 * candidate seen before costs a dot product. It cannot generate: {@link #generate} fails with
 * FAILED_PRECONDITION naming the Triton backend.
 *
 * <p>Thread-safe. {@link #close} stops the batchers and frees the models.
 */
public final class EmbeddedTeacher implements Teacher {
  /** Batching and memory settings shared by every member. */
  public record Settings(int onnxThreads, int maxBatch, long maxWaitMicros, int queueCapacity, long cacheBytes) {}

  private final EnsembleSpec ensemble;
  private final List<MemberEncoder> members;

  private EmbeddedTeacher(EnsembleSpec ensemble, List<MemberEncoder> members) {
    this.ensemble = ensemble;
    this.members = members;
  }

  /** Loads every member's model; on a failure, frees the ones already loaded. */
  public static EmbeddedTeacher open(EnsembleSpec ensemble, Settings settings) throws Exception {
    List<MemberEncoder> members = new ArrayList<>();
    try {
      for (EnsembleSpec.Member m : ensemble.members()) {
        OnnxEncoder encoder = OnnxEncoder.open(m.encoder(), settings.onnxThreads());
        members.add(new MemberEncoder(encoder, m.weight(), settings.maxBatch(), settings.maxWaitMicros(),
            settings.queueCapacity(), settings.cacheBytes() / ensemble.members().size()));
      }
    } catch (Exception | Error e) {
      members.forEach(MemberEncoder::close);
      throw e;
    }
    return new EmbeddedTeacher(ensemble, List.copyOf(members));
  }

  @Override
  public String backend() {
    return "embedded";
  }

  @Override
  public Set<ScoreKind> kinds() {
    return Set.of(ScoreKind.RELEVANCE);
  }

  @Override
  public boolean canGenerate() {
    return false;
  }

  @Override
  public List<TeacherModel> models() {
    List<TeacherModel> out = new ArrayList<>();
    for (MemberEncoder m : members) {
      out.add(new TeacherModel(m.encoder().spec().name(), "encoder", m.weight(), m.encoder().spec().source(), true));
    }
    return out;
  }

  @Override
  public boolean ready() {
    return true;
  }

  @Override
  public String modelLabel(ScoreKind kind) {
    return ensemble.label();
  }

  /** Candidate embeddings held in the caches of all members. */
  public long cacheEntries() {
    long n = 0;
    for (MemberEncoder m : members) {
      n += m.cache().size();
    }
    return n;
  }

  /** {@link #cacheEntries} and {@link #cacheHitRate}. */
  @Override
  public Optional<CacheStats> cacheStats() {
    return Optional.of(new CacheStats(cacheEntries(), cacheHitRate()));
  }

  /** Candidates encoded by all members since start (each cache miss once). */
  public long encodedCandidates() {
    long n = 0;
    for (MemberEncoder m : members) {
      n += m.encodedCandidates();
    }
    return n;
  }

  /** Each member's encoder batcher, named after its model. */
  @Override
  public Map<String, DynamicBatcher.Stats> batchStats() {
    Map<String, DynamicBatcher.Stats> stats = new LinkedHashMap<>();
    for (MemberEncoder m : members) {
      stats.put(m.name(), m.batchStats());
    }
    return stats;
  }

  /** Fraction of candidate lookups answered from the cache since start (0 before any). */
  public double cacheHitRate() {
    long hits = 0;
    long lookups = 0;
    for (MemberEncoder m : members) {
      hits += m.cache().hits();
      lookups += m.cache().lookups();
    }
    return lookups == 0 ? 0 : (double) hits / lookups;
  }

  @Override
  public CompletableFuture<float[][]> score(ScoreKind kind, List<ScoreItem> items, CallDeadline deadline) {
    if (kind != ScoreKind.RELEVANCE) {
      return CompletableFuture.failedFuture(DomainException.precondition(
          "the embedded teacher gives RELEVANCE only, not " + kind));
    }
    List<String> contexts = new ArrayList<>(items.size());
    List<String> candidates = new ArrayList<>();
    for (ScoreItem item : items) {
      contexts.add(item.context());
      candidates.addAll(item.candidates());
    }
    List<Object> keys = new ArrayList<>(candidates.size());
    for (String c : candidates) {
      keys.add(EmbeddingCache.keyOf(c));
    }
    List<CompletableFuture<float[][]>> contextVectors = new ArrayList<>();
    List<CompletableFuture<float[][]>> candidateVectors = new ArrayList<>();
    try {
      for (MemberEncoder m : members) {
        contextVectors.add(m.contexts(contexts));
        candidateVectors.add(m.candidates(candidates, keys, deadline));
      }
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    List<CompletableFuture<?>> all = new ArrayList<>(contextVectors);
    all.addAll(candidateVectors);
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .thenApply(ignored -> combine(items, contextVectors, candidateVectors));
  }

  private float[][] combine(List<ScoreItem> items, List<CompletableFuture<float[][]>> contextVectors,
      List<CompletableFuture<float[][]>> candidateVectors) {
    float[][] scores = new float[items.size()][];
    for (int i = 0; i < items.size(); i++) {
      scores[i] = new float[items.get(i).candidates().size()];
    }
    for (int m = 0; m < members.size(); m++) {
      float w = members.get(m).weight();
      float[][] q = contextVectors.get(m).join();
      float[][] c = candidateVectors.get(m).join();
      int next = 0;
      for (int i = 0; i < items.size(); i++) {
        for (int j = 0; j < scores[i].length; j++) {
          scores[i][j] += w * dot(q[i], c[next++]);
        }
      }
    }
    return scores;
  }

  private static float dot(float[] a, float[] b) {
    float s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  @Override
  public CompletableFuture<List<List<String>>> generate(List<String> contexts, Sampling sampling, CallDeadline deadline) {
    return CompletableFuture.failedFuture(DomainException.precondition(
        "the embedded teacher (an encoder ensemble) cannot generate; start the teacher-service with"
            + " --backend triton --triton-target HOST:PORT and a generator model (see deploy/triton/README.md)"));
  }

  @Override
  public void close() {
    members.forEach(MemberEncoder::close);
  }
}
