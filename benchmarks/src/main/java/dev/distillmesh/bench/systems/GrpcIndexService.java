package dev.distillmesh.bench.systems;

import dev.distillmesh.bench.data.Dataset;
import dev.distillmesh.common.ClientStream;
import dev.distillmesh.proto.index.v1.CreateCollectionRequest;
import dev.distillmesh.proto.index.v1.DropCollectionRequest;
import dev.distillmesh.proto.index.v1.Hit;
import dev.distillmesh.proto.index.v1.IndexServiceGrpc;
import dev.distillmesh.proto.index.v1.ListCollectionsRequest;
import dev.distillmesh.proto.index.v1.Metric;
import dev.distillmesh.proto.index.v1.QueryVector;
import dev.distillmesh.proto.index.v1.Record;
import dev.distillmesh.proto.index.v1.SearchRequest;
import dev.distillmesh.proto.index.v1.SearchResponse;
import dev.distillmesh.proto.index.v1.UpsertRequest;
import dev.distillmesh.proto.index.v1.UpsertResponse;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The index-service over gRPC: one collection {@code "HNSW<m>,Flat"} (inner product), filled by
 * one client-streaming Upsert of {@value #BATCH}-record batches (respecting gRPC flow control), and
 * searched with one unary Search per query carrying {@code ef_search = effort}.
 *
 * <p>The channel and the server process belong to the caller, who closes them after {@link
 * #close} (which drops the collection). The server's efConstruction is its own default: the
 * protocol has no knob for it. Memory is the growth of the server process's RSS across the
 * upsert.
 */
public final class GrpcIndexService implements AnnSystem {
  private static final String COLLECTION = "bench";
  private static final int BATCH = 1000;
  private static final long READY_TIMEOUT_MS = 120_000;

  private final IndexServiceGrpc.IndexServiceBlockingStub blocking;
  private final IndexServiceGrpc.IndexServiceStub async;
  private final IndexServerProcess server;
  private final HnswParams params;
  private boolean created;

  public GrpcIndexService(Channel channel, IndexServerProcess server, HnswParams params) {
    this.blocking = IndexServiceGrpc.newBlockingStub(channel);
    this.async = IndexServiceGrpc.newStub(channel);
    this.server = server;
    this.params = params;
  }

  @Override
  public String name() {
    return "(a) index-service gRPC";
  }

  @Override
  public String effortName() {
    return "ef_search";
  }

  @Override
  public MemoryUse build(Dataset data) throws Exception {
    awaitReady();
    long before = server.rssBytes();
    blocking.withDeadlineAfter(60, TimeUnit.SECONDS).createCollection(
        CreateCollectionRequest.newBuilder()
            .setName(COLLECTION)
            .setDimension(data.dimension())
            .setIndexSpec("HNSW" + params.m() + ",Flat")
            .setMetric(Metric.METRIC_INNER_PRODUCT)
            .build());
    created = true;
    UpsertResponse response = upsertAll(data.base());
    if (response.getUpserted() != data.size()) {
      throw new IllegalStateException("server upserted " + response.getUpserted() + " of "
          + data.size());
    }
    long rss = server.rssBytes() - before;
    long disk = MemoryProbe.dirBytes(server.dataDir());
    return new MemoryUse(rss, String.format("server RSS delta; data dir %d MB", disk >> 20));
  }

  @Override
  public int[] search(float[] query, int k, int effort) {
    return searchBatch(new float[][] {query}, k, effort)[0];
  }

  @Override
  public boolean supportsBatch() {
    return true;
  }

  /** One Search call carrying every query (the way a batching client such as the student calls). */
  @Override
  public int[][] searchBatch(float[][] queries, int k, int effort) {
    SearchRequest.Builder request = SearchRequest.newBuilder().setCollection(COLLECTION).setK(k)
        .setEfSearch(effort);
    for (float[] query : queries) {
      QueryVector.Builder q = QueryVector.newBuilder();
      for (float x : query) {
        q.addValues(x);
      }
      request.addQueries(q);
    }
    SearchResponse response = blocking.withDeadlineAfter(30, TimeUnit.SECONDS).search(request.build());
    int[][] ids = new int[queries.length][];
    for (int r = 0; r < queries.length; r++) {
      List<Hit> hits = response.getResults(r).getHitsList();
      ids[r] = new int[hits.size()];
      for (int j = 0; j < ids[r].length; j++) {
        ids[r][j] = Integer.parseInt(hits.get(j).getId());
      }
    }
    return ids;
  }

  @Override
  public void close() {
    if (created && server.isAlive()) {
      blocking.withDeadlineAfter(60, TimeUnit.SECONDS)
          .dropCollection(DropCollectionRequest.newBuilder().setName(COLLECTION).build());
    }
  }

  private void awaitReady() throws InterruptedException {
    long deadline = System.currentTimeMillis() + READY_TIMEOUT_MS;
    while (true) {
      if (!server.isAlive()) {
        throw new IllegalStateException("index-service exited during startup; log "
            + server.log() + ":\n" + server.logTail(30));
      }
      try {
        blocking.withDeadlineAfter(2, TimeUnit.SECONDS)
            .listCollections(ListCollectionsRequest.getDefaultInstance());
        return;
      } catch (StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        boolean starting = code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED;
        if (!starting || System.currentTimeMillis() > deadline) {
          throw new IllegalStateException("index-service not ready on port " + server.port()
              + ": " + e.getStatus() + "; log " + server.log() + ":\n" + server.logTail(30), e);
        }
        Thread.sleep(200);
      }
    }
  }

  /** One Upsert stream, flow-controlled by {@link ClientStream}. */
  private UpsertResponse upsertAll(float[][] base) throws InterruptedException {
    ClientStream<UpsertRequest, UpsertResponse> stream = ClientStream.open(async::upsert);
    for (int from = 0; from < base.length; from += BATCH) {
      UpsertRequest.Builder batch = UpsertRequest.newBuilder().setCollection(COLLECTION);
      for (int i = from; i < Math.min(base.length, from + BATCH); i++) {
        Record.Builder r = Record.newBuilder().setId(Integer.toString(i));
        for (float x : base[i]) {
          r.addVector(x);
        }
        batch.addRecords(r);
      }
      stream.send(batch.build());
    }
    return stream.finish();
  }
}
