package dev.distillmesh.student.cli;

import com.google.gson.JsonObject;
import dev.distillmesh.proto.student.v1.AnswerRequest;
import dev.distillmesh.proto.student.v1.Candidate;
import dev.distillmesh.proto.student.v1.QueryResponse;
import dev.distillmesh.proto.student.v1.StudentServiceGrpc;
import dev.distillmesh.proto.teacher.v1.ScoreItem;
import dev.distillmesh.proto.teacher.v1.ScoreKind;
import dev.distillmesh.proto.teacher.v1.ScoreRequest;
import dev.distillmesh.proto.teacher.v1.TeacherServiceGrpc;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A QA line {@code {"question", "passage_id"}}: the rank of the gold passage in the top K the
 * student's Answer returns and, with a teacher, its rank once the teacher's relevance re-orders
 * those same K (so teacher@K is bounded by whether the student retrieved the gold at all).
 */
final class QaJudge implements EvalCommand.Judge {
  private final StudentServiceGrpc.StudentServiceBlockingStub student;
  private final TeacherServiceGrpc.TeacherServiceBlockingStub teacher;
  private final String collection;
  private final int k;
  private final int ef;
  private final long deadlineMs;
  private volatile long adapterVersion = -1;

  QaJudge(StudentServiceGrpc.StudentServiceBlockingStub student, TeacherServiceGrpc.TeacherServiceBlockingStub teacher,
      String collection, int k, int ef, long deadlineMs) {
    this.student = student;
    this.teacher = teacher;
    this.collection = collection;
    this.k = k;
    this.ef = ef;
    this.deadlineMs = deadlineMs;
  }

  @Override
  public int[] judge(JsonObject line) {
    String question = BatchQueries.string(line, "question");
    String gold = BatchQueries.string(line, "passage_id");
    QueryResponse r = student.withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS).answer(AnswerRequest.newBuilder()
        .setCollection(collection).setQuestion(question).setK(k).setEfSearch(ef).build());
    adapterVersion = r.getContextAdapterVersion();
    List<String> ids = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    for (Candidate c : r.getCandidatesList()) {
      ids.add(c.getId());
      texts.add(c.getText());
    }
    int studentRank = Ranks.rank(ids, gold);
    if (teacher == null) {
      return new int[] {studentRank, -1};
    }
    if (studentRank == 0) {
      return new int[] {0, 0}; // the teacher re-ranks the same K: the gold is not among them
    }
    List<Float> scores = teacher.withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS).score(ScoreRequest.newBuilder()
        .setKind(ScoreKind.RELEVANCE).addItems(ScoreItem.newBuilder().setContext(question).addAllCandidates(texts))
        .build()).getItems(0).getScoresList();
    return new int[] {studentRank, rankByScore(scores, studentRank - 1)};
  }

  /** The 1-based rank of item {@code gold} when ordered by {@code scores}, best first (ties: the earlier). */
  static int rankByScore(List<Float> scores, int gold) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < scores.size(); i++) {
      order.add(i);
    }
    order.sort(Comparator.comparing((Integer i) -> scores.get(i)).reversed());
    return order.indexOf(gold) + 1;
  }

  @Override
  public int k() {
    return k;
  }

  @Override
  public String describeStudent() {
    return "as served, context adapter v" + adapterVersion + ", in the top " + k;
  }
}
