package dev.distillmesh.trainer.cli;

import dev.distillmesh.common.CliSpec;
import dev.distillmesh.common.CliSpec.Command;
import dev.distillmesh.common.CliSpec.Option;
import dev.distillmesh.common.MeshOptions;
import java.util.List;

/**
 * The trainer CLI's commands and options with their defaults: its {@code --help}, and the check
 * that refuses an option a command does not take (a misspelt {@code --epoch} would otherwise
 * train with the default) or a value of the wrong kind, naming it. The hyperparameters' defaults
 * are the trainer's own (a value left out is chosen by the trainer, per objective where it says so).
 */
final class TrainerCliSpec {
  static final String DEFAULT_TARGET = "127.0.0.1:7404";

  private TrainerCliSpec() {}

  private static final List<Option> START = List.of(
      Option.text("collection", "C", "", "the collection to train for (required)"),
      Option.oneOf("task", "qa", "qa: questions and passages; dialogue: contexts and responses", "qa", "dialogue"),
      Option.text("questions", "FILE", "", "QA: {\"question\", \"passage_id\"} lines (required for qa)"),
      Option.oneOf("source", "labelled", "QA: the questions file, or the queries the students answer", "labelled",
          "traffic"),
      Option.text("holdout", "H", "fraction:0.2; dialogue all", "QA: articles:A-B, fraction:F or file:PATH;"
          + " dialogue: all, sample:N or group:FIELD[:F]"),
      Option.oneOf("objective", "topk; dialogue g2r", "the loss", "topk", "g2r", "rdr", "relational"),
      Option.text("name", "N", "", "a name shown in list"),
      Option.text("dialogues", "FILE", "", "dialogue: training {\"context\", \"response\"} lines (required)"),
      Option.text("dialogue-eval", "FILE", "", "dialogue: held-out lines with \"candidates\" (required)"),
      Option.integer("train-limit", "0", "dialogue: at most this many training pairs (0: all)"),
      Option.bool("train-response-adapter", "false", "dialogue: also train the response tower (re-indexes)"),
      Option.integer("generated-per-context", "0", "dialogue: responses the teacher generates per context"),
      Option.integer("generate-min-length", "0", "dialogue: shortest generated response kept, in characters"),
      Option.integer("candidates", "50", "QA: passages retrieved per question (2..1000)"),
      Option.integer("ef-search", "0", "QA: HNSW ef for that search (0: the collection's)"),
      Option.number("lr", "1e-4", "learning rate"),
      Option.number("teacher-temperature", "0.02", "temperature of the teacher's distribution"),
      Option.number("scale", "20", "the student's score scale"),
      Option.number("alpha", "0; g2r 0.5", "weight of the gold (CE) term"),
      Option.integer("top-k", "0 (all); rdr 16", "KD over the teacher's top K"),
      Option.integer("negatives", "8; g2r 32", "sampled negatives per batch (1..1024)"),
      Option.oneOf("negative-mass", "scored", "g2r: the negatives' teacher mass", "scored", "zero"),
      Option.integer("batch", "32", "questions per step (1..1024)"),
      Option.number("identity-weight", "1e-3", "pull of the adapter towards the identity"),
      Option.whole("max-steps", "0 (epochs decide; traffic 1000)", "steps at most"),
      Option.integer("epochs", "1", "passes over the training questions"),
      Option.integer("eval-every", "50", "steps between held-out evaluations (and publishes)"),
      Option.number("tau1", "0.01", "relational: the student's temperature"),
      Option.number("tau2", "0.05", "relational: the teacher's temperature"),
      Option.whole("seed", "1", "seed of every random choice"),
      Option.bool("watch", "false", "follow the run until it ends"),
      Option.text("passages", "FILE", "", "not used: a QA run's passages are the collection's (refused)"));

  static final CliSpec SPEC = new CliSpec("trainer-cli",
      List.of(Option.text("target", "HOST:PORT", DEFAULT_TARGET, "the trainer")),
      List.of(
          new Command("start", "", "start a run (one trains at a time); the passages are the collection's", START),
          new Command("watch", "RUN", "progress, evaluations and publishes until the run ends", List.of()),
          new Command("status", "RUN", "the run's record", List.of()),
          new Command("list", "", "every run", List.of()),
          new Command("stop", "RUN", "stop after the current step (it checkpoints)", List.of()),
          new Command("rollback", "RUN VERSION", "publish the run's adapter VERSION again (0: the untrained"
              + " student)", List.of())),
      "Every command sends " + MeshOptions.ENV_ADMIN_TOKEN + " when it is set (start, stop and rollback need it, or"
          + " an allowed client certificate).\nFILE is read by the trainer, from its data directories (--data-dirs):"
          + " a file that exists here is sent as its\nabsolute path, any other path as written. Exit codes: 0 ok, 1 a"
          + " call failed (or the watched run failed), 2 usage error.\n");
}
