package dev.distillmesh.bench;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.distillmesh.bench.data.Squad;
import dev.distillmesh.bench.systems.MemoryProbe;
import dev.distillmesh.bench.systems.StudentMeshClient;
import dev.distillmesh.proto.student.v1.AnswerRequest;
import dev.distillmesh.proto.student.v1.QueryResponse;
import dev.distillmesh.proto.student.v1.StudentServiceGrpc;
import dev.distillmesh.testsupport.ServiceProcess;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The soak: index-service and student-service as processes, the help desk ingested; first the
 * student's maximum {@code Answer} rate (closed loop, 8 client threads, 20 s), then {@code --minutes}
 * of open-loop load at {@code --fraction} of it (calls started on a fixed schedule whatever the
 * answers do, 2 s deadline each). Every 30 s it prints the calls answered and failed, latency, and
 * both processes' resident memory; at the end the error count and the memory drift. Run with
 * {@code scripts/soak.sh}; results go in docs/RELIABILITY.md by hand.
 */
public final class Soak {
  private final PrintStream out = System.out;

  public static void main(String[] args) throws Exception {
    Path root = Path.of(".");
    int minutes = 10;
    double fraction = 0.8;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--root" -> root = Path.of(args[i + 1]);
        case "--minutes" -> minutes = Integer.parseInt(args[i + 1]);
        case "--fraction" -> fraction = Double.parseDouble(args[i + 1]);
        default -> {
          System.err.println("usage: Soak [--root REPO] [--minutes N] [--fraction F]");
          System.exit(2);
        }
      }
    }
    Path work = Files.createTempDirectory("distillmesh-soak-");
    Thread cleanup = new Thread(ServiceProcess::stopAllStartedByThisJvm, "soak-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    try {
      new Soak().run(root, work, minutes, fraction);
    } finally {
      ServiceProcess.stopAllStartedByThisJvm();
      MemoryProbe.deleteRecursively(work);
      Runtime.getRuntime().removeShutdownHook(cleanup);
    }
  }

  private void run(Path root, Path work, int minutes, double fraction) throws Exception {
    List<String> jvm = List.of("-Xmx1g");
    ServiceProcess index = ServiceProcess.start("index-service", root.resolve("index-service/target/index-service.jar"),
        jvm, List.of("--port", "0", "--data-dir", work.resolve("index").toString()), work.resolve("index.log"));
    ServiceProcess student = ServiceProcess.start("student-service",
        root.resolve("student-service/target/student-service.jar"), jvm, List.of("--port", "0", "--index",
            "127.0.0.1:" + index.port(), "--adapter-dir", work.resolve("adapters").toString(), "--traffic-sample-rate",
            "0"), work.resolve("student.log"));
    List<Squad.Passage> passages = new ArrayList<>();
    for (String line : Files.readAllLines(root.resolve("examples/helpdesk/passages.jsonl"), StandardCharsets.UTF_8)) {
      JsonObject o = JsonParser.parseString(line).getAsJsonObject();
      passages.add(new Squad.Passage(o.get("id").getAsString(), o.get("title").getAsString() + ". "
          + o.get("text").getAsString()));
    }
    List<String> questions = new ArrayList<>();
    for (String line : Files.readAllLines(root.resolve("examples/helpdesk/questions.jsonl"), StandardCharsets.UTF_8)) {
      questions.add(JsonParser.parseString(line).getAsJsonObject().get("question").getAsString());
    }
    try (StudentMeshClient client = new StudentMeshClient(student.port(), Duration.ofSeconds(10))) {
      client.ingest("helpdesk", "HNSW32,Flat", passages, Duration.ofMinutes(10));
    }
    out.printf(Locale.ROOT, "soak: %d cores, java %s; student-service and index-service on loopback, help desk"
        + " (%d passages)%n", Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
        passages.size());

    ManagedChannel channel = NettyChannelBuilder.forTarget("127.0.0.1:" + student.port()).usePlaintext().build();
    try {
      double max = maxRate(channel, questions);
      double rate = max * fraction;
      out.printf(Locale.ROOT, "max Answer rate (closed loop, 8 threads, 20 s): %.0f/s; soaking at %.0f/s (%.0f%%) for"
          + " %d minutes, 2 s deadline per call%n", max, rate, fraction * 100, minutes);
      openLoop(channel, questions, rate, minutes, index, student);
    } finally {
      channel.shutdownNow();
    }
  }

  private static AnswerRequest request(List<String> questions, long i) {
    return AnswerRequest.newBuilder().setQuestion(questions.get((int) (i % questions.size()))).setCollection("helpdesk")
        .setK(5).build();
  }

  private double maxRate(ManagedChannel channel, List<String> questions) throws Exception {
    var stub = StudentServiceGrpc.newBlockingStub(channel);
    AtomicLong done = new AtomicLong();
    AtomicLong counting = new AtomicLong(); // 0 warm-up, 1 counting, 2 stop
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      int seed = t;
      Thread th = new Thread(() -> {
        for (long i = seed; counting.get() < 2; i += 8) {
          stub.withDeadlineAfter(10, TimeUnit.SECONDS).answer(request(questions, i));
          if (counting.get() == 1) {
            done.incrementAndGet();
          }
        }
      });
      th.start();
      threads.add(th);
    }
    Thread.sleep(5_000);
    counting.set(1);
    long t0 = System.nanoTime();
    Thread.sleep(20_000);
    double rate = done.get() / ((System.nanoTime() - t0) / 1e9);
    counting.set(2);
    for (Thread th : threads) {
      th.join();
    }
    return rate;
  }

  private void openLoop(ManagedChannel channel, List<String> questions, double rate, int minutes, ServiceProcess index,
      ServiceProcess student) throws Exception {
    var stub = StudentServiceGrpc.newFutureStub(channel);
    LongAdder sent = new LongAdder();
    LongAdder answered = new LongAdder();
    LongAdder failed = new LongAdder();
    Map<Status.Code, LongAdder> codes = new ConcurrentHashMap<>();
    ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
    AtomicLong next = new AtomicLong();
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    long periodNanos = (long) (1e9 / rate);
    scheduler.scheduleAtFixedRate(() -> {
      long i = next.getAndIncrement();
      long t0 = System.nanoTime();
      sent.increment();
      Futures.addCallback(stub.withDeadlineAfter(2, TimeUnit.SECONDS).answer(request(questions, i)),
          new FutureCallback<QueryResponse>() {
            @Override
            public void onSuccess(QueryResponse r) {
              answered.increment();
              latencies.add(System.nanoTime() - t0);
            }

            @Override
            public void onFailure(Throwable t) {
              failed.increment();
              codes.computeIfAbsent(Status.fromThrowable(t).getCode(), c -> new LongAdder()).increment();
            }
          }, MoreExecutors.directExecutor());
    }, 0, periodNanos, TimeUnit.NANOSECONDS);
    out.println("  minute  answered/s  failed   p50 ms   p99 ms   student RSS MiB   index RSS MiB");
    List<Long> studentRss = new ArrayList<>();
    long start = System.nanoTime();
    long lastAnswered = 0;
    for (int tick = 1; tick <= minutes * 2; tick++) {
      Thread.sleep(Math.max(0, start + tick * 30_000_000_000L - System.nanoTime()) / 1_000_000);
      long[] l = latencies.stream().mapToLong(Long::longValue).toArray();
      latencies.clear();
      Arrays.sort(l);
      long a = answered.sum();
      long rss = MemoryProbe.rssBytes(student.pid());
      studentRss.add(rss);
      out.printf(Locale.ROOT, "  %6.1f  %10.0f  %6d  %7.2f  %7.2f  %16.0f  %14.0f%n", tick / 2.0, (a - lastAnswered) / 30.0,
          failed.sum(), l.length == 0 ? 0 : l[l.length / 2] / 1e6, l.length == 0 ? 0 : l[(int) (l.length * 0.99)] / 1e6,
          rss / 1048576.0, MemoryProbe.rssBytes(index.pid()) / 1048576.0);
      lastAnswered = a;
    }
    scheduler.shutdown();
    scheduler.awaitTermination(10, TimeUnit.SECONDS);
    Thread.sleep(3_000); // the last calls' deadlines
    int warm = Math.min(2, studentRss.size() - 1);
    out.printf(Locale.ROOT, "sent %d, answered %d, failed %d %s; student RSS %.0f MiB after the first minute, %.0f MiB at"
        + " the end (%+.1f%%)%n", sent.sum(), answered.sum(), failed.sum(), codes.isEmpty() ? "" : codes.toString(),
        studentRss.get(warm) / 1048576.0, studentRss.get(studentRss.size() - 1) / 1048576.0,
        100.0 * (studentRss.get(studentRss.size() - 1) - studentRss.get(warm)) / studentRss.get(warm));
  }
}
