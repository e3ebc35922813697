package dev.distillmesh.bench.systems;

import dev.distillmesh.bench.data.Squad;
import dev.distillmesh.common.ClientStream;
import dev.distillmesh.proto.student.v1.AnswerRequest;
import dev.distillmesh.proto.student.v1.Document;
import dev.distillmesh.proto.student.v1.EncodeRequest;
import dev.distillmesh.proto.student.v1.EncodeResponse;
import dev.distillmesh.proto.student.v1.IngestRequest;
import dev.distillmesh.proto.student.v1.IngestResponse;
import dev.distillmesh.proto.student.v1.QueryResponse;
import dev.distillmesh.proto.student.v1.RespondRequest;
import dev.distillmesh.proto.student.v1.StudentAdminGrpc;
import dev.distillmesh.proto.student.v1.TakeTrafficRequest;
import dev.distillmesh.proto.student.v1.StudentServiceGrpc;
import dev.distillmesh.proto.student.v1.Tower;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A client of a student-service over a real loopback socket: one channel (one HTTP/2
 * connection, as a single client application would hold), blocking stubs with a deadline on every
 * call. {@link #answer} is the call being measured.
 *
 * <p>Thread-safe: any number of threads may call {@link #answer} at once. Owns its channel;
 * {@link #close} shuts it down.
 */
public final class StudentMeshClient implements AutoCloseable {
  private static final int DOCS_PER_MESSAGE = 64;

  private final ManagedChannel channel;
  private final StudentServiceGrpc.StudentServiceBlockingStub query;
  private final Duration deadline;

  /** @param deadline for each Answer call (the student caps it with its own limit) */
  public StudentMeshClient(int port, Duration deadline) {
    this.channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    this.query = StudentServiceGrpc.newBlockingStub(channel);
    this.deadline = deadline;
  }

  /**
   * Streams the passages through the student's Ingest rpc (it encodes them with the response
   * tower and upserts them into the index service), creating {@code collection} with {@code
   * spec}. Passage ids are the dataset's.
   */
  public IngestResponse ingest(String collection, String spec, List<Squad.Passage> passages,
      Duration timeout) throws InterruptedException {
    ClientStream<IngestRequest, IngestResponse> stream = ClientStream.open(
        StudentAdminGrpc.newStub(channel)
            .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)::ingest);
    for (int from = 0; from < passages.size(); from += DOCS_PER_MESSAGE) {
      IngestRequest.Builder message = IngestRequest.newBuilder()
          .setCollection(collection).setIndexSpec(spec);
      for (Squad.Passage p : passages.subList(from,
          Math.min(passages.size(), from + DOCS_PER_MESSAGE))) {
        message.addDocuments(Document.newBuilder().setId(p.id()).setText(p.text()));
      }
      stream.send(message.build());
    }
    return stream.finish();
  }

  /** Empties the student's traffic buffer of {@code collection}'s queries (they are not training traffic). */
  public void takeAllTraffic(String collection) {
    while (StudentAdminGrpc.newBlockingStub(channel).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
        .takeTraffic(TakeTrafficRequest.newBuilder().setMaxItems(10000).setCollection(collection).build())
        .getItemsCount() > 0) {
      // keep taking
    }
  }

  /** One Answer call with the client's deadline. */
  public QueryResponse answer(String question, String collection, int k, int efSearch) {
    return query.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
        .answer(AnswerRequest.newBuilder().setQuestion(question).setCollection(collection)
            .setK(k).setEfSearch(efSearch).build());
  }

  /** One Respond call (dialogue turns, oldest first) with the client's deadline. */
  public QueryResponse respond(List<String> turns, String collection, int k) {
    return query.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
        .respond(RespondRequest.newBuilder().addAllTurns(turns).setCollection(collection).setK(k).build());
  }

  /**
   * One Encode call of one question with the context tower: the student's encoder path (batcher,
   * ONNX Runtime, adapter) without the index, to split Answer's latency into its parts.
   */
  public EncodeResponse encodeQuestion(String question) {
    return query.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
        .encode(EncodeRequest.newBuilder().addTexts(question).setTower(Tower.TOWER_CONTEXT)
            .build());
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdown();
    if (!channel.awaitTermination(10, TimeUnit.SECONDS)) {
      channel.shutdownNow();
    }
  }
}
