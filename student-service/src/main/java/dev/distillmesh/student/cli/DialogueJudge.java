package dev.distillmesh.student.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.distillmesh.proto.index.v1.CollectionInfo;
import dev.distillmesh.proto.index.v1.GetCollectionRequest;
import dev.distillmesh.proto.index.v1.GetProjectionRequest;
import dev.distillmesh.proto.index.v1.IndexServiceGrpc;
import dev.distillmesh.proto.index.v1.Projection;
import dev.distillmesh.proto.student.v1.EncodeRequest;
import dev.distillmesh.proto.student.v1.EncodeResponse;
import dev.distillmesh.proto.student.v1.StudentServiceGrpc;
import dev.distillmesh.proto.student.v1.Tower;
import dev.distillmesh.proto.teacher.v1.ScoreItem;
import dev.distillmesh.proto.teacher.v1.ScoreKind;
import dev.distillmesh.proto.teacher.v1.ScoreRequest;
import dev.distillmesh.proto.teacher.v1.TeacherServiceGrpc;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A dialogue line {@code {"context", "response", "candidates"}}: the rank of the response among
 * the line's own candidates, scored as the collection serves them. A search cannot score given
 * texts, so the student's two towers are asked directly: the context (turns joined by spaces, as
 * Respond joins them) is encoded by the context tower with the collection's adapter ({@code
 * Encode} with the collection), each candidate by the response tower's backbone, then multiplied
 * by the collection's projection P from the index ({@code GetProjection}; the identity for a
 * collection that keeps no base vectors), the matrix the index serves stored responses with. The
 * score is their inner product, as in a search. The teacher scores the same candidates.
 */
final class DialogueJudge implements EvalCommand.Judge {
  private final StudentServiceGrpc.StudentServiceBlockingStub student;
  private final TeacherServiceGrpc.TeacherServiceBlockingStub teacher;
  private final String collection;
  private final long deadlineMs;
  private final Projection projection; // null: the identity
  private final AtomicInteger k = new AtomicInteger();
  private volatile long adapterVersion = -1;

  private DialogueJudge(StudentServiceGrpc.StudentServiceBlockingStub student,
      TeacherServiceGrpc.TeacherServiceBlockingStub teacher, String collection, long deadlineMs, Projection projection) {
    this.student = student;
    this.teacher = teacher;
    this.collection = collection;
    this.deadlineMs = deadlineMs;
    this.projection = projection;
  }

  /** Reads the collection's projection from the index once, for every line. */
  static DialogueJudge open(StudentServiceGrpc.StudentServiceBlockingStub student,
      IndexServiceGrpc.IndexServiceBlockingStub index, TeacherServiceGrpc.TeacherServiceBlockingStub teacher,
      String collection, long deadlineMs) {
    CollectionInfo info = index.withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS)
        .getCollection(GetCollectionRequest.newBuilder().setName(collection).build());
    Projection p = info.getKeepsBaseVectors() ? index.withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS)
        .getProjection(GetProjectionRequest.newBuilder().setCollection(collection).build()) : null;
    return new DialogueJudge(student, teacher, collection, deadlineMs, p == null || p.getVersion() == 0 ? null : p);
  }

  @Override
  public int[] judge(JsonObject line) {
    String context = String.join(" ", BatchQueries.turns(line));
    String response = BatchQueries.string(line, "response");
    List<String> candidates = strings(line);
    int gold = candidates.indexOf(response);
    if (gold < 0) {
      throw new IllegalArgumentException("\"response\" is not among \"candidates\"");
    }
    k.accumulateAndGet(candidates.size(), Math::max);
    EncodeResponse query = student.withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS).encode(EncodeRequest
        .newBuilder().setTower(Tower.TOWER_CONTEXT).setCollection(collection).addTexts(context).build());
    adapterVersion = query.getAdapterVersion();
    EncodeResponse stored = student.withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS).encode(EncodeRequest
        .newBuilder().setTower(Tower.TOWER_RESPONSE).setBase(true).addAllTexts(candidates).build());
    List<Float> u = query.getEmbeddings(0).getValuesList();
    List<Float> scores = new ArrayList<>();
    for (int c = 0; c < candidates.size(); c++) {
      scores.add(dot(u, project(stored.getEmbeddings(c).getValuesList())));
    }
    int studentRank = QaJudge.rankByScore(scores, gold);
    if (teacher == null) {
      return new int[] {studentRank, -1};
    }
    List<Float> judged = teacher.withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS).score(ScoreRequest.newBuilder()
        .setKind(ScoreKind.RELEVANCE).addItems(ScoreItem.newBuilder().setContext(context).addAllCandidates(candidates))
        .build()).getItems(0).getScoresList();
    return new int[] {studentRank, QaJudge.rankByScore(judged, gold)};
  }

  private float[] project(List<Float> base) {
    float[] v = new float[base.size()];
    if (projection == null) {
      for (int i = 0; i < v.length; i++) {
        v[i] = base.get(i);
      }
      return v;
    }
    int d = projection.getCols();
    for (int r = 0; r < projection.getRows(); r++) {
      double s = 0;
      for (int c = 0; c < d; c++) {
        s += projection.getValues(r * d + c) * base.get(c);
      }
      v[r] = (float) s;
    }
    return v;
  }

  private static float dot(List<Float> u, float[] v) {
    double s = 0;
    for (int i = 0; i < v.length; i++) {
      s += u.get(i) * v[i];
    }
    return (float) s;
  }

  private static List<String> strings(JsonObject line) {
    JsonElement e = line.get("candidates");
    if (e == null || !e.isJsonArray() || e.getAsJsonArray().isEmpty()) {
      throw new IllegalArgumentException("\"candidates\" must be a non-empty array of strings");
    }
    List<String> out = new ArrayList<>();
    for (JsonElement c : e.getAsJsonArray()) {
      if (!c.isJsonPrimitive() || !c.getAsJsonPrimitive().isString()) {
        throw new IllegalArgumentException("every candidate must be a string");
      }
      out.add(c.getAsString());
    }
    return out;
  }

  @Override
  public int k() {
    return k.get();
  }

  @Override
  public String describeStudent() {
    return "as served, context adapter v" + adapterVersion + (projection == null ? ", response projection identity"
        : ", response projection v" + projection.getVersion());
  }
}
