package dev.distillmesh.student.client;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import dev.distillmesh.common.CallDeadline;
import dev.distillmesh.common.ClientStream;
import dev.distillmesh.common.DomainException;
import dev.distillmesh.common.RemoteErrors;
import dev.distillmesh.common.resilience.Deadlines;
import dev.distillmesh.proto.index.v1.CollectionInfo;
import dev.distillmesh.proto.index.v1.CreateCollectionRequest;
import dev.distillmesh.proto.index.v1.GetCollectionRequest;
import dev.distillmesh.proto.index.v1.Hit;
import dev.distillmesh.proto.index.v1.IndexServiceGrpc;
import dev.distillmesh.proto.index.v1.ListCollectionsRequest;
import dev.distillmesh.proto.index.v1.Payload;
import dev.distillmesh.proto.index.v1.QueryVector;
import dev.distillmesh.proto.index.v1.Record;
import dev.distillmesh.proto.index.v1.SearchRequest;
import dev.distillmesh.proto.index.v1.SearchResponse;
import dev.distillmesh.proto.index.v1.UpsertRequest;
import dev.distillmesh.proto.index.v1.UpsertResponse;
import dev.distillmesh.student.query.Candidate;
import dev.distillmesh.student.query.IndexCatalog;
import dev.distillmesh.student.query.VectorIndex;
import io.grpc.CallCredentials;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The student's client of the index service, for searching and ingesting ({@link VectorIndex}) and
 * for listing its collections with their projections ({@link IndexCatalog}). Every call carries the caller's deadline; the
 * channel it is given is expected to carry the resilience interceptor (circuit breaker, retry on
 * UNAVAILABLE, bulkhead). Failures go through {@link RemoteErrors}, except the two codes whose
 * meaning the student knows better (NOT_FOUND: no such collection; INVALID_ARGUMENT: see {@link
 * #translate}).
 *
 * <p>Thread-safe. Does not own the channel.
 */
public final class IndexGateway implements VectorIndex, IndexCatalog {
  /**
   * How often {@link #getOrCreate} goes round "get, else create": a second round only follows a
   * create that lost a race with another creator, and a third only if that collection was dropped
   * again before we read it. More rounds than that mean collections are being created and dropped
   * in a loop, which retrying will not fix.
   */
  private static final int GET_OR_CREATE_ROUNDS = 3;

  private final IndexServiceGrpc.IndexServiceFutureStub futures;
  private final IndexServiceGrpc.IndexServiceBlockingStub blocking;
  private final IndexServiceGrpc.IndexServiceStub async;
  private final String peer;

  /**
   * @param channel to the index service (with the resilience interceptor applied)
   * @param target how to name the index service in error messages, e.g. "127.0.0.1:7401"
   * @param adminCredentials sent with every call: creating collections and upserting need them, and
   *     searches do when the index requires a credential for queries; null when the index is open
   */
  public IndexGateway(Channel channel, String target, CallCredentials adminCredentials) {
    IndexServiceGrpc.IndexServiceBlockingStub b = IndexServiceGrpc.newBlockingStub(channel);
    IndexServiceGrpc.IndexServiceStub a = IndexServiceGrpc.newStub(channel);
    IndexServiceGrpc.IndexServiceFutureStub f = IndexServiceGrpc.newFutureStub(channel);
    if (adminCredentials != null) {
      b = b.withCallCredentials(adminCredentials);
      a = a.withCallCredentials(adminCredentials);
      f = f.withCallCredentials(adminCredentials);
    }
    this.futures = f;
    this.blocking = b;
    this.async = a;
    this.peer = "index-service (" + target + ")";
  }

  @Override
  public CompletableFuture<Hits> search(String collection, float[] vector, int k, int efSearch,
      CallDeadline deadline) {
    SearchRequest.Builder request = SearchRequest.newBuilder()
        .setCollection(collection).setK(k).setEfSearch(efSearch).setIncludePayloads(true);
    QueryVector.Builder q = request.addQueriesBuilder();
    for (float v : vector) {
      q.addValues(v);
    }
    ListenableFuture<SearchResponse> call = futures.withDeadline(Deadlines.toGrpc(deadline)).search(request.build());
    CompletableFuture<Hits> result = new CompletableFuture<>();
    Futures.addCallback(call, new FutureCallback<>() {
      @Override
      public void onSuccess(SearchResponse response) {
        List<Candidate> out = new ArrayList<>();
        for (Hit h : response.getResults(0).getHitsList()) {
          out.add(new Candidate(h.getId(), h.getPayload().getText(), h.getScore(), h.getPayload().getMetadataJson()));
        }
        result.complete(new Hits(out, response.getGeneration()));
      }

      @Override
      public void onFailure(Throwable t) {
        result.completeExceptionally(translate(t, collection, efSearch > 0));
      }
    }, MoreExecutors.directExecutor());
    return result;
  }

  @Override
  public List<CollectionState> collections(CallDeadline deadline) {
    try {
      List<CollectionState> out = new ArrayList<>();
      for (CollectionInfo c : blocking.withDeadline(Deadlines.toGrpc(deadline))
          .listCollections(ListCollectionsRequest.getDefaultInstance()).getCollectionsList()) {
        out.add(new CollectionState(c.getName(), c.getDimension(), c.getKeepsBaseVectors(), c.getProjectionVersion(),
            c.getProjectionDescription(), c.getProjectedAtUnixMs()));
      }
      return out;
    } catch (StatusRuntimeException e) {
      throw RemoteErrors.toDomain(peer, e);
    }
  }

  @Override
  public Opened getOrCreate(String collection, int dimension, String spec, CallDeadline deadline) {
    // A bounded loop, not the resilience interceptor's retry: ALREADY_EXISTS is not a transient
    // failure of one call but a sign to take the other branch (read what the winner created).
    StatusRuntimeException lastRace = null;
    for (int round = 0; round < GET_OR_CREATE_ROUNDS; round++) {
      try {
        CollectionInfo info = blocking.withDeadline(Deadlines.toGrpc(deadline))
            .getCollection(GetCollectionRequest.newBuilder().setName(collection).build());
        if (info.getDimension() != dimension) {
          throw DomainException.precondition("collection " + collection + " has dimension " + info.getDimension()
              + " but the student's encoder produces " + dimension + "; ingest into another collection");
        }
        return new Opened(false, info.getKeepsBaseVectors());
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
          throw translate(e, collection, false);
        }
      }
      try {
        CollectionInfo created = blocking.withDeadline(Deadlines.toGrpc(deadline)).createCollection(
            CreateCollectionRequest.newBuilder().setName(collection).setDimension(dimension).setIndexSpec(spec)
                .setKeepBaseVectors(true).build());
        return new Opened(true, created.getKeepsBaseVectors());
      } catch (StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        if (code == Status.Code.ALREADY_EXISTS) { // created concurrently: read it in the next round
          lastRace = e;
          continue;
        }
        if (code == Status.Code.INVALID_ARGUMENT) { // a bad name or index spec
          throw DomainException.invalid("index-service cannot create collection " + collection + " with index spec "
              + spec + ": " + e.getStatus().getDescription());
        }
        throw translate(e, collection, false);
      }
    }
    throw new DomainException(DomainException.Kind.ABORTED, "collection " + collection + " in " + peer
        + " was created and dropped again " + GET_OR_CREATE_ROUNDS + " times while the student tried to open it;"
        + " retry once whatever drops it has finished", lastRace);
  }

  @Override
  public UpsertStream openUpsert(String collection, boolean keepsBaseVectors, CallDeadline deadline) {
    ClientStream<UpsertRequest, UpsertResponse> stream =
        ClientStream.open(async.withDeadline(Deadlines.toGrpc(deadline))::upsert);
    return new UpsertStream() {
      @Override
      public void send(List<Entry> batch) throws InterruptedException {
        UpsertRequest.Builder request = UpsertRequest.newBuilder().setCollection(collection);
        for (Entry e : batch) {
          Record.Builder r = request.addRecordsBuilder().setId(e.id())
              .setPayload(Payload.newBuilder().setText(e.text()).setMetadataJson(e.metadataJson()));
          for (float v : e.baseVector()) { // the index projects a base vector; otherwise it is served as is
            if (keepsBaseVectors) {
              r.addBaseVector(v);
            } else {
              r.addVector(v);
            }
          }
        }
        try {
          stream.send(request.build());
        } catch (RuntimeException e) {
          throw translateUpsert(e, collection);
        }
      }

      @Override
      public Written finish() throws InterruptedException {
        try {
          UpsertResponse r = stream.finish();
          return new Written(r.getUpserted(), r.getReplaced(), r.getLastSequence());
        } catch (RuntimeException e) {
          throw translateUpsert(e, collection);
        }
      }

      @Override
      public void cancel(String why, Throwable cause) {
        stream.cancel(why, cause);
      }
    };
  }

  /** The index validates what we send; its INVALID_ARGUMENT on an upsert is about the client's documents. */
  private DomainException translateUpsert(RuntimeException e, String collection) {
    if (RemoteErrors.codeOf(e) == Status.Code.INVALID_ARGUMENT) {
      return DomainException.invalid("index-service rejected a batch: " + Status.fromThrowable(e).getDescription());
    }
    return translate(e, collection, false);
  }

  /**
   * Turns an index-service failure into the student's answer, by {@link RemoteErrors} except where
   * the student knows what the index's code means here: NOT_FOUND is always the collection, and
   * INVALID_ARGUMENT is the client's fault only when it chose an ef_search (our vectors are finite
   * and k is checked, so otherwise it means a wrong dimension, a precondition of the collection).
   */
  DomainException translate(Throwable t, String collection, boolean efSearchGiven) {
    Status.Code code = RemoteErrors.codeOf(t);
    if (code == Status.Code.NOT_FOUND) {
      return DomainException.notFound("collection " + collection + " does not exist in " + peer);
    }
    if (code == Status.Code.INVALID_ARGUMENT) {
      Status s = Status.fromThrowable(t);
      String detail = s.getDescription() == null ? s.getCode().toString() : s.getDescription();
      return efSearchGiven
          ? DomainException.invalid(peer + " rejected the search: " + detail)
          : DomainException.precondition(peer + " rejected the request: " + detail);
    }
    return RemoteErrors.toDomain(peer, t);
  }
}
