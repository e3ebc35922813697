package dev.distillmesh.trainer.run;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
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
 * The queries a TRAFFIC run has taken from its {@link TrafficFeed}, in the order taken, made durable
 * before they are trained on: TakeTraffic removes them from the student, so after a crash this file
 * is the only copy; on the traffic topic it records where each query was, so that a resumed run
 * reads on after the last one and reads none twice. The checkpoint's data position says how many
 * were trained; a resumed run trains the rest (those trained after the last checkpoint again, on the
 * checkpoint's adapter: each query counts once in what the run publishes).
 *
 * <p>One line per query, appended and fsync'ed: a JSON string, or for a query from the log an
 * object {@code {"q": text, "p": partition, "o": offset}}. A line torn by a crash (no newline, or
 * not readable) ends the journal when it is read. Not thread-safe: the run's thread owns it.
 */
final class TrafficJournal {
  static final String FILE = "traffic.jsonl";

  private final Path file;

  TrafficJournal(Path dir) {
    this.file = dir.resolve(FILE);
  }

  /** Appends the queries and forces them to disk. */
  void append(List<TrafficFeed.Query> queries) throws IOException {
    if (queries.isEmpty()) {
      return;
    }
    StringBuilder lines = new StringBuilder();
    for (TrafficFeed.Query q : queries) {
      if (q.onLog()) {
        JsonObject o = new JsonObject();
        o.addProperty("q", q.text());
        o.addProperty("p", q.partition());
        o.addProperty("o", q.offset());
        lines.append(o).append('\n');
      } else {
        lines.append(new JsonPrimitive(q.text())).append('\n');
      }
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
  List<TrafficFeed.Query> recover() throws IOException {
    List<TrafficFeed.Query> out = new ArrayList<>();
    if (!Files.exists(file)) {
      return out;
    }
    String all = Files.readString(file, StandardCharsets.UTF_8);
    int from = 0;
    for (int nl = all.indexOf('\n'); nl >= 0; nl = all.indexOf('\n', from)) {
      try {
        out.add(query(JsonParser.parseString(all.substring(from, nl))));
      } catch (JsonParseException | IllegalStateException | UnsupportedOperationException | NullPointerException e) {
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

  private static TrafficFeed.Query query(JsonElement line) {
    if (line.isJsonObject()) {
      JsonObject o = line.getAsJsonObject();
      return new TrafficFeed.Query(o.get("q").getAsString(), o.get("p").getAsInt(), o.get("o").getAsLong());
    }
    return new TrafficFeed.Query(line.getAsString(), -1, -1);
  }
}
