package dev.distillmesh.trainer.clients;

import dev.distillmesh.common.BearerToken;
import dev.distillmesh.common.RemoteErrors;
import dev.distillmesh.proto.index.v1.GetCollectionRequest;
import dev.distillmesh.proto.index.v1.GetPayloadsRequest;
import dev.distillmesh.proto.index.v1.GetPayloadsResponse;
import dev.distillmesh.proto.index.v1.GetProjectionRequest;
import dev.distillmesh.proto.index.v1.Hit;
import dev.distillmesh.proto.index.v1.IndexServiceGrpc;
import dev.distillmesh.proto.index.v1.ListRecordsRequest;
import dev.distillmesh.proto.index.v1.ListRecordsResponse;
import dev.distillmesh.proto.index.v1.PayloadEntry;
import dev.distillmesh.proto.index.v1.QueryResult;
import dev.distillmesh.proto.index.v1.QueryVector;
import dev.distillmesh.proto.index.v1.Record;
import dev.distillmesh.proto.index.v1.ReprojectRequest;
import dev.distillmesh.proto.index.v1.SearchRequest;
import dev.distillmesh.proto.index.v1.SearchResponse;
import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The trainer's side of the index-service: a run's candidates are searched for in the served
 * collection (Search with payloads and vectors), gold passages fetched by id (GetPayloads), a
 * sample of the collection read by paging through it (ListRecords), and a new response adapter
 * applied inside the index (Reproject), which builds and swaps in a new generation from the
 * stored base vectors. Every call has a deadline; failures become DomainExceptions naming the
 * index. Thread-safe.
 */
public final class IndexLink {
  /** Hits per Search call (queries × k): about 4 MiB of vectors and texts at dimension 384. */
  private static final int HITS_PER_CALL = 1024;
  /** Ids per GetPayloads call (the index allows 4,096). */
  private static final int IDS_PER_CALL = 1024;
  private static final long REPROJECT_MINUTES = 30;

  private final Channel channel;
  private final String target;
  private final BearerToken token;

  /** @param token the admin credential ListRecords and Reproject need; null if the index is open */
  public IndexLink(Channel channel, String target, BearerToken token) {
    this.channel = channel;
    this.target = target;
    this.token = token;
  }

  /** The collection's size, dimension and projection (GetCollection). */
  public CollectionState collection(String collection) {
    var info = call(() -> stub(60, TimeUnit.SECONDS).getCollection(
        GetCollectionRequest.newBuilder().setName(collection).build()));
    return new CollectionState(info.getName(), info.getDimension(), info.getLiveCount(), info.getKeepsBaseVectors(),
        info.getProjectionVersion(), info.getLastSequence());
  }

  /**
   * The {@code k} best records of the collection for each query vector (already adapted: what the
   * student would search with), best first, with texts and vectors.
   *
   * @param efSearch 0 for the collection's default
   */
  public List<List<Passage>> search(String collection, List<float[]> queries, int k, int efSearch) {
    List<List<Passage>> out = new ArrayList<>(queries.size());
    int perCall = Math.max(1, HITS_PER_CALL / k);
    for (int from = 0; from < queries.size(); from += perCall) {
      SearchRequest.Builder request = SearchRequest.newBuilder().setCollection(collection).setK(k)
          .setEfSearch(efSearch).setIncludePayloads(true).setIncludeVectors(true);
      for (float[] q : queries.subList(from, Math.min(queries.size(), from + perCall))) {
        QueryVector.Builder v = QueryVector.newBuilder();
        for (float f : q) {
          v.addValues(f);
        }
        request.addQueries(v);
      }
      SearchResponse r = call(() -> stub(60, TimeUnit.SECONDS).search(request.build()));
      for (QueryResult result : r.getResultsList()) {
        List<Passage> hits = new ArrayList<>(result.getHitsCount());
        for (Hit h : result.getHitsList()) {
          hits.add(new Passage(h.getId(), h.getPayload().getText(), floats(h.getVectorList()),
              h.getBaseVectorCount() == 0 ? null : floats(h.getBaseVectorList())));
        }
        out.add(hits);
      }
    }
    return out;
  }

  /** The records of {@code ids} that the collection holds, with texts and vectors, by id. */
  public Map<String, Passage> fetch(String collection, List<String> ids) {
    Map<String, Passage> out = new HashMap<>();
    for (int from = 0; from < ids.size(); from += IDS_PER_CALL) {
      List<String> chunk = ids.subList(from, Math.min(ids.size(), from + IDS_PER_CALL));
      GetPayloadsResponse r = call(() -> stub(60, TimeUnit.SECONDS).getPayloads(GetPayloadsRequest.newBuilder()
          .setCollection(collection).addAllIds(chunk).setIncludeVectors(true).build()));
      for (PayloadEntry e : r.getEntriesList()) {
        if (e.getFound()) {
          out.put(e.getId(), new Passage(e.getId(), e.getPayload().getText(), floats(e.getVectorList()),
              e.getBaseVectorCount() == 0 ? null : floats(e.getBaseVectorList())));
        }
      }
    }
    return out;
  }

  /** One page of the collection's live records with their vectors (an admin call). */
  public ListingPage list(String collection, String pageToken, int pageSize) {
    ListRecordsResponse page = call(() -> stub(60, TimeUnit.SECONDS).listRecords(ListRecordsRequest.newBuilder()
        .setCollection(collection).setPageToken(pageToken).setPageSize(pageSize).setIncludeVectors(true).build()));
    List<Passage> records = new ArrayList<>(page.getRecordsCount());
    for (Record r : page.getRecordsList()) {
      records.add(new Passage(r.getId(), r.getPayload().getText(), floats(r.getVectorList()),
          r.getBaseVectorCount() == 0 ? null : floats(r.getBaseVectorList())));
    }
    return new ListingPage(records, page.getNextPageToken());
  }

  /** The matrix the collection's vectors are served with (GetProjection). */
  public Projection projection(String collection) {
    var p = call(() -> stub(60, TimeUnit.SECONDS).getProjection(
        GetProjectionRequest.newBuilder().setCollection(collection).build()));
    return new Projection(p.getVersion(), p.getRows(), floats(p.getValuesList()), p.getGeneration());
  }

  /**
   * Has the index re-project the collection with {@code matrix} as projection {@code version}: a
   * new generation of B·base for every record, swapped in when it is durable (Reproject).
   *
   * @return the new generation
   */
  public long reproject(String collection, long version, int dim, float[] matrix, String description) {
    ReprojectRequest.Builder request = ReprojectRequest.newBuilder().setCollection(collection).setVersion(version)
        .setRows(dim).setCols(dim).setDescription(description);
    for (float f : matrix) {
      request.addValues(f);
    }
    return call(() -> stub(REPROJECT_MINUTES, TimeUnit.MINUTES).reproject(request.build())).getGeneration();
  }

  private IndexServiceGrpc.IndexServiceBlockingStub stub(long timeout, TimeUnit unit) {
    IndexServiceGrpc.IndexServiceBlockingStub stub = IndexServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(timeout, unit);
    return token == null ? stub : stub.withCallCredentials(token);
  }

  private <T> T call(Supplier<T> rpc) {
    try {
      return rpc.get();
    } catch (StatusRuntimeException e) {
      throw RemoteErrors.toDomain("index-service (" + target + ")", e);
    }
  }

  private static float[] floats(List<Float> values) {
    float[] v = new float[values.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = values.get(i);
    }
    return v;
  }
}
