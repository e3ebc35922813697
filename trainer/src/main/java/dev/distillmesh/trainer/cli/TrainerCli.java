package dev.distillmesh.trainer.cli;

import dev.distillmesh.common.CliSession;
import dev.distillmesh.proto.trainer.v1.Evaluation;
import dev.distillmesh.proto.trainer.v1.GetRunRequest;
import dev.distillmesh.proto.trainer.v1.Hyperparameters;
import dev.distillmesh.proto.trainer.v1.ListRunsRequest;
import dev.distillmesh.proto.trainer.v1.NegativeMass;
import dev.distillmesh.proto.trainer.v1.Objective;
import dev.distillmesh.proto.trainer.v1.Publish;
import dev.distillmesh.proto.trainer.v1.RollbackRequest;
import dev.distillmesh.proto.trainer.v1.RunEvent;
import dev.distillmesh.proto.trainer.v1.RunInfo;
import dev.distillmesh.proto.trainer.v1.RunSpec;
import dev.distillmesh.proto.trainer.v1.Source;
import dev.distillmesh.proto.trainer.v1.Task;
import dev.distillmesh.proto.trainer.v1.StartRunRequest;
import dev.distillmesh.proto.trainer.v1.StopRunRequest;
import dev.distillmesh.proto.trainer.v1.TrainerServiceGrpc;
import dev.distillmesh.proto.trainer.v1.WatchRunRequest;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Entry point of {@code scripts/trainer-cli.sh}: starts, watches, stops and rolls back training
 * runs. Exit codes: 0 ok, 1 the call failed (or the watched run failed), 2 usage error.
 */
public final class TrainerCli {
  static final String USAGE = TrainerCliSpec.SPEC.usage();

