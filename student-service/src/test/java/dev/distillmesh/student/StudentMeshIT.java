package dev.distillmesh.student;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.distillmesh.proto.index.v1.CollectionInfo;
import dev.distillmesh.proto.index.v1.GetCollectionRequest;
import dev.distillmesh.proto.index.v1.IndexServiceGrpc;
import dev.distillmesh.proto.index.v1.ListRecordsRequest;
import dev.distillmesh.proto.index.v1.ListRecordsResponse;
import dev.distillmesh.proto.index.v1.Record;
import dev.distillmesh.proto.index.v1.ReprojectRequest;
import dev.distillmesh.proto.student.v1.AnswerRequest;
import dev.distillmesh.proto.student.v1.CollectionModel;
import dev.distillmesh.proto.student.v1.GetModelInfoRequest;
import dev.distillmesh.proto.student.v1.LoadAdapterRequest;
import dev.distillmesh.proto.student.v1.QueryResponse;
import dev.distillmesh.proto.student.v1.StudentAdminGrpc;
import dev.distillmesh.proto.student.v1.StudentServiceGrpc;
import dev.distillmesh.proto.student.v1.Tower;
import dev.distillmesh.student.cli.StudentCliAccess;
import dev.distillmesh.testsupport.ServiceProcess;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mesh as a user runs it: index-service and student-service as two real processes over real
 * sockets, the bundled help desk ingested with the CLI. Then faults: kill -9 of the index (the
 * student answers UNAVAILABLE, then recovers once the index is back, with every acknowledged
 * document), and kill -9 of the student (its published adapter is still served after restart).
 * Then a reprojection of the collection in the index, and an ingest after it: every document is
 * served as B·base.
 */
class StudentMeshIT {
  private static final Path HELPDESK = Path.of("..", "examples", "helpdesk");

