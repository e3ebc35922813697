package dev.distillmesh.bench.data;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * SQuAD-dev as text: every passage ({@code title + ". " + text}, the passage text used across the
 * project) and a seeded sample of the questions, each with the id of the passage that answers it.
 * Read from the shared data directory at run time; nothing is copied into the repository.
 *
 * @param passages in file order
 * @param questions the sample, in sampled order
 */
public record Squad(List<Passage> passages, List<Question> questions) {
  public record Passage(String id, String text) {}

  public record Question(String text, String passageId) {}

  /**
   * @param dataDir the shared data directory (holding squad-dev/)
   * @param sample questions to keep; the shuffle is the one {@link RealEmbeddings} uses, so the
   *     same seed and count give the same questions
   */
  public static Squad load(Path dataDir, int sample, long seed) throws IOException {
    List<Passage> passages = readJsonl(dataDir.resolve("squad-dev/passages.jsonl"),
        o -> new Passage(o.get("id").getAsString(),
            o.get("title").getAsString() + ". " + o.get("text").getAsString()));
    List<Question> questions = readJsonl(dataDir.resolve("squad-dev/queries.jsonl"),
        o -> new Question(o.get("question").getAsString(), o.get("passage_id").getAsString()));
    Collections.shuffle(questions, new Random(seed));
    questions = List.copyOf(questions.subList(0, Math.min(sample, questions.size())));
    if (passages.isEmpty() || questions.isEmpty()) {
      throw new IOException("no passages or questions under " + dataDir.resolve("squad-dev"));
    }
    return new Squad(List.copyOf(passages), questions);
  }

  public List<String> passageTexts() {
    return passages.stream().map(Passage::text).toList();
  }

  private static <T> List<T> readJsonl(Path file, Function<JsonObject, T> parse)
      throws IOException {
    List<T> out = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (!line.isBlank()) {
          out.add(parse.apply(JsonParser.parseString(line).getAsJsonObject()));
        }
      }
    }
    return out;
  }
}
