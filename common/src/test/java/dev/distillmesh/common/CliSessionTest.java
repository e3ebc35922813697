package dev.distillmesh.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The shared CLI opening: which exit code and message each way a command line can go. */
class CliSessionTest {
  private static final String USAGE = "usage: test-cli COMMAND\n";
  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
  private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

  private String err() {
    return errBytes.toString(StandardCharsets.UTF_8);
  }

  private int run(CliSession.Command command, String... argv) {
    return CliSession.run(argv, USAGE, "127.0.0.1:1", err, command);
  }

  @Test
  void noCommandOrHelpPrintsTheUsageWithoutRunning() {
    assertEquals(CliSession.USAGE, run(s -> 0));
    assertEquals(0, run(s -> 1, "list", "--help"), "help asked for is not an error, and nothing runs");
    assertEquals(USAGE + USAGE, err());
  }

  @Test
  void anOptionWithoutAValueIsAUsageError() {
    assertEquals(CliSession.USAGE, run(s -> 0, "list", "--k"));
    assertEquals("error: --k needs a value\n", err());
  }

  @Test
  void theCommandGetsArgumentsOptionsAndAChannelThatIsShutDownAfterwards() {
    AtomicReference<ManagedChannel> channel = new AtomicReference<>();
    int code = run(s -> {
      assertEquals(List.of("search", "docs"), s.args());
      assertEquals(Map.of("k", "5"), s.options());
      assertEquals(5, s.longOption("k", 1));
      assertEquals(7, s.longOption("ef", 7));
      channel.set(s.channel());
      return CliSession.OK;
    }, "search", "--k", "5", "docs");
    assertEquals(CliSession.OK, code);
    assertTrue(channel.get().isShutdown());
    assertEquals("", err());
  }

  @Test
  void aFailedCallExitsOneWithItsStatus() {
    int code = run(s -> {
      throw Status.NOT_FOUND.withDescription("collection docs does not exist").asRuntimeException();
    }, "stats", "docs");
    assertEquals(CliSession.CALL_FAILED, code);
    assertEquals("error: NOT_FOUND: collection docs does not exist\n", err());
  }

  @Test
  void aBadArgumentExitsTwoWithTheUsage() {
    assertEquals(CliSession.USAGE, run(s -> s.longOption("k", 1) > 0 ? 0 : 1, "search", "--k", "many"));
    assertEquals("error: --k must be a whole number, got \"many\"\n" + USAGE, err());
  }

  @Test
  void anyOtherFailureExitsOneNamingIt() {
    int code = run(s -> {
      throw new java.io.IOException("no such file: docs.jsonl");
    }, "upsert");
    assertEquals(CliSession.CALL_FAILED, code);
    assertEquals("error: java.io.IOException: no such file: docs.jsonl\n", err());
    assertFalse(Thread.currentThread().isInterrupted());
  }
}
