package dev.distillmesh.bench;

import dev.distillmesh.bench.scale.Projections;
import dev.distillmesh.bench.systems.MemoryProbe;
import dev.distillmesh.broker.KafkaBroker;
import dev.distillmesh.common.kafka.MeshLog;
import dev.distillmesh.proto.student.v1.LoadAdapterRequest;
import dev.distillmesh.proto.student.v1.StudentAdminGrpc;
import dev.distillmesh.proto.student.v1.Tower;
import dev.distillmesh.testsupport.ServiceProcess;
import dev.distillmesh.trainer.kafka.KafkaRollout;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The rollout benchmark: how long a publish takes to reach every student replica in scale-out
 * mode, against the single-machine push measured in the same run.
 *
 * <ul>
 *   <li><b>Scale-out publish</b>: a real Kafka broker (KRaft) and N student-service processes
 *       following the adapter topic; each publish is {@link KafkaRollout#publish}, timed from the
 *       send until every replica has reported serving the version (what the trainer waits for).
 *   <li><b>Baseline, the default mode's push</b>: the same matrices sent with {@code LoadAdapter}
 *       to one student-service without Kafka (validated, persisted with fsync, swapped in).
 * </ul>
 *
 * Matrices are the encoder's dimension (384 for MiniLM: 590 KB each). A program, not a test: run
 * it with {@code scripts/bench-rollout.sh}.
 */
public final class RolloutBenchmark {
  private static final int DIM = 384;
  private static final String COLLECTION = "bench";

  private RolloutBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path root = Path.of(".");
    int publishes = 30;
    int replicas = 3;
    for (int i = 0; i < args.length; i += 2) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      if (value == null) {
        usage();
      }
      switch (args[i]) {
        case "--root" -> root = Path.of(value);
        case "--publishes" -> publishes = Integer.parseInt(value);
        case "--replicas" -> replicas = Integer.parseInt(value);
        default -> usage();
      }
    }
    if (publishes < 1 || replicas < 1) {
      usage();
    }
    run(root, publishes, replicas);
  }

  private static void usage() {
    System.err.println("usage: RolloutBenchmark [--root REPO] [--publishes N (30)] [--replicas N (3)]");
    System.exit(2);
  }

  private static void run(Path root, int publishes, int replicaCount) throws Exception {
    System.out.printf(Locale.ROOT, "rollout benchmark: %d publishes of a %dx%d adapter to %d replicas; %d cores,"
        + " java %s%n", publishes, DIM, DIM, replicaCount, Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"));
    Path work = Files.createTempDirectory("distillmesh-bench-rollout-");
    Thread cleanup = new Thread(ServiceProcess::stopAllStartedByThisJvm, "bench-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    Path studentJar = root.resolve("student-service/target/student-service.jar");
    List<ServiceProcess> started = new ArrayList<>();
    try (KafkaBroker broker = KafkaBroker.start(work.resolve("kafka"), work.resolve("kafka.log"));
        ServiceProcess index = ServiceProcess.start("index-service", root.resolve("index-service/target/index-service.jar"),
            List.of("-Xmx1g"), List.of("--port", "0", "--data-dir", work.resolve("index").toString()),
            work.resolve("index.log"))) {
      for (int r = 1; r <= replicaCount; r++) {
        started.add(ServiceProcess.start("student-service", studentJar, List.of("-Xmx768m"), List.of("--port", "0",
            "--index", index.target(), "--adapter-dir", work.resolve("student-" + r).toString(), "--kafka",
            broker.bootstrapServers(), "--replica-id", "student-" + r), work.resolve("student-" + r + ".log")));
      }
      ServiceProcess single = ServiceProcess.start("student-service", studentJar, List.of("-Xmx768m"),
          List.of("--port", "0", "--index", index.target(), "--adapter-dir", work.resolve("single").toString()),
          work.resolve("single.log"));
      started.add(single);

      long[] pushes = push(single, publishes);
      long[] rollouts = rollout(broker, publishes, replicaCount);
      LatencyStats p = LatencyStats.of(pushes);
      LatencyStats k = LatencyStats.of(rollouts);
      System.out.println();
      System.out.println("| publish | replicas | publishes | p50 ms | p99 ms | mean ms |");
      System.out.println("|---|---:|---:|---:|---:|---:|");
      System.out.printf(Locale.ROOT, "| LoadAdapter push (default mode, baseline) | 1 | %d | %.1f | %.1f | %.1f |%n",
          p.count(), p.p50Ms(), p.p99Ms(), p.meanMs());
      System.out.printf(Locale.ROOT, "| Kafka rollout, until every replica reports it | %d | %d | %.1f | %.1f | %.1f |%n",
          replicaCount, k.count(), k.p50Ms(), k.p99Ms(), k.meanMs());
      System.out.printf(Locale.ROOT, "%nscale-out publish p50 / single-machine push p50: %.2fx%n", k.p50Ms() / p.p50Ms());
    } finally {
      for (ServiceProcess s : started) {
        s.close();
      }
      MemoryProbe.deleteRecursively(work);
      Runtime.getRuntime().removeShutdownHook(cleanup);
    }
  }

  private static long[] push(ServiceProcess student, int publishes) {
    ManagedChannel channel = NettyChannelBuilder.forTarget(student.target()).usePlaintext()
        .maxInboundMessageSize(16 << 20).build();
    try {
      var admin = StudentAdminGrpc.newBlockingStub(channel);
      long[] nanos = new long[publishes];
      for (int v = 1; v <= publishes; v++) {
        LoadAdapterRequest.Builder request = LoadAdapterRequest.newBuilder().setCollection(COLLECTION)
            .setTower(Tower.TOWER_CONTEXT).setVersion(v).setRows(DIM).setCols(DIM);
        for (float f : Projections.noisyIdentity(DIM, 0.01, v)) {
          request.addValues(f);
        }
        LoadAdapterRequest built = request.build();
        long start = System.nanoTime();
        admin.withDeadlineAfter(60, TimeUnit.SECONDS).loadAdapter(built);
        nanos[v - 1] = System.nanoTime() - start;
      }
      return nanos;
    } finally {
      channel.shutdownNow();
    }
  }

  private static long[] rollout(KafkaBroker broker, int publishes, int replicas) throws InterruptedException {
    try (KafkaRollout rollout = new KafkaRollout(new MeshLog(broker.bootstrapServers(), new Properties()),
        Duration.ofSeconds(120))) {
      // Every replica reports before the first publish (it would otherwise count 0/0).
      while (rollout.live().size() < replicas) {
        Thread.sleep(100);
      }
      long[] nanos = new long[publishes];
      long base = rollout.servedVersion(COLLECTION);
      for (int i = 1; i <= publishes; i++) {
        long start = System.nanoTime();
        String summary = rollout.publish(COLLECTION, base + i, DIM, Projections.noisyIdentity(DIM, 0.01, i), "bench",
            "bench", 0);
        nanos[i - 1] = System.nanoTime() - start;
        if (!summary.startsWith("rolled out to " + replicas + "/" + replicas)) {
          throw new IllegalStateException("publish " + i + ": " + summary);
        }
      }
      return nanos;
    }
  }
}
