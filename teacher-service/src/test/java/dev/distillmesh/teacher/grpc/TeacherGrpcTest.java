package dev.distillmesh.teacher.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.encoder.EncoderSpec;
import dev.distillmesh.encoder.OnnxEncoder;
import dev.distillmesh.proto.teacher.v1.GenerateRequest;
import dev.distillmesh.proto.teacher.v1.InfoRequest;
import dev.distillmesh.proto.teacher.v1.InfoResponse;
import dev.distillmesh.proto.teacher.v1.Sampling;
import dev.distillmesh.proto.teacher.v1.ScoreItem;
import dev.distillmesh.proto.teacher.v1.ScoreKind;
import dev.distillmesh.proto.teacher.v1.ScoreRequest;
import dev.distillmesh.proto.teacher.v1.ScoreResponse;
import dev.distillmesh.teacher.RunningTeacher;
import dev.distillmesh.teacher.embedded.EmbeddedTeacher;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The embedded teacher over real gRPC: RELEVANCE is the cosine of the member's own embeddings,
 * weighted across members; candidates come from the cache the second time; every malformed
 * request gets a precise status. Uses the bundled MiniLM as the ensemble (quick to load); the
 * default e5 teacher is checked against its reference quality in {@code TeacherSquadIT}.
 */
class TeacherGrpcTest {
  private static final String QUESTION = "How do I reset my password?";
  private static final List<String> PASSAGES = List.of(
      "To reset your password, open Settings, choose Security and click Reset password.",
      "Our office is closed on public holidays.",
      "Invoices are sent by email on the first day of each month.");

  private static RunningTeacher teacher;
  private static OnnxEncoder reference;

  @BeforeAll
  static void start() throws Exception {
    teacher = RunningTeacher.embedded("--ensemble", "all-minilm-l6-v2");
    reference = OnnxEncoder.open(EncoderSpec.bundled("all-minilm-l6-v2"), 1);
  }

  @AfterAll
  static void stop() throws Exception {
    teacher.close();
    reference.close();
  }

  private static ScoreRequest relevance(String context, List<String> candidates) {
    return ScoreRequest.newBuilder().setKind(ScoreKind.RELEVANCE)
        .addItems(ScoreItem.newBuilder().setContext(context).addAllCandidates(candidates)).build();
  }

  private static float cosine(OnnxEncoder encoder, String query, String passage) throws Exception {
    float[][] v = encoder.embed(List.of(encoder.tokenize(query, ""), encoder.tokenize(passage, "")));
    float s = 0;
    for (int i = 0; i < v[0].length; i++) {
      s += v[0][i] * v[1][i];
    }
    return s;
  }

  @Test
  void relevanceIsTheEncodersCosineAndRanksTheRightPassageFirst() throws Exception {
    ScoreResponse r = teacher.blocking().withDeadlineAfter(60, TimeUnit.SECONDS).score(relevance(QUESTION, PASSAGES));
    assertEquals(ScoreKind.RELEVANCE, r.getKind());
    assertEquals("all-minilm-l6-v2", r.getModel());
    List<Float> scores = r.getItems(0).getScoresList();
    assertEquals(3, scores.size());
    for (int j = 0; j < PASSAGES.size(); j++) {
      assertEquals(cosine(reference, QUESTION, PASSAGES.get(j)), scores.get(j), 1e-5, "candidate " + j);
    }
    assertTrue(scores.get(0) > scores.get(1) && scores.get(0) > scores.get(2), scores.toString());
  }

  @Test
  void repeatedCandidatesComeFromTheCacheWithTheSameScores() {
    List<String> fresh = List.of("A passage seen for the first time: the cache test " + System.nanoTime(),
        "Another new passage about parcels and deliveries " + System.nanoTime());
    InfoResponse before = teacher.blocking().info(InfoRequest.getDefaultInstance());
    ScoreResponse first = teacher.blocking().withDeadlineAfter(60, TimeUnit.SECONDS).score(relevance("where is my parcel", fresh));
    InfoResponse between = teacher.blocking().info(InfoRequest.getDefaultInstance());
    ScoreResponse second = teacher.blocking().withDeadlineAfter(60, TimeUnit.SECONDS).score(relevance("where is my parcel", fresh));
    InfoResponse after = teacher.blocking().info(InfoRequest.getDefaultInstance());
    assertEquals(before.getCacheEntries() + 2, between.getCacheEntries(), "both new candidates are cached");
    assertEquals(between.getCacheEntries(), after.getCacheEntries(), "nothing new to cache the second time");
    assertTrue(after.getCacheHitRate() > between.getCacheHitRate(), "the second request hits the cache");
    assertEquals(first.getItems(0).getScoresList(), second.getItems(0).getScoresList());
  }

