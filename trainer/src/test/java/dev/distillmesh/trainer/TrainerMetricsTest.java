package dev.distillmesh.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.proto.trainer.v1.GetRunRequest;
import dev.distillmesh.proto.trainer.v1.ListRunsRequest;
import dev.distillmesh.proto.trainer.v1.RunInfo;
import dev.distillmesh.proto.trainer.v1.RunState;
import dev.distillmesh.proto.trainer.v1.TrainerServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainer's /metrics over real sockets, with runs found in its runs directory and no peers. */
class TrainerMetricsTest {
  @TempDir
  Path runsDir;

  @Test
  void runsByStateAndRpcCountsAreScraped() throws Exception {
    record("run-a", RunState.COMPLETED);
    record("run-b", RunState.COMPLETED);
    record("run-c", RunState.FAILED);
    TrainerServerConfig config = TrainerServerConfig.parse(new String[] {"--port", "0", "--runs-dir",
        runsDir.toString(), "--student", "127.0.0.1:1", "--teacher", "127.0.0.1:1", "--index", "127.0.0.1:1",
        "--metrics-port", "0"}, Map.of());
    try (TrainerServer trainer = TrainerServer.start(config,
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)))) {
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", trainer.port()).usePlaintext().build();
      try {
        TrainerServiceGrpc.TrainerServiceBlockingStub stub =
            TrainerServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
        assertEquals(3, stub.listRuns(ListRunsRequest.getDefaultInstance()).getRunsCount());
        assertThrows(StatusRuntimeException.class, () -> stub.getRun(GetRunRequest.newBuilder().setRunId("nope").build()));

        String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + trainer.metricsPort() + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString()).body();
        assertContains(body, "distillmesh_trainer_runs{state=\"COMPLETED\"} 2\n");
        assertContains(body, "distillmesh_trainer_runs{state=\"FAILED\"} 1\n");
        assertContains(body, "# TYPE distillmesh_trainer_run_step gauge\n");
        assertFalse(body.contains("distillmesh_trainer_run_step{"), "no run trains, so no run's step:\n" + body);
        String service = "grpc_service=\"distillmesh.trainer.v1.TrainerService\"";
        assertContains(body, "grpc_server_handled_total{" + service + ",grpc_method=\"ListRuns\",grpc_code=\"OK\"} 1\n");
        assertContains(body, "grpc_server_handled_total{" + service
            + ",grpc_method=\"GetRun\",grpc_code=\"NOT_FOUND\"} 1\n");
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  private void record(String id, RunState state) throws Exception {
    Path dir = Files.createDirectories(runsDir.resolve(id));
    Files.write(dir.resolve("run.pb"), RunInfo.newBuilder().setRunId(id).setState(state).build().toByteArray());
  }

  private static void assertContains(String text, String expected) {
    assertTrue(text.contains(expected), () -> "expected\n" + expected + "\nin\n" + text);
  }
}
