package dev.distillmesh.trainer.run;

import dev.distillmesh.proto.trainer.v1.Evaluation;
import dev.distillmesh.proto.trainer.v1.Publish;
import dev.distillmesh.proto.trainer.v1.RunInfo;
import dev.distillmesh.proto.trainer.v1.RunSpec;
import dev.distillmesh.proto.trainer.v1.RunState;
import java.util.List;

/**
 * What is known of one run: its spec, state, step, evaluations and publishes, as ListRuns shows it
 * and as it is checkpointed. The run's thread writes it, RPC threads read snapshots; every method
 * holds the record's lock.
 */
final class RunRecord {
  private RunInfo.Builder info;

  RunRecord(RunInfo info) {
    this.info = info.toBuilder();
  }

  synchronized RunInfo snapshot() {
    return info.build();
  }

  synchronized String id() {
    return info.getRunId();
  }

  synchronized RunSpec spec() {
    return info.getSpec();
  }

  synchronized RunState state() {
    return info.getState();
  }

  synchronized long step() {
    return info.getStep();
  }

  /** Counts one more step taken; returns it. */
  synchronized long advance() {
    info.setStep(info.getStep() + 1);
    return info.getStep();
  }

  synchronized long maxSteps() {
    return info.getMaxSteps();
  }

  synchronized void setMaxSteps(long maxSteps) {
    info.setMaxSteps(maxSteps);
  }

  synchronized void setState(RunState state, String message) {
    info.setState(state).setMessage(message);
  }

  synchronized void setMessage(String message) {
    info.setMessage(message);
  }

  synchronized void setRates(double pairsPerSecond, double stepsPerSecond) {
    info.setPairsPerSecond(pairsPerSecond).setStepsPerSecond(stepsPerSecond);
  }

  synchronized boolean measuredAtStart() {
    return info.hasStudentAtStart();
  }

  synchronized void setStart(Evaluation student, Evaluation teacher) {
    info.setStudentAtStart(student).setTeacher(teacher);
  }

  synchronized Evaluation studentAtStart() {
    return info.getStudentAtStart();
  }

  synchronized Evaluation teacher() {
    return info.hasTeacher() ? info.getTeacher() : null;
  }

  /** The latest evaluation, or null before the first. */
  synchronized Evaluation latest() {
    return info.hasLatest() ? info.getLatest() : null;
  }

  /**
   * Records a new evaluation as the latest (and the best, if it is); returns the headline metric to
   * beat for a publish: the last publish's, or the untrained student's.
   */
  synchronized double evaluated(Evaluation e) {
    info.setLatest(e);
    if (!info.hasBest() || e.getRAt1() > info.getBest().getRAt1()) {
      info.setBest(e);
    }
    return info.getPublishesCount() == 0 ? info.getStudentAtStart().getRAt1()
        : info.getPublishes(info.getPublishesCount() - 1).getRAt1();
  }

  synchronized List<Publish> publishes() {
    return List.copyOf(info.getPublishesList());
  }

  /** The last publish, or null before the first. */
  synchronized Publish lastPublish() {
    return info.getPublishesCount() == 0 ? null : info.getPublishes(info.getPublishesCount() - 1);
  }

  synchronized void addPublish(Publish p) {
    info.addPublishes(p);
  }

  synchronized void addGeneratedResponses(long n) {
    info.setGeneratedResponses(info.getGeneratedResponses() + n);
  }

  /**
   * Takes the checkpointed record's history, keeping this record's resume count; the state becomes
   * PREPARING (the run is preparing again).
   */
  synchronized void restore(RunInfo saved) {
    info = saved.toBuilder().setResumed(info.getResumed()).setState(RunState.PREPARING);
  }
}
