package dev.distillmesh.index.grpc;

import dev.distillmesh.common.DomainException;
import dev.distillmesh.index.faiss.Metric;
import dev.distillmesh.index.store.CollectionInfo;
import dev.distillmesh.index.store.Payload;
import dev.distillmesh.index.store.RecordInput;
import dev.distillmesh.index.store.RecordPage;
import dev.distillmesh.index.store.SearchHit;
import dev.distillmesh.index.store.Projection;
import dev.distillmesh.index.store.ServedProjection;
import dev.distillmesh.proto.index.v1.Hit;
import dev.distillmesh.proto.index.v1.PayloadEntry;
import dev.distillmesh.proto.index.v1.QueryResult;
import dev.distillmesh.proto.index.v1.QueryVector;
import dev.distillmesh.proto.index.v1.Record;
import java.util.ArrayList;
import java.util.List;

/** Conversions between protobuf messages and store types. */
final class ProtoMapping {
  private ProtoMapping() {}

  static Metric metric(dev.distillmesh.proto.index.v1.Metric metric) {
    return switch (metric) {
      case METRIC_UNSPECIFIED, METRIC_INNER_PRODUCT -> Metric.INNER_PRODUCT;
      case METRIC_L2 -> Metric.L2;
      default -> throw DomainException.invalid(
          "metric " + metric + " is not supported; allowed METRIC_INNER_PRODUCT, METRIC_L2");
    };
  }

  static dev.distillmesh.proto.index.v1.Metric metric(Metric metric) {
    return metric == Metric.L2
        ? dev.distillmesh.proto.index.v1.Metric.METRIC_L2
        : dev.distillmesh.proto.index.v1.Metric.METRIC_INNER_PRODUCT;
  }

  static List<RecordInput> records(List<Record> records) {
    List<RecordInput> out = new ArrayList<>(records.size());
    for (Record r : records) {
      float[] v = new float[r.getVectorCount()];
      for (int i = 0; i < v.length; i++) {
        v[i] = r.getVector(i);
      }
      float[] base = new float[r.getBaseVectorCount()];
      for (int i = 0; i < base.length; i++) {
        base[i] = r.getBaseVector(i);
      }
      out.add(new RecordInput(r.getId(), v, r.getPayload().getText(), r.getPayload().getMetadataJson(), base));
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

  static List<float[]> vectors(List<QueryVector> vectors) {
    List<float[]> out = new ArrayList<>(vectors.size());
    for (QueryVector q : vectors) {
      float[] v = new float[q.getValuesCount()];
      for (int j = 0; j < v.length; j++) {
        v[j] = q.getValues(j);
      }
      out.add(v);
    }
    return out;
  }

  static dev.distillmesh.proto.index.v1.Payload payload(Payload p) {
    return dev.distillmesh.proto.index.v1.Payload.newBuilder()
        .setText(p.text()).setMetadataJson(p.metadataJson()).build();
  }

  /** A listed record; the vector stays empty unless it was read. */
  static Record record(RecordPage.Item item) {
    Record.Builder b = Record.newBuilder().setId(item.id()).setPayload(payload(item.payload()));
    if (item.vector() != null) {
      for (float x : item.vector()) {
        b.addVector(x);
      }
    }
    if (item.baseVector() != null) {
      for (float x : item.baseVector()) {
        b.addBaseVector(x);
      }
    }
    return b.build();
  }

  /** A GetPayloads entry: found with its payload (and vectors, when read), or not found. */
  static PayloadEntry entry(String id, RecordPage.Item item) {
    PayloadEntry.Builder e = PayloadEntry.newBuilder().setId(id);
    if (item != null) {
      e.setFound(true).setPayload(payload(item.payload()));
      if (item.vector() != null) {
        for (float x : item.vector()) {
        e.addVector(x);
      }
      }
      if (item.baseVector() != null) {
        for (float x : item.baseVector()) {
        e.addBaseVector(x);
      }
      }
    }
    return e.build();
  }

  static QueryResult result(List<SearchHit> hits) {
    QueryResult.Builder b = QueryResult.newBuilder();
    for (SearchHit h : hits) {
      Hit.Builder hit = Hit.newBuilder().setId(h.id()).setScore(h.score());
      if (h.payload() != null) {
        hit.setPayload(payload(h.payload()));
      }
      if (h.vector() != null) {
        for (float x : h.vector()) {
        hit.addVector(x);
      }
      }
      if (h.baseVector() != null) {
        for (float x : h.baseVector()) {
        hit.addBaseVector(x);
      }
      }
      b.addHits(hit);
    }
    return b.build();
  }

  /** The serving projection: its matrix written out (the identity's too), version and generation. */
  static dev.distillmesh.proto.index.v1.Projection projection(ServedProjection served) {
    Projection p = served.projection();
    dev.distillmesh.proto.index.v1.Projection.Builder b = dev.distillmesh.proto.index.v1.Projection.newBuilder()
        .setCollection(served.collection()).setRows(served.dimension()).setCols(served.dimension())
        .setVersion(p.version()).setDescription(p.description()).setProjectedAtUnixMs(p.projectedAtMillis())
        .setGeneration(served.generation());
    for (float x : served.matrix()) {
      b.addValues(x);
    }
    return b.build();
  }

  static dev.distillmesh.proto.index.v1.CollectionInfo info(CollectionInfo info) {
    Projection p = info.config().projection();
    return dev.distillmesh.proto.index.v1.CollectionInfo.newBuilder()
        .setKeepsBaseVectors(info.config().keepsBaseVectors())
        .setProjectionVersion(p.version())
        .setProjectionDescription(p.description())
        .setProjectedAtUnixMs(p.projectedAtMillis())
        .setName(info.config().name())
        .setDimension(info.config().dimension())
        .setIndexSpec(info.config().spec().factory())
        .setMetric(metric(info.config().metric()))
        .setLiveCount(info.liveCount())
        .setTombstoneCount(info.tombstoneCount())
        .setGeneration(info.generation())
        .setRebuilding(info.rebuilding())
        .setLastSequence(info.lastSequence())
        .build();
  }
}
