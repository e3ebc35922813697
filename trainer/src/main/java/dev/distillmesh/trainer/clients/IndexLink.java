package dev.distillmesh.trainer.clients;

import dev.distillmesh.common.BearerToken;
import dev.distillmesh.common.DomainException;
import dev.distillmesh.proto.index.v1.IndexServiceGrpc;
import dev.distillmesh.common.RemoteErrors;
import dev.distillmesh.proto.index.v1.ListRecordsRequest;
import dev.distillmesh.proto.index.v1.ListRecordsResponse;
import dev.distillmesh.proto.index.v1.RebuildHeader;
import dev.distillmesh.proto.index.v1.RebuildRequest;
import dev.distillmesh.proto.index.v1.RebuildResponse;
import dev.distillmesh.proto.index.v1.Record;
import dev.distillmesh.proto.index.v1.RecordBatch;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The trainer's side of the index-service, for re-indexing a collection after the response
 * adapter changed: page through its records (ListRecords) and swap in a new generation built from
 * re-encoded vectors (Rebuild), guarded by the collection's write sequence so that a write made in
 * between is never lost. Every call has a deadline; failures become DomainExceptions naming the
 * index. Thread-safe.
 */
public final class IndexLink {
  /** Records per Rebuild message: well under the index's 4,096 and its message size limit. */
  private static final int REBUILD_BATCH = 512;
  private static final long REBUILD_MINUTES = 30;

  private final Channel channel;
  private final String target;
  private final BearerToken token;

  /** Thrown when the collection was written after it was read: list it again. */
  public static final class CollectionChanged extends RuntimeException {
    CollectionChanged(String message) {
      super(message);
    }
  }

  /** @param token the admin credential ListRecords and Rebuild need; null if the index is open */
  public IndexLink(Channel channel, String target, BearerToken token) {
    this.channel = channel;
    this.target = target;
    this.token = token;
  }

  /**
   * One page of the collection's live records (id and payload, no vectors).
   *
   * @throws CollectionChanged when the collection moved to another generation since the first page
   */
  public RecordPage listRecords(String collection, String pageToken) {
    try {
      ListRecordsResponse page = stub().withDeadlineAfter(60, TimeUnit.SECONDS).listRecords(ListRecordsRequest
          .newBuilder().setCollection(collection).setPageToken(pageToken).setPageSize(4096).build());
      return new RecordPage(page.getRecordsList().stream().map(ListedRecord::new).toList(), page.getLastSequence(),
          page.getNextPageToken());
    } catch (StatusRuntimeException e) {
      throw failure(e);
    }
  }

  /**
   * Replaces the collection with exactly {@code listed} as a new generation, record i with vector
   * {@code vectors.get(i)}, unless it was written after {@code expectedLastSequence}.
   *
   * @return the new generation
   * @throws CollectionChanged when the collection was written since it was listed
   */
  public long rebuild(String collection, long expectedLastSequence, List<ListedRecord> listed, List<float[]> vectors)
      throws InterruptedException {
    List<Record> records = new java.util.ArrayList<>(listed.size());
    for (int i = 0; i < listed.size(); i++) {
      records.add(listed.get(i).withVector(vectors.get(i)));
    }
    CompletableFuture<RebuildResponse> done = new CompletableFuture<>();
    ClientResponseObserver<RebuildRequest, RebuildResponse> observer = new ClientResponseObserver<>() {
      private ClientCallStreamObserver<RebuildRequest> requests;
      private int next = -1; // -1: the header is still to send

      @Override
      public void beforeStart(ClientCallStreamObserver<RebuildRequest> stream) {
        requests = stream;
        stream.setOnReadyHandler(this::send);
      }

      /** Sends while the transport takes more, so the whole collection is never buffered at once. */
      private void send() {
        while (requests.isReady() && next <= records.size()) {
          if (next < 0) {
            requests.onNext(RebuildRequest.newBuilder().setHeader(RebuildHeader.newBuilder().setCollection(collection)
                .setExpectedLastSequence(expectedLastSequence)).build());
            next = 0;
          } else if (next < records.size()) {
            int to = Math.min(records.size(), next + REBUILD_BATCH);
            requests.onNext(RebuildRequest.newBuilder().setBatch(RecordBatch.newBuilder()
                .addAllRecords(records.subList(next, to))).build());
            next = to;
          } else {
            requests.onCompleted();
            next = records.size() + 1;
          }
        }
      }

      @Override
      public void onNext(RebuildResponse value) {
        done.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        done.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        done.completeExceptionally(new IllegalStateException("Rebuild completed without an answer"));
      }
    };
    IndexServiceGrpc.IndexServiceStub stub = IndexServiceGrpc.newStub(channel)
        .withDeadlineAfter(REBUILD_MINUTES, TimeUnit.MINUTES);
    (token == null ? stub : stub.withCallCredentials(token)).rebuild(observer);
    try {
      return done.get(REBUILD_MINUTES + 1, TimeUnit.MINUTES).getGeneration();
    } catch (ExecutionException e) {
      throw failure(e.getCause());
    } catch (TimeoutException e) {
      throw new DomainException(DomainException.Kind.DEADLINE_EXCEEDED, "index-service (" + target
          + "): rebuild of " + collection + " did not finish in " + REBUILD_MINUTES + " minutes");
    }
  }

  private IndexServiceGrpc.IndexServiceBlockingStub stub() {
    IndexServiceGrpc.IndexServiceBlockingStub stub = IndexServiceGrpc.newBlockingStub(channel);
    return token == null ? stub : stub.withCallCredentials(token);
  }

  private RuntimeException failure(Throwable e) {
    DomainException failure = RemoteErrors.toDomain("index-service (" + target + ")", e);
    return RemoteErrors.codeOf(e) == Status.Code.ABORTED ? new CollectionChanged(failure.getMessage()) : failure;
  }
}
