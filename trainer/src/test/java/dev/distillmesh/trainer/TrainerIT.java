package dev.distillmesh.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.distillmesh.proto.student.v1.AnswerRequest;
import dev.distillmesh.proto.student.v1.Document;
import dev.distillmesh.proto.student.v1.GetModelInfoRequest;
import dev.distillmesh.proto.student.v1.RespondRequest;
import dev.distillmesh.proto.trainer.v1.GetRunRequest;
import dev.distillmesh.proto.trainer.v1.Hyperparameters;
import dev.distillmesh.proto.trainer.v1.Objective;
import dev.distillmesh.proto.trainer.v1.Publish;
import dev.distillmesh.proto.trainer.v1.RunEvent;
import dev.distillmesh.proto.trainer.v1.RunInfo;
import dev.distillmesh.proto.trainer.v1.RunSpec;
import dev.distillmesh.proto.trainer.v1.RunState;
import dev.distillmesh.proto.trainer.v1.Source;
import dev.distillmesh.proto.trainer.v1.StartRunRequest;
import dev.distillmesh.proto.trainer.v1.Task;
import dev.distillmesh.proto.trainer.v1.TrainerServiceGrpc;
import dev.distillmesh.proto.trainer.v1.WatchRunRequest;
import dev.distillmesh.teacher.TeacherServer;
import dev.distillmesh.teacher.TeacherServerConfig;
import dev.distillmesh.teacher.triton.FakeTritonServer;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer as its users run it: a real trainer process against a real index, student and
 * embedded e5 teacher on loopback. A run killed with SIGKILL resumes from its checkpoint in the
 * next trainer and completes without repeating a publish; distilling e5 into the student on SQuAD
 * articles raises held-out recall, and the student serves the published adapter at once.
 */
class TrainerIT {
  @TempDir
  static Path dir;
  private static LiveMesh mesh;

  @BeforeAll
  static void start() throws Exception {
    mesh = new LiveMesh(dir);
  }

  @AfterAll
  static void stop() {
    mesh.close();
  }

  private static ManagedChannel channel(TrainerProcess trainer) {
    return NettyChannelBuilder.forTarget(trainer.target()).usePlaintext().build();
  }

