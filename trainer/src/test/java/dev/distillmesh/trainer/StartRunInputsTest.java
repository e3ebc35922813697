package dev.distillmesh.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.proto.trainer.v1.Objective;
import dev.distillmesh.proto.trainer.v1.RunSpec;
import dev.distillmesh.proto.trainer.v1.Source;
import dev.distillmesh.proto.trainer.v1.StartRunRequest;
import dev.distillmesh.proto.trainer.v1.Task;
import dev.distillmesh.proto.trainer.v1.TrainerServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * StartRun over a real socket with the paths and files an attacker or a careless operator would
 * send: every one is refused with INVALID_ARGUMENT or RESOURCE_EXHAUSTED, the answer for a path
 * outside the data directories is the same whether it exists or not, no answer quotes a file's
 * contents, and the trainer keeps serving.
 */
class StartRunInputsTest {
  @TempDir
  static Path dir;
  private static Path inputs;
  private static TrainerServer server;
  private static ManagedChannel channel;

  @BeforeAll
  static void start() throws Exception {
    inputs = Files.createDirectories(dir.resolve("inputs"));
    TrainerServerConfig config = TrainerServerConfig.parse(new String[] {"--port", "0", "--runs-dir",
        dir.resolve("runs").toString(), "--student", "127.0.0.1:1", "--teacher", "127.0.0.1:1", "--index",
        "127.0.0.1:1", "--data-dirs", inputs.toString()}, Map.of());
    server = TrainerServer.start(config, NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)));
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    server.close();
  }

  private static RunSpec.Builder qa(String passages, String questions) {
    return RunSpec.newBuilder().setCollection("c").setPassages(passages).setQuestions(questions)
        .setSource(Source.LABELLED).setObjective(Objective.TOPK).setHoldout("fraction:0.5");
  }

  private static RunSpec.Builder dialogue(String dialogues, String eval) {
    return RunSpec.newBuilder().setTask(Task.DIALOGUE).setCollection("c").setDialogues(dialogues)
        .setDialogueEval(eval).setSource(Source.LABELLED).setObjective(Objective.G2R);
  }

  private static Status startRun(RunSpec spec) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> TrainerServiceGrpc
        .newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
        .startRun(StartRunRequest.newBuilder().setSpec(spec).build()));
    return e.getStatus();
  }

  private static Path write(String name, String content) throws Exception {
    return Files.writeString(inputs.resolve(name), content, StandardCharsets.UTF_8);
  }

  @Test
  void everyPathOutsideTheDataDirectoriesGetsTheSameAnswer() throws Exception {
    Path good = write("p.jsonl", "{\"id\": \"p\", \"text\": \"t\"}\n");
    Path secret = Files.writeString(dir.resolve("secret.jsonl"), "{\"id\": \"SECRET-api-key-abc123\", \"text\": \"t\"}\n");
    Files.createSymbolicLink(inputs.resolve("escape.jsonl"), secret);
    Files.createSymbolicLink(inputs.resolve("root"), Path.of("/"));
    String[] outside = {"/etc/shadow", "/root/.bash_history", "/etc/passwd", "/etc/hostname", "/etc", "/",
        "/dev/zero", "/dev/urandom", "/proc/self/environ", "/proc/self/mem", "/nonexistent/file.jsonl",
        secret.toString(), "../secret.jsonl", "../../../../../../etc/passwd", inputs + "/../secret.jsonl",
        "escape.jsonl", "root/etc/passwd", "root/dev/zero", "/etc/passwd\u0000.jsonl"};
    Map<String, Integer> tally = new TreeMap<>();
    int cases = 0;
    for (String path : outside) {
      List<RunSpec> specs = List.of(qa(path, good.toString()).build(), qa(good.toString(), path).build(),
          dialogue(path, good.toString()).build(), dialogue(good.toString(), path).build());
      String[] names = {"passages", "questions", "dialogues", "dialogue_eval"};
      for (int f = 0; f < specs.size(); f++) {
        Status s = startRun(specs.get(f));
        cases++;
        tally.merge(s.getCode().name(), 1, Integer::sum);
        assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode(), path + ": " + s);
        assertEquals(names[f] + " file " + path + " is not inside the trainer's data directories ["
            + inputs.toAbsolutePath() + "]; put the file in one of them (relative paths are read from them), or"
            + " start the trainer with --data-dirs naming its directory", s.getDescription(),
            "one answer for every outside path: it says nothing about whether " + path + " exists");
      }
    }
    System.out.println("StartRun with paths outside the data directories: " + cases + " cases, " + tally);
  }

  @Test
  void filesInsideAreReadWithBoundsAndTheirContentsStayOutOfErrors() throws Exception {
    Path good = write("good.jsonl", "{\"question\": \"q\", \"passage_id\": \"p\"}\n");
    Path noId = write("no-id.jsonl", "{\"question\": \"SECRET-api-key-abc123\", \"passage_id\": \"\"}\n");
    Path wide = write("wide.jsonl", "{\"question\": \"" + "x".repeat(2 << 20) + "\"}\n");
    Path latin1 = Files.write(inputs.resolve("latin1.jsonl"), new byte[] {'{', '}', '\n', (byte) 0xE9, '\n'});
    Path notJson = write("secret-text.jsonl", "password=SECRET-api-key-abc123\n");
    Path noNewline = Files.write(inputs.resolve("zeros.jsonl"), new byte[3 << 20]); // 3 MiB of NULs, no newline
    Files.createDirectories(inputs.resolve("sub"));
    // A QA run reads only its questions (the passages are the collection's); a passages path is
    // still confined to the data directories, but not read.
    Object[][] cases = {
        {qa("", noId.toString()), Status.Code.INVALID_ARGUMENT, "line 1: passage_id is empty"},
        {qa("", notJson.toString()), Status.Code.INVALID_ARGUMENT, "line 1 is not a JSON object"},
        {qa("", wide.toString()), Status.Code.RESOURCE_EXHAUSTED, "is longer than 1048576 bytes"},
        {qa("", noNewline.toString()), Status.Code.RESOURCE_EXHAUSTED, "is longer than"},
        {qa("", latin1.toString()), Status.Code.INVALID_ARGUMENT, "is not UTF-8 (line 2)"},
        {qa("", "sub"), Status.Code.INVALID_ARGUMENT, "is not a regular file"},
        {qa("", "missing.jsonl"), Status.Code.INVALID_ARGUMENT, "does not exist"},
        {qa("missing.jsonl", good.toString()), Status.Code.INVALID_ARGUMENT, "does not exist"},
        {qa("", ""), Status.Code.INVALID_ARGUMENT, "spec.questions is required"},
        // Relative paths are read from the data directory: the error is about the file's line 1.
        {qa("", "secret-text.jsonl"), Status.Code.INVALID_ARGUMENT, "secret-text.jsonl line 1 is not a JSON"},
    };
    Map<String, Integer> tally = new TreeMap<>();
    for (Object[] c : cases) {
      Status s = startRun(((RunSpec.Builder) c[0]).build());
      tally.merge(s.getCode().name(), 1, Integer::sum);
      assertEquals(c[1], s.getCode(), s.toString());
      assertTrue(s.getDescription().contains((String) c[2]), s.getDescription() + " should say " + c[2]);
      assertFalse(s.getDescription().contains("SECRET"), "a file's contents leaked: " + s.getDescription());
    }
    System.out.println("StartRun with bad files inside the data directories: " + cases.length + " cases, " + tally);
    assertEquals(0, TrainerServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
        .listRuns(dev.distillmesh.proto.trainer.v1.ListRunsRequest.getDefaultInstance()).getRunsCount(),
        "no refused spec started a run, and the trainer still answers");
  }

  @Test
  void dataDirectoriesComeFromTheFlagOrTheEnvironment() {
    assertEquals(List.of(Path.of("data/trainer/inputs")), TrainerServerConfig.parse(new String[0], Map.of()).dataDirs());
    assertEquals(List.of(Path.of("/a"), Path.of("b")), TrainerServerConfig.parse(new String[0],
        Map.of(TrainerServerConfig.ENV_DATA_DIRS, "/a, b")).dataDirs());
    assertEquals(List.of(Path.of("/c")), TrainerServerConfig.parse(new String[] {"--data-dirs", "/c"},
        Map.of(TrainerServerConfig.ENV_DATA_DIRS, "/a")).dataDirs());
    assertThrows(IllegalArgumentException.class, () -> TrainerServerConfig.parse(new String[] {"--data-dirs", " , "},
        Map.of()));
  }
}
