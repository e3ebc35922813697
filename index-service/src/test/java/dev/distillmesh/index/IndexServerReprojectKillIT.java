package dev.distillmesh.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.common.ClientStream;
import dev.distillmesh.proto.index.v1.CollectionInfo;
import dev.distillmesh.proto.index.v1.CreateCollectionRequest;
import dev.distillmesh.proto.index.v1.GetCollectionRequest;
import dev.distillmesh.proto.index.v1.GetPayloadsRequest;
import dev.distillmesh.proto.index.v1.GetProjectionRequest;
import dev.distillmesh.proto.index.v1.PayloadEntry;
import dev.distillmesh.proto.index.v1.Projection;
import dev.distillmesh.proto.index.v1.QueryVector;
import dev.distillmesh.proto.index.v1.Record;
import dev.distillmesh.proto.index.v1.ReprojectRequest;
import dev.distillmesh.proto.index.v1.ReprojectResponse;
import dev.distillmesh.proto.index.v1.SearchRequest;
import dev.distillmesh.proto.index.v1.UpsertRequest;
import dev.distillmesh.proto.index.v1.UpsertResponse;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A kill -9 of the packaged server while a Reproject runs, twice: once while it projects the
 * records (before any file of the new generation exists) and once while it writes the new
 * generation to disk. After each restart the generation that serves is a complete one (the old,
 * or the new if the kill came after CURRENT flipped), every acknowledged record is there with its
 * base vector and is served as P·base with that generation's P; a fresh Reproject then succeeds
 * (its time is printed), and after another kill -9 the projection and the projected vectors are
 * still there, as is a write made after it (replayed with the new matrix).
 */
class IndexServerReprojectKillIT {
  private static final int D = 384;
  private static final int N = 20_000;
  private static final int LOOKUP_BATCH = 500; // ids per GetPayloads: 500 x 2 vectors x 1.5 KiB, well under 4 MiB
  private static final String C = "big";

  @TempDir Path work;
  @RegisterExtension final ServerProcesses servers = new ServerProcesses();

  private IndexServerProcess start(String name) throws Exception {
    return servers.start(work.resolve("data"), work.resolve(name + ".log"));
  }

  @Test
  void kill9DuringAReprojectLeavesACompleteGenerationServingAndLosesNothing() throws Exception {
    float[][] bases = bases(N, D, 41);
    float[] b1 = matrix(1.5, 42);
    float[] b2 = matrix(0.8, 43);

    IndexServerProcess first = start("run1");
    first.blocking().createCollection(CreateCollectionRequest.newBuilder().setName(C).setDimension(D)
        .setIndexSpec("Flat").setKeepBaseVectors(true).build());
    for (int i = 0; i < N; i += 1000) {
      upsert(first, bases, i, Math.min(N, i + 1000));
    }
    CompletableFuture<ReprojectResponse> during = reproject(first, b1, 1);
    while (!first.blocking().getCollection(GetCollectionRequest.newBuilder().setName(C).build()).getRebuilding()) {
      assertFalse(during.isDone(), "the reprojection ended before it could be interrupted");
    }
    first.kill9(); // while it projects: the new generation has no file yet

    IndexServerProcess second = start("run2");
    CollectionInfo afterFirst = info(second);
    assertEquals(1, afterFirst.getGeneration());
    assertEquals(0, afterFirst.getProjectionVersion());
    assertFalse(afterFirst.getRebuilding());
    assertServed(second, bases, null, N);
    assertEquals(List.of("gen-00000001"), generationDirs());

    Path newGen = work.resolve("data/collections").resolve(C).resolve("gen-00000002");
    CompletableFuture<ReprojectResponse> writing = reproject(second, b1, 1);
    while (!Files.exists(newGen) && !writing.isDone()) {
      Thread.onSpinWait();
    }
    second.kill9(); // while the new generation is written (or, at the latest, just after its CURRENT flip)

    IndexServerProcess third = start("run3");
    CollectionInfo afterSecond = info(third);
    boolean flipped = afterSecond.getProjectionVersion() == 1;
    assertEquals(flipped ? 2 : 1, afterSecond.getGeneration());
    assertServed(third, bases, flipped ? b1 : null, N);
    assertEquals(List.of(flipped ? "gen-00000002" : "gen-00000001"), generationDirs());
    System.out.printf("kill -9 while writing the new generation: %s generation serves%n", flipped ? "the new" : "the old");

    long version = afterSecond.getProjectionVersion() + 1;
    long t0 = System.nanoTime();
    ReprojectResponse done = reproject(third, b2, version).get();
    double seconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf("Reproject of %,d records x %d (Flat, keep_base_vectors): %.2f s%n", N, D, seconds);
    assertEquals(afterSecond.getGeneration() + 1, done.getGeneration());
    assertEquals(N, done.getRecordCount());
    assertEquals(version, done.getProjectionVersion());
    float[][] withLate = java.util.Arrays.copyOf(bases, N + 10);
    float[][] late = bases(10, D, 44);
    System.arraycopy(late, 0, withLate, N, 10);
    upsert(third, withLate, N, N + 10); // logged after the swap: replayed with b2
    third.kill9();
    try (Stream<String> lines = Files.lines(work.resolve("run3.log"))) {
      String line = lines.filter(l -> l.contains("reprojected:")).findFirst().orElseThrow();
      System.out.println("server: " + line.substring(line.indexOf("collection ")));
    }

    IndexServerProcess fourth = start("run4");
    CollectionInfo last = info(fourth);
    assertEquals(done.getGeneration(), last.getGeneration());
    assertEquals(version, last.getProjectionVersion());
    assertEquals("run " + version, last.getProjectionDescription());
    assertEquals(N + 10, last.getLiveCount());
    Projection p = fourth.blocking().getProjection(GetProjectionRequest.newBuilder().setCollection(C).build());
    assertEquals(version, p.getVersion());
    float[] served = new float[p.getValuesCount()];
    for (int i = 0; i < served.length; i++) {
      served[i] = p.getValues(i);
    }
    assertArrayEquals(b2, served);
    assertServed(fourth, withLate, b2, N + 10);
  }

