package dev.distillmesh.bench;

import dev.distillmesh.bench.data.Squad;
import dev.distillmesh.bench.systems.EncoderFaissInProcess;
import dev.distillmesh.bench.systems.IndexSearchClient;
import dev.distillmesh.bench.systems.MemoryProbe;
import dev.distillmesh.bench.systems.StudentMeshClient;
import dev.distillmesh.proto.student.v1.IngestResponse;
import dev.distillmesh.proto.student.v1.QueryResponse;
import dev.distillmesh.testsupport.ServiceProcess;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Benchmark of the student service: {@code Answer} over the mesh (the
 * student and the index service as separate JVMs on loopback) against the same encoder and FAISS
 * called in this JVM, in one run on one machine:
 *
 * <ul>
 *   <li>(a) in-process encode + search and (b) mesh Answer, one call at a time: p50/p99;
 *   <li>(c) the encoder alone on batches of 32 questions (the throughput ceiling) and (d) mesh
 *       Answer from {@code concurrency} client threads: sentences/s and QPS;
 *   <li>(e) for context, in-process encode + search from {@code concurrency} threads, unbatched;
 *   <li>(a1)/(b1), (a2)/(b2): each half on its own (encode; search), in-process and over gRPC, to
 *       show where the mesh's extra latency comes from.
 * </ul>
 *
 * Compared rows run in alternating blocks ((a)/(b), then (c)/(d)) so that load from other users
 * of the shared machine hits both sides alike, and each row records where the CPU went. Only one
 * side runs at a time: the in-process encoder is idle while the mesh is measured and vice versa.
 * Extra student configurations (e.g. {@code --max-batch 1}) repeat the measurement with a
 * restarted student against the same index. {@code main} only wires; run it through
 * scripts/bench-student.sh.
 */
public final class StudentBenchmark {
  static final String COLLECTION = "squad";
  static final String INDEX_SPEC = "HNSW32,Flat";
  static final int EF_CONSTRUCTION = 64; // the index-service's own; no request can change it

  private final StudentBenchConfig config;
  private final PrintStream out;
  private final List<Tally> rows = new ArrayList<>();
  private final List<String> checks = new ArrayList<>();
  private Squad squad;
  private List<String> questions;
  private float[][] questionVectors; // in-process embeddings, for the search-only rows

  StudentBenchmark(StudentBenchConfig config, PrintStream out) {
    this.config = config;
    this.out = out;
  }

