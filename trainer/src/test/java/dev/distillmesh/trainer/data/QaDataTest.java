package dev.distillmesh.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.common.DomainException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QaDataTest {
  private static Path write(Path dir, String name, String content) throws Exception {
    return Files.writeString(dir.resolve(name), content);
  }

  @Test
  void articleHoldoutSplitsByTheGoldPassagesArticle(@TempDir Path dir) throws Exception {
    Path questions = write(dir, "q.jsonl", """
        {"question": "q1", "passage_id": "squad-dev-00-000"}
        {"question": "q2", "passage_id": "squad-dev-41-003"}
        {"question": "q3", "passage_id": "squad-dev-41-003"}
        """);
    QaData d = QaData.load(questions, "articles:40-47", 1);
    assertEquals(List.of("squad-dev-00-000", "squad-dev-41-003"), d.goldIds(), "each named passage once");
    assertEquals(1, d.train().size());
    assertEquals("squad-dev-00-000", d.goldId(d.train().get(0)));
    assertEquals(2, d.heldOut().size());
    assertEquals("squad-dev-41-003", d.goldId(d.heldOut().get(0)));
    assertEquals(d.heldOut().get(0).gold(), d.heldOut().get(1).gold());
  }

  @Test
  void fractionHoldoutIsSeededAndRoughlyTheFraction(@TempDir Path dir) throws Exception {
    StringBuilder q = new StringBuilder();
    for (int i = 0; i < 2000; i++) {
      q.append("{\"question\": \"question ").append(i).append("\", \"passage_id\": \"p\"}\n");
    }
    Path questions = write(dir, "q.jsonl", q.toString());
    QaData a = QaData.load(questions, "fraction:0.2", 7);
    QaData b = QaData.load(questions, "fraction:0.2", 7);
    assertEquals(a.heldOut(), b.heldOut(), "the same seed holds out the same questions");
    assertTrue(a.heldOut().size() > 320 && a.heldOut().size() < 480, "about a fifth: " + a.heldOut().size());
  }

  @Test
  void badInputIsExplainedWithFileAndLine(@TempDir Path dir) throws Exception {
    Path questions = write(dir, "q.jsonl", "{\"question\": \"q\", \"passage_id\": \"p\"}\n{\"question\": \"q\"}\n");
    String m = assertThrows(DomainException.class, () -> QaData.load(questions, "fraction:0.5", 1)).getMessage();
    assertTrue(m.contains("line 2"), m);
    Path empty = write(dir, "e.jsonl", "{\"question\": \"q\", \"passage_id\": \"\"}\n");
    m = assertThrows(DomainException.class, () -> QaData.load(empty, "fraction:0.5", 1)).getMessage();
    assertTrue(m.contains("line 1: passage_id is empty"), m);
    m = assertThrows(DomainException.class, () -> QaData.load(dir.resolve("missing.jsonl"), "fraction:0.5", 1))
        .getMessage();
    assertTrue(m.contains("does not exist"), m);
    m = assertThrows(DomainException.class, () -> QaData.load(questions, "articles:40-47", 1)).getMessage();
    assertTrue(m.contains("needs passage ids like squad-dev-AA-PPP"), m);
    m = assertThrows(DomainException.class, () -> QaData.load(questions, "random", 1)).getMessage();
    assertTrue(m.contains("is not understood"), m);
    m = assertThrows(DomainException.class, () -> QaData.load(questions, "fraction:1.5", 1)).getMessage();
    assertTrue(m.contains("must be in (0, 1)"), m);
  }

  @Test
  void errorsNeverQuoteTheFilesContents(@TempDir Path dir) throws Exception {
    Path questions = write(dir, "q.jsonl", "{\"question\": \"q\", \"passage_id\": \"SECRET-api-key-abc123\"}\n");
    String m = assertThrows(DomainException.class, () -> QaData.load(questions, "articles:1-2", 1)).getMessage();
    assertTrue(m.contains("q.jsonl line 1: holdout articles:A-B needs passage ids like squad-dev-AA-PPP"), m);
    assertFalse(m.contains("SECRET"), m);
  }

  @Test
  void specialFilesAndOversizedLinesAreRefusedWithoutReadingThemWhole(@TempDir Path dir) throws Exception {
    // /dev/zero never ends and has no newline: it drove readLine to OutOfMemoryError.
    DomainException zero = assertThrows(DomainException.class,
        () -> QaData.load(Path.of("/dev/zero"), "fraction:0.5", 1));
    assertTrue(zero.getMessage().contains("is not a regular file"), zero.getMessage());
    assertTrue(assertThrows(DomainException.class, () -> QaData.load(dir, "fraction:0.5", 1))
        .getMessage().contains("is not a regular file"));
    Path wide = write(dir, "wide.jsonl", "{\"question\": \"" + "x".repeat(Jsonl.MAX_LINE_BYTES) + "\"}\n");
    DomainException tooLong = assertThrows(DomainException.class, () -> QaData.load(wide, "fraction:0.5", 1));
    assertEquals(DomainException.Kind.RESOURCE_EXHAUSTED, tooLong.kind());
    assertTrue(tooLong.getMessage().contains("wide.jsonl line 1 is longer than 1048576 bytes"), tooLong.getMessage());
    Path latin1 = Files.write(dir.resolve("latin1.jsonl"), new byte[] {'{', '}', '\n', (byte) 0xE9, '\n'});
    assertTrue(assertThrows(DomainException.class, () -> QaData.load(latin1, "fraction:0.5", 1))
        .getMessage().contains("is not UTF-8 (line 2)"));
  }

  @Test
  void fileHoldoutEvaluatesTheUsersFileAndTrainsOnTheRest(@TempDir Path dir) throws Exception {
    Path questions = write(dir, "q.jsonl", """
        {"question": "q1", "passage_id": "a"}
        {"question": "q2", "passage_id": "b"}
        """);
    Path held = write(dir, "held.jsonl", """
        {"question": "q2", "passage_id": "b"}
        {"question": "q3", "passage_id": "c"}
        """);
    QaData d = QaData.load(questions, "file:" + held, 1);
    assertEquals(List.of("q2", "q3"), d.heldOut().stream().map(QaData.Question::text).toList());
    assertEquals(List.of("q1"), d.train().stream().map(QaData.Question::text).toList(), "q2 is held out, not trained");
    assertEquals("c", d.goldId(d.heldOut().get(1)));
  }
}
