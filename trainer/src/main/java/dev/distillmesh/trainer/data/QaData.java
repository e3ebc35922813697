package dev.distillmesh.trainer.data;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.distillmesh.common.DomainException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A QA dataset as a run uses it: the passage pool (the candidates) and the questions, each with the
 * index of its gold passage, split into training and held-out questions.
 *
 * <p>Passages: JSONL {@code {"id","title","text"}} (the text is {@code title + ". " + text}, as the
 * student's ingest makes it) or {@code {"id","text"}}. Questions: JSONL {@code {"question",
 * "passage_id"}}. Errors name the file and line.
 *
 * <p>Held-out questions: {@code articles:A-B} keeps questions whose gold passage id is
 * {@code squad-dev-AA-PPP} with AA in A..B; {@code fraction:F} keeps a seeded fraction F.
 */
public record QaData(List<String> passageIds, List<String> passageTexts, List<Question> train, List<Question> heldOut) {

  /** A question and the index of its gold passage in the pool. */
  public record Question(String text, int gold) {}

  private static final Pattern ARTICLE = Pattern.compile("^.*-(\\d+)-\\d+$");

  public static QaData load(Path passages, Path questions, String holdout, long seed) {
    List<String> ids = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    Map<String, Integer> index = new HashMap<>();
    List<String> lines = lines(passages, "passages");
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).isBlank()) {
        continue;
      }
      JsonObject o = object(passages, i, lines.get(i));
      String id = string(o, "id", passages, i);
      String text = string(o, "text", passages, i);
      if (o.has("title")) {
        text = string(o, "title", passages, i) + ". " + text;
      }
      if (index.put(id, ids.size()) != null) {
        throw DomainException.invalid(passages + " line " + (i + 1) + ": passage id \"" + id + "\" appears twice");
      }
      ids.add(id);
      texts.add(text);
    }
    if (ids.isEmpty()) {
      throw DomainException.invalid(passages + " holds no passages");
    }
    Holdout split = Holdout.parse(holdout, seed);
    List<Question> train = new ArrayList<>();
    List<Question> held = new ArrayList<>();
    lines = lines(questions, "questions");
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).isBlank()) {
        continue;
      }
      JsonObject o = object(questions, i, lines.get(i));
      String text = string(o, "question", questions, i);
      String gold = string(o, "passage_id", questions, i);
      Integer g = index.get(gold);
      if (g == null) {
        throw DomainException.invalid(questions + " line " + (i + 1) + ": passage_id \"" + gold
            + "\" is not in " + passages);
      }
      (split.heldOut(text, gold) ? held : train).add(new Question(text, g));
    }
    if (held.isEmpty()) {
      throw DomainException.invalid("holdout \"" + holdout + "\" keeps none of the " + train.size()
          + " questions of " + questions + " for evaluation");
    }
    return new QaData(List.copyOf(ids), List.copyOf(texts), List.copyOf(train), List.copyOf(held));
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
              throw DomainException.invalid("holdout articles:A-B needs passage ids like squad-dev-AA-PPP; got \""
                  + gold + "\" (use fraction:F for other datasets)");
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
            + "\" is not understood; write articles:A-B (SQuAD ids) or fraction:F");
      }
    }
  }

  private static List<String> lines(Path file, String what) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw DomainException.invalid(what + " file " + file + " does not exist (paths are read on the trainer's machine)");
    } catch (CharacterCodingException e) {
      throw DomainException.invalid(what + " file " + file + " is not UTF-8");
    } catch (IOException e) {
      throw DomainException.invalid("cannot read " + what + " file " + file + ": " + e.getMessage());
    }
  }

  private static JsonObject object(Path file, int line, String text) {
    try {
      return JsonParser.parseString(text).getAsJsonObject();
    } catch (JsonParseException | IllegalStateException e) {
      throw DomainException.invalid(file + " line " + (line + 1) + " is not a JSON object");
    }
  }

  private static String string(JsonObject o, String key, Path file, int line) {
    if (!o.has(key) || !o.get(key).isJsonPrimitive()) {
      throw DomainException.invalid(file + " line " + (line + 1) + ": \"" + key + "\" is missing or not a string");
    }
    return o.get(key).getAsString();
  }
}
