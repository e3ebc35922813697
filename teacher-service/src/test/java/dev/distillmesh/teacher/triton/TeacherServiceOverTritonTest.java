package dev.distillmesh.teacher.triton;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.proto.teacher.v1.GenerateRequest;
import dev.distillmesh.proto.teacher.v1.GenerateResponse;
import dev.distillmesh.proto.teacher.v1.InfoRequest;
import dev.distillmesh.proto.teacher.v1.InfoResponse;
import dev.distillmesh.proto.teacher.v1.Sampling;
import dev.distillmesh.proto.teacher.v1.ScoreItem;
import dev.distillmesh.proto.teacher.v1.ScoreKind;
import dev.distillmesh.proto.teacher.v1.ScoreRequest;
import dev.distillmesh.proto.teacher.v1.ScoreResponse;
import dev.distillmesh.teacher.RunningTeacher;
import dev.distillmesh.teacher.TeacherServer;
import dev.distillmesh.teacher.TeacherServerConfig;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The teacher-service configured as a user would ({@code --backend triton --triton-target ...})
 * in front of {@link FakeTritonServer}: the TeacherService rpcs carry Triton's scores and
 * generations, Info describes the Triton models, and health follows Triton's readiness.
 */
class TeacherServiceOverTritonTest {
  private FakeTritonServer fake;
  private RunningTeacher teacher;

  @BeforeEach
  void start() throws Exception {
    fake = new FakeTritonServer();
    TeacherServerConfig config = TeacherServerConfig.parse(new String[] {"--port", "0", "--backend", "triton",
        "--triton-target", fake.target(), "--triton-selector", "selector"}, Map.of());
    teacher = RunningTeacher.over(config, TeacherServer.openTeacher(config));
    waitFor(() -> teacher.server.teacher().ready(), "Triton's models to be reported ready");
  }

  @AfterEach
  void stop() throws Exception {
    teacher.close();
    fake.close();
  }

  @Test
  void scoresAndGenerationsComeFromTriton() {
    ScoreResponse r = teacher.blocking().withDeadlineAfter(30, TimeUnit.SECONDS).score(ScoreRequest.newBuilder()
        .setKind(ScoreKind.LOG_LIKELIHOOD)
        .addItems(ScoreItem.newBuilder().setContext("a b").addCandidates("a c").addCandidates(". x")).build());
    assertEquals("triton:scorer", r.getModel());
    // The fake's toy model: P(token | history) = (1 + count in history) / (10 + history length).
    assertEquals((Math.log(2.0 / 12) + Math.log(1.0 / 13)) / 2, r.getItems(0).getScores(0), 1e-5);
    assertEquals((Math.log(1.0 / 12) + Math.log(1.0 / 13)) / 2, r.getItems(0).getScores(1), 1e-5);

    GenerateResponse g = teacher.blocking().withDeadlineAfter(30, TimeUnit.SECONDS).generate(GenerateRequest.newBuilder()
        .addContexts("hello").setSampling(Sampling.newBuilder().setN(2).setTopK(20).setTopP(0.9f)
            .setTemperature(0.7f).setMinLength(2).setMaxTokens(16).setSeed(42)).build());
    assertEquals("triton:generator", g.getModel());
    assertEquals(List.of("hello|n=2|k=20|p=0.9|t=0.7|min=2|max=16|seed=42|0",
        "hello|n=2|k=20|p=0.9|t=0.7|min=2|max=16|seed=42|1"), g.getGenerations(0).getCandidatesList());
  }

  @Test
  void infoDescribesTheTritonModelsAndRelevanceIsRefused() {
    InfoResponse info = teacher.blocking().info(InfoRequest.getDefaultInstance());
    assertEquals("triton", info.getBackend());
    assertTrue(info.getCanGenerate());
    assertEquals(List.of(ScoreKind.LOG_LIKELIHOOD, ScoreKind.MUTUAL_INFORMATION, ScoreKind.COHERENCE),
        info.getKindsList());
    assertEquals(3, info.getModelsCount());
    assertTrue(info.getModelsList().stream().allMatch(m -> m.getReady()), info.toString());
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> teacher.blocking()
        .score(ScoreRequest.newBuilder().setKind(ScoreKind.RELEVANCE)
            .addItems(ScoreItem.newBuilder().setContext("q").addCandidates("c")).build()));
    assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("--backend embedded"), e.getStatus().getDescription());
  }

  @Test
  void healthFollowsTritonReadiness() throws Exception {
    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(teacher.channel);
    waitFor(() -> health.check(HealthCheckRequest.getDefaultInstance()).getStatus() == ServingStatus.SERVING,
        "SERVING while Triton is ready");
    fake.setServerReady(false);
    waitFor(() -> health.check(HealthCheckRequest.getDefaultInstance()).getStatus() == ServingStatus.NOT_SERVING,
        "NOT_SERVING once Triton is not ready");
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> teacher.blocking()
        .score(ScoreRequest.newBuilder().setKind(ScoreKind.LOG_LIKELIHOOD)
            .addItems(ScoreItem.newBuilder().setContext("q").addCandidates("c")).build()));
    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
    fake.setServerReady(true);
    waitFor(() -> health.check(HealthCheckRequest.getDefaultInstance()).getStatus() == ServingStatus.SERVING,
        "SERVING again once Triton recovers");
  }

  /** Polls until the condition holds; fails after a minute (a hang, not a slow machine). */
  private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
    for (int i = 0; i < 1200; i++) {
      if (condition.getAsBoolean()) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("gave up waiting for " + what);
  }
}
