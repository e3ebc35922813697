package dev.distillmesh.trainer.grpc;

import dev.distillmesh.common.DomainException;
import dev.distillmesh.proto.trainer.v1.Hyperparameters;
import dev.distillmesh.proto.trainer.v1.NegativeMass;
import dev.distillmesh.proto.trainer.v1.Objective;
import dev.distillmesh.proto.trainer.v1.RunInfo;
import dev.distillmesh.proto.trainer.v1.Source;
import dev.distillmesh.proto.trainer.v1.Task;
import dev.distillmesh.trainer.run.model.Evaluation;
import dev.distillmesh.trainer.run.model.HyperSettings;
import dev.distillmesh.trainer.run.model.Progress;
import dev.distillmesh.trainer.run.model.Publish;
import dev.distillmesh.trainer.run.model.RunEvent;
import dev.distillmesh.trainer.run.model.RunSpec;
import dev.distillmesh.trainer.run.model.RunState;
import dev.distillmesh.trainer.run.model.RunStatus;
import dev.distillmesh.trainer.run.model.StateChange;

/**
 * The one mapping between the trainer's contract messages and its domain types, both ways: what
 * StartRun asks for, what GetRun, ListRuns and WatchRun answer, and (through {@link
 * ProtoRunStatusCodec}) what a run's record is on disk. A message read back maps to the same
 * message. Stateless.
 */
public final class RunMessages {
  private RunMessages() {}

  /** The domain spec of {@code spec}; INVALID_ARGUMENT when its task is not one the contract names. */
  public static RunSpec spec(dev.distillmesh.proto.trainer.v1.RunSpec spec) {
    if (spec.getTask() == Task.UNRECOGNIZED) {
      throw DomainException.invalid("spec.task is not one of QA or DIALOGUE");
    }
    return new RunSpec(spec.getName(), spec.getCollection(), spec.getPassages(), spec.getQuestions(),
        switch (spec.getSource()) {
          case LABELLED -> RunSpec.Source.LABELLED;
          case TRAFFIC -> RunSpec.Source.TRAFFIC;
          default -> null;
        }, spec.getHoldout(),
        switch (spec.getObjective()) {
          case TOPK -> RunSpec.ObjectiveKind.TOPK;
          case G2R -> RunSpec.ObjectiveKind.G2R;
          case RDR -> RunSpec.ObjectiveKind.RDR;
          case RELATIONAL -> RunSpec.ObjectiveKind.RELATIONAL;
          default -> null;
        }, hyper(spec.getHyper()),
        switch (spec.getTask()) {
          case QA -> RunSpec.Task.QA;
          case DIALOGUE -> RunSpec.Task.DIALOGUE;
          default -> null;
        }, spec.getDialogues(), spec.getDialogueEval(), spec.getTrainLimit(), spec.getTrainResponseAdapter());
  }

  public static dev.distillmesh.proto.trainer.v1.RunSpec toProto(RunSpec s) {
    var b = dev.distillmesh.proto.trainer.v1.RunSpec.newBuilder().setName(s.name()).setCollection(s.collection())
        .setPassages(s.passages()).setQuestions(s.questions()).setHoldout(s.holdout())
        .setDialogues(s.dialogues()).setDialogueEval(s.dialogueEval()).setTrainLimit(s.trainLimit())
        .setTrainResponseAdapter(s.trainResponseAdapter());
    if (!s.hyper().equals(HyperSettings.DEFAULTS)) { // an unset hyper stays unset
      b.setHyper(toProto(s.hyper()));
    }
    if (s.source() != null) {
      b.setSource(s.source() == RunSpec.Source.LABELLED ? Source.LABELLED : Source.TRAFFIC);
    }
    if (s.objective() != null) {
      b.setObjective(Objective.valueOf(s.objective().name()));
    }
    if (s.task() != null) {
      b.setTask(s.task() == RunSpec.Task.QA ? Task.QA : Task.DIALOGUE);
    }
    return b.build();
  }

  public static HyperSettings hyper(Hyperparameters h) {
    HyperSettings.NegativeMass mass = switch (h.getNegativeMass()) {
      case SCORED -> HyperSettings.NegativeMass.SCORED;
      case ZERO -> HyperSettings.NegativeMass.ZERO;
      default -> null;
    };
    return new HyperSettings(h.getLearningRate(), h.getTeacherTemperature(), h.getStudentScale(), h.getAlpha(),
        h.getTopK(), h.getNegatives(), mass, h.getBatchSize(), h.getIdentityWeight(), h.getMaxSteps(), h.getEpochs(),
        h.getEvalEvery(), h.getTau1(), h.getTau2(), h.getSeed(), h.getGeneratedPerContext(), h.getGenerateMinLength(),
        h.getCandidates(), h.getEfSearch());
  }

  static Hyperparameters toProto(HyperSettings h) {
    var b = Hyperparameters.newBuilder().setLearningRate(h.learningRate()).setTeacherTemperature(h.teacherTemperature())
        .setStudentScale(h.studentScale()).setAlpha(h.alpha()).setTopK(h.topK()).setNegatives(h.negatives())
        .setBatchSize(h.batchSize()).setIdentityWeight(h.identityWeight()).setMaxSteps(h.maxSteps())
        .setEpochs(h.epochs()).setEvalEvery(h.evalEvery()).setTau1(h.tau1()).setTau2(h.tau2()).setSeed(h.seed())
        .setGeneratedPerContext(h.generatedPerContext()).setGenerateMinLength(h.generateMinLength())
        .setCandidates(h.candidates()).setEfSearch(h.efSearch());
    if (h.negativeMass() != null) {
      b.setNegativeMass(h.negativeMass() == HyperSettings.NegativeMass.SCORED ? NegativeMass.SCORED
          : NegativeMass.ZERO);
    }
    return b.build();
  }

