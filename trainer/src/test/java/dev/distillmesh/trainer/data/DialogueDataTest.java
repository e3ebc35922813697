package dev.distillmesh.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.common.DomainException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DialogueDataTest {
  private static Path write(Path dir, String name, String content) throws Exception {
    return Files.writeString(dir.resolve(name), content);
  }

  @Test
  void pairsShareTheirResponseSetAndHeldOutExamplesTheirCandidates(@TempDir Path dir) throws Exception {
    Path train = write(dir, "train.jsonl", """
        {"id": "a-1", "context": ["Hello there .", " "], "response": "Hi !"}
        {"id": "a-2", "context": ["Hello there .", "Hi !"], "response": "How are you ?"}
        {"id": "b-1", "context": ["Good morning ."], "response": "Hi !"}
        """);
    Path eval = write(dir, "eval.jsonl", """
        {"id": "t-1", "context": ["Where is the station ?"], "response": "Two blocks north .", "candidates": ["Hi !", "Two blocks north .", "No idea ."]}
        {"id": "t-2", "context": ["Thanks ."], "response": "You are welcome .", "candidates": ["You are welcome .", "Hi !"]}
        """);
    DialogueData d = DialogueData.load(train, eval, 0, "all", 1);
    assertEquals(3, d.train().size());
    assertEquals(java.util.List.of("Hi !", "How are you ?"), d.responses(), "each distinct response once");
    assertEquals(d.train().get(0).response(), d.train().get(2).response());
    assertEquals("Hello there .", d.train().get(0).context(), "blank turns are skipped");
    assertEquals("Hello there . Hi !", d.train().get(1).context(), "turns are joined by spaces, oldest first");
    assertEquals(2, d.heldOut().size());
    assertEquals(1, d.heldOut().get(0).gold());
    assertEquals("Two blocks north .", d.candidateTexts().get(d.heldOut().get(0).candidates()[1]));
    assertEquals(d.heldOut().get(0).candidates()[0], d.heldOut().get(1).candidates()[1], "candidate texts are shared");
    assertEquals(4, d.candidateTexts().size());
  }

  @Test
  void aHeldOutContextIsNeverTrainedOn(@TempDir Path dir) throws Exception {
    Path train = write(dir, "train.jsonl", """
        {"context": ["Where is the station ?"], "response": "Two blocks north ."}
        {"context": ["Thanks ."], "response": "You are welcome ."}
        """);
    Path eval = write(dir, "eval.jsonl", """
        {"context": ["Where is the station ?"], "response": "Two blocks north .", "candidates": ["Two blocks north .", "No ."]}
        """);
    DialogueData d = DialogueData.load(train, eval, 0, "all", 1);
    assertEquals(java.util.List.of("Thanks ."), d.trainContexts());
    Path onlyHeld = write(dir, "held.jsonl", "{\"context\": [\"Where is the station ?\"], \"response\": \"x\"}\n");
    String m = assertThrows(DomainException.class, () -> DialogueData.load(onlyHeld, eval, 0, "all", 1)).getMessage();
    assertTrue(m.contains("nothing to train on"), m);
  }

  @Test
  void trainLimitAndHoldoutSampleAreSeeded(@TempDir Path dir) throws Exception {
    StringBuilder train = new StringBuilder();
    StringBuilder eval = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      train.append("{\"context\": [\"context ").append(i).append("\"], \"response\": \"response ").append(i).append("\"}\n");
      eval.append("{\"context\": [\"held ").append(i).append("\"], \"response\": \"r").append(i)
          .append("\", \"candidates\": [\"r").append(i).append("\", \"other\"]}\n");
    }
    Path t = write(dir, "train.jsonl", train.toString());
    Path e = write(dir, "eval.jsonl", eval.toString());
    DialogueData a = DialogueData.load(t, e, 50, "sample:20", 3);
    DialogueData b = DialogueData.load(t, e, 50, "sample:20", 3);
    assertEquals(50, a.train().size());
    assertEquals(20, a.heldOut().size());
    assertEquals(a.trainContexts(), b.trainContexts());
    assertEquals(a.heldOutContexts(), b.heldOutContexts());
    assertArrayEquals(a.heldOut().get(0).candidates(), b.heldOut().get(0).candidates());
    assertTrue(!a.trainContexts().equals(DialogueData.load(t, e, 50, "sample:20", 4).trainContexts()),
        "another seed draws another sample");
  }

  @Test
  void badInputIsExplainedWithFileAndLine(@TempDir Path dir) throws Exception {
    Path train = write(dir, "train.jsonl", "{\"context\": [\"c\"], \"response\": \"r\"}\n{\"context\": \"c\", \"response\": \"r\"}\n");
    Path eval = write(dir, "eval.jsonl", "{\"context\": [\"c\"], \"response\": \"gold\", \"candidates\": [\"a\", \"b\"]}\n");
    Path good = write(dir, "good.jsonl", "{\"context\": [\"c\"], \"response\": \"r\"}\n");
    String m = assertThrows(DomainException.class, () -> DialogueData.load(train, eval, 0, "all", 1)).getMessage();
    assertTrue(m.contains("line 2: \"context\" is missing or not a non-empty array of strings"), m);
    m = assertThrows(DomainException.class, () -> DialogueData.load(good, eval, 0, "all", 1)).getMessage();
    assertTrue(m.contains("eval.jsonl line 1: the response is not among the candidates"), m);
    m = assertThrows(DomainException.class, () -> DialogueData.load(good, eval, 0, "sample:x", 1)).getMessage();
    assertTrue(m.contains("write all, sample:N"), m);
  }

  @Test
  void groupHoldoutDropsEveryTurnOfAHeldOutDialogue(@TempDir Path dir) throws Exception {
    Path train = write(dir, "train.jsonl", """
        {"dialogue": "d1", "context": ["hi"], "response": "hello"}
        {"dialogue": "d1", "context": ["hi", "hello"], "response": "how are you"}
        {"dialogue": "d2", "context": ["bye"], "response": "see you"}
        """);
    Path eval = write(dir, "eval.jsonl", """
        {"dialogue": "d1", "context": ["hi"], "response": "hello", "candidates": ["hello", "see you"]}
        """);
    DialogueData byContext = DialogueData.load(train, eval, 0, "all", 1);
    assertEquals(2, byContext.train().size(), "only the held-out context is dropped");
    DialogueData byGroup = DialogueData.load(train, eval, 0, "group:dialogue", 1);
    assertEquals(List.of("bye"), byGroup.trainContexts(), "every turn of dialogue d1 is held out");
    assertEquals(1, byGroup.heldOut().size());
    assertThrows(DomainException.class, () -> DialogueData.load(train, eval, 0, "group:", 1));
    assertThrows(DomainException.class, () -> DialogueData.load(train, eval, 0, "group:missing", 1));
  }
}
