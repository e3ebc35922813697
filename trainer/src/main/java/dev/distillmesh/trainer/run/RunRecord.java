package dev.distillmesh.trainer.run;

import dev.distillmesh.trainer.run.model.Evaluation;
import dev.distillmesh.trainer.run.model.Publish;
import dev.distillmesh.trainer.run.model.RunSpec;
import dev.distillmesh.trainer.run.model.RunState;
import dev.distillmesh.trainer.run.model.RunStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * What is known of one run while it lives: its spec, state, step, evaluations and publishes. The
 * run's thread writes it, RPC threads read {@link #snapshot}s; every method holds the record's
 * lock, and a snapshot is taken only when asked for (for an RPC or a checkpoint), not every step.
 */
final class RunRecord {
  private final String runId;
  private final RunSpec spec;
  private final long startedAtUnixMs;
  private final int resumed;
  // All below guarded by this.
  private RunState state;
  private long step;
  private long maxSteps;
  private Evaluation studentAtStart;
  private Evaluation teacher;
  private Evaluation latest;
  private Evaluation best;
  private final List<Publish> publishes = new ArrayList<>();
  private String message;
  private double pairsPerSecond;
  private double stepsPerSecond;
  private long generatedResponses;

  RunRecord(RunStatus s) {
    this.runId = s.runId();
    this.spec = s.spec();
    this.startedAtUnixMs = s.startedAtUnixMs();
    this.resumed = s.resumed();
    restore(s);
  }

  synchronized RunStatus snapshot() {
    return new RunStatus(runId, spec, state, step, maxSteps, studentAtStart, teacher, latest, best, publishes,
        message, startedAtUnixMs, pairsPerSecond, stepsPerSecond, resumed, generatedResponses);
  }

  RunSpec spec() {
    return spec;
  }

  synchronized RunState state() {
    return state;
  }

  synchronized long step() {
    return step;
  }

  /** Counts one more step taken; returns it. */
  synchronized long advance() {
    return ++step;
  }

  synchronized long maxSteps() {
    return maxSteps;
  }

  synchronized void setMaxSteps(long maxSteps) {
    this.maxSteps = maxSteps;
  }

  synchronized void setState(RunState state, String message) {
    this.state = state;
    this.message = message;
  }

  synchronized void setMessage(String message) {
    this.message = message;
  }

  synchronized void setRates(double pairsPerSecond, double stepsPerSecond) {
    this.pairsPerSecond = pairsPerSecond;
    this.stepsPerSecond = stepsPerSecond;
  }

  synchronized boolean measuredAtStart() {
    return studentAtStart != null;
  }

  synchronized void setStart(Evaluation student, Evaluation teacher) {
    this.studentAtStart = student;
    this.teacher = teacher;
  }

  /** The untrained student's evaluation; null before it is measured. */
  synchronized Evaluation studentAtStart() {
    return studentAtStart;
  }

  /** The latest evaluation, or null before the first. */
  synchronized Evaluation latest() {
    return latest;
  }

  /**
   * Records a new evaluation as the latest (and the best, if it is: {@link Evaluation#betterThan},
   * ties on R@1 broken by R@5 then MRR@10); returns the headline metric to
   * beat for a publish: the last publish's, or the untrained student's.
   */
  synchronized double evaluated(Evaluation e) {
    latest = e;
    if (best == null || e.betterThan(best)) {
      best = e;
    }
    return publishes.isEmpty() ? (studentAtStart == null ? 0 : studentAtStart.rAt1())
        : publishes.get(publishes.size() - 1).rAt1();
  }

  synchronized List<Publish> publishes() {
    return List.copyOf(publishes);
  }

  /** The last publish, or null before the first. */
  synchronized Publish lastPublish() {
    return publishes.isEmpty() ? null : publishes.get(publishes.size() - 1);
  }

  synchronized void addPublish(Publish p) {
    publishes.add(p);
  }

  synchronized void addGeneratedResponses(long n) {
    generatedResponses += n;
  }

  /**
   * Takes a checkpointed record's history (its id, spec, start time and resume count stay this
   * record's); the state becomes PREPARING (the run is preparing again).
   */
  synchronized void restore(RunStatus saved) {
    state = saved.state();
    step = saved.step();
    maxSteps = saved.maxSteps();
    studentAtStart = saved.studentAtStart();
    teacher = saved.teacher();
    latest = saved.latest();
    best = saved.best();
    publishes.clear();
    publishes.addAll(saved.publishes());
    message = saved.message();
    pairsPerSecond = saved.pairsPerSecond();
    stepsPerSecond = saved.stepsPerSecond();
    generatedResponses = saved.generatedResponses();
  }

  /** {@link #restore}, as a run resuming from its checkpoint: then PREPARING. */
  synchronized void resumeFrom(RunStatus saved) {
    restore(saved);
    state = RunState.PREPARING;
  }
}