  @Test
  void aCandidateRepeatedWithinOneRequestIsScoredTheSameEachTime() {
    String p = "Duplicate passage inside one request " + System.nanoTime();
    ScoreResponse r = teacher.blocking().withDeadlineAfter(60, TimeUnit.SECONDS)
        .score(ScoreRequest.newBuilder().setKind(ScoreKind.RELEVANCE)
            .addItems(ScoreItem.newBuilder().setContext("first question").addCandidates(p).addCandidates(p))
            .addItems(ScoreItem.newBuilder().setContext("second question").addCandidates(p)).build());
    assertEquals(2, r.getItemsCount());
    assertEquals(r.getItems(0).getScores(0), r.getItems(0).getScores(1));
    assertFalse(r.getItems(0).getScores(0) == r.getItems(1).getScores(0), "different contexts, different scores");
  }

  @Test
  void concurrentRequestsOverTheSameNewPassagesEncodeEachOnce() throws Exception {
    List<String> fresh = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      fresh.add("A passage shared by concurrent requests, number " + i + ", " + System.nanoTime());
    }
    EmbeddedTeacher embedded = (EmbeddedTeacher) teacher.server.teacher();
    long encodedBefore = embedded.encodedCandidates();
    InfoResponse before = teacher.blocking().info(InfoRequest.getDefaultInstance());
    List<java.util.concurrent.Future<ScoreResponse>> calls = new ArrayList<>();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      for (int c = 0; c < 8; c++) {
        String question = "question " + c;
        calls.add(pool.submit(() -> teacher.blocking().withDeadlineAfter(60, TimeUnit.SECONDS)
            .score(relevance(question, fresh))));
      }
      for (int c = 0; c < calls.size(); c++) {
        assertEquals(64, calls.get(c).get().getItems(0).getScoresCount());
      }
    } finally {
      pool.shutdownNow();
    }
    InfoResponse after = teacher.blocking().info(InfoRequest.getDefaultInstance());
    assertEquals(before.getCacheEntries() + 64, after.getCacheEntries());
    assertEquals(64, embedded.encodedCandidates() - encodedBefore,
        "each new passage is encoded once, however many concurrent requests want it");
  }

  @Test
  void membersAreWeighted() throws Exception {
    try (RunningTeacher ensemble = RunningTeacher.embedded("--ensemble", "all-minilm-l6-v2:0.5,all-minilm-l6-v2:2")) {
      ScoreResponse r = ensemble.blocking().withDeadlineAfter(60, TimeUnit.SECONDS).score(relevance(QUESTION, PASSAGES));
      assertEquals("all-minilm-l6-v2*0.5+all-minilm-l6-v2*2.0", r.getModel());
      for (int j = 0; j < PASSAGES.size(); j++) {
        assertEquals(2.5 * cosine(reference, QUESTION, PASSAGES.get(j)), r.getItems(0).getScores(j), 1e-5);
      }
      InfoResponse info = ensemble.blocking().info(InfoRequest.getDefaultInstance());
      assertEquals(2, info.getModelsCount());
      assertEquals(0.5f, info.getModels(0).getWeight());
      assertEquals(2f, info.getModels(1).getWeight());
    }
  }

  @Test
  void infoAndHealthDescribeTheEmbeddedBackend() {
    InfoResponse info = teacher.blocking().info(InfoRequest.getDefaultInstance());
    assertEquals("embedded", info.getBackend());
    assertEquals(List.of(ScoreKind.RELEVANCE), info.getKindsList());
    assertFalse(info.getCanGenerate());
    assertEquals(64, info.getStreamWindow());
    assertEquals("all-minilm-l6-v2", info.getModels(0).getName());
    assertEquals("encoder", info.getModels(0).getRole());
    assertEquals("bundled", info.getModels(0).getSource());
    assertTrue(info.getModels(0).getReady());
    assertEquals(HealthCheckResponse.ServingStatus.SERVING,
        HealthGrpc.newBlockingStub(teacher.channel).check(HealthCheckRequest.getDefaultInstance()).getStatus());
  }

  @Test
  void generateOnTheEmbeddedBackendNamesTheFix() {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> teacher.blocking()
        .generate(GenerateRequest.newBuilder().addContexts("hello").build()));
    assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("--backend triton"), e.getStatus().getDescription());
  }

  @Test
  void kindsTheBackendLacksAreFailedPreconditionListingWhatItHas() {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> teacher.blocking()
        .score(relevance(QUESTION, PASSAGES).toBuilder().setKind(ScoreKind.MUTUAL_INFORMATION).build()));
    assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("cannot produce MUTUAL_INFORMATION; it has [RELEVANCE]"),
        e.getStatus().getDescription());
  }

  @Test
  void malformedRequestsGetPreciseStatuses() {
    expect(Status.Code.INVALID_ARGUMENT, "kind is unset",
        relevance(QUESTION, PASSAGES).toBuilder().setKind(ScoreKind.SCORE_KIND_UNSPECIFIED).build());
    expect(Status.Code.INVALID_ARGUMENT, "kind is an unknown enum value",
        relevance(QUESTION, PASSAGES).toBuilder().setKindValue(99).build());
    expect(Status.Code.INVALID_ARGUMENT, "items must hold 1..256 entries, got 0",
        ScoreRequest.newBuilder().setKind(ScoreKind.RELEVANCE).build());
    expect(Status.Code.INVALID_ARGUMENT, "items[0].context is empty", relevance("  ", PASSAGES));
    expect(Status.Code.INVALID_ARGUMENT, "items[0].candidates must hold 1..4096 texts, got 0",
        relevance(QUESTION, List.of()));
    expect(Status.Code.INVALID_ARGUMENT, "items[0].candidates[1] is empty", relevance(QUESTION, List.of("a", "")));
    expect(Status.Code.RESOURCE_EXHAUSTED, "items[0].candidates[0] is 16385 bytes of UTF-8; the limit is 16384",
        relevance(QUESTION, List.of("x".repeat(16385))));
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 4096; i++) {
      many.add("c" + i);
    }
    ScoreRequest.Builder tooMany = ScoreRequest.newBuilder().setKind(ScoreKind.RELEVANCE);
    for (int i = 0; i < 5; i++) {
      tooMany.addItems(ScoreItem.newBuilder().setContext("q").addAllCandidates(many));
    }
    expect(Status.Code.RESOURCE_EXHAUSTED, "20480 (context, candidate) pairs; the limit is 16384", tooMany.build());
  }

  @Test
  void badSamplingIsInvalidArgumentEvenWhereGenerationIsUnavailable() {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> teacher.blocking()
        .generate(GenerateRequest.newBuilder().addContexts("hello")
            .setSampling(Sampling.newBuilder().setTopP(1.5f)).build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("sampling.top_p must be in (0, 1]"), e.getStatus().getDescription());
    e = assertThrows(StatusRuntimeException.class, () -> teacher.blocking()
        .generate(GenerateRequest.newBuilder().addContexts("hello")
            .setSampling(Sampling.newBuilder().setMinLength(80).setMaxTokens(20)).build()));
    assertTrue(e.getStatus().getDescription().contains("sampling.min_length must be at most max_tokens (20), got 80"),
        e.getStatus().getDescription());
  }

  @Test
  void aDeadlineTooShortForTheWorkIsDeadlineExceeded() {
    List<String> fresh = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      fresh.add("An uncached passage number " + i + " with some words to encode " + System.nanoTime());
    }
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> teacher.blocking()
        .withDeadlineAfter(20, TimeUnit.MILLISECONDS).score(relevance(QUESTION, fresh)));
    assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
  }

  private static void expect(Status.Code code, String fragment, ScoreRequest request) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> teacher.blocking().withDeadlineAfter(60, TimeUnit.SECONDS).score(request));
    assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
    assertTrue(e.getStatus().getDescription().contains(fragment), e.getStatus().getDescription());
  }
}
