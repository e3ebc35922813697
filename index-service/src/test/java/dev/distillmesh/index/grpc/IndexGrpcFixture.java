package dev.distillmesh.index.grpc;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.index.IndexServer;
import dev.distillmesh.index.IndexServerConfig;
import dev.distillmesh.proto.index.v1.CollectionInfo;
import dev.distillmesh.proto.index.v1.CreateCollectionRequest;
import dev.distillmesh.proto.index.v1.GetCollectionRequest;
import dev.distillmesh.proto.index.v1.IndexServiceGrpc;
import dev.distillmesh.proto.index.v1.ListRecordsRequest;
import dev.distillmesh.proto.index.v1.ListRecordsResponse;
import dev.distillmesh.proto.index.v1.Payload;
import dev.distillmesh.proto.index.v1.QueryVector;
import dev.distillmesh.proto.index.v1.RebuildHeader;
import dev.distillmesh.proto.index.v1.RebuildRequest;
import dev.distillmesh.proto.index.v1.RebuildResponse;
import dev.distillmesh.proto.index.v1.Record;
import dev.distillmesh.proto.index.v1.RecordBatch;
import dev.distillmesh.proto.index.v1.UpsertRequest;
import dev.distillmesh.proto.index.v1.UpsertResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.function.Executable;

/**
 * An {@link IndexServer} on an in-process transport (unique name) over a test's data directory,
 * plus helpers that speak the proto contract. Every stub it hands out carries a deadline. The test
 * that starts a fixture closes it (channel first, then server).
 */
final class IndexGrpcFixture implements AutoCloseable {
  static final long DEADLINE_SECONDS = 30;

  private final IndexServer server;
  private final ManagedChannel channel;

  private IndexGrpcFixture(IndexServer server, ManagedChannel channel) {
    this.server = server;
    this.channel = channel;
  }

  /** Starts a server on {@code dataDir} with admin auth off. */
  static IndexGrpcFixture start(Path dataDir) throws IOException {
    return start(dataDir, Map.of());
  }

  /** Starts a server on {@code dataDir}; {@code env} is what the config parser sees. */
  static IndexGrpcFixture start(Path dataDir, Map<String, String> env) throws IOException {
    String name = InProcessServerBuilder.generateName();
    IndexServerConfig config =
        IndexServerConfig.parse(new String[] {"--data-dir", dataDir.toString()}, env);
    IndexServer server = IndexServer.start(config, InProcessServerBuilder.forName(name));
    return new IndexGrpcFixture(server, InProcessChannelBuilder.forName(name).build());
  }

  ManagedChannel channel() {
    return channel;
  }

