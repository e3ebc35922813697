package dev.distillmesh.bench;

import dev.distillmesh.bench.data.Squad;
import dev.distillmesh.bench.systems.MemoryProbe;
import dev.distillmesh.bench.systems.ServiceProcess;
import dev.distillmesh.bench.systems.StudentMeshClient;
import dev.distillmesh.proto.trainer.v1.Evaluation;
import dev.distillmesh.proto.trainer.v1.GetRunRequest;
import dev.distillmesh.proto.trainer.v1.Hyperparameters;
import dev.distillmesh.proto.trainer.v1.Objective;
import dev.distillmesh.proto.trainer.v1.RunInfo;
import dev.distillmesh.proto.trainer.v1.RunSpec;
import dev.distillmesh.proto.trainer.v1.RunState;
import dev.distillmesh.proto.trainer.v1.Source;
import dev.distillmesh.proto.trainer.v1.StartRunRequest;
import dev.distillmesh.proto.trainer.v1.TrainerServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.PrintStream;
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

  private TrainerBenchmark(Path dataDir, Path root, int passes, String only, double trafficLr,
      double trafficTemperature) {
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
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--data-dir" -> dataDir = Path.of(args[i + 1]);
        case "--root" -> root = Path.of(args[i + 1]);
        case "--passes" -> passes = Integer.parseInt(args[i + 1]);
        case "--only" -> only = args[i + 1];
        case "--traffic-lr" -> trafficLr = Double.parseDouble(args[i + 1]);
        case "--traffic-temperature" -> trafficTemperature = Double.parseDouble(args[i + 1]);
        default -> {
          System.err.println("usage: TrainerBenchmark [--data-dir DIR] [--root REPO] [--passes N]"
              + " [--only labelled|traffic] [--traffic-lr X] [--traffic-temperature T]");
          System.exit(2);
        }
      }
    }
    new TrainerBenchmark(dataDir, root, passes, only, trafficLr, trafficTemperature).run();
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
                "127.0.0.1:" + student.port(), "--teacher", "127.0.0.1:" + teacher.port()), work.resolve("trainer.log"));
        StudentMeshClient studentClient = new StudentMeshClient(student.port(), Duration.ofSeconds(60))) {
      ManagedChannel channel = NettyChannelBuilder.forTarget("127.0.0.1:" + trainer.port()).usePlaintext().build();
      try {
        var stub = TrainerServiceGrpc.newBlockingStub(channel);
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
      } finally {
        channel.shutdownNow();
      }
    } finally {
      MemoryProbe.deleteRecursively(work);
      Runtime.getRuntime().removeShutdownHook(cleanup);
    }
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
