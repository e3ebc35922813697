package dev.distillmesh.teacher.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The teacher CLI refuses a misspelt option or a bad value before any call, and lists its defaults. */
class TeacherCliOptionsTest {
  private static int run(ByteArrayOutputStream err, String... args) {
    String[] argv = new String[args.length + 2];
    argv[0] = "--target";
    argv[1] = "127.0.0.1:1"; // nothing listens: every case here must be decided before a call
    System.arraycopy(args, 0, argv, 2, args.length);
    return TeacherCli.run(argv, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void badOptionsAreRefusedNamingThem() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertEquals(2, run(err, "score", "q", "a", "--knd", "relevance"));
    assertEquals(2, run(err, "score", "q", "a", "--kind", "similarity"));
    assertEquals(2, run(err, "generate", "q", "--n", "many"));
    String e = err.toString(StandardCharsets.UTF_8);
    assertTrue(e.contains("unknown option --knd for score"), e);
    assertTrue(e.contains("--kind must be one of relevance, log_likelihood, mutual_information, coherence"), e);
    assertTrue(e.contains("--n must be a whole number, got \"many\""), e);
  }

  @Test
  void generateHelpListsItsDefaults() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertEquals(0, run(err, "generate", "--help"));
    String e = err.toString(StandardCharsets.UTF_8);
    assertTrue(e.contains("--max-tokens N") && e.contains("--n N") && e.contains("(default 1)"), e);
  }
}
