package dev.distillmesh.teacher;

import dev.distillmesh.proto.teacher.v1.TeacherServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.util.Map;

/**
 * A teacher-service started in this JVM on a loopback socket, with a client channel to it. Tests
 * talk to it over real gRPC, as the trainer does.
 */
public final class RunningTeacher implements AutoCloseable {
  public final TeacherServer server;
  public final ManagedChannel channel;

  private RunningTeacher(TeacherServer server, ManagedChannel channel) {
    this.server = server;
    this.channel = channel;
  }

  /** Starts the embedded backend with the given flags (port 0 is added). */
  public static RunningTeacher embedded(String... flags) throws Exception {
    String[] args = new String[flags.length + 2];
    args[0] = "--port";
    args[1] = "0";
    System.arraycopy(flags, 0, args, 2, flags.length);
    TeacherServerConfig config = TeacherServerConfig.parse(args, Map.of());
    return over(config, TeacherServer.openTeacher(config));
  }

  /** Serves {@code teacher} (any backend, needing no channel) with {@code config}'s service settings. */
  public static RunningTeacher over(TeacherServerConfig config, Teacher teacher) throws Exception {
    return over(config, new TeacherServer.Backend(teacher, null));
  }

  /** Serves {@code backend} (as {@link TeacherServer#openTeacher} opens it) with {@code config}'s settings. */
  public static RunningTeacher over(TeacherServerConfig config, TeacherServer.Backend backend) throws Exception {
    TeacherServer server = TeacherServer.start(config, NettyServerBuilder.forPort(0), backend);
    ManagedChannel channel = NettyChannelBuilder.forTarget("127.0.0.1:" + server.port()).usePlaintext()
        .maxInboundMessageSize(64 << 20).build();
    return new RunningTeacher(server, channel);
  }

  public TeacherServiceGrpc.TeacherServiceBlockingStub blocking() {
    return TeacherServiceGrpc.newBlockingStub(channel);
  }

  public TeacherServiceGrpc.TeacherServiceStub async() {
    return TeacherServiceGrpc.newStub(channel);
  }

  @Override
  public void close() {
    channel.shutdownNow();
    server.close();
  }
}
