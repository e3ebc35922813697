package dev.distillmesh.bench.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScaleCorpusTest {
  private static final List<Squad.Passage> SQUAD = List.of(new Squad.Passage("squad-dev-00-000", "A. first"),
      new Squad.Passage("squad-dev-40-001", "B. second"));

  @TempDir
  Path dir;

  private void dialogs() throws IOException {
    Files.writeString(dir.resolve("train.jsonl"),
        "{\"id\":\"dd-train-00000-01\",\"context\":[\"Hi .\"],\"response\":\"Hello .\"}\n"
            + "{\"id\":\"dd-train-00000-02\",\"context\":[\"Hi .\",\"Hello .\"],\"response\":\"How are you ?\"}\n"
            + "\n", StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("valid.jsonl"),
        "{\"id\":\"dd-valid-00000-01\",\"context\":[\"Hello .\"],\"response\":\"Fine ; you ?\"}\n",
        StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("test.jsonl"),
        "{\"id\":\"dd-test-00000-01\",\"context\":[\"Bye .\"],\"response\":\"Hi .\"}\n", StandardCharsets.UTF_8);
  }

  @Test
  void everyDistinctTurnAndResponseOnceInFirstSeenOrder() throws IOException {
    dialogs();
    assertEquals(List.of("Hi .", "Hello .", "How are you ?", "Fine ; you ?", "Bye ."),
        ScaleCorpus.distinctUtterances(dir));
  }

  @Test
  void squadFirstThenDistractorsWithPrefixedUniqueIds() throws IOException {
    dialogs();
    ScaleCorpus c = ScaleCorpus.of(SQUAD, ScaleCorpus.distinctUtterances(dir));
    assertEquals(7, c.size());
    assertEquals(2, c.squadPassages());
    assertEquals(5, c.distractors());
    assertEquals(SQUAD, c.documents().subList(0, 2));
    assertEquals(new Squad.Passage("dd-000000", "Hi ."), c.documents().get(2));
    assertEquals(new Squad.Passage("dd-000004", "Bye ."), c.documents().get(6));
  }

  @Test
  void firstKeepsEverySquadPassageAndTheFirstDistractors() throws IOException {
    dialogs();
    ScaleCorpus c = ScaleCorpus.of(SQUAD, ScaleCorpus.distinctUtterances(dir)).first(4);
    assertEquals(List.of("squad-dev-00-000", "squad-dev-40-001", "dd-000000", "dd-000001"),
        c.documents().stream().map(Squad.Passage::id).toList());
    ScaleCorpus full = ScaleCorpus.of(SQUAD, List.of("x"));
    assertThrows(IllegalArgumentException.class, () -> full.first(1));
    assertThrows(IllegalArgumentException.class, () -> full.first(4));
  }

  @Test
  void refusesSquadIdsInTheDistractorNamespaceAndRepeatedIds() {
    assertThrows(IllegalArgumentException.class,
        () -> ScaleCorpus.of(List.of(new Squad.Passage("dd-000000", "clash")), List.of("Hi .")));
    assertThrows(IllegalArgumentException.class, () -> new ScaleCorpus(List.of(new Squad.Passage("a", "x"),
        new Squad.Passage("a", "y")), 2));
  }

  @Test
  void malformedLineNamesFileAndLine() throws IOException {
    dialogs();
    Files.writeString(dir.resolve("valid.jsonl"), "{\"context\":[\"a\"],\"response\":\"b\"}\n{\"context\":3}\n");
    IOException e = assertThrows(IOException.class, () -> ScaleCorpus.distinctUtterances(dir));
    assertTrue(e.getMessage().contains("valid.jsonl line 2"), e.getMessage());
  }

  @Test
  void writesPassagesJsonlTheTrainerReads() throws IOException {
    ScaleCorpus c = ScaleCorpus.of(SQUAD, List.of("Quote \" and ünïcode"));
    List<String> lines = Files.readAllLines(c.write(dir.resolve("corpus.jsonl")), StandardCharsets.UTF_8);
    assertEquals(3, lines.size());
    JsonObject last = JsonParser.parseString(lines.get(2)).getAsJsonObject();
    assertEquals("dd-000000", last.get("id").getAsString());
    assertEquals("Quote \" and ünïcode", last.get("text").getAsString());
  }

  /** The real shared data, when this checkout has it beside it: the sizes docs/BENCHMARKS.md states. */
  @Test
  void sharedDataGivesAbout85kDocuments() throws IOException {
    Path data = Stream.of(Path.of("../shared/data"), Path.of("../../shared/data"))
        .filter(p -> Files.isRegularFile(p.resolve("dialog/train.jsonl"))).findFirst().orElse(null);
    assumeTrue(data != null, "no shared data beside this checkout");
    Squad squad = Squad.load(data, 1, 42);
    ScaleCorpus c = ScaleCorpus.build(squad.passages(), data);
    assertEquals(2_067, c.squadPassages());
    assertEquals(83_249, c.distractors());
    assertEquals(85_316, c.size());
    Set<String> texts = new HashSet<>();
    c.documents().subList(c.squadPassages(), c.size()).forEach(p -> texts.add(p.text()));
    assertEquals(c.distractors(), texts.size());
    assertEquals(7_933, c.first(10_000).distractors());
    assertTrue(squad.passages().stream().noneMatch(p -> p.id().startsWith(ScaleCorpus.PREFIX)));
  }
}
