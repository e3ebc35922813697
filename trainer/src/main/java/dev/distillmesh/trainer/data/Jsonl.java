package dev.distillmesh.trainer.data;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.distillmesh.common.DomainException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reading the JSONL data files of a run; every error names the file and the line, never what the
 * line holds. Reads are bounded: a file over {@value #MAX_FILE_BYTES} bytes, a line over
 * {@value #MAX_LINE_BYTES} bytes or more than {@value #MAX_LINES} lines is refused without
 * reading further, and only regular files are read (a device such as /dev/zero never ends).
 */
final class Jsonl {
  static final long MAX_FILE_BYTES = 256L << 20;
  static final int MAX_LINE_BYTES = 1 << 20;
  static final int MAX_LINES = 10_000_000;

  private Jsonl() {}

  static List<String> lines(Path file, String what) {
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      throw DomainException.invalid(what + " file " + file + " does not exist (paths are read on the trainer's machine)");
    } catch (IOException e) {
      throw DomainException.invalid("cannot read " + what + " file " + file);
    }
    if (!attributes.isRegularFile()) {
      throw DomainException.invalid(what + " file " + file + " is not a regular file (a directory, device or pipe)");
    }
    if (attributes.size() > MAX_FILE_BYTES) {
      throw DomainException.tooLarge(what + " file " + file + " is " + attributes.size() + " bytes; the limit is "
          + MAX_FILE_BYTES + " (split the dataset)");
    }
    CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    List<String> lines = new ArrayList<>();
    // Split on the byte '\n' (never part of a multi-byte UTF-8 sequence), then decode each line,
    // so the line length is bounded before it is held and a decoding error knows its line.
    try (InputStream in = Files.newInputStream(file)) {
      byte[] line = new byte[4096];
      int length = 0;
      byte[] buffer = new byte[1 << 16];
      long total = 0;
      int n;
      while ((n = in.read(buffer)) >= 0) {
        total += n;
        // A file that grows while it is read is cut off at the size limit too.
        if (total > MAX_FILE_BYTES) {
          throw DomainException.tooLarge(what + " file " + file + " grew past " + MAX_FILE_BYTES + " bytes while read");
        }
        for (int i = 0; i < n; i++) {
          byte b = buffer[i];
          if (b == '\n') {
            add(lines, utf8, line, length, file, what);
            length = 0;
            continue;
          }
          if (length == MAX_LINE_BYTES) {
            throw DomainException.tooLarge(file + " line " + (lines.size() + 1) + " is longer than " + MAX_LINE_BYTES
                + " bytes; one JSON object per line is expected");
          }
          if (length == line.length) {
            line = Arrays.copyOf(line, Math.min(MAX_LINE_BYTES, line.length * 2));
          }
          line[length++] = b;
        }
      }
      if (length > 0) {
        add(lines, utf8, line, length, file, what);
      }
    } catch (IOException e) {
      throw DomainException.invalid("cannot read " + what + " file " + file);
    }
    return lines;
  }

  private static void add(List<String> lines, CharsetDecoder utf8, byte[] line, int length, Path file, String what) {
    if (lines.size() >= MAX_LINES) {
      throw DomainException.tooLarge(what + " file " + file + " has more than " + MAX_LINES + " lines");
    }
    if (length > 0 && line[length - 1] == '\r') {
      length--;
    }
    if (length == 0) {
      lines.add("");
      return;
    }
    try {
      lines.add(utf8.decode(ByteBuffer.wrap(line, 0, length)).toString());
    } catch (CharacterCodingException e) {
      throw DomainException.invalid(what + " file " + file + " is not UTF-8 (line " + (lines.size() + 1) + ")");
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
