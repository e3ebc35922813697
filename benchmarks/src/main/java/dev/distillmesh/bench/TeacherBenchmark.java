package dev.distillmesh.bench;

import dev.distillmesh.bench.data.Squad;
import dev.distillmesh.bench.systems.MemoryProbe;
import dev.distillmesh.bench.systems.StudentMeshClient;
import dev.distillmesh.proto.teacher.v1.InfoRequest;
import dev.distillmesh.proto.teacher.v1.InfoResponse;
import dev.distillmesh.proto.teacher.v1.ScoreItem;
import dev.distillmesh.proto.teacher.v1.ScoreKind;
import dev.distillmesh.proto.teacher.v1.ScoreRequest;
import dev.distillmesh.proto.teacher.v1.ScoreStreamRequest;
import dev.distillmesh.proto.teacher.v1.ScoreStreamResponse;
import dev.distillmesh.proto.teacher.v1.TeacherServiceGrpc;
import dev.distillmesh.testsupport.ServiceProcess;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The teacher benchmark: what a teacher judgement costs, measured over gRPC against real
 * processes in one run, each figure next to its baseline.
 *
 * <ol>
 *   <li><b>Uncached vs cached candidates</b>: the embedded teacher (e5-small-v2) judges one
 *       SQuAD question against 32 passages it has never seen (every passage encoded), then the same
 *       judgements again (every passage from the candidate cache): pairs/s of each, and the ratio.
 *   <li><b>One teacher judgement vs one student Answer</b>: the uncached judgement's latency over
 *       the latency of the student's Answer (question encoded, index searched; student-service and
 *       index-service as their own processes) on the same questions.
 *   <li><b>StreamScores sustained rate</b>: one stream keeping the server's window full of cached
 *       judgements, vs the same judgements sent one unary Score at a time.
 * </ol>
 *
 * A program, not a test. Run it with {@code scripts/bench-teacher.sh}.
 */
public final class TeacherBenchmark {
  private static final int CANDIDATES = 32;
  private static final String COLLECTION = "squad";

  private final Path dataDir;
  private final Path root;
  private final int judgements;
  private final int streamRequests;
  private final PrintStream out = System.out;

  private TeacherBenchmark(Path dataDir, Path root, int judgements, int streamRequests) {
    this.dataDir = dataDir;
    this.root = root;
    this.judgements = judgements;
    this.streamRequests = streamRequests;
  }

