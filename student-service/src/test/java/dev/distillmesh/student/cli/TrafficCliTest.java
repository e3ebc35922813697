package dev.distillmesh.student.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.student.grpc.StudentAdminGrpcService;
import dev.distillmesh.student.query.TrafficRecorder;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The CLI's traffic command against a server that has only the recorder behind TakeTraffic. */
class TrafficCliTest {
  private final TrafficRecorder traffic = new TrafficRecorder(100, 1.0);
  private Server server;

  @BeforeEach
  void start() throws Exception {
    // TakeTraffic touches only the recorder; the other admin rpcs are not called here.
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(new StudentAdminGrpcService(null, null, null, null, 1, null, null, null, traffic)).build().start();
  }

  @AfterEach
  void stop() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private record Run(int code, String out, String err) {}

  private Run cli(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    String[] argv = new String[args.length + 2];
    argv[0] = "--target";
    argv[1] = "127.0.0.1:" + server.getPort();
    System.arraycopy(args, 0, argv, 2, args.length);
    int code = StudentCli.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), false);
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void printsOneTakenQueryPerLineAndASummary() {
    traffic.offerAnswer("faq", "two\nlines \"quoted\"");
    traffic.offerRespond("chat", List.of("hi", "bye"));
    traffic.offerAnswer("faq", "left for later");
    Run r = cli("traffic", "--max", "2");
    assertEquals(0, r.code(), r.err());
    String[] lines = r.out().split("\n");
    assertEquals(2, lines.length, r.out());
    assertTrue(lines[0].endsWith("  faq  answer  \"two\\nlines \\\"quoted\\\"\""), lines[0]);
    assertTrue(lines[1].endsWith("  chat  respond  [\"hi\",\"bye\"]"), lines[1]);
    assertTrue(r.err().contains("took 2 queries; 1 remain; 0 dropped"), r.err());

    Run faq = cli("traffic", "--collection", "faq");
    assertTrue(faq.out().contains("left for later"), faq.out());
    assertEquals("", cli("traffic").out(), "taken queries are gone");
  }

  @Test
  void strayArgumentsAndBadLimitsAreRefused() {
    Run stray = cli("traffic", "faq");
    assertEquals(2, stray.code());
    assertTrue(stray.err().contains("traffic takes only --max N and --collection C"), stray.err());
    Run tooMany = cli("traffic", "--max", "20000");
    assertEquals(1, tooMany.code());
    assertTrue(tooMany.err().contains("INVALID_ARGUMENT: max_items must be in 1..10000"), tooMany.err());
  }
}
