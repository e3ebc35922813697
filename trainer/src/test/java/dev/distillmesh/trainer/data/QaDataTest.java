package dev.distillmesh.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.common.DomainException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QaDataTest {
  private static Path write(Path dir, String name, String content) throws Exception {
    return Files.writeString(dir.resolve(name), content);
  }

  @Test
  void articleHoldoutSplitsByTheGoldPassagesArticle(@TempDir Path dir) throws Exception {
    Path passages = write(dir, "p.jsonl", """
        {"id": "squad-dev-00-000", "title": "Alpha", "text": "first"}
        {"id": "squad-dev-41-003", "text": "second"}
        """);
    Path questions = write(dir, "q.jsonl", """
        {"question": "q1", "passage_id": "squad-dev-00-000"}
        {"question": "q2", "passage_id": "squad-dev-41-003"}
        {"question": "q3", "passage_id": "squad-dev-41-003"}
        """);
    QaData d = QaData.load(passages, questions, "articles:40-47", 1);
    assertEquals("Alpha. first", d.passageTexts().get(0));
    assertEquals("second", d.passageTexts().get(1));
    assertEquals(1, d.train().size());
    assertEquals(0, d.train().get(0).gold());
    assertEquals(2, d.heldOut().size());
    assertEquals(1, d.heldOut().get(0).gold());
  }

  @Test
  void fractionHoldoutIsSeededAndRoughlyTheFraction(@TempDir Path dir) throws Exception {
    Path passages = write(dir, "p.jsonl", "{\"id\": \"p\", \"text\": \"t\"}\n");
    StringBuilder q = new StringBuilder();
    for (int i = 0; i < 2000; i++) {
      q.append("{\"question\": \"question ").append(i).append("\", \"passage_id\": \"p\"}\n");
    }
    Path questions = write(dir, "q.jsonl", q.toString());
    QaData a = QaData.load(passages, questions, "fraction:0.2", 7);
    QaData b = QaData.load(passages, questions, "fraction:0.2", 7);
    assertEquals(a.heldOut(), b.heldOut(), "the same seed holds out the same questions");
    assertTrue(a.heldOut().size() > 320 && a.heldOut().size() < 480, "about a fifth: " + a.heldOut().size());
  }

  @Test
  void badInputIsExplainedWithFileAndLine(@TempDir Path dir) throws Exception {
    Path passages = write(dir, "p.jsonl", "{\"id\": \"p\", \"text\": \"t\"}\n");
    Path questions = write(dir, "q.jsonl", "{\"question\": \"q\", \"passage_id\": \"p\"}\n{\"question\": \"q\", \"passage_id\": \"nope\"}\n");
    String m = assertThrows(DomainException.class, () -> QaData.load(passages, questions, "fraction:0.5", 1)).getMessage();
    assertTrue(m.contains("line 2: passage_id \"nope\" is not in"), m);
    m = assertThrows(DomainException.class, () -> QaData.load(dir.resolve("missing.jsonl"), questions, "fraction:0.5", 1))
        .getMessage();
    assertTrue(m.contains("does not exist"), m);
    m = assertThrows(DomainException.class, () -> QaData.load(passages, questions, "articles:40-47", 1)).getMessage();
    assertTrue(m.contains("needs passage ids like squad-dev-AA-PPP"), m);
    m = assertThrows(DomainException.class, () -> QaData.load(passages, questions, "random", 1)).getMessage();
    assertTrue(m.contains("is not understood"), m);
    m = assertThrows(DomainException.class, () -> QaData.load(passages, questions, "fraction:1.5", 1)).getMessage();
    assertTrue(m.contains("must be in (0, 1)"), m);
  }
}
