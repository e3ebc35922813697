package dev.distillmesh.teacher.triton;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.common.CallDeadline;
import dev.distillmesh.common.DomainException;
import dev.distillmesh.common.DomainException.Kind;
import dev.distillmesh.common.tls.ClientTls;
import dev.distillmesh.proto.kserve.ModelInferRequest;
import dev.distillmesh.teacher.Sampling;
import dev.distillmesh.teacher.ScoreItem;
import dev.distillmesh.teacher.ScoreKind;
import dev.distillmesh.teacher.TeacherModel;
import dev.distillmesh.teacher.TeacherServer;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Conformance of {@link TritonTeacher} and {@link TritonClient} against {@link FakeTritonServer} over
 * a real loopback socket. Expected scores are written out by hand from the fake's toy model:
 * P(token | history) = (1 + count in history) / (10 + history length).
 */
class TritonTeacherTest {
  private static final double TOLERANCE = 1e-5;

  private FakeTritonServer fake;
  private ManagedChannel channel;
  private final List<TritonTeacher> teachers = new ArrayList<>();
  private final List<TeacherServer.Backend> backends = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    fake = new FakeTritonServer();
    channel = NettyChannelBuilder.forTarget(fake.target()).usePlaintext()
        .maxInboundMessageSize(TritonSettings.DEFAULT_MAX_MESSAGE_BYTES).build();
  }

  @AfterEach
  void stop() throws Exception {
    teachers.forEach(TritonTeacher::close);
    backends.forEach(TeacherServer.Backend::close);
    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    fake.close();
  }

  /** Defaults, but no background polling during the test: tests refresh readiness themselves. */
  private TritonSettings settings() {
    return TritonSettings.defaults(fake.target()).withTimings(Duration.ofHours(1), Duration.ofSeconds(30));
  }

  private TritonTeacher teacher(TritonSettings settings) {
    TritonTeacher t = new TritonTeacher(channel, settings);
    teachers.add(t);
    t.refreshReadiness();
    return t;
  }

  private static CallDeadline seconds(long s) {
    return CallDeadline.after(Duration.ofSeconds(s));
  }

  private static DomainException failure(CompletableFuture<?> future) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(60, TimeUnit.SECONDS));
    return assertInstanceOf(DomainException.class, e.getCause());
  }

  private static float[][] scores(TritonTeacher t, ScoreKind kind, ScoreItem... items) throws Exception {
    return t.score(kind, List.of(items), seconds(30)).get(60, TimeUnit.SECONDS);
  }

  @Test
  void logLikelihoodIsTheTokenAverageOfTheScorersLogProbabilities() throws Exception {
    TritonTeacher t = teacher(settings());
    float[][] s = scores(t, ScoreKind.LOG_LIKELIHOOD, new ScoreItem("a b", List.of("a c", ". x")));
    // "a c" after [a b]: P(a) = (1+1)/(10+2), P(c | a b a) = 1/(10+3)
    assertEquals((Math.log(2.0 / 12) + Math.log(1.0 / 13)) / 2, s[0][0], TOLERANCE);
    // ". x" after [a b]: P(.) = 1/12, P(x | a b .) = 1/13
    assertEquals((Math.log(1.0 / 12) + Math.log(1.0 / 13)) / 2, s[0][1], TOLERANCE);
    assertEquals("triton:scorer", t.modelLabel(ScoreKind.LOG_LIKELIHOOD));
  }

  @Test
  void mutualInformationSubtractsTheMeanDummyContextLogLikelihoodAndCachesIt() throws Exception {
    TritonTeacher t = teacher(settings());
    ScoreItem item = new ScoreItem("a b", List.of("a c", ". x"));
    float[][] s = scores(t, ScoreKind.MUTUAL_INFORMATION, item);
    // "a c" after any one-token dummy d: P(a | d) = 1/11, P(c | d a) = 1/12
    double dummyAc = Math.log(1.0 / 11) + Math.log(1.0 / 12);
    assertEquals((Math.log(2.0 / 12) + Math.log(1.0 / 13) - dummyAc) / 2, s[0][0], TOLERANCE);
    // ". x": after "." P(.) = 2/11, after "<PAD>" or "<UNK>" P(.) = 1/11; then P(x | d .) = 1/12
    double dummyDotX = ((Math.log(2.0 / 11) + Math.log(1.0 / 12)) + 2 * (Math.log(1.0 / 11) + Math.log(1.0 / 12))) / 3;
    assertEquals((Math.log(1.0 / 12) + Math.log(1.0 / 13) - dummyDotX) / 2, s[0][1], TOLERANCE);
    assertEquals(2 + 2 * 3, fake.pairs("scorer"), "2 pairs plus 3 dummy contexts for each of 2 responses");

    float[][] again = scores(t, ScoreKind.MUTUAL_INFORMATION, item);
    assertArrayEquals(s[0], again[0]);
    assertEquals(8 + 2, fake.pairs("scorer"), "the dummy-context log-likelihoods come from the cache");
  }

  @Test
  void responseWithoutTokensBreaksTheScorerContract() {
    TritonTeacher t = teacher(settings());
    DomainException e = failure(t.score(ScoreKind.LOG_LIKELIHOOD,
        List.of(new ScoreItem("a", List.of("   "))), seconds(30)));
    assertEquals(Kind.INTERNAL, e.kind());
    assertTrue(e.getMessage().contains("model 'scorer'") && e.getMessage().contains("token_count is 0"), e.getMessage());
  }

  @Test
  void concurrentScoreCallsShareModelInferCallsAndEachGetsItsOwnScores() throws Exception {
    TritonTeacher t = teacher(settings());
    FakeTritonServer.Hold hold = fake.holdNextScorerCall();
    CompletableFuture<float[][]> first = t.score(ScoreKind.LOG_LIKELIHOOD,
        List.of(new ScoreItem("a", List.of("a"))), seconds(60));
    hold.awaitEntered();

    int callers = 30;
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<CompletableFuture<float[][]>>> submitted = new ArrayList<>();
    for (int i = 0; i < callers; i++) {
      String context = "x ".repeat(i + 1);
      submitted.add(pool.submit(() -> t.score(ScoreKind.LOG_LIKELIHOOD,
          List.of(new ScoreItem(context, List.of("x", "y"))), seconds(60))));
    }
    List<CompletableFuture<float[][]>> results = new ArrayList<>();
    for (Future<CompletableFuture<float[][]>> f : submitted) {
      results.add(f.get());
    }
    pool.shutdown();
    hold.release();

    assertEquals(Math.log(2.0 / 11), first.get(60, TimeUnit.SECONDS)[0][0], TOLERANCE);
    for (int i = 0; i < callers; i++) {
      float[][] s = results.get(i).get(60, TimeUnit.SECONDS);
      // context of i+1 "x" tokens: P(x) = (1 + (i+1)) / (10 + (i+1)), P(y) = 1 / (10 + (i+1))
      assertEquals(Math.log((i + 2.0) / (i + 11.0)), s[0][0], TOLERANCE, "caller " + i);
      assertEquals(Math.log(1.0 / (i + 11.0)), s[0][1], TOLERANCE, "caller " + i);
    }
    assertEquals(2, fake.calls("scorer"), "the held call, then one call for the 60 queued pairs");
    assertEquals(1 + 2 * callers, fake.pairs("scorer"));
  }

  @Test
  void fullQueueFailsAtOnceWithResourceExhausted() throws Exception {
    TritonTeacher t = teacher(settings().withBatching(2, 4));
    FakeTritonServer.Hold hold = fake.holdNextScorerCall();
    CompletableFuture<float[][]> running = t.score(ScoreKind.LOG_LIKELIHOOD,
        List.of(new ScoreItem("a", List.of("a"))), seconds(60));
    hold.awaitEntered();
    CompletableFuture<float[][]> queued = t.score(ScoreKind.LOG_LIKELIHOOD,
        List.of(new ScoreItem("a", List.of("a", "b", "c", "d"))), seconds(60));

    DomainException full = failure(t.score(ScoreKind.LOG_LIKELIHOOD,
        List.of(new ScoreItem("a", List.of("e"))), seconds(60)));
    assertEquals(Kind.RESOURCE_EXHAUSTED, full.kind());
    assertTrue(full.getMessage().contains("queue is full"), full.getMessage());
    DomainException tooBig = failure(t.score(ScoreKind.LOG_LIKELIHOOD,
        List.of(new ScoreItem("a", List.of("a", "b", "c", "d", "e"))), seconds(60)));
    assertEquals(Kind.RESOURCE_EXHAUSTED, tooBig.kind());

    hold.release();
    assertEquals(1, running.get(60, TimeUnit.SECONDS)[0].length);
    assertEquals(4, queued.get(60, TimeUnit.SECONDS)[0].length);
    assertEquals(3, fake.calls("scorer"), "1 held call, then the 4 queued pairs in batches of 2");
  }

  @Test
  void readinessFollowsTritonAndNotReadyMeansUnavailable() throws Exception {
    TritonTeacher t = teacher(settings());
    assertTrue(t.ready());
    assertEquals(List.of(
        new TeacherModel("scorer", "scorer", 0f, "triton:scorer@" + fake.target(), true),
        new TeacherModel("generator", "generator", 0f, "triton:generator@" + fake.target(), true)), t.models());

    fake.setServerReady(false);
    t.refreshReadiness();
    assertFalse(t.ready());
    assertTrue(t.models().stream().noneMatch(TeacherModel::ready));
    long calls = fake.calls("scorer");
    DomainException e = failure(t.score(ScoreKind.LOG_LIKELIHOOD, List.of(new ScoreItem("a", List.of("a"))), seconds(30)));
    assertEquals(Kind.UNAVAILABLE, e.kind());
    assertTrue(e.getMessage().contains("not ready") && e.getMessage().contains(fake.target()), e.getMessage());
    assertEquals(calls, fake.calls("scorer"), "nothing is sent to a server that is not ready");

    fake.setServerReady(true);
    fake.setModelReady("generator", false);
    t.refreshReadiness();
    assertFalse(t.ready(), "every configured model must be ready");
    assertEquals(List.of(true, false), t.models().stream().map(TeacherModel::ready).toList());
    assertEquals(Kind.UNAVAILABLE, failure(t.generate(List.of("a"), sampling(1), seconds(30))).kind());
    scores(t, ScoreKind.LOG_LIKELIHOOD, new ScoreItem("a", List.of("a")));

    fake.setModelReady("generator", true);
    t.refreshReadiness();
    assertTrue(t.ready());
  }

  @Test
  void backgroundPollerNoticesReadinessWithoutBeingAsked() throws Exception {
    TritonTeacher t = new TritonTeacher(channel,
        TritonSettings.defaults(fake.target()).withTimings(Duration.ofMillis(20), Duration.ofSeconds(30)));
    teachers.add(t);
    while (!t.ready()) {
      Thread.sleep(10);
    }
    fake.setServerReady(false);
    while (t.ready()) {
      Thread.sleep(10);
    }
    assertFalse(t.models().get(0).ready());
  }

  @Test
  void modelWhoseMetadataBreaksItsContractIsNotReady() {
    TritonSettings s = new TritonSettings(fake.target(), "scorer_mismatch", "", "", TritonSettings.DEFAULT_MAX_MESSAGE_BYTES,
        64, 4096, Duration.ofHours(1), Duration.ofSeconds(30));
    TritonTeacher t = teacher(s);
    assertFalse(t.ready());
    DomainException e = failure(t.score(ScoreKind.LOG_LIKELIHOOD, List.of(new ScoreItem("a", List.of("a"))), seconds(30)));
    assertEquals(Kind.UNAVAILABLE, e.kind());
    assertTrue(e.getMessage().contains("output 'loglik_sum' is FP64, expected FP32"), e.getMessage());
  }

  @Test
  void unknownSelectorModelIsReportedNotReady() {
    TritonTeacher t = teacher(settings().withSelector("no_such_model"));
    assertFalse(t.ready());
    TeacherModel selector = t.models().get(1);
    assertEquals("selector", selector.role());
    assertFalse(selector.ready());
    DomainException e = failure(t.score(ScoreKind.COHERENCE, List.of(new ScoreItem("a", List.of("a"))), seconds(30)));
    assertEquals(Kind.UNAVAILABLE, e.kind());
    assertTrue(e.getMessage().contains("no_such_model"), e.getMessage());
  }

  private static Sampling sampling(int n) {
    return new Sampling(n, 20, 0.9f, 0.7f, 2, 16, 42);
  }

  @Test
  void generationPassesSamplingParametersAndReturnsNCandidatesPerContext() throws Exception {
    TritonTeacher t = teacher(settings());
    assertTrue(t.canGenerate());
    List<List<String>> out = t.generate(List.of("hello", "wide world"), sampling(3), seconds(30)).get(60, TimeUnit.SECONDS);
    assertEquals(List.of(
        List.of("hello|n=3|k=20|p=0.9|t=0.7|min=2|max=16|seed=42|0",
            "hello|n=3|k=20|p=0.9|t=0.7|min=2|max=16|seed=42|1",
            "hello|n=3|k=20|p=0.9|t=0.7|min=2|max=16|seed=42|2"),
        List.of("wide world|n=3|k=20|p=0.9|t=0.7|min=2|max=16|seed=42|0",
            "wide world|n=3|k=20|p=0.9|t=0.7|min=2|max=16|seed=42|1",
            "wide world|n=3|k=20|p=0.9|t=0.7|min=2|max=16|seed=42|2")), out);
    assertEquals(2, fake.calls("generator"), "one ModelInfer per context");
    assertEquals(Set.of("n", "top_k", "top_p", "temperature", "min_length", "max_tokens", "seed"),
        fake.lastGeneratorParameters().keySet());
    assertEquals(42, fake.lastGeneratorParameters().get("seed").getInt64Param());
    assertEquals(0.7f, (float) fake.lastGeneratorParameters().get("temperature").getDoubleParam());
  }

  @Test
  void generationWithoutGeneratorFailsWithFailedPreconditionNamingTheSetting() {
    TritonTeacher t = teacher(settings().withGenerator(""));
    assertFalse(t.canGenerate());
    assertEquals(List.of("scorer"), t.models().stream().map(TeacherModel::name).toList());
    DomainException e = failure(t.generate(List.of("a"), sampling(1), seconds(30)));
    assertEquals(Kind.FAILED_PRECONDITION, e.kind());
    assertTrue(e.getMessage().contains("--triton-generator"), e.getMessage());
  }

  @Test
  void coherenceOnlyWithASelector() throws Exception {
    TritonTeacher without = teacher(settings());
    assertEquals(Set.of(ScoreKind.LOG_LIKELIHOOD, ScoreKind.MUTUAL_INFORMATION), without.kinds());
    DomainException e = failure(without.score(ScoreKind.COHERENCE, List.of(new ScoreItem("a", List.of("a"))), seconds(30)));
    assertEquals(Kind.FAILED_PRECONDITION, e.kind());
    assertTrue(e.getMessage().contains("--triton-selector"), e.getMessage());

    TritonTeacher with = teacher(settings().withSelector("selector"));
    assertTrue(with.kinds().contains(ScoreKind.COHERENCE));
    assertEquals("triton:selector", with.modelLabel(ScoreKind.COHERENCE));
    float[][] s = scores(with, ScoreKind.COHERENCE, new ScoreItem("a b", List.of("a c", "b a", "z")));
    // share of the response's tokens that occur in the context
    assertArrayEquals(new float[] {1f / 2, 2f / 2, 0f / 1}, s[0]);
  }

  @Test
  void tritonErrorsMapToDomainKindsWithTritonsMessage() {
    TritonTeacher t = teacher(settings());
    DomainException invalid = failure(t.score(ScoreKind.LOG_LIKELIHOOD,
        List.of(new ScoreItem("__invalid__", List.of("a"))), seconds(30)));
    assertEquals(Kind.INVALID_ARGUMENT, invalid.kind());
    assertTrue(invalid.getMessage().contains("Triton at " + fake.target()) && invalid.getMessage().contains("'scorer'")
        && invalid.getMessage().contains("context '__invalid__' is not accepted"), invalid.getMessage());

    DomainException unavailable = failure(t.score(ScoreKind.LOG_LIKELIHOOD,
        List.of(new ScoreItem("__unavailable__", List.of("a"))), seconds(30)));
    assertEquals(Kind.UNAVAILABLE, unavailable.kind());
    assertTrue(unavailable.getMessage().contains("the model instance crashed"), unavailable.getMessage());

    // One pair: the client's batcher may send several pairs in one ModelInfer or split them, so
    // only a single pair has a row count that does not depend on timing.
    DomainException badShape = failure(t.score(ScoreKind.LOG_LIKELIHOOD,
        List.of(new ScoreItem("__bad_shape__", List.of("a"))), seconds(30)));
    assertEquals(Kind.INTERNAL, badShape.kind());
    assertTrue(badShape.getMessage().contains("model 'scorer'") && badShape.getMessage().contains("shape [2, 1]"),
        badShape.getMessage());

    DomainException badGeneration = failure(t.generate(List.of("__invalid__"), sampling(1), seconds(30)));
    assertEquals(Kind.INVALID_ARGUMENT, badGeneration.kind());
    assertTrue(badGeneration.getMessage().contains("'generator'"), badGeneration.getMessage());
  }

  @Test
  void unknownModelMapsToFailedPreconditionNamingIt() {
    TritonClient client = new TritonClient(channel, fake.target(), Duration.ofSeconds(30));
    ModelInferRequest request = ModelInferRequest.newBuilder().setModelName("no_such_model").build();
    DomainException e = failure(client.infer(request, seconds(30)));
    assertEquals(Kind.FAILED_PRECONDITION, e.kind());
    assertTrue(e.getMessage().contains("no_such_model") && e.getMessage().contains("NOT_FOUND")
        && e.getMessage().contains(fake.target()), e.getMessage());
  }

  @Test
  void deadlinePassingWhileTritonWorksIsDeadlineExceeded() {
    TritonTeacher t = teacher(settings());
    DomainException e = failure(t.score(ScoreKind.LOG_LIKELIHOOD,
        List.of(new ScoreItem("__slow__", List.of("a"))), CallDeadline.after(Duration.ofMillis(200))));
    assertEquals(Kind.DEADLINE_EXCEEDED, e.kind());
    assertTrue(e.getMessage().contains("deadline"), e.getMessage());
  }

  @Test
  void expiredDeadlineIsNeverSentToTriton() {
    TritonTeacher t = teacher(settings());
    CallDeadline past = CallDeadline.after(Duration.ofSeconds(-1));
    assertEquals(Kind.DEADLINE_EXCEEDED,
        failure(t.score(ScoreKind.LOG_LIKELIHOOD, List.of(new ScoreItem("a", List.of("a"))), past)).kind());
    assertEquals(Kind.DEADLINE_EXCEEDED, failure(t.generate(List.of("a"), sampling(1), past)).kind());
    assertEquals(0, fake.calls("scorer") + fake.calls("generator"));
  }

  @Test
  void messagesLargerThanFourMebibytesPassThroughTheChannelTheServerWires() throws Exception {
    TritonSettings s = TritonSettings.defaults(fake.target()).withTimings(Duration.ofHours(1), Duration.ofSeconds(60))
        .withBatching(1000, 4096);
    TeacherServer.Backend wired = TeacherServer.openTriton(s, ClientTls.PLAINTEXT);
    backends.add(wired);
    TritonTeacher t = (TritonTeacher) wired.teacher();
    t.refreshReadiness();
    assertTrue(t.ready());

    List<String> responses = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      responses.add((i + "z".repeat(8192)).substring(0, 8192)); // one 8 KiB token
    }
    // Hold the batcher on a small call so that all 1000 pairs are queued before the next batch forms.
    FakeTritonServer.Hold hold = fake.holdNextScorerCall();
    CompletableFuture<float[][]> small = t.score(ScoreKind.LOG_LIKELIHOOD, List.of(new ScoreItem("q", List.of("a"))),
        seconds(60));
    hold.awaitEntered();
    CompletableFuture<float[][]> large = t.score(ScoreKind.LOG_LIKELIHOOD, List.of(new ScoreItem("q", responses)),
        seconds(60));
    hold.release();
    small.get(60, TimeUnit.SECONDS);
    float[][] scores = large.get(60, TimeUnit.SECONDS);
    assertEquals(1000, scores[0].length);
    // one token of 8192 characters after [q]: P = 1 / (10 + 1)
    assertEquals(Math.log(1.0 / 11), scores[0][999], TOLERANCE);
    assertEquals(2, fake.calls("scorer"), "the held call, then all 1000 pairs in one ModelInfer");
    assertTrue(fake.largestRequestBytes() > 8_000_000, "request of " + fake.largestRequestBytes() + " bytes");

    List<List<String>> big = t.generate(List.of("__big__"), sampling(64), seconds(60)).get(60, TimeUnit.SECONDS);
    assertEquals(64, big.get(0).size(), "a 6.4 MiB ModelInfer response");
    assertEquals(FakeTritonServer.BIG_CANDIDATE_BYTES + 3, big.get(0).get(63).length());
  }
}
