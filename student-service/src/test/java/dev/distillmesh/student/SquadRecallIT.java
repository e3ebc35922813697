package dev.distillmesh.student;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.distillmesh.index.IndexServer;
import dev.distillmesh.index.IndexServerConfig;
import dev.distillmesh.proto.student.v1.AnswerRequest;
import dev.distillmesh.proto.student.v1.StudentServiceGrpc;
import dev.distillmesh.student.cli.StudentCliAccess;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Quality check on real data: ingest SQuAD dev's 2,067 passages (title + ". " + text) with the
 * ingest command over real sockets, ask 2,000 seeded questions through Answer, and compare recall
 * with all-MiniLM-L6-v2's reference (R@1 0.623): the serving path must not lose quality. HNSW32 at
 * efSearch 256 must stay within half a point of exact (Flat) search. Skipped, saying why, when the
 * shared datasets are not beside the checkout.
 */
class SquadRecallIT {
  private static final double REFERENCE_R1 = 0.623;
  private static final int QUESTIONS = 2000;

  @Test
  void ingestingSquadAndAskingItsQuestionsReproducesMiniLmRecall(@TempDir Path dir) throws Exception {
    Path squad = Path.of(System.getProperty("shared.data.dir", "../../shared/data")).resolve("squad-dev");
    Assumptions.assumeTrue(Files.isRegularFile(squad.resolve("passages.jsonl")),
        "skipped: " + squad.toAbsolutePath() + " not found; the SQuAD quality check needs ../shared/data beside the checkout");

    IndexServer index = IndexServer.start(IndexServerConfig.parse(
        new String[] {"--port", "0", "--data-dir", dir.resolve("index").toString()}, Map.of()),
        NettyServerBuilder.forPort(0));
    ManagedChannel indexChannel = NettyChannelBuilder.forTarget("127.0.0.1:" + index.port()).usePlaintext().build();
    StudentServer student = StudentServer.start(StudentServerConfig.parse(new String[] {
        "--adapter-dir", dir.resolve("adapters").toString(), "--index", "127.0.0.1:" + index.port()}, Map.of()),
        NettyServerBuilder.forPort(0), indexChannel);
    String target = "127.0.0.1:" + student.port();
    ManagedChannel channel = NettyChannelBuilder.forTarget(target).usePlaintext().build();
    try {
      for (String[] c : new String[][] {{"squad_flat", "Flat"}, {"squad_hnsw", "HNSW32,Flat"}}) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = StudentCliAccess.run(new String[] {"--target", target, "ingest", c[0],
            squad.resolve("passages.jsonl").toString(), "--spec", c[1]}, new PrintStream(out, true, StandardCharsets.UTF_8));
        assertEquals(0, code, out.toString(StandardCharsets.UTF_8));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("ingested 2067 documents"), out.toString(StandardCharsets.UTF_8));
      }
      List<String[]> questions = sample(squad.resolve("queries.jsonl"));
      double flat = recallAt1(channel, "squad_flat", 0, questions);
      double hnsw = recallAt1(channel, "squad_hnsw", 256, questions);
      System.out.printf("squad-dev R@1 over %d questions: Flat %.4f, HNSW32 ef 256 %.4f (reference %.3f)%n",
          questions.size(), flat, hnsw, REFERENCE_R1);
      assertEquals(REFERENCE_R1, flat, 0.02, "Flat R@1 should reproduce all-MiniLM-L6-v2's reference");
      assertEquals(flat, hnsw, 0.005, "HNSW32 at efSearch 256 should be within half a point of Flat");
    } finally {
      channel.shutdownNow();
      student.close();
      indexChannel.shutdownNow();
      index.close();
    }
  }

  /** 2,000 (question, gold passage id) pairs, seeded. */
  private static List<String[]> sample(Path queries) throws Exception {
    List<String[]> all = new ArrayList<>();
    for (String line : Files.readAllLines(queries, StandardCharsets.UTF_8)) {
      JsonObject o = JsonParser.parseString(line).getAsJsonObject();
      all.add(new String[] {o.get("question").getAsString(), o.get("passage_id").getAsString()});
    }
    Collections.shuffle(all, new Random(42));
    return all.subList(0, QUESTIONS);
  }

  /** Fraction of questions whose top answer is the gold passage; 8 calls in flight (batched by the student). */
  private static double recallAt1(ManagedChannel channel, String collection, int ef, List<String[]> questions)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Boolean>> hits = new ArrayList<>();
      for (String[] q : questions) {
        hits.add(pool.submit(() -> StudentServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
            .answer(AnswerRequest.newBuilder().setCollection(collection).setQuestion(q[0]).setK(1).setEfSearch(ef).build())
            .getCandidates(0).getId().equals(q[1])));
      }
      int correct = 0;
      for (Future<Boolean> h : hits) {
        correct += h.get() ? 1 : 0;
      }
      return correct / (double) questions.size();
    } finally {
      pool.shutdownNow();
    }
  }
}
