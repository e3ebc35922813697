package dev.distillmesh.bench.scale;

import dev.distillmesh.bench.LatencyStats;
import dev.distillmesh.bench.systems.StudentMeshClient;
import dev.distillmesh.proto.index.v1.CollectionInfo;
import dev.distillmesh.proto.index.v1.Projection;
import dev.distillmesh.proto.index.v1.ReprojectRequest;
import dev.distillmesh.proto.index.v1.ReprojectResponse;
import io.grpc.StatusRuntimeException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Reprojects a collection through the index's {@code Reproject} with a seeded non-identity B, and
 * measures the student's {@code Answer} on it just before and while the reprojection runs
 * (sequential calls from one client, as {@link ScaleMesh#answerLatencies} does). Checks that the
 * collection then serves B ({@code GetProjection}), and reprojects it back with the identity, so
 * the collection serves its base vectors again for whatever runs next.
 */
final class ReprojectProbe {
  private static final Duration REPROJECT_DEADLINE = Duration.ofMinutes(60);

  private final ScaleMesh mesh;
  private final ScaleConfig config;
  private final PrintStream out;

  /**
   * @param seconds the reprojection with B, as the client saw it; {@code restoreSeconds} the one
   *     back to the identity
   * @param error empty, or why the reprojection failed
   */
  record Result(String collection, long records, double seconds, double restoreSeconds, LatencyStats before,
      LatencyStats during, int answerErrors, boolean servesB, String error) {
    boolean ok() {
      return error.isEmpty();
    }
  }

  ReprojectProbe(ScaleMesh mesh, ScaleConfig config, PrintStream out) {
    this.mesh = mesh;
    this.config = config;
    this.out = out;
  }

  Result measure(String collection, List<String> questions) throws InterruptedException {
    CollectionInfo info = mesh.collection(collection).orElseThrow();
    int d = info.getDimension();
    float[] b = Projections.noisyIdentity(d, config.reprojectNoise(), config.seed());
    Projection current = mesh.projection(collection);
    out.printf(Locale.ROOT, "%nreproject: %s (%,d records, d %d, projection v%d) with B = I + %.3g noise (seed %d);"
        + " Answer timed over %,d calls before%n", collection, info.getLiveCount(), d, current.getVersion(),
        config.reprojectNoise(), config.seed(), config.latencyCalls());
    LatencyStats before = mesh.answerLatencies(collection, questions, 300, config.latencyCalls());
    out.printf(Locale.ROOT, "  before: Answer p50 %.2f ms, p99 %.2f ms%n", before.p50Ms(), before.p99Ms());

    ExecutorService pool = Executors.newSingleThreadExecutor(r -> new Thread(r, "reproject"));
    try {
      ReprojectRequest request = request(collection, d, b, current.getVersion() + 1, info.getLastSequence(),
          "benchmark: I + noise");
      long t0 = System.nanoTime();
      CompletableFuture<ReprojectResponse> call = CompletableFuture.supplyAsync(
          () -> mesh.index(REPROJECT_DEADLINE).reproject(request), pool);
      long[] nanos = new long[1024];
      int n = 0;
      int errors = 0;
      StudentMeshClient student = mesh.student();
      while (!call.isDone()) {
        long s = System.nanoTime();
        try {
          student.answer(questions.get(n % questions.size()), collection, 10, 0);
        } catch (StatusRuntimeException e) {
          errors++;
        }
        if (n == nanos.length) {
          nanos = Arrays.copyOf(nanos, n * 2);
        }
        nanos[n++] = System.nanoTime() - s;
      }
      ReprojectResponse response;
      try {
        response = call.get();
      } catch (ExecutionException e) {
        String why = e.getCause() instanceof StatusRuntimeException sre ? sre.getStatus().toString()
            : String.valueOf(e.getCause());
        out.println("  Reproject failed: " + why);
        return new Result(collection, info.getLiveCount(), 0, 0, before, during(nanos, n), errors,
            false, why);
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      LatencyStats during = during(nanos, n);
      mesh.student().takeAllTraffic(collection);
      Projection now = mesh.projection(collection);
      boolean servesB = now.getVersion() == response.getProjectionVersion()
          && Projections.maxDifference(b, floats(now)) == 0;
      out.printf(Locale.ROOT, "  Reproject: %,d records in %.1f s, generation %d, projection v%d (serves B: %s);"
          + " meanwhile %,d Answer calls, p50 %.2f ms, p99 %.2f ms, %d errors%n", response.getRecordCount(), seconds,
          response.getGeneration(), response.getProjectionVersion(), servesB, during.count(), during.p50Ms(),
          during.p99Ms(), errors);

      long t1 = System.nanoTime();
      CollectionInfo after = mesh.collection(collection).orElseThrow();
      ReprojectResponse restored = mesh.index(REPROJECT_DEADLINE).reproject(request(collection, d,
          Projections.identity(d), response.getProjectionVersion() + 1, after.getLastSequence(),
          "benchmark: back to the identity"));
      double restoreSeconds = (System.nanoTime() - t1) / 1e9;
      out.printf(Locale.ROOT, "  back to the identity in %.1f s (projection v%d)%n", restoreSeconds,
          restored.getProjectionVersion());
      return new Result(collection, response.getRecordCount(), seconds, restoreSeconds, before, during, errors,
          servesB, "");
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Puts the collection back on the identity when an earlier, interrupted run left it projected
   * (a kept {@code --index-dir}), so every run starts from the base vectors.
   */
  void ensureIdentity(String collection) {
    Projection p = mesh.projection(collection);
    int d = p.getRows();
    if (p.getVersion() == 0 || Projections.maxDifference(floats(p), Projections.identity(d)) == 0) {
      return;
    }
    CollectionInfo info = mesh.collection(collection).orElseThrow();
    out.printf(Locale.ROOT, "collection %s serves projection v%d, not the identity: reprojecting it back%n",
        collection, p.getVersion());
    mesh.index(REPROJECT_DEADLINE).reproject(request(collection, d, Projections.identity(d), p.getVersion() + 1,
        info.getLastSequence(), "benchmark: back to the identity"));
  }

  private static ReprojectRequest request(String collection, int d, float[] matrix, long version, long lastSequence,
      String description) {
    ReprojectRequest.Builder r = ReprojectRequest.newBuilder().setCollection(collection).setRows(d).setCols(d)
        .setVersion(version).setDescription(description).setExpectedLastSequence(lastSequence);
    for (float v : matrix) {
      r.addValues(v);
    }
    return r.build();
  }

  private static float[] floats(Projection p) {
    float[] f = new float[p.getValuesCount()];
    for (int i = 0; i < f.length; i++) {
      f[i] = p.getValues(i);
    }
    return f;
  }

  private static LatencyStats during(long[] nanos, int n) {
    return n == 0 ? LatencyStats.NONE : LatencyStats.of(Arrays.copyOf(nanos, n));
  }
}