  public static void main(String[] args) throws Exception {
    StudentBenchConfig config;
    try {
      config = StudentBenchConfig.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    new StudentBenchmark(config, System.out).run();
  }

  void run() throws Exception {
    StudentReport.printHeader(config, out);
    squad = Squad.load(config.dataDir(), config.queries(), config.seed());
    questions = squad.questions().stream().map(Squad.Question::text).toList();
    out.printf("data: %d squad-dev passages, %d sampled questions (seed %d)%n",
        squad.passages().size(), questions.size(), config.seed());
    Path root = Files.createTempDirectory("distillmesh-bench-student-");
    // Stopped from outside (Ctrl-C, SIGTERM), the try below never closes the services: stop them
    // and remove their files from a shutdown hook instead of leaving them running.
    Thread cleanup = new Thread(() -> stopChildrenAndDelete(root), "bench-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    try (ClosedLoop loop = new ClosedLoop(config.concurrency());
        ServiceProcess index = ServiceProcess.start("index-service", config.indexJar(),
            config.serverJvmOptions(), List.of("--port", "0", "--data-dir",
                root.resolve("index").toString()), root.resolve("index-service.log"));
        EncoderFaissInProcess local = EncoderFaissInProcess.open(squad.passageTexts(),
            config.onnxThreads(), EF_CONSTRUCTION, config.cacheDir(), out)) {
      out.printf("index-service pid %d on 127.0.0.1:%d%n", index.pid(), index.port());
      warmUpInProcess(loop, local);
      questionVectors = local.embedQuestionsInBatches(questions);
      ingest(index, root);
      for (int c = 0; c < config.studentConfigs().size(); c++) {
        try {
          measureStudent(c, index, root, loop, local);
        } catch (Exception e) { // the first (default) one is required; later ones only explain it
          if (c == 0) {
            throw e;
          }
          checks.add("[" + config.label(c) + "] FAILED, no rows: " + e);
        }
      }
    } finally {
      MemoryProbe.deleteRecursively(root);
      Runtime.getRuntime().removeShutdownHook(cleanup);
    }
    StudentReport.printResults(config, rows, checks, out);
  }

  /** The shutdown hook's work: stop the services this JVM started, then remove their files. */
  private static void stopChildrenAndDelete(Path root) {
    ServiceProcess.stopAllStartedByThisJvm();
    try {
      MemoryProbe.deleteRecursively(root);
    } catch (IOException e) {
      System.err.println("could not delete " + root + ": " + e);
    }
  }

  /** Starts student configuration {@code c} and measures every row with it, then stops it. */
  private void measureStudent(int c, ServiceProcess index, Path root, ClosedLoop loop,
      EncoderFaissInProcess local) throws Exception {
    List<String> flags = config.studentConfigs().get(c);
    String label = config.label(c);
    out.printf("%n== student configuration: %s ==%n", label);
    try (ServiceProcess student = startStudent(index, flags, root, "config-" + c);
        StudentMeshClient mesh = new StudentMeshClient(student.port(), config.deadline());
        IndexSearchClient direct = new IndexSearchClient(index.port(), config.deadline())) {
      CpuProbe probe = new CpuProbe(List.of(ProcessHandle.current(),
          ProcessHandle.of(student.pid()).orElseThrow(),
          ProcessHandle.of(index.pid()).orElseThrow()));
      warmUp(loop, local, mesh);
      latencyRows(label, loop, local, mesh, probe);
      if (c == 0 && config.breakdown()) {
        breakdownRows(label, loop, local, mesh, direct, probe);
      }
      throughputRows(label, loop, local, mesh, probe);
      if (c == 0 && config.inProcessConcurrent()) {
        Tally e = new Tally(label, "(e) in-process encode+search, unbatched",
            config.concurrency(), 1);
        e.measure(probe, () -> loop.run(config.concurrency(), 0, config.throughputBlock(),
            i -> local.answer(question(i), config.k(), config.efSearch())));
        rows.add(e);
      }
      if (!student.isAlive()) {
        out.println("student-service died; log tail:\n" + student.logTail(30));
      }
    }
  }

  /** @param name names the student's adapter directory and log, e.g. "config-0" */
  private ServiceProcess startStudent(ServiceProcess index, List<String> flags, Path root,
      String name) throws Exception {
    List<String> args = new ArrayList<>(List.of("--port", "0", "--index",
        "127.0.0.1:" + index.port(), "--adapter-dir", root.resolve("adapters-" + name).toString()));
    args.addAll(flags);
    long t0 = System.nanoTime();
    ServiceProcess student = ServiceProcess.start("student-service", config.studentJar(),
        config.serverJvmOptions(), args, root.resolve("student-service-" + name + ".log"));
    out.printf("student-service (%s) pid %d on 127.0.0.1:%d, started in %.1f s%n", name,
        student.pid(), student.port(), (System.nanoTime() - t0) / 1e9);
    return student;
  }

  /**
   * Ingests the passages through a student of its own, stopped afterwards, so that every measured
   * configuration starts alike: fresh, with only its warm-up behind it (not 2,067 long passages
   * encoded in batches of 32 shaping its JIT profile and ONNX Runtime's memory arena).
   */
  private void ingest(ServiceProcess index, Path root) throws Exception {
    try (ServiceProcess student = startStudent(index, List.of(), root, "ingest");
        StudentMeshClient mesh = new StudentMeshClient(student.port(), config.deadline())) {
      long t0 = System.nanoTime();
      IngestResponse r = mesh.ingest(COLLECTION, INDEX_SPEC, squad.passages(),
          Duration.ofHours(1));
      double s = (System.nanoTime() - t0) / 1e9;
      String line = String.format("ingest: %d passages into %s (%s) through the student's Ingest"
              + " rpc in %.1f s = %.1f passages/s (%d truncated at 256 tokens, created %s)",
          r.getIngested(), COLLECTION, INDEX_SPEC, s, r.getIngested() / s, r.getTruncated(),
          r.getCreated());
      out.println(line);
      checks.add(line);
    }
  }

  private void warmUpInProcess(ClosedLoop loop, EncoderFaissInProcess local) throws Exception {
    long t0 = System.nanoTime();
    loop.run(1, 0, config.warmupSequential(), i -> local.answer(question(i), config.k(),
        config.efSearch()));
    loop.run(1, 0, 10, i -> local.embedQuestions(batch(i)));
    out.printf("in-process warm-up: %d answers + 10 batches in %.1f s%n",
        config.warmupSequential(), (System.nanoTime() - t0) / 1e9);
  }

  /**
   * Mesh calls at full concurrency (after 1,500 calls the services' JIT still compiled enough to
   * add ~2 ms to a sequential Answer; 6,000 settle it), then an untimed rehearsal of the latency
   * rows, in-process and mesh blocks alternating, so the one-call-at-a-time paths of both sides
   * (blocking client waits included) are compiled before anything is timed.
   */
  private void warmUp(ClosedLoop loop, EncoderFaissInProcess local, StudentMeshClient mesh)
      throws Exception {
    long t0 = System.nanoTime();
    loop.run(config.concurrency(), 0, config.warmupConcurrent(), i -> answer(mesh, i));
    for (int from = 0; from < config.warmupSequential(); from += config.block()) {
      int count = Math.min(config.block(), config.warmupSequential() - from);
      loop.run(1, from, count, i -> local.answer(question(i), config.k(), config.efSearch()));
      loop.run(1, from, count, i -> answer(mesh, i));
    }
    out.printf("warm-up: %d mesh calls at concurrency %d, then %d in-process and %d mesh calls"
            + " at 1, in %.1f s%n", config.warmupConcurrent(), config.concurrency(),
        config.warmupSequential(), config.warmupSequential(), (System.nanoTime() - t0) / 1e9);
  }

  /** (a) and (b), one call at a time, in alternating blocks over the same questions. */
  private void latencyRows(String label, ClosedLoop loop, EncoderFaissInProcess local,
      StudentMeshClient mesh, CpuProbe probe) throws Exception {
    Tally a = new Tally(label, "(a) in-process encode+search", 1, 1);
    Tally b = new Tally(label, "(b) mesh Answer", 1, 1);
    String[] localTop = new String[questions.size()];
    String[] meshTop = new String[questions.size()];
    for (int from = 0; from < questions.size(); from += config.block()) {
      int start = from;
      int count = Math.min(config.block(), questions.size() - from);
      a.measure(probe, () -> loop.run(1, start, count, i -> localTop[i] = squad.passages()
          .get((int) local.answer(question(i), config.k(), config.efSearch())[0]).id()));
      b.measure(probe, () -> loop.run(1, start, count, i -> meshTop[i] = answer(mesh, i)));
    }
    rows.add(a);
    rows.add(b);
    checks.add(StudentReport.agreement(label, squad, localTop, meshTop));
    out.printf("[%s] c=1 done: in-process p50 %.2f ms, mesh p50 %.2f ms%n", label,
        a.latency().p50Ms(), b.latency().p50Ms());
  }

  /**
   * Each half of (a) and of (b) on its own, one call at a time in alternating blocks: encoding one
   * question in-process vs the student's Encode rpc (batcher + ONNX Runtime, no index), and the
   * FAISS search in-process vs the index-service Search the student makes (one vector, k, ef,
   * payloads), called directly. Shows which half the mesh's extra latency comes from.
   */
  private void breakdownRows(String label, ClosedLoop loop, EncoderFaissInProcess local,
      StudentMeshClient mesh, IndexSearchClient direct, CpuProbe probe) throws Exception {
    Tally encLocal = new Tally(label, "(a1) in-process encode only", 1, 1);
    Tally encMesh = new Tally(label, "(b1) mesh Encode rpc only (no index)", 1, 1);
    Tally searchLocal = new Tally(label, "(a2) in-process FAISS search only", 1, 1);
    Tally searchMesh = new Tally(label, "(b2) index-service Search rpc only", 1, 1);
    loop.run(1, 0, config.warmupSequential(), i -> direct.search(COLLECTION, vector(i),
        config.k(), config.efSearch()));
    for (int from = 0; from < questions.size(); from += config.block()) {
      int start = from;
      int count = Math.min(config.block(), questions.size() - from);
      encLocal.measure(probe, () -> loop.run(1, start, count,
          i -> local.embedQuestions(List.of(question(i)))));
      encMesh.measure(probe, () -> loop.run(1, start, count,
          i -> mesh.encodeQuestion(question(i))));
      searchLocal.measure(probe, () -> loop.run(1, start, count,
          i -> local.search(vector(i), config.k(), config.efSearch())));
      searchMesh.measure(probe, () -> loop.run(1, start, count,
          i -> direct.search(COLLECTION, vector(i), config.k(), config.efSearch())));
    }
    rows.addAll(List.of(encLocal, encMesh, searchLocal, searchMesh));
  }

  /** (c) and (d): throughput, in alternating rounds over the same questions. */
  private void throughputRows(String label, ClosedLoop loop, EncoderFaissInProcess local,
      StudentMeshClient mesh, CpuProbe probe) throws Exception {
    int batches = config.throughputBlock() / StudentBenchConfig.BATCH;
    Tally c = new Tally(label, "(c) in-process encoder, batches of 32", 1,
        StudentBenchConfig.BATCH);
    Tally d = new Tally(label, "(d) mesh Answer", config.concurrency(), 1);
    for (int r = 0; r < config.throughputRounds(); r++) {
      int round = r;
      c.measure(probe, () -> loop.run(1, round * batches, batches,
          i -> local.embedQuestions(batch(i))));
      d.measure(probe, () -> loop.run(config.concurrency(), round * config.throughputBlock(),
          config.throughputBlock(), i -> answer(mesh, i)));
    }
    rows.add(c);
    rows.add(d);
    out.printf("[%s] throughput done: encoder %.0f sentences/s, mesh %.0f QPS%n", label,
        c.itemsPerSecond(), d.itemsPerSecond());
  }

  /** One Answer; returns the top passage id, and fails unless k passages came back. */
  private String answer(StudentMeshClient mesh, int i) {
    QueryResponse r = mesh.answer(question(i), COLLECTION, config.k(), config.efSearch());
    if (r.getCandidatesCount() != config.k()) {
      throw new IllegalStateException("Answer returned " + r.getCandidatesCount()
          + " candidates, expected " + config.k());
    }
    return r.getCandidates(0).getId();
  }

  private float[] vector(int i) {
    return questionVectors[i % questionVectors.length];
  }

  private String question(int i) {
    return questions.get(i % questions.size());
  }

  /** Batch {@code i}: 32 consecutive questions, wrapping around the sample. */
  private List<String> batch(int i) {
    List<String> texts = new ArrayList<>(StudentBenchConfig.BATCH);
    for (int j = 0; j < StudentBenchConfig.BATCH; j++) {
      texts.add(question(i * StudentBenchConfig.BATCH + j));
    }
    return texts;
  }
}
