package dev.distillmesh.bench.scale;

import dev.distillmesh.bench.systems.StudentMeshClient;
import dev.distillmesh.proto.trainer.v1.GetRunRequest;
import dev.distillmesh.proto.trainer.v1.Hyperparameters;
import dev.distillmesh.proto.trainer.v1.Objective;
import dev.distillmesh.proto.trainer.v1.RollbackRequest;
import dev.distillmesh.proto.trainer.v1.RunInfo;
import dev.distillmesh.proto.trainer.v1.RunSpec;
import dev.distillmesh.proto.trainer.v1.RunState;
import dev.distillmesh.proto.trainer.v1.Source;
import dev.distillmesh.proto.trainer.v1.StartRunRequest;
import dev.distillmesh.proto.trainer.v1.TrainerServiceGrpc;
import dev.distillmesh.testsupport.ServiceProcess;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One TRAFFIC run, as a user runs it: a fresh trainer JVM, a run on one collection with no
 * passages file (the candidates are the collection's), the training questions asked through the
 * student's {@code Answer} {@code passes} times in seeded shuffled order once the run has measured
 * its starting point, and the trainer's resident memory sampled from its start to the run's end.
 * Afterwards the run's publishes are rolled back to the identity, so the next run on the same
 * collection starts from the untrained student again, and the trainer is stopped.
 */
final class TrafficRun {
  static final String HOLDOUT = "articles:40-47";
  private static final long RSS_PERIOD_MS = 200;

  private final ScaleMesh mesh;
  private final ScaleConfig config;
  private final Path questionsFile;
  private final PrintStream out;

  /** What one run gave. {@code run} is null when the run could not be started ({@code error} says why). */
  record Result(String label, String collection, int documents, String flags, RunInfo run, double wallSeconds,
      double prepareSeconds, RssSampler.Peak memory, long questionsSent, String error) {
    boolean ok() {
      return run != null && run.getState() == RunState.COMPLETED;
    }

    /** Candidates the teacher scored per training question, from the run's pairs/s and steps/s. */
    double candidatesPerQuestion(int batch) {
      if (run == null || run.getStepsPerSecond() <= 0) {
        return 0;
      }
      return run.getPairsPerSecond() / (run.getStepsPerSecond() * batch);
    }
  }

  TrafficRun(ScaleMesh mesh, ScaleConfig config, Path questionsFile, PrintStream out) {
    this.mesh = mesh;
    this.config = config;
    this.questionsFile = questionsFile;
    this.out = out;
  }

  RunSpec spec(String label, String collection, int questions) {
    long steps = Math.max(1, (long) Math.floor((double) questions * config.passes() / config.batch()));
    return RunSpec.newBuilder().setName(label).setCollection(collection).setQuestions(questionsFile.toString())
        .setSource(Source.TRAFFIC).setHoldout(HOLDOUT).setObjective(Objective.TOPK)
        .setHyper(Hyperparameters.newBuilder().setLearningRate(config.learningRate())
            .setTeacherTemperature(config.teacherTemperature()).setStudentScale(20).setBatchSize(config.batch())
            .setEvalEvery(config.evalEvery()).setMaxSteps(steps).setCandidates(config.candidates())
            .setNegatives(config.negatives()).setEfSearch(config.efSearch()))
        .build();
  }

  /** Runs {@code traffic} through the student for a TRAFFIC run on {@code collection}. */
  Result run(String label, String collection, int documents, List<String> traffic) throws Exception {
    String flags = config.trainingFlags(collection, traffic.size());
    out.printf(Locale.ROOT, "%n%s: TRAFFIC run on %s (%,d documents): %s%n", label, collection, documents, flags);
    StudentMeshClient student = mesh.student();
    student.takeAllTraffic(collection); // earlier probes are not this run's traffic
    try (ServiceProcess trainer = mesh.startTrainer(label)) {
      RssSampler sampler = RssSampler.start(trainer.pid(), RSS_PERIOD_MS);
      ManagedChannel channel = NettyChannelBuilder.forTarget(trainer.target()).usePlaintext().build();
      try {
        var stub = TrainerServiceGrpc.newBlockingStub(channel);
        long start = System.nanoTime();
        String id;
        try {
          id = stub.withDeadlineAfter(5, TimeUnit.MINUTES)
              .startRun(StartRunRequest.newBuilder().setSpec(spec(label, collection, traffic.size())).build())
              .getRunId();
        } catch (StatusRuntimeException e) {
          out.println("  StartRun refused: " + e.getStatus());
          return new Result(label, collection, documents, flags, null, 0, 0, sampler.stop(), 0,
              e.getStatus().toString());
        }
        RunInfo prepared = waitFor(stub, id, r -> r.getState() != RunState.PREPARING);
        double prepareSeconds = (System.nanoTime() - start) / 1e9;
        out.printf(Locale.ROOT, "  run %s prepared in %.0f s: %s%n", id, prepareSeconds, prepared.getState());
        long sent = prepared.getState() == RunState.RUNNING ? sendTraffic(stub, id, student, collection, traffic) : 0;
        RunInfo done = waitFor(stub, id, r -> r.getState() != RunState.PREPARING && r.getState() != RunState.RUNNING);
        double wall = (System.nanoTime() - start) / 1e9;
        RssSampler.Peak memory = sampler.stop();
        out.printf(Locale.ROOT, "  %s after %.0f s, %d steps%s; trainer peak RSS %.0f MB, HWM %.0f MB%n",
            done.getState(), wall, done.getStep(), done.getMessage().isEmpty() ? "" : " (" + done.getMessage() + ")",
            memory.peakRssMb(), memory.hwmMb());
        rollbackToIdentity(stub, done);
        return new Result(label, collection, documents, flags, done, wall, prepareSeconds, memory, sent, "");
      } finally {
        channel.shutdownNow();
        channel.awaitTermination(10, TimeUnit.SECONDS);
      }
    }
  }

  private long sendTraffic(TrainerServiceGrpc.TrainerServiceBlockingStub stub, String id, StudentMeshClient student,
      String collection, List<String> traffic) throws InterruptedException {
    Random rnd = new Random(config.seed());
    long sent = 0;
    for (int p = 0; p < config.passes(); p++) {
      List<String> order = new ArrayList<>(traffic);
      Collections.shuffle(order, rnd);
      for (String q : order) {
        student.answer(q, collection, 10, 0);
        if (++sent % 1000 == 0 && ended(get(stub, id))) {
          out.println("  the run ended while traffic was being sent; stopping at " + sent + " questions");
          return sent;
        }
      }
      out.printf(Locale.ROOT, "  traffic pass %d sent (%,d questions), run at step %d%n", p + 1, order.size(),
          get(stub, id).getStep());
    }
    return sent;
  }

  /** Publishes the identity again (version 0) so the collection serves the untrained student. */
  private void rollbackToIdentity(TrainerServiceGrpc.TrainerServiceBlockingStub stub, RunInfo done) {
    if (done.getPublishesCount() == 0) {
      return;
    }
    try {
      RunInfo r = stub.withDeadlineAfter(10, TimeUnit.MINUTES)
          .rollback(RollbackRequest.newBuilder().setRunId(done.getRunId()).setToVersion(0).build());
      out.println("  rolled back to the identity (" + r.getPublishesCount() + " publishes in the run's record)");
    } catch (StatusRuntimeException e) {
      out.println("  warning: rollback to the identity refused (" + e.getStatus()
          + "): later runs on " + done.getSpec().getCollection() + " start from this run's adapter");
    }
  }

  private static boolean ended(RunInfo r) {
    return r.getState() != RunState.PREPARING && r.getState() != RunState.RUNNING;
  }

  private static RunInfo get(TrainerServiceGrpc.TrainerServiceBlockingStub stub, String id) {
    return stub.withDeadlineAfter(60, TimeUnit.SECONDS).getRun(GetRunRequest.newBuilder().setRunId(id).build());
  }

  private static RunInfo waitFor(TrainerServiceGrpc.TrainerServiceBlockingStub stub, String id,
      Predicate<RunInfo> done) throws InterruptedException {
    while (true) {
      RunInfo r = get(stub, id);
      if (done.test(r)) {
        return r;
      }
      Thread.sleep(1000);
    }
  }
}
