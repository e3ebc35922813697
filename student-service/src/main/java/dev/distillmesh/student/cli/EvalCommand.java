package dev.distillmesh.student.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.distillmesh.common.CliSession;
import dev.distillmesh.common.tls.Channels;
import dev.distillmesh.common.tls.ClientTls;
import dev.distillmesh.common.MeshOptions;
import dev.distillmesh.proto.student.v1.StudentServiceGrpc;
import dev.distillmesh.proto.teacher.v1.TeacherServiceGrpc;
import dev.distillmesh.proto.index.v1.IndexServiceGrpc;
import io.grpc.ManagedChannel;
import java.io.BufferedReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code eval COLLECTION FILE}: how good the collection's answers are, as served. The file's first
 * line picks the task: {@code {"question", "passage_id"}} lines are QA ({@link QaJudge}: R@1, R@5
 * and MRR@10 of the gold passage in the top {@code --k} Answer returns), {@code {"context",
 * "response", "candidates"}} lines are dialogue ({@link DialogueJudge}: Hits@1/K, Hits@5/K and MRR
 * of the response among the line's own K candidates). With {@code --teacher} the teacher ranks the
 * same candidates too. Items run {@code --concurrency} at a time, each call with the CLI's
 * deadline; an item whose call fails is counted as failed, not scored, and the command exits 1.
 */
final class EvalCommand {
  /** Scores one labelled line: the student's rank of its answer and, with a teacher, the teacher's. */
  interface Judge {
    /** {@code ranks[0]} the student's rank (0: not ranked), {@code ranks[1]} the teacher's (or -1). */
    int[] judge(JsonObject line) throws Exception;

    /** The K of Hits@·/K for dialogue (the most candidates a line had); the top K for QA. */
    int k();

    String describeStudent();
  }

  private final CliSession session;
  private final long deadlineMs;
  private final PrintStream out;
  private final PrintStream err;
  private final boolean terminal;

  EvalCommand(CliSession session, long deadlineMs, PrintStream out, PrintStream err, boolean terminal) {
    this.session = session;
    this.deadlineMs = deadlineMs;
    this.out = out;
    this.err = err;
    this.terminal = terminal;
  }

  int run(List<String> args, Map<String, String> options) throws Exception {
    if (args.size() != 2) {
      throw new IllegalArgumentException("eval needs a collection and a labelled JSONL file");
    }
    String collection = args.get(0);
    Path file = Path.of(args.get(1));
    List<JsonObject> lines = read(file);
    if (lines.isEmpty()) {
      throw new IllegalArgumentException(file + " has no labelled lines");
    }
    boolean dialogue = lines.get(0).has("candidates");
    if (!dialogue && !lines.get(0).has("passage_id")) {
      throw new IllegalArgumentException(file + " line 1 is neither QA ({\"question\", \"passage_id\"}) nor dialogue"
          + " ({\"context\", \"response\", \"candidates\"})");
    }
    int concurrency = StudentCli.Commands.intOption(options, "concurrency", StudentCliSpec.DEFAULT_CONCURRENCY);
    if (concurrency < 1 || concurrency > 256) {
      throw new IllegalArgumentException("--concurrency must be in 1..256, got " + concurrency);
    }
    int k = StudentCli.Commands.intOption(options, "k", 10);
    if (k < 1 || k > 100) {
      throw new IllegalArgumentException("--k must be in 1..100, got " + k);
    }
    StudentServiceGrpc.StudentServiceBlockingStub student =
        session.withAdminToken(StudentServiceGrpc.newBlockingStub(session.channel()));
    List<ManagedChannel> opened = new ArrayList<>();
    try {
      TeacherServiceGrpc.TeacherServiceBlockingStub teacher = options.containsKey("teacher")
          ? TeacherServiceGrpc.newBlockingStub(open(options.get("teacher"), options, opened)) : null;
      Judge judge = dialogue
          ? DialogueJudge.open(student, IndexServiceGrpc.newBlockingStub(
              open(options.getOrDefault("index", "127.0.0.1:7401"), options, opened)), teacher, collection, deadlineMs)
          : new QaJudge(student, teacher, collection, k, StudentCli.Commands.intOption(options, "ef", 0), deadlineMs);
      return report(file, collection, dialogue, teacher != null, judge, lines, concurrency,
          options.containsKey("json"));
    } finally {
      opened.forEach(ManagedChannel::shutdownNow);
    }
  }

  private int report(Path file, String collection, boolean dialogue, boolean withTeacher, Judge judge,
      List<JsonObject> lines, int concurrency, boolean json) throws Exception {
    Ranks student = new Ranks();
    Ranks teacher = new Ranks();
    AtomicLong failed = new AtomicLong();
    List<String> failures = new ArrayList<>();
    long start = System.nanoTime();
    ProgressBar progress = new ProgressBar(err, dialogue ? "contexts" : "questions", lines.size(), terminal);
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < lines.size(); i++) {
        JsonObject line = lines.get(i);
        int lineNo = i + 1;
        futures.add(pool.submit(() -> {
          try {
            int[] r = judge.judge(line);
            student.add(r[0]);
            if (r[1] >= 0) {
              teacher.add(r[1]);
            }
          } catch (Exception e) {
            failed.incrementAndGet();
            synchronized (failures) {
              failures.add("line " + lineNo + ": " + message(e));
            }
          }
        }));
      }
      long done = 0;
      for (Future<?> f : futures) {
        f.get();
        progress.update(++done);
      }
      progress.finish(done);
    } finally {
      pool.shutdownNow();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    failures.stream().limit(5).forEach(f -> err.println("failed: " + f));
    if (json) {
      JsonObject o = new JsonObject();
      o.addProperty("collection", collection);
      o.addProperty("file", file.toString());
      o.addProperty("task", dialogue ? "dialogue" : "qa");
      o.addProperty("items", student.items());
      o.addProperty("failed", failed.get());
      o.addProperty("k", judge.k());
      o.addProperty("seconds", Math.round(seconds * 1000) / 1000.0);
      o.add("student", student.json(dialogue));
      if (withTeacher) {
        o.add("teacher", teacher.json(dialogue));
      }
      out.println(new GsonBuilder().disableHtmlEscaping().create().toJson(o));
    } else {
      out.printf(Locale.ROOT, "%s on %s: %d %s scored (%d failed) in %.1f s%n", collection, file.getFileName(),
          student.items(), dialogue ? "contexts" : "questions", failed.get(), seconds);
      out.println("student (" + judge.describeStudent() + "): " + student.text(dialogue, judge.k()));
      if (withTeacher) {
        out.println("teacher (" + (dialogue ? "the same candidates" : "re-ranking the student's top " + judge.k())
            + "): " + teacher.text(dialogue, judge.k()));
      }
    }
    return failed.get() == 0 ? 0 : 1;
  }

  private static String message(Exception e) {
    Throwable t = e;
    if (t instanceof io.grpc.StatusRuntimeException s) {
      return s.getStatus().getCode() + ": " + s.getStatus().getDescription();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }

  private ManagedChannel open(String target, Map<String, String> options, List<ManagedChannel> opened) {
    ClientTls tls = MeshOptions.clientTls(options, System.getenv());
    ManagedChannel c = Channels.forTarget(target, tls).build();
    opened.add(c);
    return c;
  }

  private static List<JsonObject> read(Path file) throws java.io.IOException {
    if (!Files.isReadable(file)) {
      throw new IllegalArgumentException("cannot read " + file);
    }
    List<JsonObject> lines = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      long n = 0;
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        n++;
        if (line.isBlank()) {
          continue;
        }
        try {
          lines.add(JsonParser.parseString(line).getAsJsonObject());
        } catch (RuntimeException e) {
          throw new IllegalArgumentException(file + " line " + n + " is not a JSON object");
        }
      }
    }
    return lines;
  }
}
