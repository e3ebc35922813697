package dev.distillmesh.student.query;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import dev.distillmesh.common.DomainException;
import dev.distillmesh.common.ClientStream;
import dev.distillmesh.proto.index.v1.CollectionInfo;
import dev.distillmesh.proto.index.v1.CreateCollectionRequest;
import dev.distillmesh.proto.index.v1.GetCollectionRequest;
import dev.distillmesh.proto.index.v1.Hit;
import dev.distillmesh.proto.index.v1.IndexServiceGrpc;
import dev.distillmesh.proto.index.v1.QueryVector;
import dev.distillmesh.proto.index.v1.SearchRequest;
import dev.distillmesh.proto.index.v1.SearchResponse;
import dev.distillmesh.proto.index.v1.UpsertRequest;
import dev.distillmesh.proto.index.v1.UpsertResponse;
import io.grpc.CallCredentials;
import io.grpc.Channel;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The student's client of the index service. Every call carries a deadline (the caller's); the
 * channel it is given is expected to carry the resilience interceptor (circuit breaker, retry on
 * UNAVAILABLE, bulkhead). Index failures come back as {@link DomainException}s whose message says
 * it was the index service, so a client of the student can tell whose fault a failure was.
 *
 * <p>Thread-safe. Does not own the channel.
 */
public final class IndexGateway {
  private final IndexServiceGrpc.IndexServiceFutureStub futures;
  private final IndexServiceGrpc.IndexServiceBlockingStub blocking;
  private final IndexServiceGrpc.IndexServiceStub async;
  private final String target;

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
    this.target = target;
  }

  /** Hits of one search, with the generation that served them. */
  public record Hits(List<Candidate> candidates, long generation) {}

  /** Searches one vector; completes with DomainException on failure. */
  public CompletableFuture<Hits> search(String collection, float[] vector, int k, int efSearch, Deadline deadline) {
    SearchRequest.Builder request = SearchRequest.newBuilder()
        .setCollection(collection).setK(k).setEfSearch(efSearch).setIncludePayloads(true);
    QueryVector.Builder q = request.addQueriesBuilder();
    for (float v : vector) {
      q.addValues(v);
    }
    ListenableFuture<SearchResponse> call = futures.withDeadline(deadline).search(request.build());
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

  /**
   * Returns the collection, creating it with {@code spec} when it does not exist.
   *
   * @return the collection and whether this call created it
   */
  public Existing getOrCreate(String collection, int dimension, String spec, Deadline deadline) {
    try {
      CollectionInfo info = blocking.withDeadline(deadline)
          .getCollection(GetCollectionRequest.newBuilder().setName(collection).build());
      if (info.getDimension() != dimension) {
        throw DomainException.precondition("collection " + collection + " has dimension " + info.getDimension()
            + " but the student's encoder produces " + dimension + "; ingest into another collection");
      }
      return new Existing(info, false);
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
        throw translate(e, collection, false);
      }
    }
    try {
      CollectionInfo info = blocking.withDeadline(deadline).createCollection(CreateCollectionRequest.newBuilder()
          .setName(collection).setDimension(dimension).setIndexSpec(spec).build());
      return new Existing(info, true);
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.ALREADY_EXISTS) { // created concurrently
        return getOrCreate(collection, dimension, spec, deadline);
      }
      if (e.getStatus().getCode() == Status.Code.INVALID_ARGUMENT) { // a bad name or index spec
        throw DomainException.invalid("index-service cannot create collection " + collection + " with index spec "
            + spec + ": " + e.getStatus().getDescription());
      }
      throw translate(e, collection, false);
    }
  }

  /** A collection and whether it was just created. */
  public record Existing(CollectionInfo info, boolean created) {}

  /** Opens a flow-controlled Upsert stream bounded by {@code deadline}. */
  public ClientStream<UpsertRequest, UpsertResponse> openUpsert(Deadline deadline) {
    return ClientStream.open(async.withDeadline(deadline)::upsert);
  }

  /**
   * Turns an index-service failure into the student's answer: the caller's own mistakes keep
   * their code; an unreachable or slow index becomes UNAVAILABLE / DEADLINE_EXCEEDED naming it.
   */
  public DomainException translate(Throwable t, String collection, boolean efSearchGiven) {
    if (t instanceof DomainException de) {
      return de;
    }
    Status s = Status.fromThrowable(t);
    String what = "index-service (" + target + ")";
    String detail = s.getDescription() == null ? s.getCode().toString() : s.getDescription();
    return switch (s.getCode()) {
      case NOT_FOUND -> DomainException.notFound("collection " + collection + " does not exist in " + what);
      // Our vectors are finite and k is checked, so a rejected search means a wrong dimension
      // (a precondition of the collection) or an ef_search the collection's spec does not use.
      case INVALID_ARGUMENT -> efSearchGiven
          ? DomainException.invalid(what + " rejected the search: " + detail)
          : DomainException.precondition(what + " rejected the request: " + detail);
      case FAILED_PRECONDITION, OUT_OF_RANGE -> DomainException.precondition(what + ": " + detail);
      case RESOURCE_EXHAUSTED -> DomainException.tooLarge(what + " is overloaded: " + detail);
      case DEADLINE_EXCEEDED -> new DomainException(DomainException.Kind.DEADLINE_EXCEEDED,
          what + " did not answer before the deadline", t);
      case UNAVAILABLE -> new DomainException(DomainException.Kind.UNAVAILABLE,
          what + " is unavailable: " + detail, t);
      case UNAUTHENTICATED, PERMISSION_DENIED -> new DomainException(DomainException.Kind.INTERNAL,
          what + " refused the student's credentials (give both the same DISTILLMESH_ADMIN_TOKEN): " + detail, t);
      case CANCELLED -> new DomainException(DomainException.Kind.CANCELLED, "call cancelled", t);
      default -> new DomainException(DomainException.Kind.INTERNAL, what + " failed: " + s.getCode() + " " + detail, t);
    };
  }
}
