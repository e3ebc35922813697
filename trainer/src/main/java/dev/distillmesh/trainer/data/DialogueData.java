package dev.distillmesh.trainer.data;

import com.google.gson.JsonObject;
import dev.distillmesh.common.DomainException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A dialogue dataset as a run uses it: training pairs (context, response), the distinct training
 * responses (the response set), and held-out examples each with its own K candidates.
 *
 * <p>Training pairs: JSONL {@code {"context": [turns, oldest first], "response"}} (the DailyDialog
 * layout of {@code train.jsonl}). Held-out: JSONL {@code {"context", "response", "candidates"}},
 * the response among the candidates ({@code test-candidates.jsonl}). A context is its turns joined
 * by spaces, as the student's Respond joins them. A training pair whose context is held out is
 * dropped, so the two files may overlap. Errors name the file and line.
 *
 * <p>Holdout: {@code all} (every held-out example), {@code sample:N} (a seeded N of them), or
 * {@code group:FIELD} / {@code group:FIELD:F}: whole dialogues, keyed by the string FIELD every
 * line of both files carries (e.g. a dialogue id): the held-out examples are those of the eval
 * file (with F, of a seeded fraction F of its dialogues), and every training pair of a held-out
 * dialogue is dropped, not only those with the same context, so no turn of it is trained on.
 */
