package dev.distillmesh.trainer.run;

import dev.distillmesh.trainer.clients.Projection;
import dev.distillmesh.trainer.clients.StudentLink;
import dev.distillmesh.trainer.clients.Tower;
import dev.distillmesh.trainer.data.DialogueData;
import dev.distillmesh.trainer.learn.QueryAdapter;
import dev.distillmesh.trainer.run.model.RunSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A DIALOGUE run's data. Contexts are always base embeddings (the run trains the context adapter).
 * The response set (pool order: the training responses, then what the teacher generated) and the
 * held-out candidates are base embeddings when the run trains the response adapter ({@link
 * #base}), as served otherwise (the collection's projection of their base embeddings). The
 * response set grows as the teacher generates; owned by the run's thread.
 */
final class DialogueWorkspace implements Workspace {
  private final DialogueData data;
  private final boolean base;
  private final float[][] heldOut;
  private final float[][] train;
  private final float[][] heldOutCandidates;
  private float[][] pool;
  private final List<String> responseTexts = new ArrayList<>();
  private final Map<String, Integer> responseIndex = new HashMap<>();
  /** What turns a base response embedding into a served one; null when the pool holds base embeddings. */
  private final QueryAdapter served;

  /**
   * A workspace over embeddings already made (see {@link #prepare}).
   *
   * @param served the collection's projection, applied to responses added later; null when {@code base}
   */
  DialogueWorkspace(DialogueData data, boolean base, float[][] pool, float[][] heldOutCandidates,
      float[][] heldOut, float[][] train, QueryAdapter served) {
    this.data = data;
    this.base = base;
    this.pool = pool;
    this.heldOutCandidates = heldOutCandidates;
    this.heldOut = heldOut;
    this.train = train;
    this.served = served;
    for (String r : data.responses()) {
      responseIndex.put(r, responseTexts.size());
      responseTexts.add(r);
    }
  }

  /**
   * Reads the spec's files and has the student encode them.
   *
   * @param projection the collection's projection (the response adapter it is served with)
   * @param message the run's status message while it encodes
   */
  static DialogueWorkspace prepare(RunSpec spec, Hyper hyper, StudentLink student, Projection projection,
      Consumer<String> message) {
    DialogueData data = DialogueData.load(Path.of(spec.dialogues()), Path.of(spec.dialogueEval()),
        spec.trainLimit(), spec.holdout(), hyper.seed());
    boolean base = spec.trainResponseAdapter();
    message.accept("encoding " + data.responses().size() + " responses and " + data.candidateTexts().size()
        + " held-out candidates");
    QueryAdapter served = base ? null : QueryAdapter.of(projection.dimension(), toDoubles(projection.values()));
    float[][] pool = project(served, student.encode(data.responses(), Tower.RESPONSE));
    float[][] candidates = project(served, student.encode(data.candidateTexts(), Tower.RESPONSE));
    message.accept("encoding " + data.heldOut().size() + " held-out and " + data.train().size() + " training contexts");
    float[][] heldOut = student.encode(data.heldOutContexts(), Tower.CONTEXT);
    float[][] train = student.encode(data.trainContexts(), Tower.CONTEXT);
    message.accept("");
    return new DialogueWorkspace(data, base, pool, candidates, heldOut, train, served);
  }

  /** {@code b·e} of each embedding, or the embeddings themselves when {@code b} is null. */
  private static float[][] project(QueryAdapter b, float[][] embeddings) {
    if (b == null) {
      return embeddings;
    }
    float[][] out = new float[embeddings.length][];
    for (int i = 0; i < out.length; i++) {
      out[i] = b.applyFloat(embeddings[i]);
    }
    return out;
  }

  static double[] toDoubles(float[] m) {
    double[] out = new double[m.length];
    for (int i = 0; i < m.length; i++) {
      out[i] = m[i];
    }
    return out;
  }

  DialogueData data() {
    return data;
  }

  /** Whether pool and candidates are base embeddings (the run trains the response adapter). */
  boolean base() {
    return base;
  }

  /** The response set, one row per response, embedded as the class comment says. */
  float[][] pool() {
    return pool;
  }

  @Override
  public float[][] train() {
    return train;
  }

  float[][] heldOut() {
    return heldOut;
  }

  float[][] heldOutCandidates() {
    return heldOutCandidates;
  }

  String responseText(int i) {
    return responseTexts.get(i);
  }

  boolean knows(String response) {
    return responseIndex.containsKey(response);
  }

  int indexOf(String response) {
    return responseIndex.get(response);
  }

  /** Adds new responses, given as base embeddings, at the end of the response set (embedded like the pool). */
  void addResponses(List<String> texts, float[][] baseEmbeddings) {
    float[][] embedded = project(served, baseEmbeddings);
    int first = pool.length;
    pool = Arrays.copyOf(pool, first + embedded.length);
    for (int k = 0; k < embedded.length; k++) {
      pool[first + k] = embedded[k];
      responseTexts.add(texts.get(k));
      responseIndex.put(texts.get(k), first + k);
    }
  }

  @Override
  public int dim() {
    return pool[0].length;
  }

  @Override
  public String trainText(int i) {
    return data.train().get(i).context();
  }

  @Override
  public int trainGold(int i) {
    return data.train().get(i).response();
  }

  @Override
  public List<String> primeTexts() {
    return data.candidateTexts();
  }

  @Override
  public String primeDescription() {
    return "held-out candidates";
  }
}
