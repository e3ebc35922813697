package dev.distillmesh.trainer.data;

import com.google.gson.JsonObject;
import dev.distillmesh.common.DomainException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A QA run's questions, each with the id of its gold passage in the served collection, split into
 * training and held-out questions. The passages themselves are the collection's (a run reads their
 * texts and vectors from the index), so the file's size, not the collection's, bounds what this
 * holds.
 *
 * <p>Questions: JSONL {@code {"question", "passage_id"}}. Errors name the file and line, never the
 * contents (ids and texts are data).
 *
 * <p>Held-out questions: {@code articles:A-B} keeps questions whose gold passage id is
 * {@code squad-dev-AA-PPP} with AA in A..B; {@code fraction:F} keeps a seeded fraction F; {@code
 * file:PATH} holds out the questions of the user's own file (same format, inside the trainer's data
 * directories), and trains on every question of the questions file that is not in it.
 *
 * @param goldIds the distinct passage ids the questions name, in order of first mention; a
 *     question's {@code gold} indexes this list
 */
public record QaData(List<String> goldIds, List<Question> train, List<Question> heldOut) {

  /** A question and the index of its gold passage's id in {@link #goldIds}. */
  public record Question(String text, int gold) {}

  /** The prefix of a holdout that names the user's own held-out file. */
  public static final String HOLDOUT_FILE = "file:";

  private static final Pattern ARTICLE = Pattern.compile("^.*-(\\d+)-\\d+$");

  public static QaData load(Path questions, String holdout, long seed) {
    List<String> ids = new ArrayList<>();
    Map<String, Integer> index = new HashMap<>();
    List<Question> train = new ArrayList<>();
    List<Question> held = new ArrayList<>();
    Holdout split;
    if (holdout.startsWith(HOLDOUT_FILE)) {
      Path file = Path.of(holdout.substring(HOLDOUT_FILE.length()));
      java.util.Set<String> heldTexts = new java.util.HashSet<>();
      read(file, (text, gold) -> {
        heldTexts.add(text);
        held.add(new Question(text, gold(ids, index, gold)));
      });
      split = (question, gold) -> heldTexts.contains(question);
    } else {
      split = Holdout.parse(holdout, seed);
    }
    read(questions, (text, gold) -> {
      if (!split.heldOut(text, gold)) {
        train.add(new Question(text, gold(ids, index, gold)));
      } else if (!holdout.startsWith(HOLDOUT_FILE)) {
        held.add(new Question(text, gold(ids, index, gold)));
      }
    });
    if (held.isEmpty()) {
      throw DomainException.invalid("holdout \"" + holdout + "\" keeps none of the " + train.size()
          + " questions of " + questions + " for evaluation");
    }
    return new QaData(List.copyOf(ids), List.copyOf(train), List.copyOf(held));
  }

  private static int gold(List<String> ids, Map<String, Integer> index, String gold) {
    return index.computeIfAbsent(gold, id -> {
      ids.add(id);
      return ids.size() - 1;
    });
  }

  /** Calls {@code sink} with each line's question and passage id; errors name the line. */
  private static void read(Path questions, java.util.function.BiConsumer<String, String> sink) {
    List<String> lines = Jsonl.lines(questions, "questions");
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).isBlank()) {
        continue;
      }
      JsonObject o = Jsonl.object(questions, i, lines.get(i));
      String text = Jsonl.string(o, "question", questions, i);
      String gold = Jsonl.string(o, "passage_id", questions, i);
      if (gold.isEmpty()) {
        throw DomainException.invalid(questions + " line " + (i + 1) + ": passage_id is empty");
      }
      try {
        sink.accept(text, gold);
      } catch (DomainException e) {
        throw DomainException.invalid(questions + " line " + (i + 1) + ": " + e.getMessage());
      }
    }
  }

  /** The id of question {@code q}'s gold passage. */
  public String goldId(Question q) {
    return goldIds.get(q.gold());
  }

  /** Which questions are held out for evaluation. */
  interface Holdout {
    boolean heldOut(String question, String goldPassageId);

    static Holdout parse(String spec, long seed) {
      int colon = spec.indexOf(':');
      String kind = colon < 0 ? spec : spec.substring(0, colon);
      String arg = colon < 0 ? "" : spec.substring(colon + 1);
      switch (kind) {
        case "articles" -> {
          String[] range = arg.split("-");
          int from;
          int to;
          try {
            from = Integer.parseInt(range[0]);
            to = Integer.parseInt(range[range.length - 1]);
          } catch (NumberFormatException e) {
            throw DomainException.invalid("holdout \"" + spec + "\": write articles:A-B with article numbers");
          }
          return (question, gold) -> {
            Matcher m = ARTICLE.matcher(gold);
            if (!m.matches()) {
              throw DomainException.invalid("holdout articles:A-B needs passage ids like squad-dev-AA-PPP, and this"
                  + " question's passage_id is not one (use fraction:F for other datasets)");
            }
            int article = Integer.parseInt(m.group(1));
            return article >= from && article <= to;
          };
        }
        case "fraction" -> {
          double f;
          try {
            f = Double.parseDouble(arg);
          } catch (NumberFormatException e) {
            f = -1;
          }
          if (!(f > 0 && f < 1)) {
            throw DomainException.invalid("holdout \"" + spec + "\": the fraction must be in (0, 1), e.g. fraction:0.2");
          }
          double fraction = f;
          return (question, gold) -> {
            long h = question.hashCode() * 0x9E3779B97F4A7C15L + seed;
            h ^= h >>> 31;
            h *= 0xBF58476D1CE4E5B9L;
            h ^= h >>> 29;
            return (h >>> 11) * 0x1.0p-53 < fraction;
          };
        }
        default -> throw DomainException.invalid("holdout \"" + spec
            + "\" is not understood; write articles:A-B (SQuAD ids), fraction:F or file:PATH");
      }
    }
  }
}
