package dev.distillmesh.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.distillmesh.bench.data.Squad;
import dev.distillmesh.bench.systems.MemoryProbe;
import dev.distillmesh.bench.systems.StudentMeshClient;
import dev.distillmesh.testsupport.ServiceProcess;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The overload campaign: a real index-service and student-service (separate JVMs on loopback, the
 * help desk sample ingested), then for each level {@code C} of 50, 100 and 200, {@code C} closed-loop
 * callers send Answer for a fixed time. Each call is accepted (answered), refused with
 * RESOURCE_EXHAUSTED (the caller then waits {@code --backoff-ms}, as a client's retry policy would,
 * before its next call), or failed otherwise. Reports accepted p50/p99 and throughput, the
 * refusals' count and latency p50/p99, other failures by code, and the student's RSS.
 *
 * <p>{@code --student-jar} picks the student build, so one command measures an old build and a new
 * one on the same machine in the same session. A program, not a test: run it through
 * scripts/overload.sh; figures go to docs/RELIABILITY.md by hand.
 */
public final class Overload {
  private static final String COLLECTION = "helpdesk";

  private final PrintStream out = System.out;
  private final Map<String, String> options;

  private Overload(Map<String, String> options) {
    this.options = options;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new TreeMap<>(Map.of("--root", ".", "--levels", "50,100,200",
        "--seconds", "20", "--warmup-seconds", "8", "--backoff-ms", "20", "--deadline-ms", "10000",
        "--clients", "8", "--student-jar", "", "--student-flags", ""));
    for (int i = 0; i < args.length; i += 2) {
      if (!options.containsKey(args[i]) || i + 1 >= args.length) {
        System.err.println("usage: Overload [--root REPO] [--student-jar JAR] [--student-flags \"--flag v ...\"]"
            + " [--levels 50,100,200] [--seconds N] [--warmup-seconds N] [--backoff-ms N] [--deadline-ms N]"
            + " [--clients N]; defaults " + options);
        System.exit(2);
      }
      options.put(args[i], args[i + 1]);
    }
    new Overload(options).run();
  }

  private int number(String key) {
    return Integer.parseInt(options.get(key));
  }

  private void run() throws Exception {
    Path root = Path.of(options.get("--root"));
    Path studentJar = options.get("--student-jar").isEmpty()
        ? root.resolve("student-service/target/student-service.jar") : Path.of(options.get("--student-jar"));
    Path work = Files.createTempDirectory("distillmesh-overload-");
    Thread cleanup = new Thread(ServiceProcess::stopAllStartedByThisJvm, "overload-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    out.printf(Locale.ROOT, "overload: %d cores (%s), load average %s, java %s; student %s %s%n",
        Runtime.getRuntime().availableProcessors(), Machine.cpuModel(), Machine.loadAverage(),
        System.getProperty("java.version"), studentJar, options.get("--student-flags"));
    List<String> jvm = List.of("-Xmx1g");
    try (ServiceProcess index = ServiceProcess.start("index-service",
        root.resolve("index-service/target/index-service.jar"), jvm,
        List.of("--port", "0", "--data-dir", work.resolve("index").toString()), work.resolve("index.log"))) {
      List<String> args = new ArrayList<>(List.of("--port", "0", "--index", "127.0.0.1:" + index.port(),
          "--adapter-dir", work.resolve("adapters").toString()));
      String flags = options.get("--student-flags").strip();
      if (!flags.isEmpty()) {
        args.addAll(Arrays.asList(flags.split("\\s+")));
      }
      try (ServiceProcess student = ServiceProcess.start("student-service", studentJar, jvm, args,
          work.resolve("student.log"))) {
        List<String> questions = helpdesk(root, student);
        out.printf(Locale.ROOT, "student pid %d, RSS %.0f MB after ingest%n", student.pid(), rssMb(student));
        measure(student, questions, 50, number("--warmup-seconds"), true);
        out.printf(Locale.ROOT, "%8s %9s %7s %8s %8s %9s %8s %8s %8s  %s%n", "callers", "accepted", "qps",
            "p50 ms", "p99 ms", "refused", "rej p50", "rej p99", "RSS MB", "other failures");
        for (String level : options.get("--levels").split(",")) {
          measure(student, questions, Integer.parseInt(level.strip()), number("--seconds"), false);
        }
      }
    } finally {
      ServiceProcess.stopAllStartedByThisJvm();
      MemoryProbe.deleteRecursively(work);
      Runtime.getRuntime().removeShutdownHook(cleanup);
    }
  }

