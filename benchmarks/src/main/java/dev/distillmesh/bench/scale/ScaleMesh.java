package dev.distillmesh.bench.scale;

import dev.distillmesh.bench.LatencyStats;
import dev.distillmesh.bench.data.Squad;
import dev.distillmesh.bench.systems.StudentMeshClient;
import dev.distillmesh.proto.index.v1.CollectionInfo;
import dev.distillmesh.proto.index.v1.DropCollectionRequest;
import dev.distillmesh.proto.index.v1.GetCollectionRequest;
import dev.distillmesh.proto.index.v1.GetProjectionRequest;
import dev.distillmesh.proto.index.v1.IndexServiceGrpc;
import dev.distillmesh.proto.index.v1.Projection;
import dev.distillmesh.testsupport.ServiceProcess;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The mesh the benchmark measures, as a user runs it: index-service, student-service and
 * teacher-service (embedded e5) as separate JVMs on loopback, started once; trainers started one
 * per run ({@link #startTrainer}), so each run's resident memory is its own. Collections are
 * ingested through the student's {@code Ingest}, or reused when the index (a kept {@code
 * --index-dir}) already holds them whole.
 *
 * <p>Owns the processes and channels it opens; {@link #close} stops them. Not thread-safe except
 * {@link #student()}, whose client is.
 */
final class ScaleMesh implements AutoCloseable {
  private final ScaleConfig config;
  private final Path work;
  private final PrintStream out;
  private final List<AutoCloseable> opened = new ArrayList<>();
  private final ServiceProcess index;
  private final ServiceProcess student;
  private final ServiceProcess teacher; // null when no part trains
  private final StudentMeshClient studentClient;
  private final ManagedChannel indexChannel;
  private int trainers;

  /** What ingesting (or finding) one collection gave. */
  record Ingested(String collection, int documents, double seconds, boolean reused, boolean keepsBaseVectors,
      LatencyStats answer) {
    double docsPerSecond() {
      return reused ? 0 : documents / seconds;
    }
  }

  private ScaleMesh(ScaleConfig config, Path work, PrintStream out) throws IOException, InterruptedException {
    this.config = config;
    this.work = work;
    this.out = out;
    List<String> jvm = List.of("-Xmx" + config.serviceHeap());
    Path indexDir = config.indexDir() != null ? config.indexDir() : work.resolve("index");
    try {
      index = open(ServiceProcess.start("index-service", jar("index-service"), jvm,
          List.of("--port", "0", "--data-dir", indexDir.toString()), work.resolve("index.log")));
      student = open(ServiceProcess.start("student-service", jar("student-service"), jvm,
          List.of("--port", "0", "--index", index.target(), "--adapter-dir", work.resolve("adapters").toString(),
              "--traffic-buffer", "400000"), work.resolve("student.log")));
      // Only runs that train need the teacher (e5 takes a core for a while to load).
      teacher = config.trains() ? open(ServiceProcess.start("teacher-service", jar("teacher-service"), jvm,
          List.of("--port", "0", "--request-timeout-ms", "1800000"), work.resolve("teacher.log"))) : null;
      studentClient = open(new StudentMeshClient(student.port(), Duration.ofSeconds(60)));
      indexChannel = NettyChannelBuilder.forTarget(index.target()).usePlaintext().build();
      opened.add(() -> {
        indexChannel.shutdownNow();
        indexChannel.awaitTermination(10, TimeUnit.SECONDS);
      });
    } catch (IOException | InterruptedException | RuntimeException e) {
      close();
      throw e;
    }
  }

  static ScaleMesh start(ScaleConfig config, Path work, PrintStream out) throws IOException, InterruptedException {
    return new ScaleMesh(config, work, out);
  }

  private <T extends AutoCloseable> T open(T resource) {
    opened.add(resource);
    return resource;
  }

  private Path jar(String service) {
    return config.root().resolve(service).resolve("target").resolve(service + ".jar");
  }

  StudentMeshClient student() {
    return studentClient;
  }

  IndexServiceGrpc.IndexServiceBlockingStub index(Duration deadline) {
    return IndexServiceGrpc.newBlockingStub(indexChannel).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
  }

  Optional<CollectionInfo> collection(String name) {
    try {
      return Optional.of(index(Duration.ofSeconds(30)).getCollection(
          GetCollectionRequest.newBuilder().setName(name).build()));
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
  }

  Projection projection(String name) {
    return index(Duration.ofSeconds(30)).getProjection(GetProjectionRequest.newBuilder().setCollection(name).build());
  }

  /**
   * Makes {@code name} hold exactly {@code documents}: reused when the index holds that many and
   * keeps base vectors, else dropped (if present) and ingested through the student. Then the
   * ingest-time queries are taken out of the student's traffic buffer, and Answer is timed on
   * {@code questions} (what a client sees at this size).
   */
  Ingested ensureCollection(String name, List<Squad.Passage> documents, List<String> questions)
      throws InterruptedException {
    Optional<CollectionInfo> have = collection(name);
    boolean reuse = have.isPresent() && have.get().getLiveCount() == documents.size() && have.get().getKeepsBaseVectors();
    double seconds = 0;
    if (reuse) {
      out.printf(Locale.ROOT, "collection %s: reusing the index's %,d documents%n", name, have.get().getLiveCount());
    } else {
      if (have.isPresent()) {
        out.printf(Locale.ROOT, "collection %s holds %,d documents (keeps base vectors: %s), not the %,d wanted:"
            + " dropping it%n", name, have.get().getLiveCount(), have.get().getKeepsBaseVectors(), documents.size());
        index(Duration.ofMinutes(5)).dropCollection(DropCollectionRequest.newBuilder().setName(name).build());
      }
      out.printf(Locale.ROOT, "collection %s: ingesting %,d documents through the student...%n", name,
          documents.size());
      long t0 = System.nanoTime();
      studentClient.ingest(name, config.indexSpec(), documents, Duration.ofHours(2));
      seconds = (System.nanoTime() - t0) / 1e9;
    }
    CollectionInfo info = collection(name).orElseThrow(() -> new IllegalStateException(name + " missing after ingest"));
    if (info.getLiveCount() != documents.size()) {
      throw new IllegalStateException(name + " holds " + info.getLiveCount() + " documents after ingest, not "
          + documents.size());
    }
    if (!info.getKeepsBaseVectors()) {
      out.println("  warning: " + name + " does not keep base vectors (a student older than the per-collection"
          + " contract created it): Reproject will refuse it");
    }
    studentClient.takeAllTraffic(name);
    LatencyStats answer = answerLatencies(name, questions, 300, 1000);
    out.printf(Locale.ROOT, "  %,d documents %s; Answer p50 %.2f ms, p99 %.2f ms%n", documents.size(),
        reuse ? "reused" : String.format(Locale.ROOT, "in %.0f s (%.0f docs/s)", seconds, documents.size() / seconds),
        answer.p50Ms(), answer.p99Ms());
    return new Ingested(name, documents.size(), seconds, reuse, info.getKeepsBaseVectors(), answer);
  }

  /**
   * {@code warmup} untimed then {@code calls} timed sequential Answer calls (k 10) cycling through
   * {@code questions}; the probes are then taken out of the traffic buffer (they are not training
   * traffic).
   */
  LatencyStats answerLatencies(String collection, List<String> questions, int warmup, int calls) {
    for (int i = 0; i < warmup; i++) {
      studentClient.answer(questions.get(i % questions.size()), collection, 10, 0);
    }
    long[] nanos = new long[calls];
    for (int i = 0; i < calls; i++) {
      long t0 = System.nanoTime();
      studentClient.answer(questions.get((warmup + i) % questions.size()), collection, 10, 0);
      nanos[i] = System.nanoTime() - t0;
    }
    studentClient.takeAllTraffic(collection);
    return LatencyStats.of(nanos);
  }

  /**
   * A fresh trainer JVM (its own runs directory, {@code -Xmx} the configured trainer heap, equal
   * for every run), connected to this mesh. The caller closes it.
   */
  ServiceProcess startTrainer(String label) throws IOException, InterruptedException {
    if (teacher == null) {
      throw new IllegalStateException("no teacher started: no part of this run trains");
    }
    int n = ++trainers;
    Path runs = work.resolve("runs-" + n + "-" + label);
    return ServiceProcess.start("trainer", jar("trainer"), List.of("-Xmx" + config.trainerHeap()),
        List.of("--port", "0", "--runs-dir", runs.toString(), "--student", student.target(), "--teacher",
            teacher.target(), "--index", index.target(), "--data-dirs",
            config.dataDir().toAbsolutePath().normalize() + "," + work.toAbsolutePath()),
        work.resolve("trainer-" + n + "-" + label + ".log"));
  }

  /** Stops everything opened, newest first; keeps going past a failure. */
  @Override
  public void close() throws InterruptedException {
    for (int i = opened.size() - 1; i >= 0; i--) {
      try {
        opened.get(i).close();
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        out.println("closing " + opened.get(i) + ": " + e);
      }
    }
    opened.clear();
  }
}