public record DialogueData(List<Pair> train, List<String> responses, List<Example> heldOut,
    List<String> candidateTexts) {

  /** A training context and the index of its response in {@link #responses}. */
  public record Pair(String context, int response) {}

  /**
   * A held-out context, its candidates (indices into {@link #candidateTexts}) and which of them
   * is the gold response.
   */
  public record Example(String context, int[] candidates, int gold) {}

  /**
   * @param trainLimit train on a seeded sample of this many pairs (0: all)
   * @param holdout "" or "all" for every held-out example, "sample:N" for a seeded N of them
   */
  public static DialogueData load(Path dialogues, Path eval, int trainLimit, String holdout, long seed) {
    Groups groups = Groups.parse(holdout, seed);
    List<String> trainGroups = new ArrayList<>();
    List<Pair> train = new ArrayList<>();
    List<String> responses = new ArrayList<>();
    Map<String, Integer> responseIndex = new HashMap<>();
    List<String> lines = Jsonl.lines(dialogues, "dialogues");
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).isBlank()) {
        continue;
      }
      JsonObject o = Jsonl.object(dialogues, i, lines.get(i));
      String context = context(Jsonl.strings(o, "context", dialogues, i), dialogues, i);
      String response = Jsonl.string(o, "response", dialogues, i);
      if (response.isBlank()) {
        throw DomainException.invalid(dialogues + " line " + (i + 1) + ": the response is blank");
      }
      Integer r = responseIndex.computeIfAbsent(response, k -> {
        responses.add(k);
        return responses.size() - 1;
      });
      train.add(new Pair(context, r));
      trainGroups.add(groups == null ? "" : Jsonl.string(o, groups.field(), dialogues, i));
    }
    if (train.isEmpty()) {
      throw DomainException.invalid(dialogues + " holds no dialogue pairs");
    }
    int sample = groups == null ? sampleSize(holdout) : 0;
    java.util.Set<String> heldGroups = new java.util.HashSet<>();
    List<Example> held = new ArrayList<>();
    List<String> candidateTexts = new ArrayList<>();
    Map<String, Integer> candidateIndex = new HashMap<>();
    lines = Jsonl.lines(eval, "dialogue_eval");
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).isBlank()) {
        continue;
      }
      JsonObject o = Jsonl.object(eval, i, lines.get(i));
      String context = context(Jsonl.strings(o, "context", eval, i), eval, i);
      String response = Jsonl.string(o, "response", eval, i);
      List<String> candidates = Jsonl.strings(o, "candidates", eval, i);
      int gold = candidates.indexOf(response);
      if (gold < 0) {
        throw DomainException.invalid(eval + " line " + (i + 1) + ": the response is not among the candidates");
      }
      if (candidates.size() < 2) {
        throw DomainException.invalid(eval + " line " + (i + 1) + ": needs at least 2 candidates");
      }
      int[] ids = new int[candidates.size()];
      for (int c = 0; c < ids.length; c++) {
        ids[c] = candidateIndex.computeIfAbsent(candidates.get(c), k -> {
          candidateTexts.add(k);
          return candidateTexts.size() - 1;
        });
      }
      if (groups != null) {
        String group = Jsonl.string(o, groups.field(), eval, i);
        if (!groups.kept(group)) {
          continue;
        }
        heldGroups.add(group);
      }
      held.add(new Example(context, ids, gold));
    }
    if (held.isEmpty()) {
      throw DomainException.invalid(eval + " holds no held-out examples");
    }
    if (sample > 0 && sample < held.size()) {
      Collections.shuffle(held, new Random(seed + 1));
      held = new ArrayList<>(held.subList(0, sample));
    }
    // A context that is held out is never trained on, even when the training file has it.
    java.util.Set<String> heldContexts = new java.util.HashSet<>();
    for (Example e : held) {
      heldContexts.add(e.context());
    }
    List<Pair> kept = new ArrayList<>();
    for (int p = 0; p < train.size(); p++) {
      if (!heldContexts.contains(train.get(p).context()) && !heldGroups.contains(trainGroups.get(p))) {
        kept.add(train.get(p));
      }
    }
    train = kept;
    if (train.isEmpty()) {
      throw DomainException.invalid("every context of " + dialogues + " is held out by " + eval
          + "; nothing to train on");
    }
    if (trainLimit > 0 && trainLimit < train.size()) {
      Collections.shuffle(train, new Random(seed));
      train = new ArrayList<>(train.subList(0, trainLimit));
    }
    return new DialogueData(List.copyOf(train), List.copyOf(responses), List.copyOf(held), List.copyOf(candidateTexts));
  }

  /** The contexts of the training pairs, in order. */
  public List<String> trainContexts() {
    return train.stream().map(Pair::context).toList();
  }

  /** The contexts of the held-out examples, in order. */
  public List<String> heldOutContexts() {
    return heldOut.stream().map(Example::context).toList();
  }

  private static String context(List<String> turns, Path file, int line) {
    List<String> kept = new ArrayList<>();
    for (String t : turns) {
      if (!t.isBlank()) {
        kept.add(t.strip());
      }
    }
    if (kept.isEmpty()) {
      throw DomainException.invalid(file + " line " + (line + 1) + ": every turn of the context is blank");
    }
    return String.join(" ", kept);
  }

  private static int sampleSize(String holdout) {
    if (holdout.isEmpty() || holdout.equals("all")) {
      return 0;
    }
    if (holdout.startsWith("sample:")) {
      try {
        int n = Integer.parseInt(holdout.substring("sample:".length()));
        if (n > 0) {
          return n;
        }
      } catch (NumberFormatException e) {
        // fall through to the error below
      }
    }
    throw DomainException.invalid("holdout \"" + holdout + "\" is not understood for a dialogue run; write all,"
        + " sample:N (N > 0 held-out examples, chosen with the seed) or group:FIELD[:F] (whole dialogues)");
  }

  /** A {@code group:FIELD[:F]} holdout: which dialogues (by FIELD's value) are held out. */
  private record Groups(String field, double fraction, long seed) {
    static Groups parse(String holdout, long seed) {
      if (!holdout.startsWith("group:")) {
        return null;
      }
      String[] parts = holdout.substring("group:".length()).split(":", -1);
      double f = 1;
      if (parts.length == 2) {
        try {
          f = Double.parseDouble(parts[1]);
        } catch (NumberFormatException e) {
          f = -1;
        }
      }
      if (parts[0].isEmpty() || parts.length > 2 || !(f > 0 && f <= 1)) {
        throw DomainException.invalid("holdout \"" + holdout + "\": write group:FIELD or group:FIELD:F, FIELD a"
            + " string field of every line naming its dialogue, F in (0, 1] the share of the eval file's dialogues");
      }
      return new Groups(parts[0], f, seed);
    }

    /** Whether dialogue {@code group} is among the held-out share (seeded, the same on every load). */
    boolean kept(String group) {
      if (fraction >= 1) {
        return true;
      }
      long h = group.hashCode() * 0x9E3779B97F4A7C15L + seed;
      h ^= h >>> 31;
      h *= 0xBF58476D1CE4E5B9L;
      h ^= h >>> 29;
      return (h >>> 11) * 0x1.0p-53 < fraction;
    }
  }
}
