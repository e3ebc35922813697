package dev.distillmesh.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.distillmesh.bench.data.Squad;
import dev.distillmesh.bench.systems.MemoryProbe;
import dev.distillmesh.bench.systems.StudentMeshClient;
import dev.distillmesh.proto.index.v1.GetPayloadsRequest;
import dev.distillmesh.proto.index.v1.IndexServiceGrpc;
import dev.distillmesh.proto.index.v1.PayloadEntry;
import dev.distillmesh.proto.trainer.v1.GetRunRequest;
import dev.distillmesh.proto.trainer.v1.Hyperparameters;
import dev.distillmesh.proto.trainer.v1.Objective;
import dev.distillmesh.proto.trainer.v1.Publish;
import dev.distillmesh.proto.trainer.v1.RunInfo;
import dev.distillmesh.proto.trainer.v1.RunSpec;
import dev.distillmesh.proto.trainer.v1.RunState;
import dev.distillmesh.proto.trainer.v1.Source;
import dev.distillmesh.proto.trainer.v1.StartRunRequest;
import dev.distillmesh.proto.trainer.v1.TrainerServiceGrpc;
import dev.distillmesh.testsupport.ServiceProcess;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The fault drill: the four services as separate processes on fixed loopback ports, and real
 * processes killed with SIGKILL under load, each restarted on its port with its data.
 *
 * <ol>
 *   <li><b>index-service</b>, under query load (Answer from 3 client threads) and write load
 *       (Ingest, one document per call, from 1 thread): every call is counted as answered, failed
 *       fast with UNAVAILABLE (an error within 1 s), or failed slow; after the restart every write
 *       that was acknowledged is looked up in the index. Lost = acknowledged and missing.
 *   <li><b>teacher-service</b>, during a training run: the run must wait for it (RUNNING, its
 *       message saying so) and complete after the restart; the query load goes on meanwhile.
 *   <li><b>trainer</b>, during a training run: the next trainer resumes the run from its
 *       checkpoint; published versions must be unique and increasing.
 * </ol>
 *
 * Counts go to docs/RELIABILITY.md by hand. Run with {@code scripts/fault-drill.sh}.
 */
public final class FaultDrill {
  private static final Duration CALL_DEADLINE = Duration.ofSeconds(2);
  private static final long FAST_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final PrintStream out = System.out;
  private final Path root;
  private final Path work;
  private final List<String> jvm = List.of("-Xmx1g");
  private final int indexPort;
  private final int studentPort;
  private final int teacherPort;
  private final int trainerPort;
  private ServiceProcess index;
  private ServiceProcess student;
  private ServiceProcess teacher;
  private ServiceProcess trainer;

  private FaultDrill(Path root, Path work) throws IOException {
    this.root = root;
    this.work = work;
    this.indexPort = freePort();
    this.studentPort = freePort();
    this.teacherPort = freePort();
    this.trainerPort = freePort();
  }

