package dev.distillmesh.student.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.proto.student.v1.Document;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonlDocumentsTest {
  private static List<Document> read(Path file, JsonlDocuments.Format format) throws Exception {
    List<Document> docs = new ArrayList<>();
    JsonlDocuments.read(file, format, docs::add);
    return docs;
  }

  @Test
  void passagesAreTitlePlusTextWithTheTitleAsMetadata(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("p.jsonl");
    Files.writeString(f, "{\"id\": \"p1\", \"title\": \"Ports\", \"text\": \"The index listens on 7401.\"}\n\n");
    List<Document> docs = read(f, JsonlDocuments.Format.AUTO);
    assertEquals(1, docs.size());
    assertEquals("Ports. The index listens on 7401.", docs.get(0).getText());
    assertEquals("{\"title\":\"Ports\"}", docs.get(0).getMetadataJson());
  }

  @Test
  void dialogueResponsesAreIndexedOnceEach(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("d.jsonl");
    Files.writeString(f, """
        {"id": "d1", "context": ["hi"], "response": "Hello there."}
        {"id": "d2", "context": ["hey"], "response": "Hello there."}
        {"id": "d3", "context": ["bye"], "response": "See you."}
        """);
    List<Document> docs = read(f, JsonlDocuments.Format.AUTO);
    assertEquals(List.of("d1", "d3"), docs.stream().map(Document::getId).toList());
    assertEquals(2, JsonlDocuments.countDocuments(f, JsonlDocuments.Format.AUTO),
        "ingest's progress counts documents, not the three rows");
  }

  @Test
  void plainDocumentsKeepTheirMetadata(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("x.jsonl");
    Files.writeString(f, "{\"id\": \"a\", \"text\": \"t\", \"metadata\": {\"k\": 1}}\n");
    assertEquals("{\"k\":1}", read(f, JsonlDocuments.Format.DOCUMENTS).get(0).getMetadataJson());
    Files.writeString(f, "{\"id\": \"a\", \"text\": \"t\", \"metadata\": [1]}\n");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> read(f, JsonlDocuments.Format.DOCUMENTS))
        .getMessage().contains("line 1: \"metadata\" must be a JSON object"));
  }

  @Test
  void badLinesAreReportedWithTheirNumber(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("bad.jsonl");
    Files.writeString(f, "{\"id\": \"a\", \"text\": \"ok\"}\n{\"id\": 5, \"text\": \"x\"}\n");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> read(f, JsonlDocuments.Format.AUTO))
        .getMessage().contains("line 2: \"id\" must be a string"));
    Files.writeString(f, "{\"id\": \"a\", \"text\": \"ok\"}\nnot json\n");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> read(f, JsonlDocuments.Format.AUTO))
        .getMessage().contains("line 2 is not valid JSON"));
  }

  @Test
  void aFileThatIsNotUtf8IsRefusedWithTheLine(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("latin1.jsonl");
    byte[] good = "{\"id\": \"a\", \"text\": \"ok\"}\n".getBytes(StandardCharsets.UTF_8);
    byte[] bad = "{\"id\": \"b\", \"text\": \"caf\u00e9\"}\n".getBytes(StandardCharsets.ISO_8859_1);
    byte[] all = new byte[good.length + bad.length];
    System.arraycopy(good, 0, all, 0, good.length);
    System.arraycopy(bad, 0, all, good.length, bad.length);
    Files.write(f, all);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read(f, JsonlDocuments.Format.AUTO));
    assertTrue(e.getMessage().contains("line 2 is not valid UTF-8"), e.getMessage());
  }

  @Test
  void anUnknownFormatIsExplained() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> JsonlDocuments.parseFormat("csv"))
        .getMessage().contains("auto, passages, dialog or documents"));
  }
}
