package dev.distillmesh.trainer.run;

import dev.distillmesh.trainer.clients.StudentLink;
import dev.distillmesh.trainer.clients.Tower;
import dev.distillmesh.trainer.data.DialogueData;
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
 * #base}), as served otherwise. The response set grows as the teacher generates; owned by the
 * run's thread.
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
  private final Map<String, float[]> responseBase;

  /** A workspace over embeddings already made (see {@link #prepare}). */
  DialogueWorkspace(DialogueData data, boolean base, float[][] pool, float[][] heldOutCandidates,
      float[][] heldOut, float[][] train, Map<String, float[]> responseBase) {
    this.data = data;
    this.base = base;
    this.pool = pool;
    this.heldOutCandidates = heldOutCandidates;
    this.heldOut = heldOut;
    this.train = train;
    this.responseBase = responseBase;
    for (String r : data.responses()) {
      responseIndex.put(r, responseTexts.size());
      responseTexts.add(r);
    }
    if (base) {
      for (int i = 0; i < pool.length; i++) {
        responseBase.put(data.responses().get(i), pool[i]);
      }
      for (int i = 0; i < heldOutCandidates.length; i++) {
        responseBase.put(data.candidateTexts().get(i), heldOutCandidates[i]);
      }
    }
  }

  /**
   * Reads the spec's files and has the student encode them.
   *
   * @param responseBase where the base embedding of every response text known is kept (for
   *     re-encoding the served collection), filled only when the run trains the response adapter
   * @param message the run's status message while it encodes
   */
  static DialogueWorkspace prepare(RunSpec spec, Hyper hyper, StudentLink student, Map<String, float[]> responseBase,
      Consumer<String> message) {
    DialogueData data = DialogueData.load(Path.of(spec.dialogues()), Path.of(spec.dialogueEval()),
        spec.trainLimit(), spec.holdout(), hyper.seed());
    boolean base = spec.trainResponseAdapter();
    message.accept("encoding " + data.responses().size() + " responses and " + data.candidateTexts().size()
        + " held-out candidates");
    float[][] pool = student.encode(data.responses(), Tower.RESPONSE, base);
    float[][] candidates = student.encode(data.candidateTexts(), Tower.RESPONSE, base);
    message.accept("encoding " + data.heldOut().size() + " held-out and " + data.train().size() + " training contexts");
    float[][] heldOut = student.encode(data.heldOutContexts(), Tower.CONTEXT, true);
    float[][] train = student.encode(data.trainContexts(), Tower.CONTEXT, true);
    message.accept("");
    return new DialogueWorkspace(data, base, pool, candidates, heldOut, train, responseBase);
  }

  DialogueData data() {
    return data;
  }

  /** Whether pool and candidates are base embeddings (the run trains the response adapter). */
  boolean base() {
    return base;
  }

  @Override
  public float[][] pool() {
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

  /** Adds new responses (embedded like the pool) at the end of the response set. */
  void addResponses(List<String> texts, float[][] embedded) {
    int first = pool.length;
    pool = Arrays.copyOf(pool, first + embedded.length);
    for (int k = 0; k < embedded.length; k++) {
      pool[first + k] = embedded[k];
      responseTexts.add(texts.get(k));
      responseIndex.put(texts.get(k), first + k);
      if (base) {
        responseBase.put(texts.get(k), embedded[k]);
      }
    }
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
