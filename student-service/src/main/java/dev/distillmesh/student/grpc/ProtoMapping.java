package dev.distillmesh.student.grpc;

import dev.distillmesh.common.DomainException;
import dev.distillmesh.proto.student.v1.AdapterInfo;
import dev.distillmesh.proto.student.v1.Candidate;
import dev.distillmesh.proto.student.v1.CollectionModel;
import dev.distillmesh.proto.student.v1.InputReport;
import dev.distillmesh.proto.student.v1.QueryKind;
import dev.distillmesh.proto.student.v1.QueryResponse;
import dev.distillmesh.proto.student.v1.TakeTrafficResponse;
import dev.distillmesh.proto.student.v1.Tower;
import dev.distillmesh.student.adapter.Adapter;
import dev.distillmesh.student.query.CollectionModels;
import dev.distillmesh.student.query.Document;
import dev.distillmesh.student.query.IndexCatalog;
import dev.distillmesh.student.query.QueryResult;
import dev.distillmesh.student.query.TrafficRecorder;
import java.util.ArrayList;
import java.util.List;

/** Conversions between the student's domain types and its protobuf messages. */
final class ProtoMapping {
  private ProtoMapping() {}

  static dev.distillmesh.student.adapter.Tower tower(Tower tower) {
    return switch (tower) {
      case TOWER_CONTEXT -> dev.distillmesh.student.adapter.Tower.CONTEXT;
      case TOWER_RESPONSE -> dev.distillmesh.student.adapter.Tower.RESPONSE;
      default -> throw DomainException.invalid("tower must be TOWER_CONTEXT or TOWER_RESPONSE, got " + tower);
    };
  }

  static Tower tower(dev.distillmesh.student.adapter.Tower tower) {
    return tower == dev.distillmesh.student.adapter.Tower.CONTEXT ? Tower.TOWER_CONTEXT : Tower.TOWER_RESPONSE;
  }

  static InputReport input(dev.distillmesh.student.query.InputReport r) {
    return InputReport.newBuilder().setTokens(r.tokens()).setTruncated(r.truncated())
        .setDroppedTurns(r.droppedTurns()).build();
  }

  static QueryResponse queryResponse(QueryResult result) {
    QueryResponse.Builder b = QueryResponse.newBuilder()
        .setInput(input(result.input()))
        .setContextAdapterVersion(result.contextAdapterVersion())
        .setIndexGeneration(result.indexGeneration());
    for (dev.distillmesh.student.query.Candidate c : result.candidates()) {
      b.addCandidates(Candidate.newBuilder().setId(c.id()).setText(c.text()).setScore(c.score())
          .setMetadataJson(c.metadataJson()));
    }
    return b.build();
  }

  /** A context adapter of {@code collection}, from the student's store. */
  static AdapterInfo adapterInfo(String collection, Adapter a) {
    return AdapterInfo.newBuilder().setTower(tower(a.tower())).setVersion(a.version())
        .setRows(a.dimension()).setCols(a.dimension()).setDescription(a.description())
        .setLoadedAtUnixMs(a.loadedAtMillis()).setCollection(collection).build();
  }

  /** A collection's response adapter: the projection the index serves it with. */
  static AdapterInfo responseAdapterInfo(IndexCatalog.CollectionState c) {
    return AdapterInfo.newBuilder().setTower(Tower.TOWER_RESPONSE).setVersion(c.projectionVersion())
        .setRows(c.dimension()).setCols(c.dimension()).setDescription(c.projectionDescription())
        .setLoadedAtUnixMs(c.projectedAtMillis()).setCollection(c.name()).build();
  }

  static CollectionModel collectionModel(CollectionModels.Served served) {
    CollectionModel.Builder b = CollectionModel.newBuilder().setCollection(served.collection())
        .setContextAdapter(adapterInfo(served.collection(), served.context()));
    served.index().ifPresent(c -> b.setResponseAdapter(responseAdapterInfo(c)).setKeepsBaseVectors(c.keepsBaseVectors()));
    return b.build();
  }

  static TakeTrafficResponse takeTrafficResponse(TrafficRecorder.Taken taken) {
    TakeTrafficResponse.Builder b = TakeTrafficResponse.newBuilder().setDropped(taken.dropped())
        .setRemaining(taken.remaining());
    for (TrafficRecorder.Item item : taken.items()) {
      b.addItemsBuilder()
          .setKind(item.kind() == TrafficRecorder.Kind.ANSWER ? QueryKind.QUERY_KIND_ANSWER : QueryKind.QUERY_KIND_RESPOND)
          .setCollection(item.collection()).setQuestion(item.question()).addAllTurns(item.turns())
          .setServedAtUnixMs(item.servedAtUnixMs());
    }
    return b.build();
  }

  static List<Document> documents(List<dev.distillmesh.proto.student.v1.Document> docs) {
    List<Document> out = new ArrayList<>(docs.size());
    for (dev.distillmesh.proto.student.v1.Document d : docs) {
      out.add(new Document(d.getId(), d.getText(), d.getMetadataJson()));
    }
    return out;
  }

  static float[] floats(List<Float> values) {
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }
}