  public static void main(String[] args) throws Exception {
    Path root = Path.of(".");
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (args[i].equals("--root")) {
        root = Path.of(args[i + 1]);
      } else {
        System.err.println("usage: FaultDrill [--root REPO]");
        System.exit(2);
      }
    }
    Path work = Files.createTempDirectory("distillmesh-fault-drill-");
    Thread cleanup = new Thread(ServiceProcess::stopAllStartedByThisJvm, "drill-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    try {
      new FaultDrill(root, work).run();
    } finally {
      ServiceProcess.stopAllStartedByThisJvm();
      MemoryProbe.deleteRecursively(work);
      Runtime.getRuntime().removeShutdownHook(cleanup);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private Path jar(String service) {
    return root.resolve(service).resolve("target").resolve(service + ".jar");
  }

  private ServiceProcess startIndex() throws Exception {
    return ServiceProcess.start("index-service", jar("index-service"), jvm, List.of("--port",
        String.valueOf(indexPort), "--data-dir", work.resolve("index").toString()), work.resolve("index.log"));
  }

  private ServiceProcess startTeacher() throws Exception {
    return ServiceProcess.start("teacher-service", jar("teacher-service"), jvm, List.of("--port",
        String.valueOf(teacherPort)), work.resolve("teacher.log"));
  }

  private ServiceProcess startTrainer() throws Exception {
    return ServiceProcess.start("trainer", jar("trainer"), jvm, List.of("--port", String.valueOf(trainerPort),
        "--runs-dir", work.resolve("runs").toString(), "--student", "127.0.0.1:" + studentPort, "--teacher",
        "127.0.0.1:" + teacherPort, "--index", "127.0.0.1:" + indexPort, "--data-dirs",
        root.resolve("examples").toAbsolutePath().normalize() + "," + work.toAbsolutePath()), work.resolve("trainer.log"));
  }

  private void run() throws Exception {
    out.printf(Locale.ROOT, "fault drill: %d cores, java %s; services on 127.0.0.1 ports index %d, student %d,"
        + " teacher %d, trainer %d%n", Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
        indexPort, studentPort, teacherPort, trainerPort);
    index = startIndex();
    student = ServiceProcess.start("student-service", jar("student-service"), jvm, List.of("--port",
        String.valueOf(studentPort), "--index", "127.0.0.1:" + indexPort, "--adapter-dir",
        work.resolve("adapters").toString()), work.resolve("student.log"));
    teacher = startTeacher();
    trainer = startTrainer();
    Path helpdesk = root.resolve("examples/helpdesk");
    List<Squad.Passage> passages = new ArrayList<>();
    for (String line : Files.readAllLines(helpdesk.resolve("passages.jsonl"), StandardCharsets.UTF_8)) {
      JsonObject o = JsonParser.parseString(line).getAsJsonObject();
      passages.add(new Squad.Passage(o.get("id").getAsString(), o.get("title").getAsString() + ". "
          + o.get("text").getAsString()));
    }
    List<String> questions = new ArrayList<>();
    for (String line : Files.readAllLines(helpdesk.resolve("questions.jsonl"), StandardCharsets.UTF_8)) {
      questions.add(JsonParser.parseString(line).getAsJsonObject().get("question").getAsString());
    }
    try (StudentMeshClient client = new StudentMeshClient(studentPort, CALL_DEADLINE)) {
      client.ingest("helpdesk", "HNSW32,Flat", passages, Duration.ofMinutes(10));
      indexUnderLoad(questions);
      teacherDuringARun(helpdesk, questions);
      trainerDuringARun(helpdesk);
    }
  }

  /** Counts of one load phase. */
  private static final class Tally {
    final LongAdder sent = new LongAdder();
    final LongAdder answered = new LongAdder();
    final LongAdder failedFast = new LongAdder();
    final LongAdder failedSlow = new LongAdder();
    final ConcurrentLinkedQueue<String> codes = new ConcurrentLinkedQueue<>();

    String line(String phase) {
      Set<String> distinct = new HashSet<>(codes);
      return String.format(Locale.ROOT, "  %-34s sent %6d  answered %6d  failed fast %5d  failed slow %4d  %s", phase,
          sent.sum(), answered.sum(), failedFast.sum(), failedSlow.sum(), distinct.isEmpty() ? "" : distinct);
    }
  }

  /** Closed-loop Answer calls from {@code threads} threads until stopped, into the current tally. */
  private static final class QueryLoad implements AutoCloseable {
    final AtomicReference<Tally> tally = new AtomicReference<>(new Tally());
    final AtomicBoolean running = new AtomicBoolean(true);
    final List<Thread> threads = new ArrayList<>();
    final AtomicReference<Long> firstAnswerAfter = new AtomicReference<>();
    volatile long watchFrom = Long.MAX_VALUE;

    QueryLoad(int studentPort, List<String> questions, int threads) {
      for (int t = 0; t < threads; t++) {
        int seed = t;
        Thread thread = new Thread(() -> {
          try (StudentMeshClient c = new StudentMeshClient(studentPort, CALL_DEADLINE)) {
            for (int i = seed; running.get(); i += 7) {
              Tally now = tally.get();
              now.sent.increment();
              long t0 = System.nanoTime();
              try {
                c.answer(questions.get(i % questions.size()), "helpdesk", 5, 0);
                now.answered.increment();
                if (t0 > watchFrom) {
                  firstAnswerAfter.compareAndSet(null, System.nanoTime());
                }
              } catch (StatusRuntimeException e) {
                long took = System.nanoTime() - t0;
                (took < FAST_NANOS && e.getStatus().getCode() == Status.Code.UNAVAILABLE ? now.failedFast
                    : now.failedSlow).increment();
                now.codes.add(e.getStatus().getCode().name());
                sleepQuietly(20); // a client backs off a little after an error
              }
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }, "load-" + t);
        thread.start();
        this.threads.add(thread);
      }
    }

    Tally next() {
      return tally.getAndSet(new Tally());
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      for (Thread t : threads) {
        t.join(10_000);
      }
    }
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void indexUnderLoad(List<String> questions) throws Exception {
    out.println();
    out.println("1. index-service killed with SIGKILL under load (3 Answer threads, 1 Ingest thread), restarted"
        + " on its port with its data directory");
    List<String> acknowledged = new ArrayList<>();
    LongAdder writeFailures = new LongAdder();
    AtomicBoolean writing = new AtomicBoolean(true);
    Thread writer = new Thread(() -> {
      try (StudentMeshClient c = new StudentMeshClient(studentPort, CALL_DEADLINE)) {
        for (int i = 0; writing.get(); i++) {
          String id = "write-" + i;
          try {
            c.ingest("writes", "Flat", List.of(new Squad.Passage(id, "acknowledged write number " + i)),
                Duration.ofSeconds(5));
            synchronized (acknowledged) {
              acknowledged.add(id);
            }
          } catch (StatusRuntimeException e) {
            writeFailures.increment();
            sleepQuietly(50);
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "writer");
    writer.start();
    try (QueryLoad load = new QueryLoad(studentPort, questions, 3)) {
      Thread.sleep(10_000);
      Tally before = load.next();
      index.kill9();
      long killedAt = System.nanoTime();
      Thread.sleep(10_000);
      Tally down = load.next();
      index = startIndex();
      long restartedAt = System.nanoTime();
      load.watchFrom = restartedAt;
      Thread.sleep(20_000);
      Tally after = load.next();
      writing.set(false);
      writer.join(10_000);
      out.println(before.line("before the kill (10 s)"));
      out.println(down.line("index down (10 s)"));
      out.println(after.line("after the restart (20 s)"));
      Long first = load.firstAnswerAfter.get();
      out.printf(Locale.ROOT, "  index back up %.1f s after the kill; first answer %s after the restart%n",
          (restartedAt - killedAt) / 1e9, first == null ? "never" : String.format(Locale.ROOT, "%.1f s",
              (first - restartedAt) / 1e9));
    }
    ManagedChannel channel = NettyChannelBuilder.forTarget("127.0.0.1:" + indexPort).usePlaintext().build();
    try {
      int missing = 0;
      List<String> ids;
      synchronized (acknowledged) {
        ids = List.copyOf(acknowledged);
      }
      for (int from = 0; from < ids.size(); from += 1000) {
        List<String> chunk = ids.subList(from, Math.min(ids.size(), from + 1000));
        for (PayloadEntry e : IndexServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
            .getPayloads(GetPayloadsRequest.newBuilder().setCollection("writes").addAllIds(chunk).build())
            .getEntriesList()) {
          missing += e.getFound() ? 0 : 1;
        }
      }
      out.printf(Locale.ROOT, "  writes: %d acknowledged, %d refused (the caller knows), %d lost (acknowledged and"
          + " missing after the restart)%n", ids.size(), writeFailures.sum(), missing);
    } finally {
      channel.shutdownNow();
    }
  }

  private RunSpec helpdeskRun(Path helpdesk, String name, int epochs) {
    return RunSpec.newBuilder().setName(name).setCollection("helpdesk")
        .setPassages(helpdesk.resolve("passages.jsonl").toAbsolutePath().toString())
        .setQuestions(helpdesk.resolve("questions.jsonl").toAbsolutePath().toString()).setSource(Source.LABELLED)
        .setHoldout("fraction:0.2").setObjective(Objective.TOPK)
        .setHyper(Hyperparameters.newBuilder().setEpochs(epochs).setBatchSize(8).setEvalEvery(10)).build();
  }

  private RunInfo waitFor(ManagedChannel channel, String id, java.util.function.Predicate<RunInfo> done,
      Duration limit) throws InterruptedException {
    long end = System.nanoTime() + limit.toNanos();
    RunInfo last = null;
    while (System.nanoTime() < end) {
      try {
        last = TrainerServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
            .getRun(GetRunRequest.newBuilder().setRunId(id).build());
        if (done.test(last)) {
          return last;
        }
      } catch (StatusRuntimeException e) {
        // the trainer may be restarting
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("run " + id + " did not get there in " + limit + "; last seen " + last);
  }

  private void teacherDuringARun(Path helpdesk, List<String> questions) throws Exception {
    out.println();
    out.println("2. teacher-service killed with SIGKILL during a training run (Answer load goes on), restarted on"
        + " its port");
    ManagedChannel channel = NettyChannelBuilder.forTarget("127.0.0.1:" + trainerPort).usePlaintext().build();
    try (QueryLoad load = new QueryLoad(studentPort, questions, 3)) {
      String id = TrainerServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
          .startRun(StartRunRequest.newBuilder().setSpec(helpdeskRun(helpdesk, "teacher-drill", 40)).build()).getRunId();
      RunInfo atKill = waitFor(channel, id, r -> r.getStep() >= 20, Duration.ofMinutes(10));
      load.next();
      teacher.kill9();
      Thread.sleep(15_000);
      RunInfo during = waitFor(channel, id, r -> true, Duration.ofSeconds(30));
      Tally down = load.next();
      teacher = startTeacher();
      RunInfo done = waitFor(channel, id, r -> r.getState() != RunState.RUNNING && r.getState() != RunState.PREPARING,
          Duration.ofMinutes(20));
      out.println(down.line("Answer while the teacher is down"));
      out.printf(Locale.ROOT, "  run: killed at step %d; 15 s later %s at step %d (\"%s\"); after the restart %s at"
          + " step %d of %d, %d publishes%n", atKill.getStep(), during.getState(), during.getStep(), during.getMessage(),
          done.getState(), done.getStep(), done.getMaxSteps(), done.getPublishesCount());
    } finally {
      channel.shutdownNow();
    }
  }

  private void trainerDuringARun(Path helpdesk) throws Exception {
    out.println();
    out.println("3. trainer killed with SIGKILL during a training run, restarted on its port with its runs directory");
    ManagedChannel channel = NettyChannelBuilder.forTarget("127.0.0.1:" + trainerPort).usePlaintext().build();
    try {
      String id = TrainerServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
          .startRun(StartRunRequest.newBuilder().setSpec(helpdeskRun(helpdesk, "trainer-drill", 40)).build()).getRunId();
      RunInfo atKill = waitFor(channel, id, r -> r.getStep() >= 25, Duration.ofMinutes(10));
      trainer.kill9();
      trainer = startTrainer();
      RunInfo done = waitFor(channel, id, r -> r.getState() != RunState.RUNNING && r.getState() != RunState.PREPARING,
          Duration.ofMinutes(20));
      List<Long> versions = done.getPublishesList().stream().map(Publish::getVersion).toList();
      boolean increasing = true;
      for (int i = 1; i < versions.size(); i++) {
        increasing &= versions.get(i) > versions.get(i - 1);
      }
      out.printf(Locale.ROOT, "  run: killed at step %d (last checkpoint at or before it); resumed %d time(s); %s at"
          + " step %d of %d; publish versions %s (%s)%n", atKill.getStep(), done.getResumed(), done.getState(),
          done.getStep(), done.getMaxSteps(), versions, increasing ? "unique and increasing" : "NOT increasing");
    } finally {
      channel.shutdownNow();
    }
  }
}