  /** Ingests the help desk passages through the student; returns its questions. */
  private List<String> helpdesk(Path root, ServiceProcess student) throws Exception {
    Path dir = root.resolve("examples/helpdesk");
    List<Squad.Passage> passages = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve("passages.jsonl"), StandardCharsets.UTF_8)) {
      JsonObject o = JsonParser.parseString(line).getAsJsonObject();
      passages.add(new Squad.Passage(o.get("id").getAsString(),
          o.get("title").getAsString() + ". " + o.get("text").getAsString()));
    }
    List<String> questions = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve("questions.jsonl"), StandardCharsets.UTF_8)) {
      questions.add(JsonParser.parseString(line).getAsJsonObject().get("question").getAsString());
    }
    try (StudentMeshClient client = new StudentMeshClient(student.port(), Duration.ofMinutes(1))) {
      client.ingest(COLLECTION, "HNSW32,Flat", passages, Duration.ofMinutes(10));
    }
    return questions;
  }

  /** One level: {@code callers} closed-loop threads for {@code seconds}; prints its row unless warm-up. */
  private void measure(ServiceProcess student, List<String> questions, int callers, int seconds, boolean warmUp)
      throws Exception {
    Duration deadline = Duration.ofMillis(number("--deadline-ms"));
    long backoffMs = number("--backoff-ms");
    List<StudentMeshClient> clients = new ArrayList<>();
    for (int i = 0; i < number("--clients"); i++) {
      clients.add(new StudentMeshClient(student.port(), deadline));
    }
    LongList accepted = new LongList();
    LongList refused = new LongList();
    Map<Status.Code, LongAdder> other = new ConcurrentHashMap<>();
    AtomicLong maxRss = new AtomicLong(MemoryProbe.rssBytes(student.pid()));
    long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < callers; t++) {
      int caller = t;
      Thread thread = new Thread(() -> {
        StudentMeshClient client = clients.get(caller % clients.size());
        LongList mine = new LongList();
        LongList mineRefused = new LongList();
        for (int i = caller; System.nanoTime() - end < 0; i += callers) {
          long t0 = System.nanoTime();
          try {
            client.answer(questions.get(i % questions.size()), COLLECTION, 5, 0);
            mine.add(System.nanoTime() - t0);
          } catch (StatusRuntimeException e) {
            long took = System.nanoTime() - t0;
            if (e.getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED) {
              mineRefused.add(took);
              sleep(backoffMs);
            } else {
              other.computeIfAbsent(e.getStatus().getCode(), c -> new LongAdder()).increment();
            }
          }
        }
        accepted.addAll(mine);
        refused.addAll(mineRefused);
      }, "overload-caller-" + t);
      thread.setDaemon(true);
      thread.start();
      threads.add(thread);
    }
    while (System.nanoTime() - end < 0) {
      sleep(250);
      maxRss.accumulateAndGet(MemoryProbe.rssBytes(student.pid()), Math::max);
    }
    for (Thread thread : threads) {
      thread.join();
    }
    for (StudentMeshClient client : clients) {
      client.close();
    }
    if (warmUp) {
      out.printf(Locale.ROOT, "warm-up: %d callers for %d s, %d answered%n", callers, seconds, accepted.size());
      return;
    }
    LatencyStats ok = accepted.size() == 0 ? null : LatencyStats.of(accepted.toArray());
    LatencyStats no = refused.size() == 0 ? null : LatencyStats.of(refused.toArray());
    out.printf(Locale.ROOT, "%8d %9d %7.0f %8s %8s %9d %8s %8s %8.0f  %s%n", callers, accepted.size(),
        accepted.size() / (double) seconds, ms(ok == null ? -1 : ok.p50Ms()), ms(ok == null ? -1 : ok.p99Ms()),
        refused.size(), ms(no == null ? -1 : no.p50Ms()), ms(no == null ? -1 : no.p99Ms()),
        maxRss.get() / 1e6, other.isEmpty() ? "-" : new TreeMap<>(other).toString());
  }

  private static String ms(double value) {
    return value < 0 ? "-" : value < 10 ? String.format(Locale.ROOT, "%.1f", value)
        : String.format(Locale.ROOT, "%.0f", value);
  }

  private static double rssMb(ServiceProcess p) {
    return MemoryProbe.rssBytes(p.pid()) / 1e6;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A growable list of longs; {@link #addAll} is synchronized so threads can merge into one. */
  private static final class LongList {
    private long[] values = new long[1024];
    private int size;

    void add(long v) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = v;
    }

    synchronized void addAll(LongList other) {
      for (int i = 0; i < other.size; i++) {
        add(other.values[i]);
      }
    }

    synchronized int size() {
      return size;
    }

    synchronized long[] toArray() {
      return Arrays.copyOf(values, size);
    }
  }
}
