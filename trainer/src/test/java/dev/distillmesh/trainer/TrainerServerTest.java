package dev.distillmesh.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerServerTest {

  @Test
  void reportsServingOnceStartedEvenWithoutStudentOrTeacher(@TempDir Path runs) throws Exception {
    // Nothing listens on the student's or teacher's port: the trainer's own calls work regardless,
    // and orchestrators route to it and keep it alive by this status (gRPC health probes).
    TrainerServerConfig config = TrainerServerConfig.parse(new String[] {"--port", "0", "--runs-dir",
        runs.toString(), "--student", "127.0.0.1:1", "--teacher", "127.0.0.1:1", "--index", "127.0.0.1:1"}, Map.of());
    try (TrainerServer server = TrainerServer.start(config,
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)))) {
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
      try {
        ServingStatus status = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
            .check(HealthCheckRequest.getDefaultInstance()).getStatus();
        assertEquals(ServingStatus.SERVING, status);
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }
}
