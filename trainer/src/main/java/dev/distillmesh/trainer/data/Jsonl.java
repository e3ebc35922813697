package dev.distillmesh.trainer.data;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
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
import java.util.List;

/** Reading the JSONL data files of a run; every error names the file and the line. */
final class Jsonl {
  private Jsonl() {}

  static List<String> lines(Path file, String what) {
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

  static JsonObject object(Path file, int line, String text) {
    try {
      return JsonParser.parseString(text).getAsJsonObject();
    } catch (JsonParseException | IllegalStateException e) {
      throw DomainException.invalid(file + " line " + (line + 1) + " is not a JSON object");
    }
  }

  static String string(JsonObject o, String key, Path file, int line) {
    if (!o.has(key) || !o.get(key).isJsonPrimitive()) {
      throw DomainException.invalid(file + " line " + (line + 1) + ": \"" + key + "\" is missing or not a string");
    }
    return o.get(key).getAsString();
  }

  /** A non-empty array of strings. */
  static List<String> strings(JsonObject o, String key, Path file, int line) {
    JsonElement e = o.get(key);
    if (e == null || !e.isJsonArray() || e.getAsJsonArray().isEmpty()) {
      throw DomainException.invalid(file + " line " + (line + 1) + ": \"" + key
          + "\" is missing or not a non-empty array of strings");
    }
    JsonArray a = e.getAsJsonArray();
    List<String> out = new ArrayList<>(a.size());
    for (JsonElement item : a) {
      if (!item.isJsonPrimitive()) {
        throw DomainException.invalid(file + " line " + (line + 1) + ": \"" + key + "\" holds something other than a string");
      }
      out.add(item.getAsString());
    }
    return out;
  }
}
