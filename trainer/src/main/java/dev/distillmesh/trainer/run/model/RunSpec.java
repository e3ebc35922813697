package dev.distillmesh.trainer.run.model;

/**
 * What a run is asked to do, as StartRun gave it (the contract's {@code RunSpec}; the field
 * comments there say what each means). Unset enums are null; a 0 in {@link #hyper} means the
 * default. Immutable.
 *
 * @param source null when unset
 * @param objective null when unset
 * @param task null when unset (a QA run)
 */
public record RunSpec(String name, String collection, String passages, String questions, Source source,
    String holdout, ObjectiveKind objective, HyperSettings hyper, Task task, String dialogues, String dialogueEval,
    int trainLimit, boolean trainResponseAdapter) {

  /** Where a run's questions come from. */
  public enum Source {
    LABELLED,
    TRAFFIC
  }

  /** Which objective a run trains with (one {@link Objective} type each). */
  public enum ObjectiveKind {
    TOPK,
    G2R,
    RDR,
    RELATIONAL
  }

  /** Questions against passages, or dialogue contexts against responses. */
  public enum Task {
    QA,
    DIALOGUE
  }

  public boolean isDialogue() {
    return task == Task.DIALOGUE;
  }

  /** This spec with its four data paths replaced (e.g. by the real paths they resolve to). */
  public RunSpec withInputs(String passages, String questions, String dialogues, String dialogueEval) {
    return new RunSpec(name, collection, passages, questions, source, holdout, objective, hyper, task, dialogues,
        dialogueEval, trainLimit, trainResponseAdapter);
  }

  /** This spec with another holdout (e.g. a {@code file:} holdout's path resolved). */
  public RunSpec withHoldout(String holdout) {
    return new RunSpec(name, collection, passages, questions, source, holdout, objective, hyper, task, dialogues,
        dialogueEval, trainLimit, trainResponseAdapter);
  }

  /** Whether the run trains the response adapter too (DIALOGUE only). */
  public boolean trainsResponse() {
    return isDialogue() && trainResponseAdapter;
  }
}
