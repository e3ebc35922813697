package dev.distillmesh.student.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.distillmesh.common.CliSession;
import dev.distillmesh.common.ClientStream;
import dev.distillmesh.common.MeshOptions;
import dev.distillmesh.proto.student.v1.AnswerRequest;
import dev.distillmesh.proto.student.v1.Candidate;
import dev.distillmesh.proto.student.v1.Document;
import dev.distillmesh.proto.student.v1.IngestRequest;
import dev.distillmesh.proto.student.v1.IngestResponse;
import dev.distillmesh.proto.student.v1.QueryKind;
import dev.distillmesh.proto.student.v1.QueryResponse;
import dev.distillmesh.proto.student.v1.RespondRequest;
import dev.distillmesh.proto.student.v1.StudentAdminGrpc;
import dev.distillmesh.proto.student.v1.StudentServiceGrpc;
import dev.distillmesh.proto.student.v1.TakeTrafficRequest;
import dev.distillmesh.proto.student.v1.TakeTrafficResponse;
import dev.distillmesh.proto.student.v1.TrafficItem;
import dev.distillmesh.student.cli.JsonlDocuments.Format;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Entry point of {@code scripts/student-cli.sh} and {@code scripts/ask.sh}: queries and feeds a
 * running student service. Exit codes: 0 ok, 1 the call failed, 2 usage error.
 */
public final class StudentCli {
  static final String USAGE = StudentCliSpec.SPEC.usage();