  private TrainerCli() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] argv, PrintStream out, PrintStream err) {
    return CliSession.run(argv, TrainerCliSpec.SPEC, TrainerCliSpec.DEFAULT_TARGET, b -> b, err, session -> {
      List<String> args = session.args();
      Map<String, String> options = session.options();
      String command = args.remove(0);
      // The token goes with queries too, for a trainer that requires a credential for them.
      TrainerServiceGrpc.TrainerServiceBlockingStub stub =
          session.withAdminToken(TrainerServiceGrpc.newBlockingStub(session.channel()));
      return switch (command) {
        case "start" -> {
          RunInfo info = stub.withDeadlineAfter(5, TimeUnit.MINUTES)
              .startRun(StartRunRequest.newBuilder().setSpec(spec(options)).build());
          out.println("started " + info.getRunId());
          yield "true".equals(options.get("watch")) ? watch(stub, info.getRunId(), out) : 0;
        }
        case "watch" -> watch(stub, one(args, "watch needs a run id"), out);
        case "status" -> {
          print(stub.withDeadlineAfter(30, TimeUnit.SECONDS)
              .getRun(GetRunRequest.newBuilder().setRunId(one(args, "status needs a run id")).build()), out);
          yield 0;
        }
        case "list" -> {
          for (RunInfo r : stub.withDeadlineAfter(30, TimeUnit.SECONDS).listRuns(ListRunsRequest.getDefaultInstance())
              .getRunsList()) {
            out.printf(Locale.ROOT, "%s  %-10s step %d/%d  R@1 %s  %s%n", r.getRunId(), r.getState(), r.getStep(),
                r.getMaxSteps(), r.hasBest() ? String.format(Locale.ROOT, "%.4f", r.getBest().getRAt1()) : "-",
                r.getSpec().getName());
          }
          yield 0;
        }
        case "stop" -> {
          print(stub.withDeadlineAfter(30, TimeUnit.SECONDS)
              .stopRun(StopRunRequest.newBuilder().setRunId(one(args, "stop needs a run id")).build()), out);
          yield 0;
        }
        case "rollback" -> {
          if (args.size() != 2) {
            throw new IllegalArgumentException("rollback needs a run id and a version");
          }
          print(stub.withDeadlineAfter(60, TimeUnit.SECONDS).rollback(RollbackRequest.newBuilder()
              .setRunId(args.get(0)).setToVersion(Long.parseLong(args.get(1))).build()), out);
          yield 0;
        }
        default -> throw new IllegalArgumentException("unknown command " + command);
      };
    });
  }

  private static String one(List<String> args, String message) {
    if (args.size() != 1) {
      throw new IllegalArgumentException(message);
    }
    return args.get(0);
  }

  static RunSpec spec(Map<String, String> o) {
    Hyperparameters.Builder h = Hyperparameters.newBuilder();
    if (o.containsKey("lr")) {
      h.setLearningRate(Double.parseDouble(o.get("lr")));
    }
    if (o.containsKey("teacher-temperature")) {
      h.setTeacherTemperature(Double.parseDouble(o.get("teacher-temperature")));
    }
    if (o.containsKey("scale")) {
      h.setStudentScale(Double.parseDouble(o.get("scale")));
    }
    if (o.containsKey("alpha")) {
      h.setAlpha(Double.parseDouble(o.get("alpha")));
    }
    if (o.containsKey("top-k")) {
      h.setTopK(Integer.parseInt(o.get("top-k")));
    }
    if (o.containsKey("negatives")) {
      h.setNegatives(Integer.parseInt(o.get("negatives")));
    }
    if (o.containsKey("negative-mass")) {
      h.setNegativeMass(NegativeMass.valueOf(o.get("negative-mass").toUpperCase(Locale.ROOT)));
    }
    if (o.containsKey("batch")) {
      h.setBatchSize(Integer.parseInt(o.get("batch")));
    }
    if (o.containsKey("identity-weight")) {
      h.setIdentityWeight(Double.parseDouble(o.get("identity-weight")));
    }
    if (o.containsKey("max-steps")) {
      h.setMaxSteps(Long.parseLong(o.get("max-steps")));
    }
    if (o.containsKey("epochs")) {
      h.setEpochs(Integer.parseInt(o.get("epochs")));
    }
    if (o.containsKey("eval-every")) {
      h.setEvalEvery(Integer.parseInt(o.get("eval-every")));
    }
    if (o.containsKey("tau1")) {
      h.setTau1(Double.parseDouble(o.get("tau1")));
    }
    if (o.containsKey("tau2")) {
      h.setTau2(Double.parseDouble(o.get("tau2")));
    }
    if (o.containsKey("seed")) {
      h.setSeed(Long.parseLong(o.get("seed")));
    }
    if (o.containsKey("generated-per-context")) {
      h.setGeneratedPerContext(Integer.parseInt(o.get("generated-per-context")));
    }
    if (o.containsKey("generate-min-length")) {
      h.setGenerateMinLength(Integer.parseInt(o.get("generate-min-length")));
    }
    if (o.containsKey("candidates")) {
      h.setCandidates(Integer.parseInt(o.get("candidates")));
    }
    if (o.containsKey("ef-search")) {
      h.setEfSearch(Integer.parseInt(o.get("ef-search")));
    }
    if ("dialogue".equalsIgnoreCase(o.get("task"))) {
      for (String required : new String[] {"collection", "dialogues", "dialogue-eval"}) {
        if (!o.containsKey(required)) {
          throw new IllegalArgumentException("start --task dialogue needs --" + required);
        }
      }
      return RunSpec.newBuilder()
          .setName(o.getOrDefault("name", ""))
          .setTask(Task.DIALOGUE)
          .setCollection(o.get("collection"))
          .setDialogues(dataPath(o.get("dialogues")))
          .setDialogueEval(dataPath(o.get("dialogue-eval")))
          .setTrainLimit(Integer.parseInt(o.getOrDefault("train-limit", "0")))
          .setTrainResponseAdapter(Boolean.parseBoolean(o.getOrDefault("train-response-adapter", "false")))
          .setSource(Source.LABELLED)
          .setHoldout(o.getOrDefault("holdout", "all"))
          .setObjective(Objective.valueOf(o.getOrDefault("objective", "g2r").toUpperCase(Locale.ROOT)))
          .setHyper(h)
          .build();
    }
    if (o.containsKey("passages")) {
      throw new IllegalArgumentException("--passages is not needed: a QA run's passages are the collection's"
          + " (ingest them with student-cli ingest); drop it");
    }
    for (String required : new String[] {"collection", "questions"}) {
      if (!o.containsKey(required)) {
        throw new IllegalArgumentException("start needs --" + required);
      }
    }
    return RunSpec.newBuilder()
        .setName(o.getOrDefault("name", ""))
        .setCollection(o.get("collection"))
        .setQuestions(dataPath(o.get("questions")))
        .setSource(Source.valueOf(o.getOrDefault("source", "labelled").toUpperCase(Locale.ROOT)))
        .setHoldout(o.getOrDefault("holdout", "fraction:0.2"))
        .setObjective(Objective.valueOf(o.getOrDefault("objective", "topk").toUpperCase(Locale.ROOT)))
        .setHyper(h)
        .build();
  }
  /**
   * A data file as the trainer should see it: a file that exists here is sent as its absolute path
   * (a trainer on this machine reads it there, if it lies in one of its data directories); any
   * other path is sent as written, for the trainer to resolve against its data directories.
   */
  private static String dataPath(String given) {
    Path p = Path.of(given);
    return Files.isRegularFile(p) ? p.toAbsolutePath().normalize().toString() : given;
  }


  private static int watch(TrainerServiceGrpc.TrainerServiceBlockingStub stub, String id, PrintStream out) {
    Iterator<RunEvent> events = stub.watchRun(WatchRunRequest.newBuilder().setRunId(id).build());
    int evaluations = 0;
    boolean failed = false;
    while (events.hasNext()) {
      RunEvent e = events.next();
      switch (e.getEventCase()) {
        case PROGRESS -> out.printf(Locale.ROOT, "step %6d  loss %.4f  (kd %.4f, ce %.4f, identity %.5f)  %.0f pairs/s%s%n",
            e.getStep(), e.getProgress().getLoss(), e.getProgress().getTermsOrDefault("kd", 0),
            e.getProgress().getTermsOrDefault("ce", 0), e.getProgress().getTermsOrDefault("identity", 0),
            e.getProgress().getPairsPerSecond(), e.getProgress().getTrafficTaken() > 0
                ? String.format(Locale.ROOT, "  traffic taken %d, dropped %d", e.getProgress().getTrafficTaken(),
                    e.getProgress().getTrafficDropped()) : "");
        case EVALUATION -> {
          String who = evaluations == 0 ? "student at start" : evaluations == 1 ? "teacher" : "student";
          evaluations++;
          out.println("step " + pad(e.getStep()) + "  " + who + ": " + metrics(e.getEvaluation()));
        }
        case PUBLISH -> out.printf(Locale.ROOT, "step %6d  published %s%n", e.getStep(), publish(e.getPublish()));
        case STATE -> {
          out.println("step " + pad(e.getStep()) + "  " + e.getState().getState()
              + (e.getState().getMessage().isEmpty() ? "" : ": " + e.getState().getMessage()));
          failed = e.getState().getState() == dev.distillmesh.proto.trainer.v1.RunState.FAILED;
        }
        default -> { }
      }
    }
    return failed ? 1 : 0;
  }

  private static String pad(long step) {
    return String.format(Locale.ROOT, "%6d", step);
  }

  private static String publish(Publish p) {
    String what = p.getResponseVersion() > 0
        ? String.format(Locale.ROOT, "context adapter v%d, response adapter v%d, index generation %d", p.getVersion(),
            p.getResponseVersion(), p.getIndexGeneration())
        : "context adapter v" + p.getVersion();
    return String.format(Locale.ROOT, "%s (%s, held-out %.4f)%s", what, p.getReason(), p.getRAt1(),
        p.getRollout().isEmpty() ? "" : "; " + p.getRollout());
  }

  private static String metrics(Evaluation e) {
    if (e.getCeiling() > 0) { // QA, ranked within the top K retrieved from the collection
      return String.format(Locale.ROOT, "R@1 %.4f  R@5 %.4f  MRR@10 %.4f  (in the top %d; ceiling %.4f)%s  (%d held-out"
          + " questions)", e.getRAt1(), e.getRAt5(), e.getMrrAt10(), e.getCandidates(), e.getCeiling(),
          e.getConicity() == 0 ? "" : String.format(Locale.ROOT, "  conicity %.3f", e.getConicity()), e.getQuestions());
    }
    if (e.getCandidates() > 0) {
      return String.format(Locale.ROOT, "Hits@1/%d %.4f  Hits@5/%d %.4f  MRR %.4f%s%s  (%d held-out contexts)",
          e.getCandidates(), e.getHitsAt1(), e.getCandidates(), e.getHitsAt5(), e.getMrrAt10(),
          e.getDist2() == 0 ? "" : String.format(Locale.ROOT, "  Dist-2 %.3f  Dist-3 %.3f", e.getDist2(), e.getDist3()),
          e.getConicity() == 0 ? "" : String.format(Locale.ROOT, "  conicity %.3f", e.getConicity()), e.getQuestions());
    }
    return String.format(Locale.ROOT, "R@1 %.4f  R@5 %.4f  MRR@10 %.4f%s  (%d held-out questions)", e.getRAt1(),
        e.getRAt5(), e.getMrrAt10(), e.getConicity() == 0 ? "" : String.format(Locale.ROOT, "  conicity %.3f",
            e.getConicity()), e.getQuestions());
  }

  private static void print(RunInfo r, PrintStream out) {
    out.println("run " + r.getRunId() + (r.getSpec().getName().isEmpty() ? "" : " (" + r.getSpec().getName() + ")"));
    out.println("  state: " + r.getState() + (r.getMessage().isEmpty() ? "" : " — " + r.getMessage()));
    out.println("  step: " + r.getStep() + " of " + r.getMaxSteps() + (r.getResumed() > 0 ? ", resumed "
        + r.getResumed() + " time(s)" : ""));
    out.println("  objective: " + r.getSpec().getObjective() + ", source " + r.getSpec().getSource() + ", holdout "
        + r.getSpec().getHoldout());
    if (r.getGeneratedResponses() > 0) {
      out.println("  teacher-generated responses added to the collection: " + r.getGeneratedResponses());
    }
    if (r.hasStudentAtStart()) {
      out.println("  student at start: " + metrics(r.getStudentAtStart()));
      out.println("  teacher:          " + metrics(r.getTeacher()));
    }
    if (r.hasBest()) {
      out.println("  best:             " + metrics(r.getBest()) + " at step " + r.getBest().getStep());
    }
    out.println("  publishes: " + r.getPublishesCount() + (r.getPublishesCount() == 0
        ? " (a run publishes only an evaluation better than the last publish, or the untrained student)" : ""));
    for (Publish p : r.getPublishesList()) {
      out.printf(Locale.ROOT, "  published at step %d: %s%n", p.getStep(), publish(p));
    }
  }
}
