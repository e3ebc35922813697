package dev.distillmesh.common;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The check of a record's {@code metadata_json}, shared by the index (which stores it) and the
 * student (which relays it), so both accept the same texts and say the same thing about the rest:
 * empty, or one strict JSON object (RFC 8259: quoted names, no comments, no trailing commas, no
 * NaN). Messages are in the product's words and give the line and column of the first error; the
 * parser's own text is not passed on.
 */
public final class MetadataJson {
  private static final Pattern POSITION = Pattern.compile("line (\\d+) column (\\d+)");

  private MetadataJson() {}

  /**
   * @param where how the message names the field, e.g. "records[3].payload.metadata_json"
   * @throws DomainException INVALID_ARGUMENT when {@code json} is neither empty nor one JSON object
   */
  public static void check(String json, String where) {
    if (json.isEmpty()) {
      return;
    }
    JsonElement parsed;
    try {
      JsonReader reader = new JsonReader(new StringReader(json));
      reader.setStrictness(Strictness.STRICT);
      parsed = JsonParser.parseReader(reader);
      if (reader.peek() != JsonToken.END_DOCUMENT) {
        throw DomainException.invalid(where + " has more after the JSON object" + at(reader.toString())
            + "; send one JSON object");
      }
    } catch (JsonParseException | IOException | IllegalStateException e) {
      String detail = e.getMessage() == null ? "" : e.getMessage();
      String what = detail.contains("Nesting limit") ? " nests objects or arrays too deeply"
          : detail.contains("End of input") || e.getCause() instanceof java.io.EOFException ? " ends before the JSON is complete"
          : " is not valid JSON";
      throw DomainException.invalid(where + what + at(detail)
          + "; write one JSON object with quoted names, e.g. {\"source\": \"faq\"}");
    }
    if (!parsed.isJsonObject()) {
      throw DomainException.invalid(where + " must be a JSON object (or empty), got a "
          + (parsed.isJsonArray() ? "JSON array" : parsed.isJsonNull() ? "JSON null" : "JSON scalar"));
    }
  }

  private static String at(String detail) {
    Matcher m = POSITION.matcher(detail);
    return m.find() ? " (at line " + m.group(1) + ", column " + m.group(2) + ")" : "";
  }
}