  private List<String> generationDirs() throws Exception {
    try (Stream<Path> dirs = Files.list(work.resolve("data/collections").resolve(C))) {
      return dirs.map(d -> d.getFileName().toString()).filter(n -> n.startsWith("gen-")).sorted().toList();
    }
  }

  private static CollectionInfo info(IndexServerProcess server) {
    return server.blocking().getCollection(GetCollectionRequest.newBuilder().setName(C).build());
  }

  private static String id(int i) {
    return "r-" + i;
  }

  private static void upsert(IndexServerProcess server, float[][] bases, int from, int to) throws Exception {
    UpsertRequest.Builder b = UpsertRequest.newBuilder().setCollection(C);
    for (int i = from; i < to; i++) {
      Record.Builder r = Record.newBuilder().setId(id(i));
      r.getPayloadBuilder().setText("text of " + id(i));
      for (float x : bases[i]) {
        r.addBaseVector(x);
      }
      b.addRecords(r);
    }
    ClientStream<UpsertRequest, UpsertResponse> call = ClientStream.open(server.async()::upsert);
    call.send(b.build());
    assertEquals(to - from, call.finish().getUpserted());
  }

  private static CompletableFuture<ReprojectResponse> reproject(IndexServerProcess server, float[] m, long version) {
    ReprojectRequest.Builder b = ReprojectRequest.newBuilder().setCollection(C).setRows(D).setCols(D)
        .setVersion(version).setDescription("run " + version);
    for (float x : m) {
      b.addValues(x);
    }
    CompletableFuture<ReprojectResponse> result = new CompletableFuture<>();
    server.async().reproject(b.build(), new StreamObserver<>() {
      @Override
      public void onNext(ReprojectResponse r) {
        result.complete(r);
      }

      @Override
      public void onError(Throwable t) {
        result.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {}
    });
    return result;
  }

  /**
   * Every record of {@code bases[0..n)} is there with its exact base vector; every 20th is served
   * as m·base (the identity when m is null) and is found first by a search for that vector.
   */
  private static void assertServed(IndexServerProcess server, float[][] bases, float[] m, int n) {
    for (int from = 0; from < n; from += LOOKUP_BATCH) {
      GetPayloadsRequest.Builder req = GetPayloadsRequest.newBuilder().setCollection(C).setIncludeVectors(true);
      for (int i = from; i < Math.min(n, from + LOOKUP_BATCH); i++) {
        req.addIds(id(i));
      }
      List<PayloadEntry> entries = server.blocking().getPayloads(req.build()).getEntriesList();
      for (int j = 0; j < entries.size(); j++) {
        int i = from + j;
        PayloadEntry e = entries.get(j);
        assertTrue(e.getFound(), id(i) + " was acknowledged and must be there");
        assertEquals("text of " + id(i), e.getPayload().getText());
        assertArrayEquals(bases[i], floats(e.getBaseVectorList()), id(i) + "'s base vector");
        if (i % 20 == 0) {
          float[] expected = m == null ? bases[i] : times(m, bases[i]);
          assertArrayEquals(expected, floats(e.getVectorList()), 1e-4f, id(i) + "'s served vector");
          if (i % 1000 == 0) {
            QueryVector.Builder q = QueryVector.newBuilder();
            for (float x : expected) {
              q.addValues(x);
            }
            assertEquals(id(i), server.blocking().search(SearchRequest.newBuilder().setCollection(C).setK(1)
                .addQueries(q).build()).getResults(0).getHits(0).getId());
          }
        }
      }
    }
  }

  private static float[] floats(List<Float> values) {
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }

  private static float[][] bases(int n, int d, long seed) {
    Random random = new Random(seed);
    float[][] out = new float[n][d];
    for (float[] v : out) {
      double norm = 0;
      for (int j = 0; j < d; j++) {
        v[j] = (float) random.nextGaussian();
        norm += v[j] * v[j];
      }
      for (int j = 0; j < d; j++) {
        v[j] /= (float) Math.sqrt(norm);
      }
    }
    return out;
  }

  /** scale·I plus a seeded skew-symmetric part: a matrix the adapter rules accept. */
  private static float[] matrix(double scale, long seed) {
    Random random = new Random(seed);
    float[] m = new float[D * D];
    for (int r = 0; r < D; r++) {
      m[r * D + r] = (float) scale;
      for (int c = r + 1; c < D; c++) {
        float x = (float) (0.3 * random.nextGaussian() / Math.sqrt(D));
        m[r * D + c] = x;
        m[c * D + r] = -x;
      }
    }
    return m;
  }

  private static float[] times(float[] m, float[] v) {
    float[] out = new float[D];
    for (int r = 0; r < D; r++) {
      double s = 0;
      for (int c = 0; c < D; c++) {
        s += (double) m[r * D + c] * v[c];
      }
      out[r] = (float) s;
    }
    return out;
  }
}
