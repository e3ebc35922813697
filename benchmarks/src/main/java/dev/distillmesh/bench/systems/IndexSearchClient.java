package dev.distillmesh.bench.systems;

import dev.distillmesh.proto.index.v1.IndexServiceGrpc;
import dev.distillmesh.proto.index.v1.QueryVector;
import dev.distillmesh.proto.index.v1.SearchRequest;
import dev.distillmesh.proto.index.v1.SearchResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A direct client of the index service making the search the student makes for one Answer (one
 * vector, payloads included), so the benchmark can split the mesh's latency into its encoder and
 * index parts.
 *
 * <p>Thread-safe. Owns its channel; {@link #close} shuts it down.
 */
public final class IndexSearchClient implements AutoCloseable {
  private final ManagedChannel channel;
  private final IndexServiceGrpc.IndexServiceBlockingStub stub;
  private final Duration deadline;

  public IndexSearchClient(int port, Duration deadline) {
    this.channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    this.stub = IndexServiceGrpc.newBlockingStub(channel);
    this.deadline = deadline;
  }

  /** The student's request (see IndexGateway.search): k hits of one vector, with payloads. */
  public SearchResponse search(String collection, float[] vector, int k, int efSearch) {
    SearchRequest.Builder request = SearchRequest.newBuilder()
        .setCollection(collection).setK(k).setEfSearch(efSearch).setIncludePayloads(true);
    QueryVector.Builder q = request.addQueriesBuilder();
    for (float v : vector) {
      q.addValues(v);
    }
    return stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
        .search(request.build());
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdown();
    if (!channel.awaitTermination(10, TimeUnit.SECONDS)) {
      channel.shutdownNow();
    }
  }
}
