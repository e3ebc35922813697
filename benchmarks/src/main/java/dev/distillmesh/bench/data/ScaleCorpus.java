package dev.distillmesh.bench.data;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The collection-scale corpus: the SQuAD-dev passages first, then every distinct DailyDialog
 * utterance as a distractor. Distractors are the turns and responses of {@code dialog/train.jsonl},
 * {@code valid.jsonl} and {@code test.jsonl} (in that order; in each line the context turns, oldest
 * first, then the response), each kept once at its first appearance, with ids {@value #PREFIX}
 * followed by a six-digit ordinal, so no distractor id can collide with a SQuAD id ({@code
 * squad-dev-AA-PPP}). The order is fixed by the files, so {@link #first} of the same size is the
 * same collection in every run.
 *
 * @param documents SQuAD passages in file order, then the distractors in order
 * @param squadPassages how many of {@code documents} are SQuAD passages (the first ones)
 */
public record ScaleCorpus(List<Squad.Passage> documents, int squadPassages) {
  public static final String PREFIX = "dd-";
  static final List<String> DIALOG_SPLITS = List.of("train", "valid", "test");

  public ScaleCorpus {
    documents = List.copyOf(documents);
    if (squadPassages < 0 || squadPassages > documents.size()) {
      throw new IllegalArgumentException("squadPassages " + squadPassages + " outside 0.." + documents.size());
    }
    Set<String> ids = new HashSet<>();
    for (Squad.Passage p : documents) {
      if (!ids.add(p.id())) {
        throw new IllegalArgumentException("document id " + p.id() + " appears twice");
      }
    }
  }

  /** The SQuAD passages plus every distinct utterance of {@code dataDir/dialog}. */
  public static ScaleCorpus build(List<Squad.Passage> squad, Path dataDir) throws IOException {
    return of(squad, distinctUtterances(dataDir.resolve("dialog")));
  }

  /**
   * The SQuAD passages followed by the utterances as distractors.
   *
   * @throws IllegalArgumentException when a SQuAD id starts with {@value #PREFIX} or ids repeat
   */
  public static ScaleCorpus of(List<Squad.Passage> squad, List<String> utterances) {
    List<Squad.Passage> documents = new ArrayList<>(squad.size() + utterances.size());
    for (Squad.Passage p : squad) {
      if (p.id().startsWith(PREFIX)) {
        throw new IllegalArgumentException("passage id " + p.id() + " uses the distractor prefix " + PREFIX);
      }
      documents.add(p);
    }
    for (int i = 0; i < utterances.size(); i++) {
      documents.add(new Squad.Passage(String.format(Locale.ROOT, "%s%06d", PREFIX, i), utterances.get(i)));
    }
    return new ScaleCorpus(documents, squad.size());
  }

  /**
   * Every distinct utterance of the dialogue splits under {@code dialogDir}, in first-seen order.
   * Turns are taken as written (the files are already stripped); an empty one is skipped.
   */
  public static List<String> distinctUtterances(Path dialogDir) throws IOException {
    Set<String> seen = new LinkedHashSet<>();
    for (String split : DIALOG_SPLITS) {
      Path file = dialogDir.resolve(split + ".jsonl");
      try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        int lineNo = 0;
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          lineNo++;
          if (line.isBlank()) {
            continue;
          }
          JsonObject o;
          try {
            o = JsonParser.parseString(line).getAsJsonObject();
            o.getAsJsonArray("context").forEach(t -> addTurn(seen, t.getAsString()));
            addTurn(seen, o.get("response").getAsString());
          } catch (RuntimeException e) {
            throw new IOException(file + " line " + lineNo + ": not a {\"context\": [...], \"response\"} object", e);
          }
        }
      }
    }
    return List.copyOf(seen);
  }

  private static void addTurn(Set<String> seen, String turn) {
    if (!turn.isEmpty()) {
      seen.add(turn);
    }
  }

  /** The first {@code size} documents: every SQuAD passage, then distractors up to {@code size}. */
  public ScaleCorpus first(int size) {
    if (size < squadPassages || size > documents.size()) {
      throw new IllegalArgumentException("a sub-corpus holds " + squadPassages + ".." + documents.size()
          + " documents (every SQuAD passage and some distractors), asked " + size);
    }
    return new ScaleCorpus(documents.subList(0, size), squadPassages);
  }

  public int size() {
    return documents.size();
  }

  public int distractors() {
    return documents.size() - squadPassages;
  }

  /**
   * Writes the corpus as passages JSONL ({@code {"id","text"}}, the shape the trainer and the CLIs
   * read) to {@code file}, e.g. to inspect it or feed {@code scripts/student-cli.sh ingest}.
   */
  public Path write(Path file) throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (Squad.Passage p : documents) {
        JsonObject o = new JsonObject();
        o.addProperty("id", p.id());
        o.addProperty("text", p.text());
        w.write(o.toString());
        w.write('\n');
      }
    }
    return file;
  }
}