  private static List<Document> passages(Path file) throws Exception {
    List<Document> docs = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      JsonObject o = JsonParser.parseString(line).getAsJsonObject();
      String text = o.has("title") ? o.get("title").getAsString() + ". " + o.get("text").getAsString()
          : o.get("text").getAsString();
      docs.add(Document.newBuilder().setId(o.get("id").getAsString()).setText(text).build());
    }
    return docs;
  }

  /** The context adapter version the student serves {@code collection} with. */
  private static long contextVersion(String collection) {
    return mesh.admin().getModelInfo(GetModelInfoRequest.newBuilder().setCollection(collection).build())
        .getCollectionsList().stream().filter(c -> c.getCollection().equals(collection))
        .mapToLong(c -> c.getContextAdapter().getVersion()).findFirst().orElse(0);
  }

  private static RunInfo waitFor(TrainerServiceGrpc.TrainerServiceBlockingStub stub, String id, Predicate<RunInfo> done)
      throws InterruptedException {
    for (int i = 0; i < 18000; i++) { // 30 minutes: a safety net for a stuck run, not a speed check
      RunInfo r = stub.withDeadlineAfter(30, TimeUnit.SECONDS).getRun(GetRunRequest.newBuilder().setRunId(id).build());
      if (done.test(r)) {
        return r;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("gave up waiting on run " + id);
  }

  @Test
  void aKilledTrainerResumesItsRunFromTheLastCheckpoint() throws Exception {
    Path examples = Path.of("..", "examples", "helpdesk");
    mesh.ingest("helpdesk", passages(examples.resolve("passages.jsonl")));
    Path runs = dir.resolve("runs-resume");
    RunSpec spec = RunSpec.newBuilder().setName("resume").setCollection("helpdesk")
        .setQuestions(examples.resolve("questions.jsonl").toAbsolutePath().toString())
        .setSource(Source.LABELLED).setHoldout("fraction:0.2").setObjective(Objective.G2R)
        .setHyper(Hyperparameters.newBuilder().setEpochs(60).setBatchSize(16).setEvalEvery(5).setLearningRate(1e-3)
            .setAlpha(0.8))
        .build();

    long servingBefore = contextVersion("helpdesk");
    String id;
    long killedAt;
    try (TrainerProcess first = TrainerProcess.start(runs, mesh,
        dir.resolve("trainer-1.log"))) {
      ManagedChannel c = channel(first);
      try {
        var stub = TrainerServiceGrpc.newBlockingStub(c);
        id = stub.withDeadlineAfter(60, TimeUnit.SECONDS).startRun(StartRunRequest.newBuilder().setSpec(spec).build())
            .getRunId();
        killedAt = waitFor(stub, id, r -> r.getStep() >= 42 || r.getState() == RunState.FAILED).getStep();
        assertEquals(RunState.RUNNING, stub.getRun(GetRunRequest.newBuilder().setRunId(id).build()).getState(),
            first.log());
        first.kill9();
      } finally {
        c.shutdownNow();
      }
    }

    try (TrainerProcess second = TrainerProcess.start(runs, mesh,
        dir.resolve("trainer-2.log"))) {
      ManagedChannel c = channel(second);
      try {
        var stub = TrainerServiceGrpc.newBlockingStub(c);
        RunInfo resumed = stub.withDeadlineAfter(30, TimeUnit.SECONDS).getRun(GetRunRequest.newBuilder().setRunId(id).build());
        assertEquals(1, resumed.getResumed(), "the new trainer resumes the interrupted run");
        assertTrue(resumed.getStep() >= killedAt - 20 && resumed.getStep() <= killedAt,
            "resumes from the last checkpoint (every 20 steps and every evaluation): step " + resumed.getStep()
                + ", killed at " + killedAt);
        // Watching a resumed run replays what its record holds, then follows it to the end.
        Iterator<RunEvent> events = stub.withDeadlineAfter(20, TimeUnit.MINUTES)
            .watchRun(WatchRunRequest.newBuilder().setRunId(id).build());
        RunState last = RunState.RUN_STATE_UNSPECIFIED;
        while (events.hasNext()) {
          RunEvent e = events.next();
          if (e.hasState()) {
            last = e.getState().getState();
          }
        }
        assertEquals(RunState.COMPLETED, last, second.log());
        RunInfo done = stub.getRun(GetRunRequest.newBuilder().setRunId(id).build());
        assertEquals(done.getMaxSteps(), done.getStep());
        Set<Long> versions = new HashSet<>();
        long previous = servingBefore;
        for (Publish p : done.getPublishesList()) {
          assertTrue(p.getVersion() > previous, "publish versions only move forward: " + done.getPublishesList());
          assertTrue(versions.add(p.getVersion()), "no publish is repeated");
          previous = p.getVersion();
        }
        long serving = contextVersion("helpdesk");
        assertEquals(previous, serving, "the student serves the run's last publish (or what it served before)");
      } finally {
        c.shutdownNow();
      }
    }
  }

  @Test
  void everyObjectiveAndTheTrafficSourceTrain() throws Exception {
    Path examples = Path.of("..", "examples", "helpdesk");
    mesh.ingest("helpdesk", passages(examples.resolve("passages.jsonl")));
    RunSpec.Builder base = RunSpec.newBuilder().setCollection("helpdesk")
        .setQuestions(examples.resolve("questions.jsonl").toAbsolutePath().toString())
        .setSource(Source.LABELLED).setHoldout("fraction:0.2");
    try (TrainerProcess trainer = TrainerProcess.start(dir.resolve("runs-objectives"), mesh, dir.resolve("trainer-objectives.log"))) {
      ManagedChannel c = channel(trainer);
      try {
        var stub = TrainerServiceGrpc.newBlockingStub(c);
        for (Objective objective : List.of(Objective.TOPK, Objective.G2R, Objective.RDR, Objective.RELATIONAL)) {
          RunInfo done = runToEnd(stub, base.clone().setName(objective.name()).setObjective(objective)
              .setHyper(Hyperparameters.newBuilder().setMaxSteps(6).setBatchSize(8).setEvalEvery(3)).build());
          assertEquals(RunState.COMPLETED, done.getState(), objective + ": " + done.getMessage() + "\n" + trainer.log());
          assertEquals(6, done.getStep(), objective.name());
          assertTrue(done.getLatest().getQuestions() > 0, objective.name());
          assertTrue(done.getPairsPerSecond() > 0, objective + " trained on (question, passage) pairs");
        }

        // TRAFFIC: the run learns from the queries the student answers, and waits for them.
        mesh.admin().takeTraffic(dev.distillmesh.proto.student.v1.TakeTrafficRequest.newBuilder()
            .setMaxItems(10000).build()); // what other tests asked is not this run's traffic
        String id = stub.withDeadlineAfter(60, TimeUnit.SECONDS).startRun(StartRunRequest.newBuilder().setSpec(
            base.clone().setName("traffic").setSource(Source.TRAFFIC).setObjective(Objective.TOPK)
                .setHyper(Hyperparameters.newBuilder().setMaxSteps(3).setBatchSize(8).setEvalEvery(3))).build())
            .getRunId();
        RunInfo waiting = waitFor(stub, id, r -> r.getMessage().startsWith("waiting for traffic"));
        assertEquals(RunState.RUNNING, waiting.getState());
        List<String> asked = List.of("how do I change the admin token?", "what does the trainer do?",
            "why is my query slow?", "how are writes made durable?");
        for (int i = 0; i < 24; i++) {
          mesh.query().answer(AnswerRequest.newBuilder().setCollection("helpdesk").setK(3)
              .setQuestion(asked.get(i % asked.size()) + " (" + i + ")").build());
        }
        RunInfo done = waitFor(stub, id, r -> r.getState() != RunState.RUNNING && r.getState() != RunState.PREPARING);
        assertEquals(RunState.COMPLETED, done.getState(), done.getMessage() + "\n" + trainer.log());
        assertEquals(3, done.getStep());
      } finally {
        c.shutdownNow();
      }
    }
  }

  private static RunInfo runToEnd(TrainerServiceGrpc.TrainerServiceBlockingStub stub, RunSpec spec) throws Exception {
    String id = stub.withDeadlineAfter(60, TimeUnit.SECONDS).startRun(StartRunRequest.newBuilder().setSpec(spec).build())
        .getRunId();
    return waitFor(stub, id, r -> r.getState() != RunState.RUNNING && r.getState() != RunState.PREPARING);
  }

  @Test
  void distillingOnSquadRaisesHeldOutRecallAndTheStudentServesItWithoutARestart() throws Exception {
    Path squad = Path.of(System.getProperty("shared.data.dir", "../../shared/data")).resolve("squad-dev");
    Assumptions.assumeTrue(Files.isRegularFile(squad.resolve("passages.jsonl")),
        "skipped: " + squad.toAbsolutePath() + " not found; the SQuAD training check needs ../shared/data beside the checkout");
    // Articles 0-9 (about 450 passages) keep the test short: train on 0-7, hold out 8-9. The issue's
    // full split (0-39 / 40-47, all passages) and its targets are measured by scripts/bench-trainer.sh.
    // DailyDialog responses join them as distractors, so that the collection holds more than the
    // 4,096 candidates one teacher request can carry: the run must take its candidates from the
    // collection's search, not from the whole pool.
    List<String> passageLines = new ArrayList<>();
    for (String line : Files.readAllLines(squad.resolve("passages.jsonl"), StandardCharsets.UTF_8)) {
      String id = JsonParser.parseString(line).getAsJsonObject().get("id").getAsString();
      if (Integer.parseInt(id.split("-")[2]) <= 9) {
        passageLines.add(line);
      }
    }
    List<String> questionLines = new ArrayList<>();
    for (String line : Files.readAllLines(squad.resolve("queries.jsonl"), StandardCharsets.UTF_8)) {
      String id = JsonParser.parseString(line).getAsJsonObject().get("passage_id").getAsString();
      if (Integer.parseInt(id.split("-")[2]) <= 9) {
        questionLines.add(line);
      }
    }
    Path passages = Files.write(dir.resolve("squad-passages.jsonl"), passageLines);
    Path questions = Files.write(dir.resolve("squad-questions.jsonl"), questionLines);
    List<Document> documents = passages(passages);
    Path dialog = squad.resolveSibling("dialog").resolve("train.jsonl");
    Set<String> distractors = new HashSet<>();
    for (String line : Files.readAllLines(dialog, StandardCharsets.UTF_8)) {
      String response = JsonParser.parseString(line).getAsJsonObject().get("response").getAsString();
      if (documents.size() > 4_200) {
        break;
      }
      if (distractors.add(response)) {
        documents.add(Document.newBuilder().setId("dd-" + distractors.size()).setText(response).build());
      }
    }
    mesh.ingest("squad", documents);

    try (TrainerProcess trainer = TrainerProcess.start(dir.resolve("runs-squad"), mesh, dir.resolve("trainer-squad.log"))) {
      ManagedChannel c = channel(trainer);
      try {
        var stub = TrainerServiceGrpc.newBlockingStub(c);
        String id = stub.withDeadlineAfter(60, TimeUnit.SECONDS).startRun(StartRunRequest.newBuilder().setSpec(
            RunSpec.newBuilder().setName("squad").setCollection("squad").setQuestions(questions.toString()).setSource(Source.LABELLED).setHoldout("articles:8-9")
                .setObjective(Objective.TOPK)
                .setHyper(Hyperparameters.newBuilder().setEvalEvery(25).setEpochs(4).setCandidates(20))).build()).getRunId();
        RunInfo done = waitFor(stub, id, r -> r.getState() == RunState.COMPLETED || r.getState() == RunState.FAILED);
        assertEquals(RunState.COMPLETED, done.getState(), done.getMessage() + "\n" + trainer.log());
        double before = done.getStudentAtStart().getRAt1();
        double after = done.getBest().getRAt1();
        System.out.printf("squad articles 8-9 held out (%d questions): student R@1 %.4f -> %.4f, teacher %.4f%n",
            done.getStudentAtStart().getQuestions(), before, after, done.getTeacher().getRAt1());
        assertTrue(done.getTeacher().getRAt1() > before + 0.05, "e5 is the better re-ranker here: " + done);
        // Both are measured through the real search: within the student's top 20 (the run's K).
        assertEquals(20, done.getStudentAtStart().getCandidates());
        assertEquals(done.getStudentAtStart().getCeiling(), done.getTeacher().getCeiling(), 1e-9, done.toString());
        assertTrue(done.getTeacher().getRAt1() <= done.getTeacher().getCeiling(), "teacher@K cannot pass the ceiling");
        assertTrue(done.getStudentAtStart().getCeiling() > 0.8, "the student's top 20 mostly holds the gold: " + done);
        // Deterministic here (seeded order, same models); on this small split the gain is a few
        // questions, so the test asks only that it is there. The size of the gain on the full split
        // is the benchmark's business.
        assertTrue(after > before, "distillation should raise held-out R@1: " + before + " -> " + after);
        assertTrue(done.getBest().getMrrAt10() > done.getStudentAtStart().getMrrAt10(), "and MRR@10: " + done);
        assertTrue(done.getPublishesCount() >= 1, "an improvement is published");
        long published = done.getPublishes(done.getPublishesCount() - 1).getVersion();
        // The student answers with the published adapter at once, without a restart.
        long served = mesh.query().answer(AnswerRequest.newBuilder().setCollection("squad").setK(1)
            .setQuestion("Which NFL team represented the AFC at Super Bowl 50?").build()).getContextAdapterVersion();
        // And rolling back to the untrained student publishes the identity as the next version.
        RunInfo rolledBack = stub.withDeadlineAfter(60, TimeUnit.SECONDS).rollback(
            dev.distillmesh.proto.trainer.v1.RollbackRequest.newBuilder().setRunId(id).setToVersion(0).build());
        Publish last = rolledBack.getPublishes(rolledBack.getPublishesCount() - 1);
        assertEquals("rollback to v0", last.getReason());
        assertEquals(published + 1, last.getVersion());
        assertEquals(published + 1, mesh.query().answer(AnswerRequest.newBuilder().setCollection("squad").setK(1)
            .setQuestion("Which NFL team represented the AFC at Super Bowl 50?").build()).getContextAdapterVersion());
        assertEquals(published, served);
      } finally {
        c.shutdownNow();
      }
    }
  }

  /**
   * A DIALOGUE run that trains both towers: held-out Hits@1/K rises, each publish has the index
   * re-project the collection with the response adapter into a new generation holding every record
   * it held before, and the
   * student answers Respond from that generation with the matching context adapter.
   */
  @Test
  void aDialogueRunTrainsBothTowersAndPublishesANewIndexGeneration() throws Exception {
    Path dialog = Path.of(System.getProperty("shared.data.dir", "../../shared/data")).resolve("dialog");
    Assumptions.assumeTrue(Files.isRegularFile(dialog.resolve("train.jsonl")),
        "skipped: " + dialog.toAbsolutePath() + " not found; the dialogue check needs ../shared/data beside the checkout");
    // The first 1,500 training pairs and 150 held-out examples keep the test short; the full
    // DailyDialog run and its Hits@1/20 target are measured by scripts/bench-trainer.sh.
    List<String> trainLines = Files.readAllLines(dialog.resolve("train.jsonl"), StandardCharsets.UTF_8).subList(0, 1500);
    Path train = Files.write(dir.resolve("dialog-train.jsonl"), trainLines);
    List<Document> responses = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (String line : trainLines) {
      String response = JsonParser.parseString(line).getAsJsonObject().get("response").getAsString();
      if (seen.add(response)) {
        responses.add(Document.newBuilder().setId("r" + responses.size()).setText(response)
            .setMetadataJson("{\"source\": \"dailydialog\"}").build());
      }
    }
    mesh.ingest("dialog", responses);
    var getCollection = dev.distillmesh.proto.index.v1.GetCollectionRequest.newBuilder().setName("dialog").build();
    long generationBefore = mesh.index().getCollection(getCollection).getGeneration();
    RespondRequest respond = RespondRequest.newBuilder().setCollection("dialog").setK(3)
        .addTurns("Would you like to go to the cinema tonight ?").build();

    try (TrainerProcess trainer = TrainerProcess.start(dir.resolve("runs-dialog"), mesh, dir.resolve("trainer-dialog.log"))) {
      ManagedChannel c = channel(trainer);
      try {
        var stub = TrainerServiceGrpc.newBlockingStub(c);
        RunInfo done = runToEnd(stub, RunSpec.newBuilder().setName("dialog").setTask(Task.DIALOGUE)
            .setCollection("dialog").setDialogues(train.toString())
            .setDialogueEval(dialog.resolve("test-candidates.jsonl").toString()).setHoldout("sample:150")
            .setSource(Source.LABELLED).setObjective(Objective.G2R).setTrainResponseAdapter(true)
            .setHyper(Hyperparameters.newBuilder().setAlpha(1).setEvalEvery(15).setEpochs(2)).build());
        assertEquals(RunState.COMPLETED, done.getState(), done.getMessage() + "\n" + trainer.log());
        System.out.printf("dialogue (150 held-out): student Hits@1/20 %.4f -> %.4f, teacher %.4f, Dist-2 %.3f -> %.3f%n",
            done.getStudentAtStart().getHitsAt1(), done.getBest().getHitsAt1(), done.getTeacher().getHitsAt1(),
            done.getStudentAtStart().getDist2(), done.getBest().getDist2());
        assertEquals(20, done.getStudentAtStart().getCandidates());
        assertEquals(150, done.getStudentAtStart().getQuestions());
        assertTrue(done.getTeacher().getHitsAt1() > 0.2, "the teacher ranks 20 candidates better than chance: " + done);
        assertTrue(done.getStudentAtStart().getDist2() > 0 && done.getStudentAtStart().getDist3() > 0, done.toString());
        assertTrue(done.getBest().getHitsAt1() > done.getStudentAtStart().getHitsAt1(),
            "training on dialogue pairs should raise held-out Hits@1: " + done);
        assertTrue(done.getPublishesCount() >= 1, "an improvement is published");
        Publish last = done.getPublishes(done.getPublishesCount() - 1);
        assertTrue(last.getResponseVersion() > 0, "the response adapter is published: " + last);
        assertTrue(last.getIndexGeneration() > generationBefore, "in a new index generation: " + last);

        var collection = mesh.index().getCollection(getCollection);
        assertEquals(last.getIndexGeneration(), collection.getGeneration());
        assertEquals(responses.size(), collection.getLiveCount(), "re-projecting keeps every record");
        assertEquals(last.getResponseVersion(), collection.getProjectionVersion(),
            "the index serves the collection with the published response adapter");
        var answer = mesh.query().respond(respond);
        assertEquals(last.getIndexGeneration(), answer.getIndexGeneration());
        assertEquals(last.getVersion(), answer.getContextAdapterVersion());
        assertEquals("{\"source\": \"dailydialog\"}", answer.getCandidates(0).getMetadataJson(),
            "payloads survive the re-encoding");

        // Rolling back to the untrained student publishes identities for both towers and re-projects again.
        RunInfo rolledBack = stub.withDeadlineAfter(5, TimeUnit.MINUTES).rollback(
            dev.distillmesh.proto.trainer.v1.RollbackRequest.newBuilder().setRunId(done.getRunId()).setToVersion(0)
                .build());
        Publish back = rolledBack.getPublishes(rolledBack.getPublishesCount() - 1);
        assertEquals(last.getResponseVersion() + 1, back.getResponseVersion());
        assertTrue(back.getIndexGeneration() > last.getIndexGeneration());
        assertEquals(back.getIndexGeneration(), mesh.query().respond(respond).getIndexGeneration());
      } finally {
        c.shutdownNow();
      }
    }
  }

  /**
   * Data-level G2R with a teacher that generates: the teacher-service on the Triton backend, in
   * front of {@link FakeTritonServer} (a KServe v2 test double speaking the real protocol; Triton
   * cannot run here). Each training context's generated responses join the response set and are
   * ingested into the served collection once, with their provenance.
   */
  @Test
  void generatedResponsesJoinTheServedCollectionWithTheirProvenance() throws Exception {
    List<String> train = new ArrayList<>();
    List<Document> responses = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String response = "reply number " + i + " about topic " + (i % 7);
      train.add("{\"context\": [\"opening line " + i + "\", \"question about topic " + (i % 7) + "\"], \"response\": \""
          + response + "\"}");
      responses.add(Document.newBuilder().setId("reply-" + i).setText(response).build());
    }
    List<String> eval = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      eval.add("{\"context\": [\"question about topic " + i + "\"], \"response\": \"reply about topic " + i
          + "\", \"candidates\": [\"reply about topic " + i + "\", \"something else\", \"another thing " + i + "\"]}");
    }
    Path trainFile = Files.write(dir.resolve("gen-train.jsonl"), train);
    Path evalFile = Files.write(dir.resolve("gen-eval.jsonl"), eval);
    mesh.ingest("generated", responses);

    try (FakeTritonServer triton = new FakeTritonServer()) {
      TeacherServerConfig config = TeacherServerConfig.parse(new String[] {"--port", "0", "--backend", "triton",
          "--triton-target", triton.target()}, java.util.Map.of());
      TeacherServer teacher = TeacherServer.start(config, NettyServerBuilder.forPort(0), TeacherServer.openTeacher(config));
      try (TrainerProcess trainer = TrainerProcess.start(dir.resolve("runs-generated"), mesh,
          "127.0.0.1:" + teacher.port(), dir.resolve("trainer-generated.log"))) {
        ManagedChannel c = channel(trainer);
        try {
          var stub = TrainerServiceGrpc.newBlockingStub(c);
          RunInfo done = runToEnd(stub, RunSpec.newBuilder().setName("generated").setTask(Task.DIALOGUE)
              .setCollection("generated").setDialogues(trainFile.toString()).setDialogueEval(evalFile.toString())
              .setSource(Source.LABELLED).setObjective(Objective.G2R)
              .setHyper(Hyperparameters.newBuilder().setAlpha(0.5).setTeacherTemperature(1).setBatchSize(8)
                  .setNegatives(4).setMaxSteps(4).setEvalEvery(2).setGeneratedPerContext(2)).build());
          assertEquals(RunState.COMPLETED, done.getState(), done.getMessage() + "\n" + trainer.log());
          // 4 steps of 8 contexts: 32 distinct contexts, 2 distinct generations each.
          assertEquals(64, done.getGeneratedResponses(), done.toString());
          assertTrue(triton.calls("generator") >= 1);

          List<dev.distillmesh.proto.index.v1.Record> generated = new ArrayList<>();
          String token = "";
          do {
            var page = mesh.index().listRecords(dev.distillmesh.proto.index.v1.ListRecordsRequest.newBuilder()
                .setCollection("generated").setPageToken(token).build());
            for (var r : page.getRecordsList()) {
              if (r.getPayload().getMetadataJson().contains("teacher-generated")) {
                generated.add(r);
              }
            }
            token = page.getNextPageToken();
          } while (!token.isEmpty());
          assertEquals(64, generated.size(), "every generated response is served");
          JsonObject meta = JsonParser.parseString(generated.get(0).getPayload().getMetadataJson()).getAsJsonObject();
          assertEquals(done.getRunId(), meta.get("run").getAsString());
          assertEquals("triton:generator", meta.get("teacher_model").getAsString());
          String context = meta.get("context").getAsString();
          assertTrue(generated.get(0).getPayload().getText().startsWith(context + "|n=2|k=20|"),
              "the fake generator echoes its context and sampling: " + generated.get(0).getPayload().getText());
        } finally {
          c.shutdownNow();
        }
      } finally {
        teacher.close();
      }
    }
  }
}
