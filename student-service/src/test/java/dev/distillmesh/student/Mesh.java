package dev.distillmesh.student;

import dev.distillmesh.common.ClientStream;
import dev.distillmesh.index.IndexServer;
import dev.distillmesh.index.IndexServerConfig;
import dev.distillmesh.proto.index.v1.IndexServiceGrpc;
import dev.distillmesh.proto.student.v1.Document;
import dev.distillmesh.proto.student.v1.IngestRequest;
import dev.distillmesh.proto.student.v1.IngestResponse;
import dev.distillmesh.proto.student.v1.StudentAdminGrpc;
import dev.distillmesh.proto.student.v1.StudentServiceGrpc;
import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ServerInterceptor;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real index service (real FAISS) and a real student service (real ONNX model) on in-process
 * transports, wired to each other over gRPC. Stubs carry deadlines. The test closes it.
 */
public final class Mesh implements AutoCloseable {
  public static final long DEADLINE_SECONDS = 60;

  private final String indexName = InProcessServerBuilder.generateName();
  private final String studentName = InProcessServerBuilder.generateName();
  private final Path dir;
  private final ServerInterceptor indexInterceptor; // null: none
  private IndexServer index;
  private final ManagedChannel indexChannel;
  private final StudentServer student;
  private final ManagedChannel studentChannel;

  /**
   * @param studentArgs extra student flags (e.g. "--max-tokens", "64")
   * @param env what both config parsers see (e.g. the admin token)
   */
  public Mesh(Path dir, Map<String, String> env, String... studentArgs) throws Exception {
    this(dir, env, null, studentArgs);
  }

  /**
   * As {@link #Mesh(Path, Map, String...)}, with {@code indexInterceptor} in front of every call the
   * index service receives (e.g. to hold searches open); null for none.
   */
  public Mesh(Path dir, Map<String, String> env, ServerInterceptor indexInterceptor, String... studentArgs)
      throws Exception {
    this(dir, env, env, indexInterceptor, studentArgs);
  }

  /**
   * As {@link #Mesh(Path, Map, ServerInterceptor, String...)}, with what each config parser sees
   * given apart (e.g. two admin tokens that do not match).
   */
  public Mesh(Path dir, Map<String, String> indexEnv, Map<String, String> env, ServerInterceptor indexInterceptor,
      String... studentArgs) throws Exception {
    this.dir = dir;
    this.indexInterceptor = indexInterceptor;
    startIndex(indexEnv);
    indexChannel = InProcessChannelBuilder.forName(indexName).build();
    List<String> args = new ArrayList<>(List.of("--adapter-dir", dir.resolve("adapters").toString()));
    args.addAll(List.of(studentArgs));
    StudentServerConfig config = StudentServerConfig.parse(args.toArray(String[]::new), env);
    student = StudentServer.start(config, InProcessServerBuilder.forName(studentName), indexChannel);
    studentChannel = InProcessChannelBuilder.forName(studentName).build();
  }

  private void startIndex(Map<String, String> env) throws Exception {
    InProcessServerBuilder builder = InProcessServerBuilder.forName(indexName);
    if (indexInterceptor != null) {
      builder.intercept(indexInterceptor);
    }
    index = IndexServer.start(IndexServerConfig.parse(new String[] {"--data-dir", dir.resolve("index").toString()}, env),
        builder);
  }

  /** Stops the index service (the student stays up and must cope). */
  public void stopIndex() {
    index.close();
    index = null;
  }

  public StudentServiceGrpc.StudentServiceBlockingStub query() {
    return StudentServiceGrpc.newBlockingStub(studentChannel).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
  }

  public StudentAdminGrpc.StudentAdminBlockingStub admin() {
    return StudentAdminGrpc.newBlockingStub(studentChannel).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
  }

  /** The index service itself (admin calls too: the mesh runs it without a token unless the env sets one). */
  public IndexServiceGrpc.IndexServiceBlockingStub index() {
    return IndexServiceGrpc.newBlockingStub(indexChannel).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
  }

  public ManagedChannel studentChannel() {
    return studentChannel;
  }

  public StudentServer student() {
    return student;
  }

  /** Ingests {@code docs} (id, text pairs) into {@code collection} through the Ingest rpc. */
  public IngestResponse ingest(String collection, String spec, List<Document> docs) throws InterruptedException {
    return ingest(collection, spec, docs, null);
  }

  /** As {@link #ingest(String, String, List)}, presenting {@code credentials} (null for none). */
  public IngestResponse ingest(String collection, String spec, List<Document> docs, CallCredentials credentials)
      throws InterruptedException {
    StudentAdminGrpc.StudentAdminStub stub = StudentAdminGrpc.newStub(studentChannel)
        .withDeadlineAfter(DEADLINE_SECONDS * 10, TimeUnit.SECONDS);
    ClientStream<IngestRequest, IngestResponse> stream = ClientStream.open(
        (credentials == null ? stub : stub.withCallCredentials(credentials))::ingest);
    for (int from = 0; from < Math.max(1, docs.size()); from += 64) {
      stream.send(IngestRequest.newBuilder().setCollection(collection).setIndexSpec(spec)
          .addAllDocuments(docs.subList(from, Math.min(docs.size(), from + 64))).build());
    }
    return stream.finish();
  }

  public static Document doc(String id, String text) {
    return Document.newBuilder().setId(id).setText(text).build();
  }

  @Override
  public void close() throws Exception {
    studentChannel.shutdownNow();
    student.close();
    indexChannel.shutdownNow();
    if (index != null) {
      index.close();
    }
  }
}
