package dev.distillmesh.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The trainer CLI refuses what it would otherwise ignore or misread, before any call (the target
 * here has no trainer): a misspelt option, a value of the wrong kind, a choice it does not know;
 * and {@code start --help} lists every option with its default.
 */
class TrainerCliOptionsTest {
  private record Run(int code, String out, String err) {}

  private static Run cli(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    String[] argv = new String[args.length + 2];
    argv[0] = "--target";
    argv[1] = "127.0.0.1:1";
    System.arraycopy(args, 0, argv, 2, args.length);
    int code = TrainerCli.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aMisspeltOptionIsRefusedInsteadOfTrainingWithTheDefault() {
    Run r = cli("start", "--collection", "faq", "--questions", "q.jsonl", "--epoch", "5");
    assertEquals(2, r.code);
    assertTrue(r.err.contains("unknown option --epoch for start"), r.err);
  }

  @Test
  void badValuesAndChoicesAreRefusedNamingTheOption() {
    Run lr = cli("start", "--collection", "faq", "--questions", "q.jsonl", "--lr", "fast");
    assertEquals(2, lr.code);
    assertTrue(lr.err.contains("--lr must be a number, got \"fast\""), lr.err);
    Run objective = cli("start", "--collection", "faq", "--questions", "q.jsonl", "--objective", "kd");
    assertEquals(2, objective.code);
    assertTrue(objective.err.contains("--objective must be one of topk, g2r, rdr, relational"), objective.err);
    Run list = cli("list", "--batch", "4");
    assertEquals(2, list.code, "list takes no run options");
    assertTrue(list.err.contains("unknown option --batch for list"), list.err);
  }

  @Test
  void startHelpListsItsOptionsWithDefaults() {
    Run r = cli("start", "--help");
    assertEquals(0, r.code);
    assertTrue(r.err.contains("--lr X") && r.err.contains("(default 1e-4)"), r.err);
    assertTrue(r.err.contains("--holdout H") && r.err.contains("file:PATH"), r.err);
    assertTrue(r.err.contains("--eval-every N") && r.err.contains("(default 50)"), r.err);
  }
}
