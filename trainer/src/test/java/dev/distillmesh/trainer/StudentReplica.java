package dev.distillmesh.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.distillmesh.proto.student.v1.GetModelInfoRequest;
import dev.distillmesh.proto.student.v1.StudentAdminGrpc;
import dev.distillmesh.testsupport.Scrape;
import dev.distillmesh.testsupport.ServiceProcess;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One student-service replica of a scale-out integration test: its process, its fixed arguments
 * (so that it can be restarted after a kill -9) and a channel to it.
 */
final class StudentReplica {
  final String id;
  private final List<String> args;
  private final Path logDir;
  private final String collection;
  ServiceProcess process;
  ManagedChannel channel;
  private int restarts;

  /** @param collection the collection whose adapter version {@link #contextVersion} reads */
  StudentReplica(String id, List<String> args, Path logDir, String collection) {
    this.id = id;
    this.args = List.copyOf(args);
    this.logDir = logDir;
    this.collection = collection;
  }

  void start() throws Exception {
    process = ServiceProcess.start("student-service", ServiceProcess.jarFromProperty("student.server.jar"),
        List.of("-Xmx768m"), args, logDir.resolve(id + "-" + restarts++ + ".log"));
    channel = NettyChannelBuilder.forTarget(process.target()).usePlaintext().build();
  }

  StudentAdminGrpc.StudentAdminBlockingStub admin() {
    return StudentAdminGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  long contextVersion() {
    return admin().getModelInfo(GetModelInfoRequest.newBuilder().setCollection(collection).build())
        .getCollectionsList().stream().filter(c -> c.getCollection().equals(collection))
        .mapToLong(c -> c.getContextAdapter().getVersion()).findFirst().orElse(0);
  }

  ServingStatus health() {
    try {
      return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
          .check(HealthCheckRequest.getDefaultInstance()).getStatus();
    } catch (StatusRuntimeException e) {
      return ServingStatus.UNKNOWN;
    }
  }

  void awaitServing() throws InterruptedException {
    for (int i = 0; i < 1200 && health() != ServingStatus.SERVING; i++) { // a safety net, 2 min
      Thread.sleep(100);
    }
    assertEquals(ServingStatus.SERVING, health(), process.logTail(40));
  }

  String metrics() throws Exception {
    return Scrape.metricsAt(process.log());
  }

  /**
   * Waits until nothing of this replica's traffic is pending, checks that every sampled query is
   * produced or counted as dropped, and returns the metrics.
   */
  String awaitTrafficSent() throws Exception {
    String m = metrics();
    for (int i = 0; i < 600 && Scrape.metric(m, "distillmesh_student_traffic_pending") > 0; i++) { // safety net, 60 s
      Thread.sleep(100);
      m = metrics();
    }
    assertEquals(0, Scrape.metric(m, "distillmesh_student_traffic_pending"), m);
    assertEquals(Scrape.metric(m, "distillmesh_student_traffic_sampled_total"),
        Scrape.metric(m, "distillmesh_student_traffic_produced_total")
            + Scrape.metric(m, "distillmesh_student_traffic_dropped_total"),
        "every sampled query is produced or counted as dropped: " + m);
    return m;
  }

  void close() throws InterruptedException {
    channel.shutdownNow();
    process.close();
  }
}
