package dev.distillmesh.bench;

import dev.distillmesh.bench.data.Squad;
import dev.distillmesh.bench.systems.MemoryProbe;
import dev.distillmesh.broker.KafkaBroker;
import dev.distillmesh.common.ClientStream;
import dev.distillmesh.common.kafka.MalformedRecordException;
import dev.distillmesh.common.kafka.MeshLog;
import dev.distillmesh.common.kafka.MeshTopics;
import dev.distillmesh.common.kafka.TrafficRecord;
import dev.distillmesh.proto.student.v1.AnswerRequest;
import dev.distillmesh.proto.student.v1.Document;
import dev.distillmesh.proto.student.v1.IngestRequest;
import dev.distillmesh.proto.student.v1.IngestResponse;
import dev.distillmesh.proto.student.v1.StudentAdminGrpc;
import dev.distillmesh.proto.student.v1.StudentServiceGrpc;
import dev.distillmesh.testsupport.Scrape;
import dev.distillmesh.testsupport.ServiceProcess;
import dev.distillmesh.testsupport.TopicContents;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * The traffic benchmark and drill of scale-out mode, on a real Kafka broker, an index and two
 * student-service processes in scale-out mode over one SQuAD collection.
 *
 * <ul>
 *   <li><b>Cost on the query path</b>: Answer latency on a replica sending every answered query to
 *       the traffic topic ({@code --traffic-sample-rate 1}) against one sending none (rate 0,
 *       the baseline), requests interleaved between the two (ABBA) so both see the same machine.
 *   <li><b>Broker drill</b>: a closed loop of Answers on the sending replica (with a small send
 *       queue, so that an outage overflows it) while the broker is killed with kill -9 and, after
 *       {@code --outage-s} seconds, restarted. Counts: Answers sent, answered, failed; queries
 *       sampled, produced, dropped by reason; and the replica's records found on the topic
 *       afterwards (produced but not on the topic = lost).
 * </ul>
 *
 * A program, not a test: run it with {@code scripts/bench-traffic.sh}.
 */
public final class TrafficBenchmark {
  private static final String COLLECTION = "bench";

