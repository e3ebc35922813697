package dev.distillmesh.trainer;

import dev.distillmesh.common.ClientStream;
import dev.distillmesh.index.IndexServer;
import dev.distillmesh.index.IndexServerConfig;
import dev.distillmesh.proto.index.v1.IndexServiceGrpc;
import dev.distillmesh.proto.student.v1.Document;
import dev.distillmesh.proto.student.v1.IngestRequest;
import dev.distillmesh.proto.student.v1.IngestResponse;
import dev.distillmesh.proto.student.v1.StudentAdminGrpc;
import dev.distillmesh.proto.student.v1.StudentServiceGrpc;
import dev.distillmesh.student.StudentServer;
import dev.distillmesh.student.StudentServerConfig;
import dev.distillmesh.teacher.TeacherServer;
import dev.distillmesh.teacher.TeacherServerConfig;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The trainer's surroundings, real and on loopback sockets: an index service (FAISS), a student
 * service (MiniLM) and an embedded teacher (e5-small-v2), started in this JVM. A trainer under test
 * reaches them by {@link #studentTarget()} and {@link #teacherTarget()}.
 */
final class LiveMesh implements AutoCloseable {
  private final IndexServer index;
  private final ManagedChannel indexChannel;
  private final StudentServer student;
  private final TeacherServer teacher;
  private final ManagedChannel studentChannel;

  LiveMesh(Path dir) throws Exception {
    index = IndexServer.start(IndexServerConfig.parse(new String[] {"--port", "0", "--data-dir",
        dir.resolve("index").toString()}, Map.of()), NettyServerBuilder.forPort(0));
    indexChannel = NettyChannelBuilder.forTarget("127.0.0.1:" + index.port()).usePlaintext().build();
    student = StudentServer.start(StudentServerConfig.parse(new String[] {"--port", "0", "--adapter-dir",
        dir.resolve("adapters").toString(), "--index", "127.0.0.1:" + index.port()}, Map.of()),
        NettyServerBuilder.forPort(0), indexChannel);
    TeacherServerConfig teacherConfig = TeacherServerConfig.parse(new String[] {"--port", "0"}, Map.of());
    teacher = TeacherServer.start(teacherConfig, NettyServerBuilder.forPort(0), TeacherServer.openTeacher(teacherConfig));
    studentChannel = NettyChannelBuilder.forTarget(studentTarget()).usePlaintext().build();
  }

  String studentTarget() {
    return "127.0.0.1:" + student.port();
  }

  String indexTarget() {
    return "127.0.0.1:" + index.port();
  }

  IndexServiceGrpc.IndexServiceBlockingStub index() {
    return IndexServiceGrpc.newBlockingStub(indexChannel).withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  String teacherTarget() {
    return "127.0.0.1:" + teacher.port();
  }

  StudentServiceGrpc.StudentServiceBlockingStub query() {
    return StudentServiceGrpc.newBlockingStub(studentChannel).withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  StudentAdminGrpc.StudentAdminBlockingStub admin() {
    return StudentAdminGrpc.newBlockingStub(studentChannel).withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  IngestResponse ingest(String collection, List<Document> docs) throws InterruptedException {
    ClientStream<IngestRequest, IngestResponse> stream = ClientStream.open(
        StudentAdminGrpc.newStub(studentChannel).withDeadlineAfter(30, TimeUnit.MINUTES)::ingest);
    for (int from = 0; from < docs.size(); from += 64) {
      stream.send(IngestRequest.newBuilder().setCollection(collection).setIndexSpec("Flat")
          .addAllDocuments(docs.subList(from, Math.min(docs.size(), from + 64))).build());
    }
    return stream.finish();
  }

  @Override
  public void close() {
    studentChannel.shutdownNow();
    teacher.close();
    student.close();
    indexChannel.shutdownNow();
    index.close();
  }
}
