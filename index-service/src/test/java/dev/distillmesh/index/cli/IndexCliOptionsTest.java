package dev.distillmesh.index.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The index CLI refuses a misspelt option or a bad value before any call, and lists its defaults. */
class IndexCliOptionsTest {
  private static int run(ByteArrayOutputStream err, String... args) {
    String[] argv = new String[args.length + 2];
    argv[0] = "--target";
    argv[1] = "127.0.0.1:1"; // nothing listens: every case here must be decided before a call
    System.arraycopy(args, 0, argv, 2, args.length);
    return IndexCli.run(argv, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void badOptionsAreRefusedNamingThem() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertEquals(2, run(err, "search", "docs", "--vector", "1,0", "--kk", "3"));
    assertEquals(2, run(err, "create", "docs", "--dim", "three"));
    assertEquals(2, run(err, "create", "docs", "--dim", "3", "--metric", "cosine"));
    String e = err.toString(StandardCharsets.UTF_8);
    assertTrue(e.contains("unknown option --kk for search"), e);
    assertTrue(e.contains("--dim must be a whole number, got \"three\""), e);
    assertTrue(e.contains("--metric must be one of ip, l2"), e);
  }

  @Test
  void searchHelpListsItsDefaults() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertEquals(0, run(err, "search", "--help"));
    String e = err.toString(StandardCharsets.UTF_8);
    assertTrue(e.contains("--k N") && e.contains("(default 5)") && e.contains("--nprobe N"), e);
  }
}