  private TrafficBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path root = Path.of(".");
    Path data = Path.of("..", "shared", "data");
    int queries = 2000;
    int sample = 1000;
    int outageSeconds = 40;
    for (int i = 0; i < args.length; i += 2) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      if (value == null) {
        usage();
      }
      switch (args[i]) {
        case "--root" -> root = Path.of(value);
        case "--data-dir" -> data = Path.of(value);
        case "--queries" -> queries = Integer.parseInt(value);
        case "--sample" -> sample = Integer.parseInt(value);
        case "--outage-s" -> outageSeconds = Integer.parseInt(value);
        default -> usage();
      }
    }
    if (queries < 10 || sample < 10 || outageSeconds < 1) {
      usage();
    }
    run(root, data, queries, sample, outageSeconds);
  }

  private static void usage() {
    System.err.println("usage: TrafficBenchmark [--root REPO] [--data-dir DIR (../shared/data)] [--queries N (2000)]"
        + " [--sample N (1000), SQuAD dev questions asked] [--outage-s S (40)]");
    System.exit(2);
  }

  private static void run(Path root, Path data, int queries, int sample, int outageSeconds) throws Exception {
    Squad squad = Squad.load(data, sample, 7);
    List<String> questions = squad.questions().stream().map(Squad.Question::text).toList();
    System.out.printf(Locale.ROOT, "traffic benchmark: %d SQuAD passages, %d questions, %d Answers per replica;"
        + " broker outage %d s; %d cores, java %s%n", squad.passages().size(), questions.size(), queries,
        outageSeconds, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
    Path work = Files.createTempDirectory("distillmesh-bench-traffic-");
    Thread cleanup = new Thread(ServiceProcess::stopAllStartedByThisJvm, "bench-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    Path studentJar = root.resolve("student-service/target/student-service.jar");
    List<ServiceProcess> started = new ArrayList<>();
    List<ManagedChannel> channels = new ArrayList<>();
    try (KafkaBroker broker = KafkaBroker.start(work.resolve("kafka"), work.resolve("kafka.log"));
        ServiceProcess index = ServiceProcess.start("index-service", root.resolve("index-service/target/index-service.jar"),
            List.of("-Xmx1g"), List.of("--port", "0", "--data-dir", work.resolve("index").toString()),
            work.resolve("index.log"))) {
      ServiceProcess on = student(studentJar, index, broker, work, "sending", "1", 10_000);
      ServiceProcess off = student(studentJar, index, broker, work, "silent", "0", 10_000);
      started.add(on);
      started.add(off);
      ManagedChannel onChannel = channel(on, channels);
      ManagedChannel offChannel = channel(off, channels);
      ingest(onChannel, squad);

      // Warm both (JIT, encoder, connections), then interleave ABBA.
      for (int i = 0; i < 200; i++) {
        answer(onChannel, questions.get(i % questions.size()));
        answer(offChannel, questions.get(i % questions.size()));
      }
      long[] withTraffic = new long[queries];
      long[] without = new long[queries];
      for (int i = 0; i < queries; i++) {
        String q = questions.get(i % questions.size());
        if (i % 2 == 0) {
          withTraffic[i] = answer(onChannel, q);
          without[i] = answer(offChannel, q);
        } else {
          without[i] = answer(offChannel, q);
          withTraffic[i] = answer(onChannel, q);
        }
      }
      LatencyStats a = LatencyStats.of(withTraffic);
      LatencyStats b = LatencyStats.of(without);
      Map<String, Double> onMetrics = awaitSent(on);
      System.out.println();
      System.out.println("| replica | Answers | p50 ms | p99 ms | mean ms | queries produced to the topic |");
      System.out.println("|---|---:|---:|---:|---:|---:|");
      System.out.printf(Locale.ROOT, "| traffic off (sample rate 0, baseline) | %d | %.2f | %.2f | %.2f | %.0f |%n",
          b.count(), b.p50Ms(), b.p99Ms(), b.meanMs(), awaitSent(off).getOrDefault(PRODUCED, 0.0));
      System.out.printf(Locale.ROOT, "| traffic on (sample rate 1) | %d | %.2f | %.2f | %.2f | %.0f |%n",
          a.count(), a.p50Ms(), a.p99Ms(), a.meanMs(), onMetrics.getOrDefault(PRODUCED, 0.0));
      System.out.printf(Locale.ROOT, "%nAnswer p50 traffic on / off: %.3fx (target <= 1.05)%n", a.p50Ms() / b.p50Ms());

      drill(studentJar, index, broker, work, questions, outageSeconds, started, channels);
    } finally {
      channels.forEach(ManagedChannel::shutdownNow);
      for (ServiceProcess s : started) {
        s.close();
      }
      MemoryProbe.deleteRecursively(work);
      Runtime.getRuntime().removeShutdownHook(cleanup);
    }
  }

  private static void drill(Path studentJar, ServiceProcess index, KafkaBroker broker, Path work,
      List<String> questions, int outageSeconds, List<ServiceProcess> started, List<ManagedChannel> channels)
      throws Exception {
    int queue = 500;
    ServiceProcess s = student(studentJar, index, broker, work, "drill", "1", queue);
    started.add(s);
    ManagedChannel c = channel(s, channels);
    long sent = 0;
    long answered = 0;
    long failed = 0;
    long before = 10_000;
    long start = System.currentTimeMillis();
    long killAt = start + before;
    long restartAt = killAt + outageSeconds * 1000L;
    long endAt = restartAt + 20_000;
    boolean killed = false;
    boolean restarted = false;
    for (int i = 0; System.currentTimeMillis() < endAt; i++) {
      long now = System.currentTimeMillis();
      if (!killed && now >= killAt) {
        broker.kill9();
        killed = true;
      }
      if (!restarted && now >= restartAt) {
        broker.restart();
        restarted = true;
      }
      sent++;
      try {
        answer(c, questions.get(i % questions.size()));
        answered++;
      } catch (StatusRuntimeException e) {
        failed++;
      }
    }
    Map<String, Double> m = awaitSent(s);
    long onTopic = recordsOnTopic(broker, "drill");
    double produced = m.getOrDefault(PRODUCED, 0.0);
    System.out.println();
    System.out.printf(Locale.ROOT, "broker drill: broker killed with kill -9 after %d s of Answers, restarted %d s"
        + " later, Answers for 20 s more; send queue %d%n", before / 1000, outageSeconds, queue);
    System.out.println();
    System.out.println("| Answers sent | answered | failed | sampled | produced | dropped | on the topic | lost |");
    System.out.println("|---:|---:|---:|---:|---:|---|---:|---:|");
    System.out.printf(Locale.ROOT, "| %d | %d | %d | %.0f | %.0f | %s | %d | %.0f |%n", sent, answered, failed,
        m.getOrDefault(SAMPLED, 0.0), produced, dropped(m), onTopic, produced - onTopic);
  }

  private static final String SAMPLED = "distillmesh_student_traffic_sampled_total";
  private static final String PRODUCED = "distillmesh_student_traffic_produced_total";
  private static final String DROPPED = "distillmesh_student_traffic_dropped_total";
  private static final String PENDING = "distillmesh_student_traffic_pending";

  private static String dropped(Map<String, Double> m) {
    StringBuilder out = new StringBuilder();
    m.forEach((k, v) -> {
      if (k.startsWith(DROPPED + "{")) {
        out.append(out.length() == 0 ? "" : ", ").append(k.replaceAll(".*reason=\"([^\"]*)\".*", "$1")).append(' ')
            .append(String.format(Locale.ROOT, "%.0f", v));
      }
    });
    return out.length() == 0 ? "0" : out.toString();
  }

  private static ServiceProcess student(Path jar, ServiceProcess index, KafkaBroker broker, Path work, String id,
      String sampleRate, int queue) throws Exception {
    return ServiceProcess.start("student-service", jar, List.of("-Xmx768m"), List.of("--port", "0", "--index",
        index.target(), "--adapter-dir", work.resolve(id).toString(), "--kafka", broker.bootstrapServers(),
        "--replica-id", id, "--metrics-port", "0", "--traffic-sample-rate", sampleRate, "--traffic-buffer",
        Integer.toString(queue)), work.resolve(id + ".log"));
  }

  private static ManagedChannel channel(ServiceProcess s, List<ManagedChannel> channels) {
    ManagedChannel c = NettyChannelBuilder.forTarget(s.target()).usePlaintext().build();
    channels.add(c);
    return c;
  }

  private static void ingest(ManagedChannel student, Squad squad) throws Exception {
    ClientStream<IngestRequest, IngestResponse> stream = ClientStream.open(
        StudentAdminGrpc.newStub(student).withDeadlineAfter(30, TimeUnit.MINUTES)::ingest);
    List<Document> docs = new ArrayList<>();
    boolean first = true;
    for (Squad.Passage p : squad.passages()) {
      docs.add(Document.newBuilder().setId(p.id()).setText(p.text()).build());
      if (docs.size() == 256) {
        stream.send(batch(docs, first));
        first = false;
        docs.clear();
      }
    }
    if (!docs.isEmpty()) {
      stream.send(batch(docs, first));
    }
    stream.finish();
  }

  private static IngestRequest batch(List<Document> docs, boolean first) {
    IngestRequest.Builder b = IngestRequest.newBuilder().addAllDocuments(docs);
    if (first) {
      b.setCollection(COLLECTION).setIndexSpec("Flat");
    }
    return b.build();
  }

  private static long answer(ManagedChannel c, String question) {
    long start = System.nanoTime();
    StudentServiceGrpc.newBlockingStub(c).withDeadlineAfter(30, TimeUnit.SECONDS)
        .answer(AnswerRequest.newBuilder().setCollection(COLLECTION).setQuestion(question).setK(5).build());
    return System.nanoTime() - start;
  }

  /** The replica's traffic metrics once nothing is pending (two minutes at most). */
  private static Map<String, Double> awaitSent(ServiceProcess s) throws Exception {
    Map<String, Double> m = metrics(s);
    for (int i = 0; i < 1200 && m.getOrDefault(PENDING, 0.0) > 0; i++) {
      Thread.sleep(100);
      m = metrics(s);
    }
    return m;
  }

  private static Map<String, Double> metrics(ServiceProcess s) throws Exception {
    Map<String, Double> out = new TreeMap<>();
    Scrape.metricsAt(s.log()).lines().filter(l -> l.startsWith("distillmesh_student_traffic")).forEach(l -> {
      int space = l.lastIndexOf(' ');
      out.put(l.substring(0, space), Double.parseDouble(l.substring(space + 1)));
    });
    return out;
  }

  /** Records of {@code replicaId} on the traffic topic. */
  private static long recordsOnTopic(KafkaBroker broker, String replicaId) {
    MeshLog log = new MeshLog(broker.bootstrapServers(), new Properties());
    long n = 0;
    try (KafkaConsumer<String, byte[]> c = log.reader("bench-traffic-count", MeshTopics.MAX_TRAFFIC_BYTES)) {
      for (ConsumerRecord<String, byte[]> r : TopicContents.read(c, MeshTopics.TRAFFIC)) {
        try {
          if (TrafficRecord.decode(r.value()).replicaId().equals(replicaId)) {
            n++;
          }
        } catch (MalformedRecordException e) {
          // none are written here
        }
      }
    }
    return n;
  }
}
