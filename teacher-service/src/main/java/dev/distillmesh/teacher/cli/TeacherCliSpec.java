package dev.distillmesh.teacher.cli;

import dev.distillmesh.common.CliSpec;
import dev.distillmesh.common.CliSpec.Command;
import dev.distillmesh.common.CliSpec.Option;
import java.util.List;

/** The teacher CLI's commands and options with their defaults: its {@code --help} and its checks. */
final class TeacherCliSpec {
  static final String DEFAULT_TARGET = "127.0.0.1:7403";

  private TeacherCliSpec() {}

  static final CliSpec SPEC = new CliSpec("teacher-cli",
      List.of(Option.text("target", "HOST:PORT", DEFAULT_TARGET, "the teacher service"),
          Option.whole("deadline-ms", "60000", "deadline of each call")),
      List.of(
          new Command("score", "CONTEXT CANDIDATE...", "prints the candidates, best first, with their scores",
              List.of(Option.oneOf("kind", "relevance", "what the scores mean", "relevance", "log_likelihood",
                  "mutual_information", "coherence"))),
          new Command("generate", "CONTEXT", "responses the teacher writes (a backend that can generate)",
              List.of(Option.integer("n", "1", "responses"),
                  Option.integer("top-k", "0", "sample from the K likeliest tokens (0: the model's)"),
                  Option.number("top-p", "0", "nucleus sampling mass (0: the model's)"),
                  Option.number("temperature", "0", "sampling temperature (0: the model's)"),
                  Option.integer("min-length", "0", "shortest response, in tokens"),
                  Option.integer("max-tokens", "0", "longest response, in tokens (0: the model's)"),
                  Option.whole("seed", "0", "sampling seed"))),
          new Command("info", "", "the backend, its models and the score kinds it has", List.of())),
      "Exit codes: 0 ok, 1 a call failed, 2 usage error.\n");
}
