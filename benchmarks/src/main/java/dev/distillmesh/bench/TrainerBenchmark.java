package dev.distillmesh.bench;

import dev.distillmesh.bench.data.Squad;
import dev.distillmesh.bench.systems.MemoryProbe;
import dev.distillmesh.bench.systems.StudentMeshClient;
import dev.distillmesh.proto.trainer.v1.Evaluation;
import dev.distillmesh.proto.trainer.v1.GetRunRequest;
import dev.distillmesh.proto.trainer.v1.Hyperparameters;
import dev.distillmesh.proto.trainer.v1.Objective;
import dev.distillmesh.proto.trainer.v1.RunInfo;
import dev.distillmesh.proto.trainer.v1.RunSpec;
import dev.distillmesh.proto.trainer.v1.RunState;
import dev.distillmesh.proto.trainer.v1.Source;
import dev.distillmesh.proto.trainer.v1.Task;
import dev.distillmesh.proto.trainer.v1.StartRunRequest;
import dev.distillmesh.proto.trainer.v1.TrainerServiceGrpc;
import dev.distillmesh.testsupport.ServiceProcess;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The trainer benchmark: distillation runs on SQuAD dev split by article (0–39 train, 40–47
 * held out), with index-service, student-service, teacher-service (embedded e5-small-v2) and the
 * trainer as separate processes, as a user runs them.
 *
 * <ol>
 *   <li><b>Labelled</b>: TOPK over all passages on the training articles' questions, one epoch
 *       (labels unused: teacher scores only, alpha 0).
 *   <li><b>Traffic</b>: every squad-dev question (the held-out ones included, as real traffic
 *       would bring them) is asked to the student through {@code Answer}, {@code --passes} times in
 *       shuffled order; the run learns from the traffic the student hands over, teacher scores only.
 *   <li><b>Serving</b>: the student's {@code Answer} latency before any training (identity adapter)
 *       vs after the publishes, on the same questions.
 *   <li><b>Dialogue</b>: DailyDialog, a seeded sample of {@code --dialogue-pairs} training pairs
 *       whose distinct responses are ingested as the served response set; a DIALOGUE run (G2R,
 *       alpha {@code --dialogue-alpha}, 2 epochs) trains both towers, evaluated as Hits@1/20 on a seeded
 *       1,000 of {@code test-candidates}; each publish re-encodes the response set into a new
 *       index generation. {@code Respond} latency before and after.
 * </ol>
 *
 * Each run prints the untrained student and the teacher on the held-out questions (the baseline
 * measured in the same run), the best trained student, its wall-clock and pairs/s. Run it with
 * {@code scripts/bench-trainer.sh}.
 */
public final class TrainerBenchmark {
  private static final String COLLECTION = "squad";
  private final PrintStream out = System.out;
  private final Path dataDir;
  private final Path root;
  private final int passes;
  private final String only;
  private final double trafficLr;
  private final double trafficTemperature;
  private final int dialoguePairs;
  private final double dialogueAlpha;
  private final double dialogueLr;

  private TrainerBenchmark(Path dataDir, Path root, int passes, String only, double trafficLr,
      double trafficTemperature, int dialoguePairs, double dialogueAlpha, double dialogueLr) {
    this.dialoguePairs = dialoguePairs;
    this.dialogueAlpha = dialogueAlpha;
    this.dialogueLr = dialogueLr;
    this.dataDir = dataDir;
    this.root = root;
    this.passes = passes;
    this.only = only;
    this.trafficLr = trafficLr;
    this.trafficTemperature = trafficTemperature;
  }

