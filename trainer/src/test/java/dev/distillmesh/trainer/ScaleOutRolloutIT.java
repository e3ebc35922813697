package dev.distillmesh.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.broker.KafkaBroker;
import dev.distillmesh.common.ClientStream;
import dev.distillmesh.common.DomainException;
import dev.distillmesh.common.kafka.AdapterRecord;
import dev.distillmesh.common.kafka.MalformedRecordException;
import dev.distillmesh.common.kafka.MeshLog;
import dev.distillmesh.common.kafka.MeshTopics;
import dev.distillmesh.common.kafka.TrafficRecord;
import dev.distillmesh.index.IndexServer;
import dev.distillmesh.index.IndexServerConfig;
import dev.distillmesh.proto.student.v1.AnswerRequest;
import dev.distillmesh.proto.student.v1.Document;
import dev.distillmesh.proto.student.v1.IngestRequest;
import dev.distillmesh.proto.student.v1.IngestResponse;
import dev.distillmesh.proto.student.v1.LoadAdapterRequest;
import dev.distillmesh.proto.student.v1.StudentAdminGrpc;
import dev.distillmesh.proto.student.v1.StudentServiceGrpc;
import dev.distillmesh.proto.student.v1.TakeTrafficRequest;
import dev.distillmesh.proto.student.v1.Tower;
import dev.distillmesh.proto.trainer.v1.GetRunRequest;
import dev.distillmesh.proto.trainer.v1.Hyperparameters;
import dev.distillmesh.proto.trainer.v1.Objective;
import dev.distillmesh.proto.trainer.v1.Publish;
import dev.distillmesh.proto.trainer.v1.RunInfo;
import dev.distillmesh.proto.trainer.v1.RunSpec;
import dev.distillmesh.proto.trainer.v1.RunState;
import dev.distillmesh.proto.trainer.v1.Source;
import dev.distillmesh.proto.trainer.v1.StartRunRequest;
import dev.distillmesh.proto.trainer.v1.StopRunRequest;
import dev.distillmesh.proto.trainer.v1.TrainerServiceGrpc;
import dev.distillmesh.teacher.TeacherServer;
import dev.distillmesh.teacher.TeacherServerConfig;
import dev.distillmesh.testsupport.Scrape;
import dev.distillmesh.testsupport.TopicContents;
import dev.distillmesh.trainer.kafka.KafkaTrafficFeed;
import dev.distillmesh.trainer.run.RunFiles;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scale-out mode's model rollout as a user runs it: a real Kafka broker (KRaft, from its Maven
 * Central artefacts), three student-service processes following the adapter topic, an index and an
 * embedded teacher on loopback, and a trainer process publishing through the broker. Every publish
 * reaches all three replicas; a replica killed with kill -9 is not SERVING again until it has caught
 * up; a bad matrix fails the publish naming the replica; a corrupt record is skipped and counted;
 * with the broker killed the replicas keep answering, and after its restart publishing resumes.
 * Traffic: every replica sends what it answers to the traffic topic (TakeTraffic is refused), and
 * one TRAFFIC run, its trainer killed with kill -9 and resumed, trains each query there exactly once,
 * including a killed replica's; corrupt records are skipped with their reason.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScaleOutRolloutIT {
  private static final String COLLECTION = "helpdesk";
  private static final int DIM = 384;

  @TempDir
  static Path dir;
  private static KafkaBroker broker;
  private static IndexServer index;
  private static TeacherServer teacher;
  private static final List<StudentReplica> replicas = new ArrayList<>();
  private static MeshLog meshLog;
  private static final List<ManagedChannel> channels = new ArrayList<>();

  @BeforeAll
  static void startMesh() throws Exception {
    broker = KafkaBroker.start(dir.resolve("kafka"), dir.resolve("kafka.log"));
    meshLog = new MeshLog(broker.bootstrapServers(), new Properties());
    index = IndexServer.start(IndexServerConfig.parse(new String[] {"--port", "0", "--data-dir",
        dir.resolve("index").toString()}, Map.of()), NettyServerBuilder.forPort(0));
    TeacherServerConfig teacherConfig = TeacherServerConfig.parse(new String[] {"--port", "0"}, Map.of());
    teacher = TeacherServer.start(teacherConfig, NettyServerBuilder.forPort(0), TeacherServer.openTeacher(teacherConfig));
    for (int i = 1; i <= 3; i++) {
      String id = "student-" + i;
      StudentReplica r = new StudentReplica(id, List.of("--port", "0", "--index", "127.0.0.1:" + index.port(),
          "--adapter-dir", dir.resolve(id).toString(), "--kafka", broker.bootstrapServers(), "--replica-id", id,
          "--metrics-port", "0"), dir, COLLECTION);
      r.start();
      replicas.add(r);
    }
    for (StudentReplica r : replicas) {
      r.awaitServing();
    }
    ingestHelpdesk(replicas.get(0));
  }

  @AfterAll
  static void stopMesh() throws Exception {
    channels.forEach(ManagedChannel::shutdownNow);
    for (StudentReplica r : replicas) {
      r.close();
    }
    if (teacher != null) {
      teacher.close();
    }
    if (index != null) {
      index.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  @Order(1)
  void aTrainerRunsPublishesReachEveryReplica() throws Exception {
    Path examples = Path.of("..", "examples", "helpdesk");
    RunSpec spec = RunSpec.newBuilder().setName("rollout").setCollection(COLLECTION)
        .setQuestions(examples.resolve("questions.jsonl").toAbsolutePath().toString())
        .setSource(Source.LABELLED).setHoldout("fraction:0.2").setObjective(Objective.G2R)
        .setHyper(Hyperparameters.newBuilder().setEpochs(6).setBatchSize(16).setEvalEvery(6).setLearningRate(1e-3)
            .setAlpha(0.8))
        .build();
    try (TrainerProcess trainer = TrainerProcess.start(dir.resolve("runs"), replicas.get(0).process.target(),
        "127.0.0.1:" + teacher.port(), "127.0.0.1:" + index.port(), dir.resolve("trainer.log"),
        "--kafka", broker.bootstrapServers())) {
      ManagedChannel c = NettyChannelBuilder.forTarget(trainer.target()).usePlaintext().build();
      try {
        var stub = TrainerServiceGrpc.newBlockingStub(c);
        String id = stub.withDeadlineAfter(60, TimeUnit.SECONDS).startRun(StartRunRequest.newBuilder().setSpec(spec)
            .build()).getRunId();
        RunInfo done = null;
        for (int i = 0; i < 6000 && (done == null || !terminal(done.getState())); i++) { // a safety net, 10 min
          Thread.sleep(100);
          done = stub.withDeadlineAfter(30, TimeUnit.SECONDS).getRun(GetRunRequest.newBuilder().setRunId(id).build());
        }
        assertEquals(RunState.COMPLETED, done.getState(), done.getMessage() + "\n" + trainer.log());
        assertFalse(done.getPublishesList().isEmpty(), "the run published");
        for (Publish p : done.getPublishesList()) {
          assertTrue(p.getRollout().matches("rolled out to 3/3 replicas in [0-9.]+ s"), p.toString());
        }
        long last = done.getPublishesList().get(done.getPublishesCount() - 1).getVersion();
        for (StudentReplica r : replicas) {
          assertEquals(last, r.contextVersion(), r.id + " serves the run's last version");
          assertEquals(last, StudentServiceGrpc.newBlockingStub(r.channel).withDeadlineAfter(30, TimeUnit.SECONDS)
              .answer(AnswerRequest.newBuilder().setCollection(COLLECTION).setQuestion("how do I reset my token?")
                  .build()).getContextAdapterVersion(), r.id + " answers with it");
        }
      } finally {
        c.shutdownNow();
      }
    }
  }

  @Test
  @Order(2)
  void aKilledReplicaServesOnlyOnceCaughtUpAndLoadAdapterIsRefused() throws Exception {
    StudentReplica killed = replicas.get(2);
    StatusRuntimeException push = assertThrows(StatusRuntimeException.class, () -> killed.admin().loadAdapter(
        LoadAdapterRequest.newBuilder().setCollection(COLLECTION).setTower(Tower.TOWER_CONTEXT).setVersion(999)
            .setRows(DIM).setCols(DIM).addAllValues(floats(identity(0.01, 1))).build()));
    assertEquals(Status.Code.FAILED_PRECONDITION, push.getStatus().getCode(), push.getStatus().toString());
    assertTrue(push.getStatus().getDescription().contains("rollout topic"), push.getStatus().getDescription());

    try (var rollout = new dev.distillmesh.trainer.kafka.KafkaRollout(meshLog, Duration.ofSeconds(60))) {
      long v = rollout.servedVersion(COLLECTION) + 1;
      assertTrue(rollout.publish(COLLECTION, v, DIM, identity(0.01, v), "test v" + v, "it", 0.5)
          .startsWith("rolled out to 3/3 replicas"));

      killed.process.kill9();
      killed.channel.shutdownNow();
      // While it is down two versions are published; the publish waits until the dead replica's
      // reports are stale, then counts the two live ones.
      String twoOfTwo = rollout.publish(COLLECTION, v + 1, DIM, identity(0.01, v + 1), "test", "it", 0.5);
      assertTrue(twoOfTwo.startsWith("rolled out to 2/2 replicas"), twoOfTwo);
      rollout.publish(COLLECTION, v + 2, DIM, identity(0.01, v + 2), "test", "it", 0.5);

      killed.start();
      ServingStatus seen;
      while ((seen = killed.health()) != ServingStatus.SERVING) {
        assertTrue(killed.process.isAlive(), killed.process.logTail(40));
        Thread.sleep(10);
      }
      assertEquals(v + 2, killed.contextVersion(), "SERVING only once it serves the newest version");
      String log = Files.readString(killed.process.log(), StandardCharsets.UTF_8);
      assertTrue(log.indexOf("serves") < log.indexOf("caught up with"), log);

      // The restarted replica counts again.
      String all = rollout.publish(COLLECTION, v + 3, DIM, identity(0.01, v + 3), "test", "it", 0.5);
      assertTrue(all.startsWith("rolled out to 3/3 replicas"), all);
    }
  }

  @Test
  @Order(3)
  void aRefusedMatrixFailsThePublishAndACorruptRecordIsSkipped() throws Exception {
    try (var rollout = new dev.distillmesh.trainer.kafka.KafkaRollout(meshLog, Duration.ofSeconds(60))) {
      long before = rollout.servedVersion(COLLECTION);
      // -I: its symmetric part is negative, so the adapter rules refuse it on every replica.
      float[] negative = identity(0, 1);
      for (int i = 0; i < DIM; i++) {
        negative[i * DIM + i] = -1;
      }
      DomainException refused = assertThrows(DomainException.class,
          () -> rollout.publish(COLLECTION, before + 1, DIM, negative, "bad", "it", 0.5));
      assertEquals(DomainException.Kind.FAILED_PRECONDITION, refused.kind(), refused.getMessage());
      assertTrue(refused.getMessage().contains("refused adapter v" + (before + 1)), refused.getMessage());
      for (StudentReplica r : replicas) {
        assertEquals(before, r.contextVersion(), r.id + " keeps serving what it had");
      }

      try (KafkaProducer<String, byte[]> raw = meshLog.producer("test-corrupt", MeshTopics.MAX_ADAPTER_BYTES, 30_000)) {
        byte[] good = new AdapterRecord(COLLECTION, "context", before + 2, DIM, identity(0.01, 7), "it", 0.5, "flip",
            System.currentTimeMillis()).encode();
        good[good.length / 2] ^= 0x5a; // a flipped byte: the CRC no longer matches
        raw.send(new ProducerRecord<>(MeshTopics.ADAPTERS, AdapterRecord.key(COLLECTION, "context"), good)).get();
        raw.send(new ProducerRecord<>(MeshTopics.ADAPTERS, "foreign", "not an adapter".getBytes(StandardCharsets.UTF_8)))
            .get();
      }
      // The feed goes on: the next good version reaches everyone.
      String ok = rollout.publish(COLLECTION, before + 3, DIM, identity(0.01, 11), "good", "it", 0.5);
      assertTrue(ok.startsWith("rolled out to 3/3 replicas"), ok);
      for (StudentReplica r : replicas) {
        assertTrue(r.process.isAlive(), r.id);
        String metrics = r.metrics();
        assertTrue(metrics.contains("distillmesh_student_rollout_skipped_total{reason=\"crc\"} 1"), metrics);
        assertTrue(metrics.matches("(?s).*distillmesh_student_rollout_skipped_total\\{reason=\"(foreign|truncated)\"} 1.*"),
            metrics);
      }
    }
  }

  @Test
  @Order(4)
  void repliesGoOnWhileTheBrokerIsDownAndTheNextPublishReachesEveryoneAfterIt() throws Exception {
    try (var rollout = new dev.distillmesh.trainer.kafka.KafkaRollout(meshLog, Duration.ofSeconds(90))) {
      long served = rollout.servedVersion(COLLECTION);
      broker.kill9();
      int answered = 0;
      for (int round = 0; round < 5; round++) {
        for (StudentReplica r : replicas) {
          var reply = StudentServiceGrpc.newBlockingStub(r.channel).withDeadlineAfter(30, TimeUnit.SECONDS)
              .answer(AnswerRequest.newBuilder().setCollection(COLLECTION).setQuestion("how do I rebuild the index?")
                  .setK(3).build());
          assertFalse(reply.getCandidatesList().isEmpty(), r.id);
          assertEquals(served, reply.getContextAdapterVersion(), r.id + " answers with the newest version");
          answered++;
        }
        Thread.sleep(200);
      }
      assertEquals(15, answered);
      for (StudentReplica r : replicas) {
        assertEquals(ServingStatus.SERVING, r.health(), r.id + " keeps serving what it has without the broker");
      }
      broker.restart();
      // Every acknowledged version survived the kill: the replicas reconnect and a new one reaches all.
      String all = rollout.publish(COLLECTION, rollout.servedVersion(COLLECTION) + 1, DIM, identity(0.01, 21), "after",
          "it", 0.5);
      assertTrue(all.startsWith("rolled out to 3/3 replicas"), all);
      assertTrue(rollout.servedVersion(COLLECTION) > served);
    }
    // The queries answered while the broker was away were queued, not lost silently: each is now
    // produced or counted as dropped.
    for (StudentReplica r : replicas) {
      String m = r.awaitTrafficSent();
      assertTrue(Scrape.metric(m, "distillmesh_student_traffic_sampled_total") >= 5, r.id + "\n" + m);
    }
  }

  @Test
  @Order(5)
  void trafficFromEveryReplicaIsTrainedExactlyOnceThroughATrainerKill() throws Exception {
    StatusRuntimeException take = assertThrows(StatusRuntimeException.class,
        () -> replicas.get(0).admin().takeTraffic(TakeTrafficRequest.getDefaultInstance()));
    assertEquals(Status.Code.FAILED_PRECONDITION, take.getStatus().getCode(), take.getStatus().toString());
    assertTrue(take.getStatus().getDescription().contains(MeshTopics.TRAFFIC), take.getStatus().getDescription());
    try (KafkaProducer<String, byte[]> raw = meshLog.producer("test-bad-traffic", MeshTopics.MAX_TRAFFIC_BYTES,
        30_000)) {
      byte[] good = new TrafficRecord(TrafficRecord.Kind.ANSWER, COLLECTION, "it", 1L, List.of("a cut question"))
          .encode();
      raw.send(new ProducerRecord<>(MeshTopics.TRAFFIC, COLLECTION, Arrays.copyOf(good, good.length - 4))).get();
      raw.send(new ProducerRecord<>(MeshTopics.TRAFFIC, COLLECTION, "not traffic".getBytes(StandardCharsets.UTF_8)))
          .get();
    }
    // Wave 1 from all three replicas; then one of them dies with kill -9: what it produced stays.
    ask(replicas, "wave one", 60);
    StudentReplica dead = replicas.get(1);
    dead.process.kill9();
    dead.channel.shutdownNow();

    Path runs = dir.resolve("traffic-runs");
    RunSpec spec = RunSpec.newBuilder().setName("traffic").setCollection(COLLECTION)
        .setQuestions(Path.of("..", "examples", "helpdesk", "questions.jsonl").toAbsolutePath().toString())
        .setSource(Source.TRAFFIC).setHoldout("fraction:0.2").setObjective(Objective.TOPK)
        .setHyper(Hyperparameters.newBuilder().setBatchSize(2).setEvalEvery(20).setLearningRate(1e-3))
        .build();
    String id;
    String firstLog;
    long stepAtKill;
    try (TrainerProcess a = trainer(runs, "trainer-a.log")) {
      var stub = trainerStub(a);
      id = stub.withDeadlineAfter(60, TimeUnit.SECONDS).startRun(StartRunRequest.newBuilder().setSpec(spec).build())
          .getRunId();
      // Past its checkpoint at step 20, or out of wave one's traffic, whichever comes first.
      stepAtKill = awaitRun(stub, id, r -> r.getStep() >= 23
          || (r.getStep() > 0 && r.getMessage().startsWith("waiting for traffic"))).getStep();
      String metrics = Scrape.metricsAt(a.logFile());
      a.kill9();
      firstLog = a.log();
      assertEquals(1, Scrape.metric(metrics, "distillmesh_trainer_traffic_skipped_total{reason=\"truncated\"}"), metrics);
      assertEquals(1, Scrape.metric(metrics, "distillmesh_trainer_traffic_skipped_total{reason=\"foreign\"}"), metrics);
    }
    assertTrue(stepAtKill > 0, firstLog);
    long journaledAtKill = journalSize(runs.resolve(id));
    long checkpointedAtKill = RunFiles.checkpointedPosition(runs.resolve(id));
    assertTrue(firstLog.contains("(truncated)") && firstLog.contains("(foreign)"), "the bad records are skipped with"
        + " their reason:\n" + firstLog);

    // Wave 2 while the trainer is down, from the two live replicas; then a new trainer resumes the run.
    List<StudentReplica> live = List.of(replicas.get(0), replicas.get(2));
    ask(live, "wave two", 30);
    Map<String, TrafficRecord> onTopic;
    RunInfo stopped;
    try (TrainerProcess b = trainer(runs, "trainer-b.log")) {
      var stub = trainerStub(b);
      Path runDir = runs.resolve(id);
      int waveTwo = trafficOnTopic().size();
      awaitRun(stub, id, r -> r.getMessage().startsWith("waiting for traffic") && journalSize(runDir) >= waveTwo);
      // The broker dies under the running run and the replicas' queries: both go on once it is back.
      broker.kill9();
      answerAll(live, "outage", 6);
      broker.restart();
      for (StudentReplica r : live) {
        r.awaitTrafficSent();
      }
      onTopic = trafficOnTopic();
      int all = onTopic.size();
      awaitRun(stub, id, r -> r.getMessage().startsWith("waiting for traffic") && journalSize(runDir) >= all);
      stub.withDeadlineAfter(60, TimeUnit.SECONDS).stopRun(StopRunRequest.newBuilder().setRunId(id).build());
      stopped = awaitRun(stub, id, r -> terminal(r.getState()));
      assertEquals(RunState.STOPPED, stopped.getState(), stopped.getMessage() + "\n" + b.log());
    }
    assertTrue(stopped.getResumed() >= 1, "the run resumed after the kill");

    // Exactly once: the journal holds each query on the topic once, and the checkpoint says all were trained.
    Path runDir = runs.resolve(id);
    List<String> journaled = RunFiles.journal(runDir).stream().map(q -> q.partition() + ":" + q.offset()).toList();
    assertEquals(journaled.size(), Set.copyOf(journaled).size(), "no query taken twice");
    assertEquals(onTopic.keySet(), Set.copyOf(journaled), "every query on the topic taken");
    assertEquals(onTopic.size(), RunFiles.checkpointedPosition(runDir), "and trained");
    assertTrue(onTopic.values().stream().filter(t -> t.replicaId().equals(dead.id)).count() >= 20,
        "the killed replica's traffic is among them");
    assertEquals(90, onTopic.values().stream().filter(t -> t.query().startsWith("wave ")).count());
    assertEquals(6, onTopic.values().stream().filter(t -> t.query().startsWith("outage ")).count(),
        "what the replicas answered while the broker was down reached the run once it was back");
    assertEquals(15, onTopic.values().stream().filter(t -> t.query().equals("how do I rebuild the index?")).count(),
        "the queries answered while the broker was down (for less than the 30 s delivery budget) all arrived");
    System.out.printf("traffic drill: %d queries on the topic (%d from the killed replica); trainer killed at step %d"
        + " with %d journaled, %d checkpointed as trained; after the resume %d journaled, %d trained, %d distinct%n",
        onTopic.size(), onTopic.values().stream().filter(t -> t.replicaId().equals(dead.id)).count(), stepAtKill,
        journaledAtKill, checkpointedAtKill, journaled.size(), RunFiles.checkpointedPosition(runDir),
        Set.copyOf(journaled).size());

    // The group's offsets are what the last checkpoint covered: the next run starts after them.
    Map<Integer, Long> last = new HashMap<>();
    RunFiles.journal(runDir).forEach(q -> last.merge(q.partition(), q.offset(), Math::max));
    try (Admin admin = meshLog.admin()) {
      var committed = admin.listConsumerGroupOffsets(KafkaTrafficFeed.group(COLLECTION)).partitionsToOffsetAndMetadata()
          .get(30, TimeUnit.SECONDS);
      last.forEach((p, o) -> assertEquals(o + 1, committed.get(new TopicPartition(MeshTopics.TRAFFIC, p)).offset(),
          "partition " + p));
    }
  }

  /** Asks {@code n} distinct questions round-robin over the replicas, then waits until all are sent. */
  private static void ask(List<StudentReplica> to, String prefix, int n) throws Exception {
    answerAll(to, prefix, n);
    for (StudentReplica r : to) {
      r.awaitTrafficSent();
    }
  }

  private static void answerAll(List<StudentReplica> to, String prefix, int n) {
    for (int i = 0; i < n; i++) {
      StudentReplica r = to.get(i % to.size());
      assertFalse(StudentServiceGrpc.newBlockingStub(r.channel).withDeadlineAfter(30, TimeUnit.SECONDS)
          .answer(AnswerRequest.newBuilder().setCollection(COLLECTION).setK(3)
              .setQuestion(prefix + " " + i + ": how do I rotate the admin token?").build())
          .getCandidatesList().isEmpty(), "answered");
    }
  }

  /** Every readable query of the collection on the traffic topic, by "partition:offset". */
  private static Map<String, TrafficRecord> trafficOnTopic() throws Exception {
    Map<String, TrafficRecord> out = new TreeMap<>();
    try (KafkaConsumer<String, byte[]> c = meshLog.reader("test-traffic-reader", MeshTopics.MAX_TRAFFIC_BYTES)) {
      for (ConsumerRecord<String, byte[]> r : TopicContents.read(c, MeshTopics.TRAFFIC)) {
        if (COLLECTION.equals(r.key())) {
          try {
            out.put(r.partition() + ":" + r.offset(), TrafficRecord.decode(r.value()));
          } catch (MalformedRecordException e) {
            // the test's own bad records
          }
        }
      }
    }
    return out;
  }

  private static TrainerProcess trainer(Path runs, String log) throws Exception {
    return TrainerProcess.start(runs, replicas.get(0).process.target(), "127.0.0.1:" + teacher.port(),
        "127.0.0.1:" + index.port(), dir.resolve(log), "--kafka", broker.bootstrapServers(), "--metrics-port", "0");
  }

  private static TrainerServiceGrpc.TrainerServiceBlockingStub trainerStub(TrainerProcess t) {
    ManagedChannel c = NettyChannelBuilder.forTarget(t.target()).usePlaintext().build();
    channels.add(c);
    return TrainerServiceGrpc.newBlockingStub(c);
  }

  private static RunInfo awaitRun(TrainerServiceGrpc.TrainerServiceBlockingStub stub, String id,
      Predicate<RunInfo> done) throws Exception {
    RunInfo r = null;
    for (int i = 0; i < 3000 && (r == null || !done.test(r)); i++) { // a safety net, 5 min
      Thread.sleep(100);
      r = stub.withDeadlineAfter(30, TimeUnit.SECONDS).getRun(GetRunRequest.newBuilder().setRunId(id).build());
      assertFalse(r.getState() == RunState.FAILED, r.getMessage());
    }
    assertTrue(done.test(r), r.toString());
    return r;
  }

  private static long journalSize(Path runDir) {
    try {
      return RunFiles.journal(runDir).size();
    } catch (IOException e) {
      return -1;
    }
  }

  private static boolean terminal(RunState s) {
    return s == RunState.COMPLETED || s == RunState.FAILED || s == RunState.STOPPED;
  }

  /** I plus small seeded noise: a matrix every replica accepts. */
  private static float[] identity(double noise, long seed) {
    Random random = new Random(seed);
    float[] m = new float[DIM * DIM];
    for (int i = 0; i < DIM; i++) {
      for (int j = 0; j < DIM; j++) {
        m[i * DIM + j] = (float) ((i == j ? 1 : 0) + noise * random.nextGaussian() / Math.sqrt(DIM));
      }
    }
    return m;
  }

  private static List<Float> floats(float[] m) {
    List<Float> out = new ArrayList<>(m.length);
    for (float f : m) {
      out.add(f);
    }
    return out;
  }

  private static void ingestHelpdesk(StudentReplica r) throws Exception {
    List<Document> docs = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("..", "examples", "helpdesk", "passages.jsonl"))) {
      var o = com.google.gson.JsonParser.parseString(line).getAsJsonObject();
      docs.add(Document.newBuilder().setId(o.get("id").getAsString()).setText(o.get("text").getAsString()).build());
    }
    ClientStream<IngestRequest, IngestResponse> stream = ClientStream.open(
        StudentAdminGrpc.newStub(r.channel).withDeadlineAfter(10, TimeUnit.MINUTES)::ingest);
    stream.send(IngestRequest.newBuilder().setCollection(COLLECTION).setIndexSpec("Flat").addAllDocuments(docs).build());
    stream.finish();
  }
}