  public static void main(String[] args) throws Exception {
    Path dataDir = Path.of("../shared/data");
    Path root = Path.of(".");
    int judgements = 40;
    int streamRequests = 4000;
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--data-dir" -> dataDir = Path.of(require(args[i], value));
        case "--root" -> root = Path.of(require(args[i], value));
        case "--judgements" -> judgements = Integer.parseInt(require(args[i], value));
        case "--stream-requests" -> streamRequests = Integer.parseInt(require(args[i], value));
        default -> {
          System.err.println("usage: TeacherBenchmark [--data-dir DIR] [--root REPO] [--judgements N]"
              + " [--stream-requests N]");
          System.exit(2);
        }
      }
      i++;
    }
    new TeacherBenchmark(dataDir, root, judgements, streamRequests).run();
  }

  private static String require(String flag, String value) {
    if (value == null) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return value;
  }

  private void run() throws Exception {
    Squad squad = Squad.load(dataDir, 2000, 42);
    int needed = (judgements + 2) * CANDIDATES;
    if (squad.passages().size() < needed) {
      throw new IllegalArgumentException(judgements + " judgements need " + needed + " distinct passages; squad-dev has "
          + squad.passages().size());
    }
    out.printf(Locale.ROOT, "teacher benchmark: %d judgements of 1 question + %d passages, %d-request stream;"
        + " %d cores, java %s%n", judgements, CANDIDATES, streamRequests, Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"));
    Path work = Files.createTempDirectory("distillmesh-bench-teacher-");
    Thread cleanup = new Thread(ServiceProcess::stopAllStartedByThisJvm, "bench-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    List<String> jvm = List.of("-Xmx2g");
    try (ServiceProcess teacher = ServiceProcess.start("teacher-service", jar("teacher-service"), jvm,
            List.of("--port", "0", "--request-timeout-ms", "600000"), work.resolve("teacher.log"));
        ServiceProcess index = ServiceProcess.start("index-service", jar("index-service"), jvm,
            List.of("--port", "0", "--data-dir", work.resolve("index").toString()), work.resolve("index.log"));
        ServiceProcess student = ServiceProcess.start("student-service", jar("student-service"), jvm,
            List.of("--port", "0", "--index", "127.0.0.1:" + index.port(), "--adapter-dir",
                work.resolve("adapters").toString()), work.resolve("student.log"));
        StudentMeshClient studentClient = new StudentMeshClient(student.port(), Duration.ofSeconds(30))) {
      ManagedChannel channel = NettyChannelBuilder.forTarget("127.0.0.1:" + teacher.port()).usePlaintext()
          .maxInboundMessageSize(64 << 20).build();
      try {
        measure(squad, TeacherServiceGrpc.newBlockingStub(channel), TeacherServiceGrpc.newStub(channel),
            studentClient);
      } finally {
        channel.shutdownNow();
      }
    } finally {
      MemoryProbe.deleteRecursively(work);
      Runtime.getRuntime().removeShutdownHook(cleanup);
    }
  }

  private Path jar(String service) {
    return root.resolve(service).resolve("target").resolve(service + ".jar");
  }

  private void measure(Squad squad, TeacherServiceGrpc.TeacherServiceBlockingStub teacher,
      TeacherServiceGrpc.TeacherServiceStub teacherAsync, StudentMeshClient student) throws Exception {
    List<String> passages = squad.passageTexts();
    List<String> questions = squad.questions().stream().map(Squad.Question::text).toList();

    out.println("ingesting " + passages.size() + " passages through the student...");
    student.ingest(COLLECTION, "HNSW32,Flat", squad.passages(), Duration.ofMinutes(30));
    // Warm-up: the student's JIT needs a few thousand calls; the teacher's a few judgements, on
    // passages that the measured judgements will not use.
    for (int i = 0; i < 3000; i++) {
      student.answer(questions.get(i % questions.size()), COLLECTION, 10, 0);
    }
    for (int w = 0; w < 2; w++) {
      teacher.score(judgement(questions.get(questions.size() - 1 - w),
          passages.subList(passages.size() - (w + 1) * CANDIDATES, passages.size() - w * CANDIDATES)));
    }

    long[] studentNanos = new long[judgements * 10];
    for (int i = 0; i < studentNanos.length; i++) {
      long t0 = System.nanoTime();
      student.answer(questions.get(i % questions.size()), COLLECTION, 10, 0);
      studentNanos[i] = System.nanoTime() - t0;
    }

    List<ScoreRequest> requests = new ArrayList<>();
    for (int j = 0; j < judgements; j++) {
      requests.add(judgement(questions.get(j), passages.subList(j * CANDIDATES, (j + 1) * CANDIDATES)));
    }
    out.println("teacher judgements on uncached passages...");
    long[] uncached = time(teacher, requests);
    out.println("the same judgements again, passages from the cache...");
    long[] cached = time(teacher, requests);
    for (int r = 0; r < 4; r++) { // more cached rounds: the JIT settles
      cached = time(teacher, requests);
    }
    InfoResponse info = teacher.info(InfoRequest.getDefaultInstance());

    List<ScoreRequest> streamed = new ArrayList<>();
    for (int i = 0; i < streamRequests; i++) {
      streamed.add(requests.get(i % requests.size()).toBuilder()
          .setItems(0, requests.get(i % requests.size()).getItems(0).toBuilder().setContext(questions.get(i % questions.size())))
          .build());
    }
    out.println("unary Score, one at a time, " + streamRequests + " cached judgements...");
    long unaryStart = System.nanoTime();
    time(teacher, streamed);
    double unarySeconds = (System.nanoTime() - unaryStart) / 1e9;
    out.println("StreamScores, one stream, " + streamRequests + " cached judgements...");
    double streamSeconds = stream(teacherAsync, streamed);

    double studentP50 = percentile(studentNanos, 50);
    double uncachedP50 = percentile(uncached, 50);
    double cachedP50 = percentile(cached, 50);
    double uncachedPairs = CANDIDATES * uncached.length / (sum(uncached) / 1e9);
    double cachedPairs = CANDIDATES * cached.length / (sum(cached) / 1e9);
    double unaryRate = streamRequests / unarySeconds;
    double streamRate = streamRequests / streamSeconds;

    out.println();
    out.printf(Locale.ROOT, "%-58s %12s %12s %14s%n", "measurement", "p50 ms", "p99 ms", "pairs/s");
    row("student Answer (k=10, HNSW32; baseline of the cost ratio)", studentNanos, 0);
    row("teacher judgement, 1 question + 32 uncached passages", uncached, uncachedPairs);
    row("teacher judgement, 1 question + 32 cached passages", cached, cachedPairs);
    out.printf(Locale.ROOT, "%-58s %12s %12s %14.0f%n", "unary Score, sequential, cached (baseline of the stream)",
        "", "", unaryRate * CANDIDATES);
    out.printf(Locale.ROOT, "%-58s %12s %12s %14.0f%n", "StreamScores, one stream, window 64, cached", "", "",
        streamRate * CANDIDATES);
    out.println();
    out.printf(Locale.ROOT, "one uncached teacher judgement costs %.0fx one student Answer (p50 %.1f ms vs %.2f ms)%n",
        uncachedP50 / studentP50, uncachedP50 / 1e6, studentP50 / 1e6);
    out.printf(Locale.ROOT, "a cached judgement costs %.1fx one student Answer (p50 %.2f ms)%n", cachedP50 / studentP50,
        cachedP50 / 1e6);
    out.printf(Locale.ROOT, "cached candidates: %.0fx the pairs/s of uncached ones (%.0f vs %.0f)%n",
        cachedPairs / uncachedPairs, cachedPairs, uncachedPairs);
    out.printf(Locale.ROOT, "StreamScores sustains %.0f judgements/s (%.0f pairs/s), %.2fx sequential unary Score"
        + " (%.0f/s)%n", streamRate, streamRate * CANDIDATES, streamRate / unaryRate, unaryRate);
    out.printf(Locale.ROOT, "teacher candidate cache: %d embeddings, hit rate %.3f%n", info.getCacheEntries(),
        info.getCacheHitRate());
  }

  private static ScoreRequest judgement(String question, List<String> candidates) {
    return ScoreRequest.newBuilder().setKind(ScoreKind.RELEVANCE)
        .addItems(ScoreItem.newBuilder().setContext(question).addAllCandidates(candidates)).build();
  }

  private static long[] time(TeacherServiceGrpc.TeacherServiceBlockingStub teacher, List<ScoreRequest> requests) {
    long[] nanos = new long[requests.size()];
    for (int i = 0; i < nanos.length; i++) {
      long t0 = System.nanoTime();
      teacher.withDeadlineAfter(10, TimeUnit.MINUTES).score(requests.get(i));
      nanos[i] = System.nanoTime() - t0;
    }
    return nanos;
  }

  /** Sends every request on one stream as fast as flow control allows; seconds until the last answer. */
  private static double stream(TeacherServiceGrpc.TeacherServiceStub teacher, List<ScoreRequest> requests)
      throws Exception {
    CompletableFuture<Status> done = new CompletableFuture<>();
    AtomicLong answered = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    long start = System.nanoTime();
    teacher.withDeadlineAfter(30, TimeUnit.MINUTES).streamScores(
        new ClientResponseObserver<ScoreStreamRequest, ScoreStreamResponse>() {
          private ClientCallStreamObserver<ScoreStreamRequest> out;
          private int next;

          @Override
          public void beforeStart(ClientCallStreamObserver<ScoreStreamRequest> requestStream) {
            out = requestStream;
            requestStream.setOnReadyHandler(this::send);
          }

          private synchronized void send() {
            while (next < requests.size() && out.isReady()) {
              out.onNext(ScoreStreamRequest.newBuilder().setRequestId(next).setScore(requests.get(next)).build());
              next++;
            }
            if (next == requests.size()) {
              next++;
              out.onCompleted();
            }
          }

          @Override
          public void onNext(ScoreStreamResponse r) {
            answered.incrementAndGet();
            if (r.hasError()) {
              failed.incrementAndGet();
            }
          }

          @Override
          public void onError(Throwable t) {
            done.complete(Status.fromThrowable(t));
          }

          @Override
          public void onCompleted() {
            done.complete(Status.OK);
          }
        });
    Status status = done.get(30, TimeUnit.MINUTES);
    double seconds = (System.nanoTime() - start) / 1e9;
    if (!status.isOk() || answered.get() != requests.size() || failed.get() > 0) {
      throw new IllegalStateException("stream ended with " + status + ", " + answered.get() + " of " + requests.size()
          + " answered, " + failed.get() + " failed");
    }
    return seconds;
  }

  private void row(String name, long[] nanos, double pairsPerSecond) {
    out.printf(Locale.ROOT, "%-58s %12.2f %12.2f %14s%n", name, percentile(nanos, 50) / 1e6,
        percentile(nanos, 99) / 1e6, pairsPerSecond == 0 ? "" : String.format(Locale.ROOT, "%.0f", pairsPerSecond));
  }

  private static double percentile(long[] nanos, int p) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
  }

  private static double sum(long[] nanos) {
    double s = 0;
    for (long n : nanos) {
      s += n;
    }
    return s;
  }
}