  @Test
  void answersSurvivesAnIndexCrashAndKeepsAdaptersAcrossAStudentCrash(@TempDir Path dir) throws Exception {
    Path indexData = dir.resolve("index");
    ServiceProcess index = start("index-service", "index.server.jar", dir.resolve("index.log"),
        "--port", "0", "--data-dir", indexData.toString());
    String[] studentArgs = {"--port", "0", "--index", index.target(), "--adapter-dir", dir.resolve("adapters").toString()};
    ServiceProcess student = start("student-service", "student.server.jar", dir.resolve("student.log"),
        studentArgs);
    ManagedChannel channel = NettyChannelBuilder.forTarget(student.target()).usePlaintext().build();
    ManagedChannel restarted = null;
    try {
      String out = cli("--target", student.target(), "ingest", "helpdesk",
          HELPDESK.resolve("passages.jsonl").toString(), "--format", "passages");
      assertTrue(out.contains("ingested " + lines(HELPDESK.resolve("passages.jsonl")) + " documents"), out);

      double recall = helpdeskRecallAt5(channel);
      System.out.printf("help-desk R@5 over its questions: %.3f%n", recall);
      assertTrue(recall >= 0.8, "help-desk questions should find their passage in the top 5, R@5 = " + recall);
      String answer = cli("--target", student.target(), "ask", "helpdesk", "what", "does", "kill", "-9", "do", "to", "my", "writes?");
      assertTrue(answer.contains(" 1. "), answer);

      // kill -9 the index: a clear UNAVAILABLE naming the index, not a hang.
      int indexPort = index.port();
      index.kill9();
      StatusRuntimeException down = assertThrows(StatusRuntimeException.class, () -> ask(channel, "how do I rebuild?"));
      assertEquals(Status.Code.UNAVAILABLE, down.getStatus().getCode(), down.getStatus().toString());
      assertTrue(down.getStatus().getDescription().contains("index-service"), down.getStatus().getDescription());

      // Back on the same port and data: every acknowledged document is there again.
      index = start("index-service", "index.server.jar", dir.resolve("index2.log"),
          "--port", Integer.toString(indexPort), "--data-dir", indexData.toString());
      QueryResponse again = awaitAnswer(channel, "how do I rebuild a collection?");
      assertEquals(5, again.getCandidatesCount());
      assertEquals(helpdeskRecallAt5(channel), recall, 1e-9, "same answers after the index crash");

      // Publish an adapter, kill -9 the student, restart: the adapter is still served.
      float[] identity = new float[384 * 384];
      for (int i = 0; i < 384; i++) {
        identity[i * 384 + i] = 1;
      }
      LoadAdapterRequest.Builder load = LoadAdapterRequest.newBuilder().setTower(Tower.TOWER_CONTEXT)
          .setCollection("helpdesk").setVersion(3).setRows(384).setCols(384).setDescription("published before the crash");
      for (float v : identity) {
        load.addValues(v);
      }
      StudentAdminGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS).loadAdapter(load.build());
      student.kill9();
      student = start("student-service", "student.server.jar", dir.resolve("student2.log"), studentArgs);
      restarted = NettyChannelBuilder.forTarget(student.target()).usePlaintext().build();
      var info = StudentAdminGrpc.newBlockingStub(restarted).withDeadlineAfter(30, TimeUnit.SECONDS)
          .getModelInfo(GetModelInfoRequest.newBuilder().setCollection("helpdesk").build()).getCollections(0);
      assertEquals(3, info.getContextAdapter().getVersion());
      assertEquals("published before the crash", info.getContextAdapter().getDescription());
      assertEquals(3, awaitAnswer(restarted, "how do I rebuild a collection?").getContextAdapterVersion());

      reprojectThenIngestServesEveryDocumentAsBTimesBase(index, student.target(), restarted, dir);
    } finally {
      channel.shutdownNow();
      if (restarted != null) {
        restarted.shutdownNow();
      }
      student.close();
      index.close();
    }
  }

  /**
   * A response-tower publish reprojects the collection inside the index with one matrix B; the
   * documents ingested after it are projected with the same B, so every served vector, old or new,
   * is B·base: no two towers inside one collection.
   */
  private static void reprojectThenIngestServesEveryDocumentAsBTimesBase(ServiceProcess index, String studentTarget,
      ManagedChannel student, Path dir) throws Exception {
    ManagedChannel indexChannel = NettyChannelBuilder.forTarget(index.target()).usePlaintext().build();
    try {
      var indexStub = IndexServiceGrpc.newBlockingStub(indexChannel).withDeadlineAfter(60, TimeUnit.SECONDS);
      CollectionInfo before = indexStub.getCollection(GetCollectionRequest.newBuilder().setName("helpdesk").build());
      assertTrue(before.getKeepsBaseVectors(), "the student created helpdesk keeping base vectors");
      float[] b = projection(5);
      ReprojectRequest.Builder reproject = ReprojectRequest.newBuilder().setCollection("helpdesk").setRows(384)
          .setCols(384).setVersion(1).setDescription("response run").setExpectedLastSequence(before.getLastSequence());
      for (float v : b) {
        reproject.addValues(v);
      }
      indexStub.reproject(reproject.build());

      Path more = dir.resolve("more.jsonl");
      List<String> lines = new java.util.ArrayList<>();
      for (int i = 0; i < 5; i++) {
        lines.add("{\"id\": \"more-" + i + "\", \"text\": \"a document ingested after the reprojection, number " + i
            + "\"}");
      }
      Files.write(more, lines);
      String out = cli("--target", studentTarget, "ingest", "helpdesk", more.toString());
      assertTrue(out.contains("ingested 5 documents"), out);

      long passages = lines(HELPDESK.resolve("passages.jsonl"));
      int checked = 0;
      String token = "";
      do {
        ListRecordsResponse page = indexStub.listRecords(ListRecordsRequest.newBuilder().setCollection("helpdesk")
            .setIncludeVectors(true).setPageToken(token).build());
        for (Record r : page.getRecordsList()) {
          float[] base = new float[r.getBaseVectorCount()];
          for (int i = 0; i < base.length; i++) {
            base[i] = r.getBaseVector(i);
          }
          assertEquals(384, base.length, r.getId() + " keeps its base vector");
          for (int row = 0; row < 384; row++) {
            double expected = 0;
            for (int c = 0; c < 384; c++) {
              expected += (double) b[row * 384 + c] * base[c];
            }
            assertEquals(expected, r.getVector(row), 1e-4, r.getId() + " component " + row + " is (B·base)");
          }
          checked++;
        }
        token = page.getNextPageToken();
      } while (!token.isEmpty());
      assertEquals(passages + 5, checked);

      CollectionModel model = StudentAdminGrpc.newBlockingStub(student).withDeadlineAfter(30, TimeUnit.SECONDS)
          .getModelInfo(GetModelInfoRequest.newBuilder().setCollection("helpdesk").build()).getCollections(0);
      assertEquals(1, model.getResponseAdapter().getVersion());
      assertEquals("response run", model.getResponseAdapter().getDescription());
      assertTrue(model.getKeepsBaseVectors());
    } finally {
      indexChannel.shutdownNow();
    }
  }

  /** I + seeded noise: a matrix the adapter rules accept that moves every vector. */
  private static float[] projection(long seed) {
    Random random = new Random(seed);
    float[] m = new float[384 * 384];
    for (int i = 0; i < m.length; i++) {
      m[i] = (float) (random.nextGaussian() * 0.2 / Math.sqrt(384)) + (i % 385 == 0 ? 1 : 0);
    }
    return m;
  }

  private static QueryResponse ask(ManagedChannel channel, String question) {
    return StudentServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
        .answer(AnswerRequest.newBuilder().setCollection("helpdesk").setQuestion(question).setK(5).build());
  }

  /** Retries while the student still reports the index as unavailable (breaker open, reconnecting). */
  private static QueryResponse awaitAnswer(ManagedChannel channel, String question) throws InterruptedException {
    StatusRuntimeException last = null;
    for (int i = 0; i < 120; i++) {
      try {
        return ask(channel, question);
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
          throw e;
        }
        last = e;
        Thread.sleep(500);
      }
    }
    throw new AssertionError("the student did not recover within a minute", last);
  }

  private static double helpdeskRecallAt5(ManagedChannel channel) throws Exception {
    List<String> lines = Files.readAllLines(HELPDESK.resolve("questions.jsonl"), StandardCharsets.UTF_8);
    int hits = 0;
    for (String line : lines) {
      JsonObject q = JsonParser.parseString(line).getAsJsonObject();
      String gold = q.get("passage_id").getAsString();
      hits += ask(channel, q.get("question").getAsString()).getCandidatesList().stream()
          .anyMatch(c -> c.getId().equals(gold)) ? 1 : 0;
    }
    return hits / (double) lines.size();
  }

  private static long lines(Path file) throws Exception {
    return Files.readAllLines(file).stream().filter(l -> !l.isBlank()).count();
  }

  private static String cli(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code = StudentCliAccess.run(args, new PrintStream(out, true, StandardCharsets.UTF_8));
    String text = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, code, text);
    return text;
  }

  /** A packaged service (the jar from {@code jarProperty}, which failsafe sets) with a 1 GB heap. */
  private static ServiceProcess start(String name, String jarProperty, Path log, String... args) throws Exception {
    return ServiceProcess.start(name, ServiceProcess.jarFromProperty(jarProperty), List.of("-Xmx1g"), List.of(args), log);
  }
}
