package dev.distillmesh.student.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.distillmesh.index.IndexServer;
import dev.distillmesh.index.IndexServerConfig;
import dev.distillmesh.student.StudentServer;
import dev.distillmesh.student.StudentServerConfig;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI's many-query commands against a real student (real model) on a socket with a real index:
 * {@code ask --file} (one JSON line out per line in, bad lines reported in place), {@code eval} on a
 * labelled QA file, and the option checks every command shares.
 */
class BatchCliTest {
  @TempDir
  static Path dir;
  private static IndexServer index;
  private static ManagedChannel indexChannel;
  private static StudentServer student;

  @BeforeAll
  static void start() throws Exception {
    String indexName = InProcessServerBuilder.generateName();
    index = IndexServer.start(IndexServerConfig.parse(new String[] {"--data-dir", dir.resolve("index").toString()},
        Map.of()), InProcessServerBuilder.forName(indexName));
    indexChannel = InProcessChannelBuilder.forName(indexName).build();
    student = StudentServer.start(StudentServerConfig.parse(new String[] {"--adapter-dir",
        dir.resolve("adapters").toString()}, Map.of()),
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)), indexChannel);
    Path docs = Files.writeString(dir.resolve("docs.jsonl"), """
        {"id": "tea", "text": "Green tea is brewed at about eighty degrees for two minutes."}
        {"id": "bike", "text": "A bicycle chain should be cleaned and oiled every few hundred kilometres."}
        {"id": "moon", "text": "The Moon orbits the Earth once every twenty-seven days."}
        {"id": "bread", "text": "Bread dough rises because yeast turns sugar into carbon dioxide."}
        """);
    Run ingest = cli("ingest", "facts", docs.toString(), "--spec", "Flat");
    assertEquals(0, ingest.code, ingest.err);
  }

  @AfterAll
  static void stop() {
    student.close();
    indexChannel.shutdownNow();
    index.close();
  }

  private record Run(int code, String out, String err) {}

  private static Run cli(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    String[] argv = new String[args.length + 2];
    argv[0] = "--target";
    argv[1] = "127.0.0.1:" + student.port();
    System.arraycopy(args, 0, argv, 2, args.length);
    int code = StudentCli.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), false);
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void askFileAnswersEveryLineInOrderAndReportsABadLineInPlace() throws Exception {
    Path questions = Files.writeString(dir.resolve("questions.jsonl"), """
        {"id": 1, "question": "how hot should the water be for green tea?"}
        {"id": 2, "question": "how often do I oil a bike chain?"}
        not json at all

        {"id": 4, "question": "why does bread dough rise?"}
        """);
    Run r = cli("ask", "facts", "--file", questions.toString(), "--k", "2", "--concurrency", "2");
    assertEquals(1, r.code, "a failed line makes the exit code 1: " + r.err);
    List<JsonObject> lines = r.out.lines().map(l -> JsonParser.parseString(l).getAsJsonObject()).toList();
    assertEquals(4, lines.size(), "one line out per non-blank line in: " + r.out);
    assertEquals(List.of(1L, 2L, 3L, 5L), lines.stream().map(o -> o.get("line").getAsLong()).toList(), "input order");
    assertEquals("tea", lines.get(0).getAsJsonArray("candidates").get(0).getAsJsonObject().get("id").getAsString());
    assertEquals("bike", lines.get(1).getAsJsonArray("candidates").get(0).getAsJsonObject().get("id").getAsString());
    assertEquals(2, lines.get(1).getAsJsonArray("candidates").size());
    assertEquals("INVALID_INPUT", lines.get(2).getAsJsonObject("error").get("code").getAsString());
    assertEquals(4, lines.get(3).get("id").getAsInt(), "ids are carried through");
    assertTrue(r.err.contains("4 lines, 1 failed"), r.err);
  }

  @Test
  void evalPrintsRecallOverALabelledFile() throws Exception {
    Path labelled = Files.writeString(dir.resolve("labelled.jsonl"), """
        {"question": "what temperature for green tea?", "passage_id": "tea"}
        {"question": "how long does the Moon take to go round the Earth?", "passage_id": "moon"}
        {"question": "what makes dough rise?", "passage_id": "bread"}
        """);
    Run text = cli("eval", "facts", labelled.toString(), "--k", "3");
    assertEquals(0, text.code, text.err);
    assertTrue(text.out.contains("3 questions scored (0 failed)"), text.out);
    assertTrue(text.out.contains("R@1 1.0000"), text.out);
    Run json = cli("eval", "facts", labelled.toString(), "--json");
    JsonObject o = JsonParser.parseString(json.out.strip()).getAsJsonObject();
    assertEquals("qa", o.get("task").getAsString());
    assertEquals(3, o.get("items").getAsInt());
    assertEquals(1.0, o.getAsJsonObject("student").get("r_at_1").getAsDouble());
  }

  @Test
  void helpListsDefaultsAndBadOptionsAreRefusedNamingThem() {
    Run help = cli("ask", "--help");
    assertEquals(0, help.code);
    assertTrue((help.out + help.err).contains("--concurrency N") && (help.out + help.err).contains("(default 8)"),
        help.out + help.err);
    Run unknown = cli("ask", "facts", "why?", "--kk", "2");
    assertEquals(2, unknown.code);
    assertTrue(unknown.err.contains("unknown option --kk for ask"), unknown.err);
    Run bad = cli("ask", "facts", "why?", "--k", "two");
    assertEquals(2, bad.code);
    assertTrue(bad.err.contains("--k must be a whole number, got \"two\""), bad.err);
  }
}
