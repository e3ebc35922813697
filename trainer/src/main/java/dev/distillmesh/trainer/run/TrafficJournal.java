package dev.distillmesh.trainer.run;

import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The queries a TRAFFIC run has taken from the student, in the order taken, made durable before
 * they are trained on: TakeTraffic removes them from the student, so after a crash this file is the
 * only copy. The checkpoint's data position says how many were trained; a resumed run trains the
 * rest (those trained after the last checkpoint, again).
 *
 * <p>One JSON string per line, appended and fsync'ed; a line torn by a crash (no newline, or not a
 * JSON string) ends the journal when it is read. Not thread-safe: the run's thread owns it.
 */
final class TrafficJournal {
  static final String FILE = "traffic.jsonl";

  private final Path file;

  TrafficJournal(Path dir) {
    this.file = dir.resolve(FILE);
  }

  /** Appends the queries and forces them to disk. */
  void append(List<String> queries) throws IOException {
    if (queries.isEmpty()) {
      return;
    }
    StringBuilder lines = new StringBuilder();
    for (String q : queries) {
      lines.append(new JsonPrimitive(q)).append('\n');
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND)) {
      ByteBuffer bytes = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8));
      while (bytes.hasRemaining()) {
        ch.write(bytes);
      }
      ch.force(false);
    }
  }

  /**
   * Every query written whole, in order; a torn tail is cut off the file, so that later appends
   * start on a line of their own.
   */
  List<String> recover() throws IOException {
    List<String> out = new ArrayList<>();
    if (!Files.exists(file)) {
      return out;
    }
    String all = Files.readString(file, StandardCharsets.UTF_8);
    int from = 0;
    for (int nl = all.indexOf('\n'); nl >= 0; nl = all.indexOf('\n', from)) {
      try {
        out.add(JsonParser.parseString(all.substring(from, nl)).getAsString());
      } catch (JsonParseException | IllegalStateException | UnsupportedOperationException e) {
        break; // torn by a crash: nothing after it was acknowledged
      }
      from = nl + 1;
    }
    int valid = all.substring(0, from).getBytes(StandardCharsets.UTF_8).length;
    if (valid < Files.size(file)) {
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
        ch.truncate(valid);
        ch.force(false);
      }
    }
    return out;
  }
}
