package dev.distillmesh.index.grpc;

import dev.distillmesh.common.DomainException;
import dev.distillmesh.common.GrpcErrors;
import dev.distillmesh.common.HeaderThenBatches;
import dev.distillmesh.index.store.Collection;
import dev.distillmesh.index.store.CollectionConfig;
import dev.distillmesh.index.store.CollectionStore;
import dev.distillmesh.index.store.IndexSpec;
import dev.distillmesh.index.store.Limits;
import dev.distillmesh.index.store.CollectionInfo;
import dev.distillmesh.index.store.Projection;
import dev.distillmesh.index.store.RecordPage;
import dev.distillmesh.index.store.SearchHit;
import dev.distillmesh.index.store.SearchResult;
import dev.distillmesh.index.store.WriteResult;
import dev.distillmesh.proto.index.v1.CreateCollectionRequest;
import dev.distillmesh.proto.index.v1.DeleteRequest;
import dev.distillmesh.proto.index.v1.DeleteResponse;
import dev.distillmesh.proto.index.v1.DropCollectionRequest;
import dev.distillmesh.proto.index.v1.DropCollectionResponse;
import dev.distillmesh.proto.index.v1.GetCollectionRequest;
import dev.distillmesh.proto.index.v1.GetPayloadsRequest;
import dev.distillmesh.proto.index.v1.GetPayloadsResponse;
import dev.distillmesh.proto.index.v1.IndexServiceGrpc;
import dev.distillmesh.proto.index.v1.ListCollectionsRequest;
import dev.distillmesh.proto.index.v1.ListCollectionsResponse;
import dev.distillmesh.proto.index.v1.ListRecordsRequest;
import dev.distillmesh.proto.index.v1.ListRecordsResponse;
import dev.distillmesh.proto.index.v1.GetProjectionRequest;
import dev.distillmesh.proto.index.v1.RebuildRequest;
import dev.distillmesh.proto.index.v1.RebuildResponse;
import dev.distillmesh.proto.index.v1.ReprojectRequest;
import dev.distillmesh.proto.index.v1.ReprojectResponse;
import dev.distillmesh.proto.index.v1.SearchRequest;
import dev.distillmesh.proto.index.v1.SearchResponse;
import dev.distillmesh.proto.index.v1.UpsertRequest;
import dev.distillmesh.proto.index.v1.UpsertResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The {@code IndexService} gRPC adapter: validates message shape, calls the {@link
 * CollectionStore}, maps results back. Every failure goes through {@link GrpcErrors#toStatus}.
 */
public final class IndexGrpcService extends IndexServiceGrpc.IndexServiceImplBase {
  /**
   * Methods that need the admin credential: those that change state, and ListRecords, which reads
   * out the whole corpus (searches and payload lookups only reveal what a query or an id reaches).
   */
  public static final Set<String> ADMIN_METHODS = Set.of(
      IndexServiceGrpc.getCreateCollectionMethod().getFullMethodName(),
      IndexServiceGrpc.getDropCollectionMethod().getFullMethodName(),
      IndexServiceGrpc.getUpsertMethod().getFullMethodName(),
      IndexServiceGrpc.getDeleteMethod().getFullMethodName(),
      IndexServiceGrpc.getRebuildMethod().getFullMethodName(),
      IndexServiceGrpc.getReprojectMethod().getFullMethodName(),
      IndexServiceGrpc.getListRecordsMethod().getFullMethodName());

  /**
   * Read-only methods that never wait on I/O; the server runs them on the transport thread. (They
   * can wait on a collection's lock while a write adds vectors, which happens in chunks of at most
   * a few hundred vectors, so the wait is short.)
   */
  public static final Set<String> INLINE_METHODS = Set.of(
      IndexServiceGrpc.getSearchMethod().getFullMethodName(),
      IndexServiceGrpc.getGetPayloadsMethod().getFullMethodName(),
      IndexServiceGrpc.getGetCollectionMethod().getFullMethodName(),
      IndexServiceGrpc.getListCollectionsMethod().getFullMethodName());

  private final CollectionStore store;
  private final Executor batchSearches;

  /**
   * @param store the collections served
   * @param batchSearches where searches of more than one query run when reads are served inline
   *     (see {@link #INLINE_METHODS}): a batch then neither holds a transport thread nor waits for
   *     the connection's other calls; null runs every search where it arrives
   */
  public IndexGrpcService(CollectionStore store, Executor batchSearches) {
    this.store = store;
    this.batchSearches = batchSearches;
  }

  @Override
  public void createCollection(CreateCollectionRequest request,
      StreamObserver<dev.distillmesh.proto.index.v1.CollectionInfo> response) {
    unary(response, () -> {
      CollectionConfig config = new CollectionConfig(request.getName(), request.getDimension(),
          IndexSpec.parse(request.getIndexSpec()), ProtoMapping.metric(request.getMetric()),
          request.getKeepBaseVectors(), Projection.IDENTITY);
      return ProtoMapping.info(store.create(config, ProtoMapping.vectors(request.getTrainingSampleList())).info());
    });
  }

  @Override
  public void dropCollection(DropCollectionRequest request, StreamObserver<DropCollectionResponse> response) {
    unary(response, () -> {
      store.drop(request.getName());
      return DropCollectionResponse.getDefaultInstance();
    });
  }

  @Override
  public void listCollections(ListCollectionsRequest request, StreamObserver<ListCollectionsResponse> response) {
    unary(response, () -> {
      ListCollectionsResponse.Builder b = ListCollectionsResponse.newBuilder();
      for (Collection c : store.list()) {
        try {
          b.addCollections(ProtoMapping.info(c.info()));
        } catch (DomainException dropped) {
          // dropped between list() and info(): not part of the answer
        }
      }
      store.damaged().forEach((name, problem) -> b.addDamaged(
          dev.distillmesh.proto.index.v1.DamagedCollection.newBuilder().setName(name).setProblem(problem)));
      return b.build();
    });
  }

  @Override
  public void getCollection(GetCollectionRequest request,
      StreamObserver<dev.distillmesh.proto.index.v1.CollectionInfo> response) {
    unary(response, () -> ProtoMapping.info(store.get(request.getName()).info()));
  }

  @Override
  public StreamObserver<UpsertRequest> upsert(StreamObserver<UpsertResponse> response) {
    return HeaderThenBatches.receive(response, UploadSteps.upsert(store));
  }

  @Override
  public void delete(DeleteRequest request, StreamObserver<DeleteResponse> response) {
    unary(response, () -> {
      WriteResult r = store.get(request.getCollection()).delete(request.getIdsList());
      return DeleteResponse.newBuilder().setDeleted(r.written() - r.notFound())
          .setNotFound(r.notFound()).setLastSequence(r.lastSequence()).build();
    });
  }

  @Override
  public void search(SearchRequest request, StreamObserver<SearchResponse> response) {
    if (batchSearches != null && request.getQueriesCount() > 1) {
      try {
        batchSearches.execute(() -> search(store, request, response));
      } catch (RejectedExecutionException e) {
        response.onError(Status.UNAVAILABLE.withDescription(
            "index service is shutting down; retry on another replica").asRuntimeException());
      }
    } else {
      search(store, request, response);
    }
  }

  private static void search(CollectionStore store, SearchRequest request,
      StreamObserver<SearchResponse> response) {
    unary(response, () -> {
      Collection collection = store.get(request.getCollection());
      int n = request.getQueriesCount();
      if (n == 0 || n > Limits.MAX_QUERIES) {
        throw n == 0
            ? DomainException.invalid("queries is empty; send 1.." + Limits.MAX_QUERIES + " query vectors")
            : DomainException.tooLarge(n + " queries in one request; allowed at most " + Limits.MAX_QUERIES);
      }
      int k = request.getK();
      if (k < 1 || k > Limits.MAX_K) {
        throw DomainException.invalid("k " + k + " out of range; allowed 1.." + Limits.MAX_K);
      }
      float[][] queries = ProtoMapping.vectors(request.getQueriesList()).toArray(new float[0][]);
      SearchResult result = collection.search(queries, k, request.getEfSearch(), request.getNprobe(),
          request.getIncludePayloads(), request.getIncludeVectors());
      SearchResponse.Builder b = SearchResponse.newBuilder().setGeneration(result.generation());
      for (List<SearchHit> hits : result.hits()) {
        b.addResults(ProtoMapping.result(hits));
      }
      return b.build();
    });
  }

  @Override
  public void getPayloads(GetPayloadsRequest request, StreamObserver<GetPayloadsResponse> response) {
    unary(response, () -> {
      List<RecordPage.Item> records = store.get(request.getCollection())
          .records(request.getIdsList(), request.getIncludeVectors());
      GetPayloadsResponse.Builder b = GetPayloadsResponse.newBuilder();
      for (int i = 0; i < records.size(); i++) {
        b.addEntries(ProtoMapping.entry(request.getIds(i), records.get(i)));
      }
      return b.build();
    });
  }

  @Override
  public void listRecords(ListRecordsRequest request, StreamObserver<ListRecordsResponse> response) {
    unary(response, () -> {
      RecordPage page = store.get(request.getCollection())
          .listRecords(request.getPageToken(), request.getPageSize(), request.getIncludeVectors());
      ListRecordsResponse.Builder b = ListRecordsResponse.newBuilder().setNextPageToken(page.nextPageToken())
          .setGeneration(page.generation()).setLastSequence(page.lastSequence());
      for (RecordPage.Item item : page.records()) {
        b.addRecords(ProtoMapping.record(item));
      }
      return b.build();
    });
  }

  @Override
  public StreamObserver<RebuildRequest> rebuild(StreamObserver<RebuildResponse> response) {
    return HeaderThenBatches.receive(response, UploadSteps.rebuild(store));
  }

  @Override
  public void reproject(ReprojectRequest request, StreamObserver<ReprojectResponse> response) {
    unary(response, () -> {
      CollectionInfo info = store.get(request.getCollection()).reproject(request.getRows(), request.getCols(),
          ProtoMapping.floats(request.getValuesList()), request.getVersion(), request.getDescription(),
          request.getExpectedLastSequence());
      return ReprojectResponse.newBuilder().setGeneration(info.generation()).setRecordCount(info.liveCount())
          .setProjectionVersion(info.config().projection().version()).build();
    });
  }

  @Override
  public void getProjection(GetProjectionRequest request,
      StreamObserver<dev.distillmesh.proto.index.v1.Projection> response) {
    unary(response, () -> ProtoMapping.projection(store.get(request.getCollection()).projection()));
  }

  /** Runs a unary call body, mapping any failure to a status. */
  static <T> void unary(StreamObserver<T> response, ThrowingSupplier<T> body) {
    T value;
    try {
      value = body.get();
    } catch (Exception e) {
      response.onError(GrpcErrors.toStatus(e));
      return;
    }
    response.onNext(value);
    response.onCompleted();
  }

  /** A supplier that may throw checked exceptions (I/O of durable writes). */
  interface ThrowingSupplier<T> {
    T get() throws Exception;
  }
}
