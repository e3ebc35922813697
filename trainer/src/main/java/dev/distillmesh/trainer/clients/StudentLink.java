package dev.distillmesh.trainer.clients;

import dev.distillmesh.common.BearerToken;
import dev.distillmesh.common.ClientStream;
import dev.distillmesh.common.RemoteErrors;
import dev.distillmesh.proto.student.v1.Document;
import dev.distillmesh.proto.student.v1.EncodeRequest;
import dev.distillmesh.proto.student.v1.EncodeResponse;
import dev.distillmesh.proto.student.v1.GetModelInfoRequest;
import dev.distillmesh.proto.student.v1.IngestRequest;
import dev.distillmesh.proto.student.v1.IngestResponse;
import dev.distillmesh.proto.student.v1.LoadAdapterRequest;
import dev.distillmesh.proto.student.v1.StudentAdminGrpc;
import dev.distillmesh.proto.student.v1.StudentServiceGrpc;
import dev.distillmesh.proto.student.v1.TakeTrafficRequest;
import dev.distillmesh.proto.student.v1.TakeTrafficResponse;
import dev.distillmesh.proto.student.v1.TrafficItem;
import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The trainer's side of the student-service: base embeddings (Encode), publishing adapters
 * (LoadAdapter), the adapter versions served (GetModelInfo) and the traffic it served
 * (TakeTraffic). Every call has a deadline; failures become DomainExceptions naming the student.
 * Thread-safe.
 */
public final class StudentLink {
  /**
   * Texts per Encode call. Each call must end within the student's request timeout (10 s by
   * default), which the student enforces: 64 passages are two encoder batches, seconds even on 2
   * busy cores, where 256 took longer than the timeout.
   */
  private static final int ENCODE_BATCH = 64;

  private final Channel channel;
  private final String target;
  private final BearerToken token;

  /**
   * @param token the admin credential for LoadAdapter, GetModelInfo and TakeTraffic, also sent with
   *     Encode in case the student requires a credential for queries; null if open
   */
  public StudentLink(Channel channel, String target, BearerToken token) {
    this.channel = channel;
    this.target = target;
    this.token = token;
  }

  /**
   * Base embeddings of {@code texts} by one tower: the backbone's own, before any adapter (a run
   * applies the adapters it trains itself).
   */
  public float[][] encode(List<String> texts, Tower tower) {
    float[][] out = new float[texts.size()][];
    for (int from = 0; from < texts.size(); from += ENCODE_BATCH) {
      List<String> chunk = texts.subList(from, Math.min(texts.size(), from + ENCODE_BATCH));
      EncodeResponse r = call(() -> StudentServiceGrpc.newBlockingStub(channel).withCallCredentials(token)
          .withDeadlineAfter(5, TimeUnit.MINUTES)
          .encode(EncodeRequest.newBuilder().addAllTexts(chunk).setTower(tower.toProto()).setBase(true).build()));
      for (int i = 0; i < chunk.size(); i++) {
        List<Float> values = r.getEmbeddings(i).getValuesList();
        float[] v = new float[values.size()];
        for (int d = 0; d < v.length; d++) {
          v[d] = values.get(d);
        }
        out[from + i] = v;
      }
    }
    return out;
  }

  /**
   * The context adapter version the student serves {@code collection} with (0: none, the
   * identity), and the encoder's dimension (GetModelInfo).
   */
  public ServedModel modelInfo(String collection) {
    var info = call(() -> admin().getModelInfo(GetModelInfoRequest.newBuilder().setCollection(collection).build()));
    long version = info.getCollectionsList().stream().filter(c -> c.getCollection().equals(collection))
        .mapToLong(c -> c.getContextAdapter().getVersion()).findFirst().orElse(0);
    return new ServedModel(version, info.getDimension());
  }

  /** Installs {@code matrix} as {@code collection}'s context adapter {@code version}. */
  public void publishContextAdapter(String collection, long version, int dim, float[] matrix, String description) {
    List<Float> values = new ArrayList<>(matrix.length);
    for (float f : matrix) {
      values.add(f);
    }
    call(() -> admin().loadAdapter(LoadAdapterRequest.newBuilder().setTower(Tower.CONTEXT.toProto())
        .setCollection(collection).setVersion(version).setRows(dim).setCols(dim).addAllValues(values)
        .setDescription(description).build()));
  }

  /**
   * Ingests documents into {@code collection} through the student (it encodes them and upserts
   * them into the index, which projects them with the collection's response adapter); they are
   * durable when this returns.
   *
   * @return how many of them are new to the collection (ingested minus replaced)
   */
  public long ingest(String collection, List<NewDocument> newDocuments) throws InterruptedException {
    List<Document> documents = newDocuments.stream().map(d -> Document.newBuilder().setId(d.id()).setText(d.text())
        .setMetadataJson(d.metadataJson()).build()).toList();
    try {
      ClientStream<IngestRequest, IngestResponse> stream = ClientStream.open(
          (token == null ? StudentAdminGrpc.newStub(channel) : StudentAdminGrpc.newStub(channel).withCallCredentials(token))
              .withDeadlineAfter(10, TimeUnit.MINUTES)::ingest);
      for (int from = 0; from < documents.size(); from += 64) {
        stream.send(IngestRequest.newBuilder().setCollection(collection)
            .addAllDocuments(documents.subList(from, Math.min(documents.size(), from + 64))).build());
      }
      IngestResponse r = stream.finish();
      return r.getIngested() - r.getReplaced();
    } catch (StatusRuntimeException e) {
      throw RemoteErrors.toDomain("student-service (" + target + ")", e);
    }
  }

  /** Takes up to {@code max} served queries of {@code collection} out of the student's buffer. */
  public Traffic takeTraffic(int max, String collection) {
    TakeTrafficResponse r = call(() -> admin().takeTraffic(TakeTrafficRequest.newBuilder().setMaxItems(max)
        .setCollection(collection).build()));
    List<String> queries = new ArrayList<>(r.getItemsCount());
    for (TrafficItem item : r.getItemsList()) {
      queries.add(item.getQuestion().isEmpty() ? String.join(" ", item.getTurnsList()) : item.getQuestion());
    }
    return new Traffic(queries, r.getDropped());
  }

  private StudentAdminGrpc.StudentAdminBlockingStub admin() {
    StudentAdminGrpc.StudentAdminBlockingStub stub = StudentAdminGrpc.newBlockingStub(channel)
        .withDeadlineAfter(60, TimeUnit.SECONDS);
    return token == null ? stub : stub.withCallCredentials(token);
  }

  private <T> T call(java.util.function.Supplier<T> rpc) {
    try {
      return rpc.get();
    } catch (StatusRuntimeException e) {
      throw RemoteErrors.toDomain("student-service (" + target + ")", e);
    }
  }
}