  public static RunInfo toProto(RunStatus s) {
    RunInfo.Builder b = RunInfo.newBuilder().setRunId(s.runId()).setSpec(toProto(s.spec())).setState(toProto(s.state()))
        .setStep(s.step()).setMaxSteps(s.maxSteps()).setMessage(s.message()).setStartedAtUnixMs(s.startedAtUnixMs())
        .setPairsPerSecond(s.pairsPerSecond()).setStepsPerSecond(s.stepsPerSecond()).setResumed(s.resumed())
        .setGeneratedResponses(s.generatedResponses());
    if (s.studentAtStart() != null) {
      b.setStudentAtStart(toProto(s.studentAtStart()));
    }
    if (s.teacher() != null) {
      b.setTeacher(toProto(s.teacher()));
    }
    if (s.latest() != null) {
      b.setLatest(toProto(s.latest()));
    }
    if (s.best() != null) {
      b.setBest(toProto(s.best()));
    }
    for (Publish p : s.publishes()) {
      b.addPublishes(toProto(p));
    }
    return b.build();
  }

  public static RunStatus status(RunInfo i) {
    return new RunStatus(i.getRunId(), spec(i.getSpec()), state(i.getState()), i.getStep(), i.getMaxSteps(),
        i.hasStudentAtStart() ? evaluation(i.getStudentAtStart()) : null,
        i.hasTeacher() ? evaluation(i.getTeacher()) : null,
        i.hasLatest() ? evaluation(i.getLatest()) : null, i.hasBest() ? evaluation(i.getBest()) : null,
        i.getPublishesList().stream().map(RunMessages::publish).toList(), i.getMessage(), i.getStartedAtUnixMs(),
        i.getPairsPerSecond(), i.getStepsPerSecond(), i.getResumed(), i.getGeneratedResponses());
  }

  static dev.distillmesh.proto.trainer.v1.RunState toProto(RunState s) {
    return dev.distillmesh.proto.trainer.v1.RunState.valueOf(s.name());
  }

  /** A state the contract does not name is taken as FAILED: such a run is not resumed. */
  static RunState state(dev.distillmesh.proto.trainer.v1.RunState s) {
    return switch (s) {
      case PREPARING -> RunState.PREPARING;
      case RUNNING -> RunState.RUNNING;
      case COMPLETED -> RunState.COMPLETED;
      case STOPPED -> RunState.STOPPED;
      default -> RunState.FAILED;
    };
  }

  static dev.distillmesh.proto.trainer.v1.Evaluation toProto(Evaluation e) {
    return dev.distillmesh.proto.trainer.v1.Evaluation.newBuilder().setStep(e.step()).setQuestions(e.questions())
        .setRAt1(e.rAt1()).setRAt5(e.rAt5()).setMrrAt10(e.mrrAt10()).setConicity(e.conicity()).setHitsAt1(e.hitsAt1())
        .setHitsAt5(e.hitsAt5()).setCandidates(e.candidates()).setDist2(e.dist2()).setDist3(e.dist3())
        .setCeiling(e.ceiling()).build();
  }

  static Evaluation evaluation(dev.distillmesh.proto.trainer.v1.Evaluation e) {
    return new Evaluation(e.getStep(), e.getQuestions(), e.getRAt1(), e.getRAt5(), e.getMrrAt10(), e.getConicity(),
        e.getHitsAt1(), e.getHitsAt5(), e.getCandidates(), e.getDist2(), e.getDist3(), e.getCeiling());
  }

  static dev.distillmesh.proto.trainer.v1.Publish toProto(Publish p) {
    return dev.distillmesh.proto.trainer.v1.Publish.newBuilder().setStep(p.step()).setVersion(p.version())
        .setRAt1(p.rAt1()).setAtUnixMs(p.atUnixMs()).setReason(p.reason()).setResponseVersion(p.responseVersion())
        .setIndexGeneration(p.indexGeneration()).setRollout(p.rollout()).build();
  }

  static Publish publish(dev.distillmesh.proto.trainer.v1.Publish p) {
    return new Publish(p.getStep(), p.getVersion(), p.getRAt1(), p.getAtUnixMs(), p.getReason(), p.getResponseVersion(),
        p.getIndexGeneration(), p.getRollout());
  }

  static dev.distillmesh.proto.trainer.v1.Progress toProto(Progress p) {
    return dev.distillmesh.proto.trainer.v1.Progress.newBuilder().setLoss(p.loss()).putAllTerms(p.terms())
        .setPairsPerSecond(p.pairsPerSecond()).setStepsPerSecond(p.stepsPerSecond()).setTrafficTaken(p.trafficTaken())
        .setTrafficDropped(p.trafficDropped()).build();
  }

  public static dev.distillmesh.proto.trainer.v1.RunEvent toProto(RunEvent e) {
    var b = dev.distillmesh.proto.trainer.v1.RunEvent.newBuilder().setRunId(e.runId()).setStep(e.step())
        .setAtUnixMs(e.atUnixMs());
    RunEvent.Payload payload = e.payload();
    if (payload instanceof Progress p) {
      b.setProgress(toProto(p));
    } else if (payload instanceof Evaluation v) {
      b.setEvaluation(toProto(v));
    } else if (payload instanceof Publish p) {
      b.setPublish(toProto(p));
    } else if (payload instanceof StateChange c) {
      b.setState(dev.distillmesh.proto.trainer.v1.StateChange.newBuilder().setState(toProto(c.state()))
          .setMessage(c.message()));
    }
    return b.build();
  }
}