  private StudentCli() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err, System.console() != null));
  }

  /** Runs one command; returns the exit code. */
  static int run(String[] argv, PrintStream out, PrintStream err, boolean terminal) {
    return CliSession.run(argv, StudentCliSpec.SPEC, StudentCliSpec.DEFAULT_TARGET, b -> b, err, session -> {
      List<String> args = session.args();
      Map<String, String> options = session.options();
      String command = args.remove(0);
      long deadlineMs = session.longOption("deadline-ms", command.equals("ingest") ? 3600000 : 30000);
      Commands c = new Commands(session, deadlineMs, out, err, terminal);
      return switch (command) {
        case "ask" -> c.ask(args, options);
        case "respond" -> c.respond(args, options);
        case "ingest" -> c.ingest(args, options);
        case "info" -> new AdapterCommands(c.admin(), out).info(args, options);
        case "load-adapter" -> new AdapterCommands(c.admin(), out).loadAdapter(args, options);
        case "traffic" -> c.traffic(args, options);
        case "eval" -> new EvalCommand(session, deadlineMs, out, err, terminal).run(args, options);
        default -> throw new IllegalArgumentException("unknown command " + command);
      };
    });
  }

  record Commands(CliSession session, long deadlineMs, PrintStream out, PrintStream err,
      boolean terminal) {

    StudentServiceGrpc.StudentServiceBlockingStub query() {
      return session.withAdminToken(StudentServiceGrpc.newBlockingStub(session.channel()))
          .withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS);
    }

    StudentAdminGrpc.StudentAdminStub adminAsync() {
      return session.withAdminToken(StudentAdminGrpc.newStub(session.channel()))
          .withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS);
    }

    StudentAdminGrpc.StudentAdminBlockingStub admin() {
      return session.withAdminToken(StudentAdminGrpc.newBlockingStub(session.channel()))
          .withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS);
    }

    BatchQueries batch(Map<String, String> options) {
      return new BatchQueries(session.withAdminToken(StudentServiceGrpc.newStub(session.channel())), deadlineMs,
          intOption(options, "concurrency", StudentCliSpec.DEFAULT_CONCURRENCY), out, err, terminal);
    }

    int ask(List<String> args, Map<String, String> options) throws Exception {
      if (options.containsKey("file")) {
        if (args.size() != 1) {
          throw new IllegalArgumentException("ask --file FILE takes only the collection, the questions are the file's");
        }
        return batch(options).run(Path.of(options.get("file")),
            BatchQueries.answers(args.get(0), intOption(options, "k", 3), intOption(options, "ef", 0)));
      }
      if (args.size() < 2) {
        throw new IllegalArgumentException("ask needs a collection and a question");
      }
      String question = String.join(" ", args.subList(1, args.size()));
      QueryResponse r = query().answer(AnswerRequest.newBuilder().setCollection(args.get(0))
          .setQuestion(question).setK(intOption(options, "k", 3)).setEfSearch(intOption(options, "ef", 0)).build());
      out.println("Q: " + question);
      print(r);
      return 0;
    }

    int respond(List<String> args, Map<String, String> options) throws Exception {
      if (options.containsKey("file")) {
        if (args.size() != 1) {
          throw new IllegalArgumentException("respond --file FILE takes only the collection, the turns are the file's");
        }
        return batch(options).run(Path.of(options.get("file")),
            BatchQueries.responses(args.get(0), intOption(options, "k", 3), intOption(options, "ef", 0)));
      }
      if (args.size() < 2) {
        throw new IllegalArgumentException("respond needs a collection and at least one turn");
      }
      List<String> turns = args.subList(1, args.size());
      QueryResponse r = query().respond(RespondRequest.newBuilder().setCollection(args.get(0))
          .addAllTurns(turns).setK(intOption(options, "k", 3)).setEfSearch(intOption(options, "ef", 0)).build());
      out.println("> " + turns.get(turns.size() - 1));
      print(r);
      return 0;
    }

    void print(QueryResponse r) {
      out.printf("   (%d tokens%s%s, context adapter v%d, index generation %d)%n", r.getInput().getTokens(),
          r.getInput().getTruncated() ? ", TRUNCATED to the model's maximum" : "",
          r.getInput().getDroppedTurns() > 0 ? ", " + r.getInput().getDroppedTurns() + " oldest turns left out" : "",
          r.getContextAdapterVersion(), r.getIndexGeneration());
      int rank = 1;
      for (Candidate c : r.getCandidatesList()) {
        String text = c.getText().length() > 200 ? c.getText().substring(0, 197) + "..." : c.getText();
        out.printf("%2d. %.4f  %s  %s%n", rank++, c.getScore(), c.getId(), text);
      }
    }

    int ingest(List<String> args, Map<String, String> options) throws Exception {
      if (args.size() != 2) {
        throw new IllegalArgumentException("ingest needs a collection and one JSONL file");
      }
      String collection = args.get(0);
      Path file = Path.of(args.get(1));
      if (!Files.isReadable(file)) {
        throw new IllegalArgumentException("cannot read " + file);
      }
      Format format = JsonlDocuments.parseFormat(options.getOrDefault("format", "auto"));
      int batch = intOption(options, "batch", 64);
      if (batch < 1 || batch > 256) {
        throw new IllegalArgumentException("--batch must be in 1..256, got " + batch);
      }
      ClientStream<IngestRequest, IngestResponse> stream = ClientStream.open(adminAsync()::ingest);
      // The bar counts documents, not lines: a dialogue file's repeated responses are ingested once.
      ProgressBar progress = new ProgressBar(err, "documents", JsonlDocuments.countDocuments(file, format), terminal);
      List<Document> pending = new ArrayList<>(batch);
      long[] sent = {0};
      IngestRequest.Builder first = IngestRequest.newBuilder().setCollection(collection)
          .setIndexSpec(options.getOrDefault("spec", ""));
      Format used;
      try {
        used = JsonlDocuments.read(file, format, d -> {
          pending.add(d);
          if (pending.size() == batch) {
            sendBatch(stream, first, pending, sent, progress);
          }
        });
        sendBatch(stream, first, pending, sent, progress);
      } catch (RuntimeException e) {
        stream.cancel("ingest client failed", e);
        throw e;
      }
      IngestResponse r = stream.finish();
      progress.finish(sent[0]);
      out.printf("ingested %d documents into %s (%s%s; %d replaced an existing id; %d truncated to the model's"
          + " maximum length; index sequence %d)%n", r.getIngested(), collection, used.name().toLowerCase(),
          r.getCreated() ? ", collection created" : "", r.getReplaced(), r.getTruncated(), r.getLastSequence());
      return 0;
    }

    private static void sendBatch(ClientStream<IngestRequest, IngestResponse> stream, IngestRequest.Builder first,
        List<Document> pending, long[] sent, ProgressBar progress) {
      if (pending.isEmpty() && sent[0] > 0) {
        return;
      }
      try {
        stream.send(first.clone().addAllDocuments(pending).build());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
      sent[0] += pending.size();
      pending.clear();
      progress.update(sent[0]);
    }

    /**
     * Prints each taken query on one line: time, collection, kind, then the question or the turns
     * as JSON (so quotes and line breaks cannot split a line). The summary goes to {@code err}.
     */
    int traffic(List<String> args, Map<String, String> options) {
      if (!args.isEmpty()) {
        throw new IllegalArgumentException("traffic takes only --max N and --collection C, got " + args);
      }
      TakeTrafficResponse r = admin().takeTraffic(TakeTrafficRequest.newBuilder()
          .setMaxItems(intOption(options, "max", 0)).setCollection(options.getOrDefault("collection", "")).build());
      Gson json = new GsonBuilder().disableHtmlEscaping().create();
      for (TrafficItem item : r.getItemsList()) {
        boolean answer = item.getKind() == QueryKind.QUERY_KIND_ANSWER;
        out.printf("%s  %s  %s  %s%n", Instant.ofEpochMilli(item.getServedAtUnixMs()), item.getCollection(),
            answer ? "answer" : "respond", answer ? json.toJson(item.getQuestion()) : json.toJson(item.getTurnsList()));
      }
      err.printf("took %d queries; %d remain; %d dropped since the last take because the buffer was full%n",
          r.getItemsCount(), r.getRemaining(), r.getDropped());
      return 0;
    }

    static int intOption(Map<String, String> options, String name, int fallback) {
      String v = options.get(name);
      try {
        return v == null ? fallback : Integer.parseInt(v);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--" + name + " must be a number, got " + v);
      }
    }
  }
}
