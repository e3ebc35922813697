package dev.distillmesh.student.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.distillmesh.proto.student.v1.AnswerRequest;
import dev.distillmesh.proto.student.v1.Candidate;
import dev.distillmesh.proto.student.v1.QueryResponse;
import dev.distillmesh.proto.student.v1.RespondRequest;
import dev.distillmesh.proto.student.v1.StudentServiceGrpc;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * {@code ask --file} and {@code respond --file}: every line of a JSONL file sent as one Answer or
 * Respond, at most {@code concurrency} in flight, each with its own deadline; one JSON line out per
 * line in, in input order, with the candidates and their scores or, for a line that failed (bad
 * JSON, a refused or timed-out call), its error, so one bad line never stops the batch. A progress
 * bar goes to stderr.
 */
final class BatchQueries {
  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

  /** What one input line asks: a request built from its JSON object (or an error for the line). */
  interface Query {
    void send(StudentServiceGrpc.StudentServiceStub stub, StreamObserver<QueryResponse> reply);
  }

  private final StudentServiceGrpc.StudentServiceStub stub;
  private final long deadlineMs;
  private final int concurrency;
  private final PrintStream out;
  private final PrintStream err;
  private final boolean terminal;

  BatchQueries(StudentServiceGrpc.StudentServiceStub stub, long deadlineMs, int concurrency, PrintStream out,
      PrintStream err, boolean terminal) {
    if (concurrency < 1 || concurrency > 256) {
      throw new IllegalArgumentException("--concurrency must be in 1..256, got " + concurrency);
    }
    this.stub = stub;
    this.deadlineMs = deadlineMs;
    this.concurrency = concurrency;
    this.out = out;
    this.err = err;
    this.terminal = terminal;
  }

  /** Answer for each {@code {"question", "id"?}} line. */
  static Function<JsonObject, Query> answers(String collection, int k, int ef) {
    return o -> {
      AnswerRequest r = AnswerRequest.newBuilder().setCollection(collection).setQuestion(string(o, "question"))
          .setK(k).setEfSearch(ef).build();
      return (s, reply) -> s.answer(r, reply);
    };
  }

  /** Respond for each {@code {"context": [turns], "id"?}} line ({@code "turns"} is taken too). */
  static Function<JsonObject, Query> responses(String collection, int k, int ef) {
    return o -> {
      RespondRequest r = RespondRequest.newBuilder().setCollection(collection).addAllTurns(turns(o)).setK(k)
          .setEfSearch(ef).build();
      return (s, reply) -> s.respond(r, reply);
    };
  }

  /** Runs every line of {@code file}; returns the exit code: 0, or 1 when any line failed. */
  int run(Path file, Function<JsonObject, Query> parse) throws IOException {
    if (!Files.isReadable(file)) {
      throw new IllegalArgumentException("cannot read " + file);
    }
    ProgressBar progress = new ProgressBar(err, "lines", JsonlDocuments.countLines(file), terminal);
    ArrayDeque<CompletableFuture<JsonObject>> inFlight = new ArrayDeque<>();
    long done = 0;
    long failed = 0;
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      long lineNo = 0;
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        if (inFlight.size() == concurrency) {
          failed += write(inFlight.poll().join());
          progress.update(++done);
        }
        inFlight.add(start(lineNo, line, parse));
      }
    }
    while (!inFlight.isEmpty()) {
      failed += write(inFlight.poll().join());
      progress.update(++done);
    }
    progress.finish(done);
    err.printf("%d lines, %d failed%n", done, failed);
    return failed == 0 ? 0 : 1;
  }

  private int write(JsonObject result) {
    out.println(GSON.toJson(result));
    return result.has("error") ? 1 : 0;
  }

  private CompletableFuture<JsonObject> start(long lineNo, String line, Function<JsonObject, Query> parse) {
    JsonObject head = new JsonObject();
    head.addProperty("line", lineNo);
    CompletableFuture<JsonObject> result = new CompletableFuture<>();
    Query query;
    try {
      JsonElement e = JsonParser.parseString(line);
      if (!e.isJsonObject()) {
        throw new IllegalArgumentException("not a JSON object");
      }
      if (e.getAsJsonObject().has("id")) {
        head.add("id", e.getAsJsonObject().get("id"));
      }
      query = parse.apply(e.getAsJsonObject());
    } catch (RuntimeException e) { // bad JSON or a missing field: this line's error, not the batch's
      head.add("error", error("INVALID_INPUT", e.getMessage()));
      result.complete(head);
      return result;
    }
    query.send(stub.withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS), new StreamObserver<>() {
      @Override
      public void onNext(QueryResponse r) {
        head.add("candidates", candidates(r));
        head.addProperty("context_adapter_version", r.getContextAdapterVersion());
        head.addProperty("index_generation", r.getIndexGeneration());
        head.addProperty("tokens", r.getInput().getTokens());
        if (r.getInput().getTruncated()) {
          head.addProperty("truncated", true);
        }
      }

      @Override
      public void onError(Throwable t) {
        Status s = Status.fromThrowable(t);
        head.add("error", error(s.getCode().name(), s.getDescription()));
        result.complete(head);
      }

      @Override
      public void onCompleted() {
        result.complete(head);
      }
    });
    return result;
  }

  static JsonArray candidates(QueryResponse r) {
    JsonArray list = new JsonArray();
    for (Candidate c : r.getCandidatesList()) {
      JsonObject o = new JsonObject();
      o.addProperty("id", c.getId());
      o.addProperty("score", c.getScore());
      o.addProperty("text", c.getText());
      list.add(o);
    }
    return list;
  }

  private static JsonObject error(String code, String message) {
    JsonObject e = new JsonObject();
    e.addProperty("code", code);
    e.addProperty("message", message == null ? "" : message);
    return e;
  }

  static String string(JsonObject o, String key) {
    JsonElement e = o.get(key);
    if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
      throw new IllegalArgumentException("\"" + key + "\" must be a string");
    }
    return e.getAsString();
  }

  static List<String> turns(JsonObject o) {
    JsonElement e = o.has("context") ? o.get("context") : o.get("turns");
    if (e == null || !e.isJsonArray()) {
      throw new IllegalArgumentException("\"context\" must be an array of turns, oldest first");
    }
    List<String> turns = new ArrayList<>();
    for (JsonElement t : e.getAsJsonArray()) {
      if (!t.isJsonPrimitive() || !t.getAsJsonPrimitive().isString()) {
        throw new IllegalArgumentException("every turn of \"context\" must be a string");
      }
      turns.add(t.getAsString());
    }
    return turns;
  }
}