  public static void main(String[] args) throws Exception {
    Path dataDir = Path.of("../shared/data");
    Path root = Path.of(".");
    int passes = 3;
    String only = "";
    double trafficLr = 3e-4;
    double trafficTemperature = 0.01;
    int dialoguePairs = 20000;
    double dialogueAlpha = 1;
    double dialogueLr = 3e-4;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--data-dir" -> dataDir = Path.of(args[i + 1]);
        case "--root" -> root = Path.of(args[i + 1]);
        case "--passes" -> passes = Integer.parseInt(args[i + 1]);
        case "--only" -> only = args[i + 1];
        case "--traffic-lr" -> trafficLr = Double.parseDouble(args[i + 1]);
        case "--traffic-temperature" -> trafficTemperature = Double.parseDouble(args[i + 1]);
        case "--dialogue-pairs" -> dialoguePairs = Integer.parseInt(args[i + 1]);
        case "--dialogue-alpha" -> dialogueAlpha = Double.parseDouble(args[i + 1]);
        case "--dialogue-lr" -> dialogueLr = Double.parseDouble(args[i + 1]);
        default -> {
          System.err.println("usage: TrainerBenchmark [--data-dir DIR] [--root REPO] [--passes N]"
              + " [--only labelled|traffic|dialogue] [--traffic-lr X] [--traffic-temperature T]"
              + " [--dialogue-pairs N] [--dialogue-alpha A] [--dialogue-lr X]");
          System.exit(2);
        }
      }
    }
    new TrainerBenchmark(dataDir, root, passes, only, trafficLr, trafficTemperature, dialoguePairs, dialogueAlpha,
        dialogueLr).run();
  }

  private Path jar(String service) {
    return root.resolve(service).resolve("target").resolve(service + ".jar");
  }

  private void run() throws Exception {
    Squad squad = Squad.load(dataDir, Integer.MAX_VALUE, 42);
    Path passages = dataDir.resolve("squad-dev/passages.jsonl").toAbsolutePath();
    Path questions = dataDir.resolve("squad-dev/queries.jsonl").toAbsolutePath();
    out.printf(Locale.ROOT, "trainer benchmark: squad-dev, %d passages, %d questions; %d cores, java %s%n",
        squad.passages().size(), squad.questions().size(), Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"));
    Path work = Files.createTempDirectory("distillmesh-bench-trainer-");
    Thread cleanup = new Thread(ServiceProcess::stopAllStartedByThisJvm, "bench-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    List<String> jvm = List.of("-Xmx3g");
    try (ServiceProcess index = ServiceProcess.start("index-service", jar("index-service"), jvm,
            List.of("--port", "0", "--data-dir", work.resolve("index").toString()), work.resolve("index.log"));
        ServiceProcess student = ServiceProcess.start("student-service", jar("student-service"), jvm,
            List.of("--port", "0", "--index", "127.0.0.1:" + index.port(), "--adapter-dir",
                work.resolve("adapters").toString(), "--traffic-buffer", "200000"), work.resolve("student.log"));
        ServiceProcess teacher = ServiceProcess.start("teacher-service", jar("teacher-service"), jvm,
            List.of("--port", "0", "--request-timeout-ms", "1800000"), work.resolve("teacher.log"));
        ServiceProcess trainer = ServiceProcess.start("trainer", jar("trainer"), jvm,
            List.of("--port", "0", "--runs-dir", work.resolve("runs").toString(), "--student",
                "127.0.0.1:" + student.port(), "--teacher", "127.0.0.1:" + teacher.port(), "--index",
                "127.0.0.1:" + index.port(), "--data-dirs", dataDir.toAbsolutePath().normalize() + "," + work.toAbsolutePath()),
            work.resolve("trainer.log"));
        StudentMeshClient studentClient = new StudentMeshClient(student.port(), Duration.ofSeconds(60))) {
      ManagedChannel channel = NettyChannelBuilder.forTarget("127.0.0.1:" + trainer.port()).usePlaintext().build();
      try {
        var stub = TrainerServiceGrpc.newBlockingStub(channel);
        if (only.equals("dialogue")) {
          dialogue(stub, studentClient, work);
          return;
        }
        out.println("ingesting the passages through the student...");
        studentClient.ingest(COLLECTION, "HNSW32,Flat", squad.passages(), Duration.ofMinutes(30));
        List<String> askQuestions = squad.questions().stream().map(Squad.Question::text).toList();
        studentClient.takeAllTraffic(COLLECTION); // ingest-time warm-up queries are not traffic
        long[] before = answerLatencies(studentClient, askQuestions);

        if (only.isEmpty() || only.equals("labelled")) {
          RunSpec spec = RunSpec.newBuilder().setName("labelled").setCollection(COLLECTION)
              .setPassages(passages.toString()).setQuestions(questions.toString()).setSource(Source.LABELLED)
              .setHoldout("articles:40-47").setObjective(Objective.TOPK)
              .setHyper(Hyperparameters.newBuilder().setLearningRate(1e-4).setTeacherTemperature(0.02)
                  .setStudentScale(20).setBatchSize(32).setEvalEvery(50)).build();
          report("labelled, TOPK over all passages, 1 epoch of the training articles, teacher scores only",
              runToEnd(stub, spec, null, null));
        }
        if (only.isEmpty() || only.equals("traffic")) {
          int batch = 32;
          long steps = (long) Math.floor((double) squad.questions().size() * passes / batch);
          RunSpec spec = RunSpec.newBuilder().setName("traffic").setCollection(COLLECTION)
              .setPassages(passages.toString()).setQuestions(questions.toString()).setSource(Source.TRAFFIC)
              .setHoldout("articles:40-47").setObjective(Objective.TOPK)
              .setHyper(Hyperparameters.newBuilder().setLearningRate(trafficLr).setTeacherTemperature(trafficTemperature)
                  .setStudentScale(20).setBatchSize(batch).setEvalEvery(100).setMaxSteps(steps)).build();
          report("traffic, every question asked " + passes + " times through Answer, teacher scores only, lr "
                  + trafficLr + ", teacher temperature " + trafficTemperature,
              runToEnd(stub, spec, studentClient, askQuestions));
        }
        long[] after = answerLatencies(studentClient, askQuestions);
        double p50Before = percentile(before, 50);
        double p50After = percentile(after, 50);
        out.printf(Locale.ROOT, "%nstudent Answer p50 %.2f ms before training (identity adapter), %.2f ms after the"
            + " publishes: %.2fx%n", p50Before / 1e6, p50After / 1e6, p50After / p50Before);
        if (only.isEmpty()) {
          dialogue(stub, studentClient, work);
        }
      } finally {
        channel.shutdownNow();
      }
    } finally {
      MemoryProbe.deleteRecursively(work);
      Runtime.getRuntime().removeShutdownHook(cleanup);
    }
  }

  /**
   * The dialogue run: a seeded sample of training pairs (written to a file the trainer reads), their
   * distinct responses ingested as collection "dialog", both towers trained, Hits@1/20 on 1,000
   * held-out examples, and Respond latency before and after.
   */
  private void dialogue(TrainerServiceGrpc.TrainerServiceBlockingStub stub, StudentMeshClient student, Path work)
      throws Exception {
    List<String> lines = Files.readAllLines(dataDir.resolve("dialog/train.jsonl"), StandardCharsets.UTF_8);
    Collections.shuffle(lines, new Random(11));
    List<String> sample = lines.subList(0, Math.min(dialoguePairs, lines.size()));
    Path train = Files.write(work.resolve("dialog-train.jsonl"), sample);
    List<Squad.Passage> responses = new ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    List<List<String>> contexts = new ArrayList<>();
    for (String line : sample) {
      var o = com.google.gson.JsonParser.parseString(line).getAsJsonObject();
      String response = o.get("response").getAsString();
      if (seen.add(response)) {
        responses.add(new Squad.Passage("r" + responses.size(), response));
      }
      List<String> turns = new ArrayList<>();
      o.getAsJsonArray("context").forEach(t -> turns.add(t.getAsString()));
      contexts.add(turns);
    }
    out.printf(Locale.ROOT, "%ndialogue: %d training pairs, %d distinct responses; ingesting them through the"
        + " student...%n", sample.size(), responses.size());
    student.ingest("dialog", "HNSW32,Flat", responses, Duration.ofMinutes(60));
    student.takeAllTraffic("dialog");
    long[] before = respondLatencies(student, contexts);
    RunSpec spec = RunSpec.newBuilder().setName("dialogue").setTask(Task.DIALOGUE).setCollection("dialog")
        .setDialogues(train.toString()).setDialogueEval(dataDir.resolve("dialog/test-candidates.jsonl")
            .toAbsolutePath().toString()).setHoldout("sample:1000").setSource(Source.LABELLED)
        .setObjective(Objective.G2R).setTrainResponseAdapter(true)
        .setHyper(Hyperparameters.newBuilder().setAlpha(dialogueAlpha).setLearningRate(dialogueLr)
            .setTeacherTemperature(0.02).setStudentScale(20).setBatchSize(64).setNegatives(64).setEpochs(2)
            .setEvalEvery(100))
        .build();
    RunInfo r = runToEnd(stub, spec, null, null);
    out.println();
    out.printf(Locale.ROOT, "dialogue, G2R alpha %.2f, lr %.0e, both towers, batch 64 + 64 shared negatives, 2 epochs of %d pairs:%n", dialogueAlpha,
        dialogueLr, sample.size());
    out.println("  state " + r.getState() + ", " + r.getStep() + " steps, wall-clock " + r.getMessage() + " s, last "
        + String.format(Locale.ROOT, "%.0f pairs/s", r.getPairsPerSecond()));
    dialogueLine("  untrained student", r.getStudentAtStart());
    dialogueLine("  teacher (e5)     ", r.getTeacher());
    dialogueLine("  best trained     ", r.getBest());
    dialogueLine("  final            ", r.getLatest());
    for (var p : r.getPublishesList()) {
      out.printf(Locale.ROOT, "  published at step %d: context v%d, response v%d, index generation %d (Hits@1 %.4f)%n",
          p.getStep(), p.getVersion(), p.getResponseVersion(), p.getIndexGeneration(), p.getRAt1());
    }
    long[] after = respondLatencies(student, contexts);
    out.printf(Locale.ROOT, "student Respond p50 %.2f ms before training, %.2f ms after the publishes: %.2fx%n",
        percentile(before, 50) / 1e6, percentile(after, 50) / 1e6, percentile(after, 50) / percentile(before, 50));
  }

  private void dialogueLine(String who, Evaluation e) {
    out.printf(Locale.ROOT, "%s Hits@1/%d %.4f  Hits@5/%d %.4f  MRR %.4f  Dist-2 %.3f  Dist-3 %.3f  conicity %.3f"
        + "  (step %d, %d contexts)%n", who, e.getCandidates(), e.getHitsAt1(), e.getCandidates(), e.getHitsAt5(),
        e.getMrrAt10(), e.getDist2(), e.getDist3(), e.getConicity(), e.getStep(), e.getQuestions());
  }

  private static long[] respondLatencies(StudentMeshClient student, List<List<String>> contexts) {
    for (int i = 0; i < 1000; i++) {
      student.respond(contexts.get(i % contexts.size()), "dialog", 10);
    }
    long[] nanos = new long[2000];
    for (int i = 0; i < nanos.length; i++) {
      long t0 = System.nanoTime();
      student.respond(contexts.get(i % contexts.size()), "dialog", 10);
      nanos[i] = System.nanoTime() - t0;
    }
    student.takeAllTraffic("dialog");
    return nanos;
  }

  /** Starts the run; for TRAFFIC, asks the questions through the student while it trains. */
  private RunInfo runToEnd(TrainerServiceGrpc.TrainerServiceBlockingStub stub, RunSpec spec, StudentMeshClient student,
      List<String> traffic) throws Exception {
    long start = System.nanoTime();
    String id = stub.withDeadlineAfter(5, TimeUnit.MINUTES).startRun(StartRunRequest.newBuilder().setSpec(spec).build())
        .getRunId();
    out.println("run " + id + " (" + spec.getName() + ") started");
    if (traffic != null) {
      // Wait for the starting point to be measured, so the traffic is learned from, not queued behind it.
      waitFor(stub, id, r -> r.getState() != RunState.PREPARING);
      Random rnd = new Random(7);
      for (int p = 0; p < passes; p++) {
        List<String> order = new ArrayList<>(traffic);
        Collections.shuffle(order, rnd);
        for (String q : order) {
          student.answer(q, COLLECTION, 10, 0);
        }
        out.printf(Locale.ROOT, "  traffic pass %d sent (%d questions), run at step %d%n", p + 1, order.size(),
            stub.getRun(GetRunRequest.newBuilder().setRunId(id).build()).getStep());
      }
    }
    RunInfo done = waitFor(stub, id, r -> r.getState() != RunState.PREPARING && r.getState() != RunState.RUNNING);
    out.printf(Locale.ROOT, "  %s after %.0f s%n", done.getState(), (System.nanoTime() - start) / 1e9);
    return done.toBuilder().setMessage(String.format(Locale.ROOT, "%.0f", (System.nanoTime() - start) / 1e9)).build();
  }

  private interface Done {
    boolean test(RunInfo r);
  }

  private static RunInfo waitFor(TrainerServiceGrpc.TrainerServiceBlockingStub stub, String id, Done done)
      throws InterruptedException {
    while (true) {
      RunInfo r = stub.withDeadlineAfter(60, TimeUnit.SECONDS).getRun(GetRunRequest.newBuilder().setRunId(id).build());
      if (done.test(r)) {
        return r;
      }
      Thread.sleep(1000);
    }
  }

  private void report(String what, RunInfo r) {
    out.println();
    out.println(what + ":");
    out.println("  state " + r.getState() + ", " + r.getStep() + " steps, wall-clock " + r.getMessage() + " s, last "
        + String.format(Locale.ROOT, "%.0f pairs/s", r.getPairsPerSecond()));
    line("  untrained student", r.getStudentAtStart());
    line("  teacher (e5)     ", r.getTeacher());
    line("  best trained     ", r.getBest());
    line("  final            ", r.getLatest());
    out.printf(Locale.ROOT, "  publishes: %d; held-out R@1 gain %.4f (%.0f%% of the teacher's lead)%n",
        r.getPublishesCount(), r.getBest().getRAt1() - r.getStudentAtStart().getRAt1(),
        100 * (r.getBest().getRAt1() - r.getStudentAtStart().getRAt1())
            / (r.getTeacher().getRAt1() - r.getStudentAtStart().getRAt1()));
  }

  private void line(String who, Evaluation e) {
    out.printf(Locale.ROOT, "%s R@1 %.4f  R@5 %.4f  MRR@10 %.4f  conicity %.3f  (step %d, %d questions)%n", who,
        e.getRAt1(), e.getRAt5(), e.getMrrAt10(), e.getConicity(), e.getStep(), e.getQuestions());
  }

  private static long[] answerLatencies(StudentMeshClient student, List<String> questions) {
    for (int i = 0; i < 3000; i++) {
      student.answer(questions.get(i % questions.size()), COLLECTION, 10, 0);
    }
    long[] nanos = new long[2000];
    for (int i = 0; i < nanos.length; i++) {
      long t0 = System.nanoTime();
      student.answer(questions.get(i % questions.size()), COLLECTION, 10, 0);
      nanos[i] = System.nanoTime() - t0;
    }
    student.takeAllTraffic(COLLECTION); // latency probes are not training traffic
    return nanos;
  }

  private static double percentile(long[] nanos, int p) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
  }
}
