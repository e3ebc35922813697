package dev.distillmesh.student.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.distillmesh.proto.student.v1.Document;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Reads documents to ingest from a JSONL file, one JSON object per line, in one of three formats:
 *
 * <ul>
 *   <li>{@code passages}: {@code {"id", "title", "text"}} (the squad-dev layout); the document text
 *       is {@code title + ". " + text}, and the title is kept as metadata.
 *   <li>{@code dialog}: {@code {"id", "context": [...], "response"}} (the DailyDialog layout); each
 *       distinct response becomes one document, with the id of the first row that has it.
 *   <li>{@code documents}: {@code {"id", "text", "metadata"?}}, taken as they are.
 * </ul>
 *
 * {@code auto} picks the format from the first line. The file must be UTF-8: a malformed byte
 * sequence stops the read with the line number, instead of ingesting replacement characters.
 */
final class JsonlDocuments {
  enum Format { AUTO, PASSAGES, DIALOG, DOCUMENTS }

  private JsonlDocuments() {}

  static Format parseFormat(String s) {
    try {
      return Format.valueOf(s.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--format must be auto, passages, dialog or documents, got " + s);
    }
  }

  /**
   * The documents {@link #read} will give (for the progress bar): a dialogue file's repeated
   * responses count once. Reads the whole file, so a malformed line is refused before anything is sent.
   */
  static long countDocuments(Path file, Format format) throws IOException {
    long[] n = {0};
    read(file, format, d -> n[0]++);
    return n[0];
  }

  /** Lines in the file, blank ones left out. */
  static long countLines(Path file) throws IOException {
    try (var lines = Files.lines(file, StandardCharsets.ISO_8859_1)) { // any byte is a char: just counting
      return lines.filter(l -> !l.isBlank()).count();
    }
  }

  /**
   * Calls {@code sink} for each document of {@code file}, in file order.
   *
   * @return the format used
   * @throws IllegalArgumentException naming the file, the line and what is wrong
   */
  static Format read(Path file, Format format, Consumer<Document> sink) throws IOException {
    var decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    Set<String> seenResponses = new HashSet<>();
    // Lines are split as bytes and decoded one by one, so a bad byte is blamed on its own line
    // (a Reader decodes ahead and would report an earlier one).
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
      ByteArrayOutputStream raw = new ByteArrayOutputStream();
      long lineNo = 0;
      for (int b = in.read(); ; b = in.read()) {
        if (b != '\n' && b != -1) {
          raw.write(b);
          continue;
        }
        if (b == -1 && raw.size() == 0) {
          return format;
        }
        lineNo++;
        String line;
        try {
          line = decoder.decode(ByteBuffer.wrap(raw.toByteArray())).toString();
        } catch (CharacterCodingException e) {
          throw new IllegalArgumentException(file + " line " + lineNo + " is not valid UTF-8");
        }
        raw.reset();
        if (!line.isBlank()) {
          JsonObject o = object(file, lineNo, line);
          if (format == Format.AUTO) {
            format = o.has("response") ? Format.DIALOG : o.has("title") ? Format.PASSAGES : Format.DOCUMENTS;
          }
          Document d = toDocument(o, format, seenResponses, file + " line " + lineNo);
          if (d != null) {
            sink.accept(d);
          }
        }
        if (b == -1) {
          return format;
        }
      }
    }
  }

  private static JsonObject object(Path file, long lineNo, String line) {
    try {
      JsonElement e = JsonParser.parseString(line);
      if (!e.isJsonObject()) {
        throw new IllegalArgumentException(file + " line " + lineNo + " is not a JSON object");
      }
      return e.getAsJsonObject();
    } catch (JsonParseException e) {
      throw new IllegalArgumentException(file + " line " + lineNo + " is not valid JSON: " + e.getMessage());
    }
  }

  private static Document toDocument(JsonObject o, Format format, Set<String> seenResponses, String where) {
    String id = string(o, "id", where);
    return switch (format) {
      case PASSAGES -> {
        String title = o.has("title") ? string(o, "title", where) : "";
        String text = string(o, "text", where);
        JsonObject meta = new JsonObject();
        meta.addProperty("title", title);
        yield Document.newBuilder().setId(id).setText(title.isEmpty() ? text : title + ". " + text)
            .setMetadataJson(meta.toString()).build();
      }
      case DIALOG -> {
        String response = string(o, "response", where);
        if (!seenResponses.add(response)) {
          yield null; // the same response in another dialogue: index it once
        }
        yield Document.newBuilder().setId(id).setText(response).build();
      }
      default -> {
        Document.Builder d = Document.newBuilder().setId(id).setText(string(o, "text", where));
        if (o.has("metadata")) {
          if (!o.get("metadata").isJsonObject()) {
            throw new IllegalArgumentException(where + ": \"metadata\" must be a JSON object");
          }
          d.setMetadataJson(o.get("metadata").toString());
        }
        yield d.build();
      }
    };
  }

  private static String string(JsonObject o, String key, String where) {
    JsonElement e = o.get(key);
    if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
      throw new IllegalArgumentException(where + ": \"" + key + "\" must be a string");
    }
    return e.getAsString();
  }
}
