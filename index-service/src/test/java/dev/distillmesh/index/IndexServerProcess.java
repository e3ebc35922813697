package dev.distillmesh.index;

import static java.util.concurrent.TimeUnit.SECONDS;

import dev.distillmesh.proto.index.v1.IndexServiceGrpc;
import dev.distillmesh.testsupport.ServiceProcess;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The packaged index-service ({@link ServiceProcess}, jar from the {@code index.server.jar} system
 * property that failsafe sets) on a free loopback port, with a plaintext channel to it. The test
 * that starts one closes it.
 */
final class IndexServerProcess implements AutoCloseable {
  static final String JAR_PROPERTY = "index.server.jar";

  private final ServiceProcess process;
  private final ManagedChannel channel;

  private IndexServerProcess(ServiceProcess process) {
    this.process = process;
    this.channel = ManagedChannelBuilder.forAddress("127.0.0.1", process.port()).usePlaintext().build();
  }

  /** Starts the server on {@code dataDir}, logging to {@code log}, and waits until it listens. */
  static IndexServerProcess start(Path dataDir, Path log) throws IOException, InterruptedException {
    return new IndexServerProcess(ServiceProcess.start("index-service", ServiceProcess.jarFromProperty(JAR_PROPERTY),
        List.of("-Xmx1g"), List.of("--port", "0", "--data-dir", dataDir.toString()), log));
  }

  IndexServiceGrpc.IndexServiceBlockingStub blocking() {
    return IndexServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, SECONDS);
  }

  IndexServiceGrpc.IndexServiceStub async() {
    return IndexServiceGrpc.newStub(channel).withDeadlineAfter(30, SECONDS);
  }

  long pid() {
    return process.pid();
  }

  /** SIGKILL: no shutdown hook, no checkpoint; waits until the process is gone. */
  void kill9() throws InterruptedException {
    process.kill9();
    channel.shutdownNow();
  }

  /** SIGTERM: the shutdown hook drains calls and checkpoints; waits until the process is gone. */
  int terminate() throws InterruptedException {
    int exit = process.terminate();
    channel.shutdownNow();
    return exit;
  }

  /** The last lines of the server's log, for failure messages. */
  String stderrTail() {
    return process.logTail(40);
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow();
    process.close();
  }
}