  IndexServiceGrpc.IndexServiceBlockingStub blocking() {
    return IndexServiceGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE_SECONDS, SECONDS);
  }

  IndexServiceGrpc.IndexServiceStub async() {
    return IndexServiceGrpc.newStub(channel).withDeadlineAfter(DEADLINE_SECONDS, SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow();
    channel.awaitTermination(DEADLINE_SECONDS, SECONDS);
    server.close();
  }

  // ---- calls -------------------------------------------------------------------------------

  CollectionInfo create(String name, int dimension, String spec) {
    return blocking().createCollection(CreateCollectionRequest.newBuilder()
        .setName(name).setDimension(dimension).setIndexSpec(spec).build());
  }

  CollectionInfo info(String name) {
    return blocking().getCollection(GetCollectionRequest.newBuilder().setName(name).build());
  }

  /** Sends the batches on one Upsert stream, half-closes, and returns the response or throws its status. */
  static UpsertResponse upsert(IndexServiceGrpc.IndexServiceStub stub, UpsertRequest... batches) {
    Response<UpsertResponse> response = new Response<>();
    StreamObserver<UpsertRequest> requests = stub.upsert(response);
    for (UpsertRequest b : batches) {
      requests.onNext(b);
    }
    requests.onCompleted();
    return response.await();
  }

  UpsertResponse upsert(String collection, List<Record> records) {
    return upsert(async(), batch(collection, records));
  }

  /** Sends the messages on one Rebuild stream, half-closes, and returns the response or throws its status. */
  static RebuildResponse rebuild(IndexServiceGrpc.IndexServiceStub stub, RebuildRequest... messages) {
    Response<RebuildResponse> response = new Response<>();
    StreamObserver<RebuildRequest> requests = stub.rebuild(response);
    for (RebuildRequest m : messages) {
      requests.onNext(m);
    }
    requests.onCompleted();
    return response.await();
  }

  /** One ListRecords page. */
  ListRecordsResponse listPage(String collection, int pageSize, String pageToken, boolean vectors) {
    return blocking().listRecords(ListRecordsRequest.newBuilder().setCollection(collection)
        .setPageSize(pageSize).setPageToken(pageToken).setIncludeVectors(vectors).build());
  }

  /** Every page of one listing, from the first until the one with an empty next_page_token. */
  List<ListRecordsResponse> listAll(String collection, int pageSize, boolean vectors) {
    List<ListRecordsResponse> pages = new ArrayList<>();
    String token = "";
    do {
      ListRecordsResponse page = listPage(collection, pageSize, token, vectors);
      pages.add(page);
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    return pages;
  }

  // ---- messages ----------------------------------------------------------------------------

  static UpsertRequest batch(String collection, List<Record> records) {
    return UpsertRequest.newBuilder().setCollection(collection).addAllRecords(records).build();
  }

  static RebuildRequest header(String collection, String spec) {
    return RebuildRequest.newBuilder()
        .setHeader(RebuildHeader.newBuilder().setCollection(collection).setIndexSpec(spec)).build();
  }

  /** A header that lets the rebuild start only while the collection is at {@code expectedLastSequence}. */
  static RebuildRequest header(String collection, String spec, long expectedLastSequence) {
    return RebuildRequest.newBuilder().setHeader(RebuildHeader.newBuilder().setCollection(collection)
        .setIndexSpec(spec).setExpectedLastSequence(expectedLastSequence)).build();
  }

  static RebuildRequest rebuildBatch(List<Record> records) {
    return RebuildRequest.newBuilder().setBatch(RecordBatch.newBuilder().addAllRecords(records)).build();
  }

  /** A record whose payload is derived from its id: text "text of ID", metadata {"id":"ID"}. */
  static Record record(String id, float... vector) {
    Record.Builder b = Record.newBuilder().setId(id).setPayload(payloadOf(id));
    for (float x : vector) {
      b.addVector(x);
    }
    return b.build();
  }

  static Payload payloadOf(String id) {
    return Payload.newBuilder().setText("text of " + id).setMetadataJson("{\"id\":\"" + id + "\"}").build();
  }

  /** {@code n} records {@code prefix0..prefix(n-1)} with seeded random unit vectors. */
  static List<Record> records(String prefix, int n, int dimension, long seed) {
    Random rnd = new Random(seed);
    List<Record> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(record(prefix + i, unitVector(rnd, dimension)));
    }
    return out;
  }

  static float[] unitVector(Random rnd, int dimension) {
    float[] v = new float[dimension];
    double norm = 0;
    for (int j = 0; j < dimension; j++) {
      v[j] = (float) rnd.nextGaussian();
      norm += v[j] * v[j];
    }
    float inv = (float) (1 / Math.sqrt(norm));
    for (int j = 0; j < dimension; j++) {
      v[j] *= inv;
    }
    return v;
  }

  static QueryVector query(float... values) {
    QueryVector.Builder q = QueryVector.newBuilder();
    for (float x : values) {
      q.addValues(x);
    }
    return q.build();
  }

  static QueryVector query(Record r) {
    return QueryVector.newBuilder().addAllValues(r.getVectorList()).build();
  }

  // ---- assertions --------------------------------------------------------------------------

  /** Runs {@code call}, expects exactly {@code code}, and a description containing every fragment. */
  static StatusRuntimeException assertStatus(Status.Code code, Executable call, String... fragments) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
    String description = e.getStatus().getDescription();
    assertEquals(code, e.getStatus().getCode(), "status of a call failing with: " + description);
    for (String f : fragments) {
      assertTrue(description != null && description.contains(f),
          "description should name \"" + f + "\" but was: " + description);
    }
    return e;
  }

  /** Polls {@code condition} (a cheap RPC) until true; fails after the call deadline. */
  static void awaitCondition(String what, BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + SECONDS.toNanos(DEADLINE_SECONDS);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(5);
    }
  }

  /** Collects the single response of a client-streaming call. */
  static final class Response<T> implements StreamObserver<T> {
    private final CompletableFuture<T> result = new CompletableFuture<>();
    private T value;

    @Override
    public void onNext(T v) {
      value = v;
    }

    @Override
    public void onError(Throwable t) {
      result.completeExceptionally(t);
    }

    @Override
    public void onCompleted() {
      result.complete(value);
    }

    /** The response, or the call's {@link StatusRuntimeException} rethrown. */
    T await() {
      try {
        return result.get(DEADLINE_SECONDS + 10, SECONDS);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof StatusRuntimeException sre) {
          throw sre;
        }
        throw Status.fromThrowable(e.getCause()).asRuntimeException();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      } catch (TimeoutException e) {
        throw new AssertionError("no response although the call has a deadline", e);
      }
    }

    boolean isDone() {
      return result.isDone();
    }
  }
}
